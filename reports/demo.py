"""The demo council, built from the published Derby City tables in reports/seeds/."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from perfmon import demo as frame_demo
from reports.annual_table import read_table

SEEDS = Path(__file__).resolve().parent / "seeds"
ANNUAL_2024_25 = SEEDS / "derby-city-annual-results-2024-25.txt"

PLAN_NAME = "Council Plan 2024 to 2028"
PLAN_YEARS = (2024, 2027)
# The demo officer and director work on these two (one with projects and risks in the seed).
ROLE_PORTFOLIOS = ("Children, Young People and Skills", "Governance and Finance")


def _in_order(values: list[str]) -> list[str]:
    return list(dict.fromkeys(value for value in values if value))


def load_demo(*, today: date) -> frame_demo.DemoFrame:
    rows = read_table(ANNUAL_2024_25.read_text(encoding="utf-8"))
    themes = sorted(_in_order([row.get("council plan theme") for row in rows]))
    portfolios = _in_order([row.portfolio for row in rows])
    return frame_demo.load_demo_frame(
        today=today,
        plan_name=PLAN_NAME,
        plan_years=PLAN_YEARS,
        themes=themes,
        portfolios=portfolios,
        role_portfolios=ROLE_PORTFOLIOS,
    )
