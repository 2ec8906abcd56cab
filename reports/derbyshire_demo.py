"""The second demo council: Derbyshire County Council's 2021-22 Council Plan, from its
published performance report (reports/seeds/derbyshire-council-plan-2021-22.json, taken from
derbyshire-county-council-plan-report-2021-22.txt beside it).

Its four priorities are the plan's themes and, for data entry, its portfolios. The 66
deliverables carry their Q4 rating and, where the report gives one ("Strong (Good in Q3)"),
their Q3 rating (else the Q4 one), completion dates and original and expected completion
dates. The key measures carry their Q4 date, actual and target, rated by the Derbyshire
scheme. Every step is get-or-create: loading twice changes nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from measures.models import (
    Action,
    ActionRating,
    ActionUpdate,
    Measure,
    MeasureUpdate,
    RatingScheme,
)
from measures.services import use_council_schemes
from perfmon import demo as frame_demo
from perfmon import quarters
from perfmon.models import (
    CouncilSettings,
    Portfolio,
    Quarter,
    ReportingYear,
    Return,
    ReturnEvent,
    User,
)
from perfmon.services import create_reporting_year

SEED = Path(__file__).resolve().parent / "seeds" / "derbyshire-council-plan-2021-22.json"
SCHEME = "Derbyshire County Council"
MONTHS = {"03": "Mar", "06": "Jun", "08": "Aug", "09": "Sep", "12": "Dec"}


@dataclass(frozen=True)
class DerbyshireDemo:
    year: ReportingYear
    deliverables: int
    measures: int
    overridden: list[str]  # measures whose published rating differs from the scheme's


def _seed() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SEED.read_text(encoding="utf-8"))
    return data


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


class DemoClash(ValueError):
    """The database already holds another council's items for the demo's year."""


def holds_derbyshire() -> bool:
    """Whether the Derbyshire demo was loaded here (the council settings carry its name):
    the Derby demo, whose years overlap, must then go into a database of its own."""
    return CouncilSettings.current().council_name == _seed()["council"]


@transaction.atomic
def load_derbyshire_demo(*, today: date) -> DerbyshireDemo:
    """Raises DemoClash where the year already holds items that are not Derbyshire's."""
    seed = _seed()
    references = {entry["reference"] for entry in seed["deliverables"] + seed["measures"]}
    for model in (Action, Measure):
        held = model.objects.filter(year__start_year=seed["year"])
        if held.exclude(reference__in=references).exists():
            raise DemoClash(
                f"{quarters.year_label(seed['year'])} already holds another council's items: "
                "load the Derbyshire demo into a database of its own."
            )
    priorities: list[str] = seed["priorities"]
    frame = frame_demo.load_demo_frame(
        today=today,
        plan_name=seed["plan"],
        plan_years=tuple(seed["plan_years"]),
        themes=priorities,
        portfolios=priorities,
        role_portfolios=priorities,
    )
    use_council_schemes(name=SCHEME)
    _council_words(seed)
    year = ReportingYear.objects.filter(start_year=seed["year"]).first()
    if year is None:
        year = create_reporting_year(start_year=seed["year"])
    overridden: list[str] = []
    if not Action.objects.filter(year=year).exists():
        overridden = _load_plan(seed, year, frame.plan.themes.all(), frame.users)
    return DerbyshireDemo(
        year=year,
        deliverables=Action.objects.filter(year=year).count(),
        measures=Measure.objects.filter(year=year).count(),
        overridden=overridden,
    )


def _council_words(seed: dict[str, Any]) -> None:
    council = CouncilSettings.current()
    council.council_name = seed["council"]
    council.short_name = seed["short_name"]
    council.brand_colour = "#00594f"
    council.dot_improving, council.dot_same, council.dot_deteriorating = (
        "Improving",
        "No change",
        "Declining",
    )
    council.actions_heading, council.measures_heading = "Deliverables", "Key measures"
    council.save()


