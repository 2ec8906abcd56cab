"""A small council built by hand, whose summary is worked out below by hand; other report
tests import `build_council` too.

2024/25, quarter 4, against 2023/24's quarter 4. Two themes, "Growth" (first) and
"Green". Statuses are computed by the real rule (Derby City scheme), not typed in.

Growth
  M1  higher, target 100, actual 105 (Green, met)  last year 90: Improving
  M2  higher, target 100, actual 80 (Red)          last year 85: Deteriorating
  M3  no target, actual 50                          last year 50: Same
  M4  target 100, data not yet available            (left out of both)
  M7  target 100, actual 10 (Red), in a DRAFT return: left out unless draft
  A1 Completed, A2 On track, A3 Some slippage
  P1 DCA Green, P2 DCA Red, P3 Pre-start/Completed (left out)
  R1 threat score 16 (4 x 4), was 9 at Q3
Green
  M5  lower is better, target 10, actual 8 (Blue, met)   last year 12: Improving
  M6  higher, target 50, actual 49 "Q3 data" (Green)     last year 40: left out (earlier period)
  A4 Major slippage, A5 N/A (left out)
  R2 threat score 6 (2 x 3)

By hand, counted by the "like-for-like" convention, which `build_council` chooses (Blue/Green
met; Same not improved; earlier period left out):
  Growth  measures 5, actions 3, risks 1, projects 3
          met 1 of 2 (M1; M2)          = 50.0
          improved 1 of 3 (M1; M2, M3)  = 33.3
          actions 2 of 3 (A1, A2; A3)   = 66.7
          projects 1 of 2 (P1; P2)      = 50.0
  Green   measures 2, actions 2, risks 1, projects 0
          met 1 of 1 (M5)               = 100.0
          improved 1 of 1 (M5)          = 100.0
          actions 0 of 1 (A4)           = 0.0
          projects none                 = null
  Council measures 7, actions 5, risks 2, projects 3
          met 2 of 3 = 66.7; improved 2 of 4 = 50.0; actions 2 of 4 = 50.0;
          projects 1 of 2 = 50.0
  Ratings counted (action_ratings, measure_ratings) leave out N/A, No target and drafts:
  Growth  Completed 1, On track 1, Some slippage 1; Green 1 (M1), Red 1 (M2)
  Green   Major slippage 1; Blue 1 (M5), Green 1 (M6)
  Action statuses: Growth 1 completed, 1 on track, 1 some slippage; Green 1 major
  slippage, 1 N/A.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from measures.models import Action, ActionUpdate, Measure, MeasureUpdate, rules_in_use
from perfmon.models import Portfolio, ReportingYear, Return, Theme
from projects.models import Project, ProjectUpdate
from reports.models import CountingSetting
from risks.models import Risk, RiskAssessment
from tests.factories import (
    ActionFactory,
    CouncilPlanFactory,
    MeasureFactory,
    PortfolioFactory,
    QuarterFactory,
    ReportingYearFactory,
    ThemeFactory,
)


@dataclass
class Council:
    year: ReportingYear
    last_year: ReportingYear
    growth: Theme
    green: Theme
    portfolio: Portfolio
    other: Portfolio
    measures: dict[str, Measure]
    actions: dict[str, Action]
    projects: dict[str, Project]
    risks: dict[str, Risk]

    def ret(self, portfolio: Portfolio, start_year: int, number: int, state: str) -> Return:
        quarter = QuarterFactory(year=ReportingYearFactory(start_year=start_year), number=number)
        ret, _ = Return.objects.get_or_create(
            portfolio=portfolio, quarter=quarter, defaults={"state": state}
        )
        return ret


def _measure_update(
    ret: Return, measure: Measure, actual: str | None, **extra: Any
) -> MeasureUpdate:
    update = MeasureUpdate(
        measure=measure,
        ret=ret,
        actual=None if actual is None else Decimal(actual),
        target=measure.target,
        **extra,
    )
    update.rate(measure=measure, target=measure.target, scheme=rules_in_use.get())
    update.save()
    return update


def build_council() -> Council:
    plan = CouncilPlanFactory(first_year=2023, last_year=2027)
    growth = ThemeFactory(plan=plan, name="Growth", position=1)
    green = ThemeFactory(plan=plan, name="Green", position=2)
    portfolio = PortfolioFactory(name="Regeneration")
    other = PortfolioFactory(name="Streetpride")
    year = ReportingYearFactory(start_year=2024)
    last_year = ReportingYearFactory(start_year=2023)
    for y in (year, last_year):
        for n in (1, 2, 3, 4):
            QuarterFactory(year=y, number=n)
    council = Council(year, last_year, growth, green, portfolio, other, {}, {}, {}, {})
    CountingSetting.objects.update_or_create(pk=1, defaults={"convention": "like-for-like"})
    q4 = council.ret(portfolio, 2024, 4, Return.State.APPROVED)
    last_q4 = council.ret(portfolio, 2023, 4, Return.State.APPROVED)
    draft_q4 = council.ret(other, 2024, 4, Return.State.SUBMITTED)

    def measure(
        ref: str,
        theme: Theme,
        *,
        target: str | None,
        actual: str | None,
        last: str | None,
        polarity: str = "higher",
        ret: Return = q4,
        **extra: Any,
    ) -> None:
        common = {
            "theme": theme,
            "portfolio": ret.portfolio,
            "polarity": polarity,
            "unit": "count",
        }
        previous = None
        if last is not None:
            previous = MeasureFactory(year=last_year, reference=ref, target=None, **common)
            _measure_update(last_q4, previous, last)
        item = MeasureFactory(
            year=year,
            reference=ref,
            target=None if target is None else Decimal(target),
            previous=previous,
            **common,
        )
        missing = "not_yet_available" if actual is None else ""
        _measure_update(ret, item, actual, missing_reason=missing, **extra)
        council.measures[ref] = item

    measure("M1", growth, target="100", actual="105", last="90")
    measure("M2", growth, target="100", actual="80", last="85")
    measure("M3", growth, target=None, actual="50", last="50")
    measure("M4", growth, target="100", actual=None, last=None)
    measure("M7", growth, target="100", actual="10", last=None, ret=draft_q4)
    measure("M5", green, target="10", actual="8", last="12", polarity="lower")
    measure("M6", green, target="50", actual="49", last="40", period_label="Q3 data")

    for ref, theme, status in (
        ("A1", growth, ActionUpdate.Status.COMPLETED),
        ("A2", growth, ActionUpdate.Status.ON_TRACK),
        ("A3", growth, ActionUpdate.Status.SOME_SLIPPAGE),
        ("A4", green, ActionUpdate.Status.MAJOR_SLIPPAGE),
        ("A5", green, ActionUpdate.Status.NOT_APPLICABLE),
    ):
        action = ActionFactory(year=year, reference=ref, theme=theme, portfolio=portfolio)
        ActionUpdate.objects.create(action=action, ret=q4, status=status, commentary=f"{ref} note")
        council.actions[ref] = action

    for ref, dca in (("P1", "green"), ("P2", "red"), ("P3", "pre_start_completed")):
        project = Project.objects.create(
            year=year, reference=ref, name=f"Project {ref}", portfolio=portfolio, theme=growth
        )
        ProjectUpdate.objects.create(project=project, ret=q4, dca=dca, rag_from_criteria=False)
        council.projects[ref] = project

    q3 = council.ret(portfolio, 2024, 3, Return.State.APPROVED)
    for ref, theme, (likelihood, impact), before in (
        ("R1", growth, (4, 4), (3, 3)),
        ("R2", green, (2, 3), None),
    ):
        risk = Risk.objects.create(
            year=year, reference=ref, title=f"Risk {ref}", portfolio=portfolio, theme=theme
        )
        RiskAssessment.objects.create(
            risk=risk,
            ret=q4,
            threat_likelihood=likelihood,
            threat_impact=impact,
            threat_score=likelihood * impact,
            threat_level_colour="red",
        )
        if before:
            RiskAssessment.objects.create(
                risk=risk,
                ret=q3,
                threat_likelihood=before[0],
                threat_impact=before[1],
                threat_score=before[0] * before[1],
            )
        council.risks[ref] = risk
    return council


def summary_json(*args: str) -> list[dict[str, Any]]:
    out = StringIO()
    call_command("performance_summary", "--year", "2024/25", *args, stdout=out)
    return json.loads(out.getvalue())


EXPECTED = [
    {
        "theme": "Growth",
        "measures": 5,
        "actions": 3,
        "risks": 1,
        "projects": 3,
        "measures_meeting_target_pct": 50.0,
        "measures_improved_pct": 33.3,
        "actions_on_track_pct": 66.7,
        "projects_green_or_amber_pct": 50.0,
        "action_ratings": {"Completed": 1, "On track": 1, "Some slippage": 1},
        "measure_ratings": {"Green": 1, "Red": 1},
        "action_statuses": {
            "completed": 1,
            "on_track": 1,
            "some_slippage": 1,
            "major_slippage": 0,
            "n/a": 0,
        },
    },
    {
        "theme": "Green",
        "measures": 2,
        "actions": 2,
        "risks": 1,
        "projects": 0,
        "measures_meeting_target_pct": 100.0,
        "measures_improved_pct": 100.0,
        "actions_on_track_pct": 0.0,
        "projects_green_or_amber_pct": None,
        "action_ratings": {"Major slippage": 1},
        "measure_ratings": {"Blue": 1, "Green": 1},
        "action_statuses": {
            "completed": 0,
            "on_track": 0,
            "some_slippage": 0,
            "major_slippage": 1,
            "n/a": 1,
        },
    },
    {
        "theme": None,
        "measures": 7,
        "actions": 5,
        "risks": 2,
        "projects": 3,
        "measures_meeting_target_pct": 66.7,
        "measures_improved_pct": 50.0,
        "actions_on_track_pct": 50.0,
        "projects_green_or_amber_pct": 50.0,
        "action_ratings": {"Completed": 1, "On track": 1, "Some slippage": 1, "Major slippage": 1},
        "measure_ratings": {"Blue": 1, "Green": 2, "Red": 1},
        "action_statuses": {
            "completed": 1,
            "on_track": 1,
            "some_slippage": 1,
            "major_slippage": 1,
            "n/a": 1,
        },
    },
]


def test_it_gives_the_summary_as_json_with_the_documented_keys(db: None) -> None:
    build_council()
    assert summary_json("--quarter", "4", "--format", "json") == EXPECTED


def test_it_rates_the_hand_built_measures_by_the_real_rule(db: None) -> None:
    council = build_council()
    statuses = {
        ref: MeasureUpdate.objects.get(measure=m).status for ref, m in council.measures.items()
    }
    assert statuses == {
        "M1": "Green",
        "M2": "Red",
        "M3": "No target",
        "M4": "N/A",
        "M7": "Red",
        "M5": "Blue",
        "M6": "Green",
    }


def test_it_counts_a_draft_return_only_in_a_draft(db: None) -> None:
    build_council()
    growth = summary_json("--draft")[0]
    # M7 (Red) joins the denominator: 1 of 3.
    assert growth["measures_meeting_target_pct"] == 33.3
    assert summary_json()[0]["measures_meeting_target_pct"] == 50.0


@override_settings(
    REPORTS_COUNTING={"same_counts_as_improved": True, "exclude_earlier_period": False}
)
def test_it_counts_as_the_council_sets_it(db: None) -> None:
    build_council()
    growth, green, council = summary_json()
    assert growth["measures_improved_pct"] == 66.7  # M3's "Same" now improved: 2 of 3
    # M6's Q3 data now counts: met 2 of 2, improved 2 of 2.
    assert (green["measures_meeting_target_pct"], green["measures_improved_pct"]) == (100, 100)
    assert council["measures_meeting_target_pct"] == 75.0  # 3 of 4
    assert council["measures_improved_pct"] == 80.0  # 4 of 5


def test_it_writes_csv_and_a_table_with_the_counting_printed(db: None) -> None:
    build_council()
    out = StringIO()
    call_command("performance_summary", "--year", "2024-25", "--format", "csv", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == (
        "theme,measures,actions,risks,projects,measures_meeting_target_pct,"
        "measures_improved_pct,actions_on_track_pct,projects_green_or_amber_pct"
    )
    assert lines[2] == "Green,2,2,1,0,100.0,100.0,0.0,"
    out = StringIO()
    call_command("performance_summary", "--year", "2024/25", "--format", "table", stdout=out)
    text = out.getvalue()
    assert "Whole council" in text and "66.7%" in text
    assert "“Same” is not counted as improved" in text


def test_it_says_when_the_year_does_not_exist(db: None) -> None:
    with pytest.raises(CommandError, match="no reporting year 2030/31"):
        call_command("performance_summary", "--year", "2030/31")
    with pytest.raises(CommandError, match="not a financial year"):
        call_command("performance_summary", "--year", "next year")


def test_it_shows_the_summary_page_with_each_count_beside_its_percentage(
    client: Any, outsider: Any
) -> None:
    build_council()
    client.force_login(outsider)
    response = client.get("/reports/summary/", {"year": 2024, "quarter": 4})
    assert response.status_code == 200
    page = response.content.decode()
    assert '66.7%<span class="app-share"> (2 of 3)</span>' in page
    assert response.context["result"].council.as_json() == EXPECTED[2]
    assert "How these figures are counted" in page