def _load_plan(
    seed: dict[str, Any], year: ReportingYear, themes: Any, users: dict[str, User]
) -> list[str]:
    priorities: list[str] = seed["priorities"]
    theme_of = {theme.name: theme for theme in themes}
    portfolio_of = {p.name: p for p in Portfolio.objects.filter(name__in=priorities)}
    officer, director = users["officer"], users["director"]
    returns = {
        (name, number): _approved_return(portfolio_of[name], year, number, officer, director)
        for name in priorities
        for number in (3, 4)
    }

    def place(entry: dict[str, Any]) -> dict[str, Any]:
        name = priorities[entry["priority"] - 1]
        return {"year": year, "portfolio": portfolio_of[name], "theme": theme_of[name]}

    actions = bulk_create_with_history(
        [
            Action(
                reference=entry["reference"],
                description=entry["description"],
                original_completion=_day(entry.get("original")),
                expected_completion=_day(entry.get("expected")),
                **place(entry),
            )
            for entry in seed["deliverables"]
        ],
        Action,
        default_user=officer,
    )
    labels = {
        label.label: label
        for label in ActionRating.objects.filter(scheme__name=SCHEME, scheme__in_use=True)
    }
    at = timezone.now() - timedelta(days=2)
    updates = []
    for action, entry in zip(actions, seed["deliverables"], strict=True):
        name = priorities[entry["priority"] - 1]
        completed = _day(entry.get("completed"))
        for number, rating in ((3, entry.get("q3", entry["q4"])), (4, entry["q4"])):
            ends = quarters.quarter_bounds(year.start_year, number)[1]
            label = labels[rating]
            updates.append(
                ActionUpdate(
                    action=action,
                    ret=returns[(name, number)],
                    status=label.key,
                    rating=label,
                    completed_on=completed if completed and completed <= ends else None,
                    commentary="",
                    updated_by=officer,
                    updated_at=at,
                )
            )
    bulk_create_with_history(updates, ActionUpdate, default_user=officer)
    return _load_measures(seed, year, place, returns, officer)


def _load_measures(
    seed: dict[str, Any],
    year: ReportingYear,
    place: Any,
    returns: dict[tuple[str, int], Return],
    officer: User,
) -> list[str]:
    priorities: list[str] = seed["priorities"]
    scheme = RatingScheme.objects.prefetch_related("bands").get(name=SCHEME).as_rules()
    entries = seed["measures"]
    measures = bulk_create_with_history(
        [
            Measure(
                reference=entry["reference"],
                description=entry["description"],
                unit=entry["unit"],
                polarity=entry["polarity"],
                frequency=_frequency(entry),
                target=None if entry["target"] is None else Decimal(entry["target"]),
                **place(entry),
            )
            for entry in entries
        ],
        Measure,
        default_user=officer,
    )
    at = timezone.now() - timedelta(days=2)
    updates, overridden = [], []
    for measure, entry in zip(measures, entries, strict=True):
        update = MeasureUpdate(
            measure=measure,
            ret=returns[(priorities[entry["priority"] - 1], 4)],
            actual=None if entry["actual"] is None else Decimal(entry["actual"]),
            missing_reason="" if entry["actual"] is not None else "not_yet_available",
            period_label=_period(entry["period"]),
            updated_by=officer,
            updated_at=at,
        )
        update.rate(measure=measure, target=measure.target, scheme=scheme)
        published = entry.get("published")
        if published and published != update.status:
            # The council's own rating is kept as an override, with the scheme's beside it.
            update.status_override = published
            update.override_reason = (
                f"As published by the council; the scheme gives {update.status}."
            )
            overridden.append(f"{measure.reference}: {update.status} -> {published}")
        updates.append(update)
    bulk_create_with_history(updates, MeasureUpdate, default_user=officer)
    return overridden


def _frequency(entry: dict[str, Any]) -> str:
    period = entry["period"] or ""
    return Measure.Frequency.QUARTERLY if period.endswith("-03") else Measure.Frequency.ANNUAL


def _period(period: str | None) -> str:
    """ "Dec 2021 data" for a figure of an earlier period than the quarter's end."""
    if not period or period.endswith("2022-03"):
        return ""
    year, month = period.split("-")
    return f"{MONTHS[month]} {year} data"


def _approved_return(
    portfolio: Portfolio, year: ReportingYear, number: int, officer: User, director: User
) -> Return:
    quarter = Quarter.objects.get(year=year, number=number)
    ret = Return.objects.create(portfolio=portfolio, quarter=quarter, state=Return.State.APPROVED)
    at = timezone.now() - timedelta(days=2)
    for action, from_state, to_state, user in (
        (ReturnEvent.Action.SUBMITTED, Return.State.DRAFT, Return.State.SUBMITTED, officer),
        (ReturnEvent.Action.APPROVED, Return.State.SUBMITTED, Return.State.APPROVED, director),
    ):
        ReturnEvent.objects.create(
            ret=ret, action=action, from_state=from_state, to_state=to_state, user=user, at=at
        )
    return ret
