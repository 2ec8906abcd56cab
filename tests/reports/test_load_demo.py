from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from django.urls import reverse

from measures.models import Action, ActionUpdate, Measure, MeasureUpdate
from perfmon.models import (
    CouncilPlan,
    Portfolio,
    PortfolioRole,
    Quarter,
    ReportingYear,
    Return,
    Theme,
    User,
)

SEED_PORTFOLIOS = {
    "Children, Young People and Skills",
    "City Centre Regeneration, Strategy and Policy",
    "Climate Change, Transport and Sustainability",
    "Streetpride, Public Safety and Leisure",
    "Cost of Living, Equalities and Communities",
    "Digital and Organisational Transformation",
    "Housing, Strategic Planning and Regulatory Services",
    "Health and Adult Care",
    "Governance and Finance",
}
SEED_THEMES = [
    "A City of Growth",
    "A Green City",
    "A Resilient City",
    "A Vibrant City",
    "Working Smarter",
]


def load() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def frame_counts() -> dict[str, int]:
    models = [
        CouncilPlan,
        Theme,
        Portfolio,
        PortfolioRole,
        ReportingYear,
        Quarter,
        User,
        Return,
        Measure,
        MeasureUpdate,
        Action,
        ActionUpdate,
    ]
    counts = {model.__name__: model.objects.count() for model in models}
    counts.update({f"history {m.__name__}": m.history.count() for m in models})
    return counts


@time_machine.travel(date(2026, 11, 23))
def test_it_loads_the_seed_themes_portfolios_and_this_year(db: None) -> None:
    output = load()
    # 2021/22 had other portfolios; the 2024/25 ones are all there.
    assert set(Portfolio.objects.values_list("name", flat=True)) >= SEED_PORTFOLIOS
    this_plan = Theme.objects.for_year(ReportingYear.objects.get(start_year=2024))
    assert sorted(this_plan.values_list("name", flat=True)) == SEED_THEMES
    assert sorted(ReportingYear.objects.values_list("start_year", flat=True)) == [
        2020,
        2021,
        2023,
        2024,
        2026,
    ]
    year = ReportingYear.objects.get(start_year=2026)
    q2 = year.quarters.get(number=2)
    # The quarter being reported is due three days from today.
    assert q2.submission_deadline == date(2026, 11, 26)
    assert q2.approval_deadline == date(2026, 12, 10)
    assert "9 portfolios" in output


@time_machine.travel(date(2027, 4, 10))
def test_it_creates_last_year_too_while_its_fourth_quarter_is_reported(db: None) -> None:
    load()
    years = ReportingYear.objects.order_by("start_year").values_list("start_year", flat=True)
    assert list(years) == [2020, 2021, 2023, 2024, 2026, 2027]
    q4 = Quarter.objects.get(year__start_year=2026, number=4)
    assert q4.submission_deadline == date(2027, 4, 13)


@time_machine.travel(date(2026, 11, 23))
def test_it_gives_each_demo_user_their_role(db: None) -> None:
    output = load()
    officer = User.objects.get(username="officer")
    assert officer.check_password("perfmon-demo")
    assert sorted(officer.portfolio_roles.values_list("portfolio__name", "role")) == [
        ("Children, Young People and Skills", "officer"),
        ("Governance and Finance", "officer"),
    ]
    assert (
        User.objects.get(username="director").portfolio_roles.filter(role="director").count() == 2
    )
    admin = User.objects.get(username="admin")
    assert admin.is_staff and admin.is_performance_team and not admin.is_superuser
    viewer = User.objects.get(username="viewer")
    assert not viewer.portfolio_roles.exists() and not viewer.is_performance_team
    for username in ("officer", "director", "admin", "viewer"):
        assert username in output
    assert "perfmon-demo" in output


@time_machine.travel(date(2026, 11, 23))
def test_it_changes_nothing_when_run_twice(db: None) -> None:
    load()
    first = frame_counts()
    load()
    assert frame_counts() == first


@override_settings(DEMO_ALLOWED=False)
def test_it_refuses_to_load_demo_users_in_production(db: None) -> None:
    with pytest.raises(CommandError, match="published password"):
        call_command("load_demo")
    assert not User.objects.exists()


@time_machine.travel(date(2026, 11, 23))
def test_it_imports_the_published_2024_25_measures_and_actions(db: None) -> None:
    load()
    assert Measure.objects.filter(year__start_year=2024).count() == 94
    assert Action.objects.filter(year__start_year=2024).count() == 55
    neet = MeasureUpdate.objects.get(measure__reference="EHCS PM21", measure__year__start_year=2024)
    assert (neet.actual, neet.measure.target, neet.shown_status) == (
        Decimal("7.4"),
        Decimal("4.7"),
        "Red",
    )
    assert neet.measure.polarity == "lower"  # DoT Deteriorating while the value rose
    last_year = neet.measure.previous.updates.get()
    assert last_year.actual == Decimal("4.7")
    tax = MeasureUpdate.objects.get(measure__reference="CM PM03", measure__year__start_year=2024)
    assert (tax.status, tax.status_override, tax.override_reason) == ("Green", "Amber", "imported")


@time_machine.travel(date(2026, 11, 23))
def test_it_gives_the_demo_returns_in_every_state(db: None, client: Client) -> None:
    load()
    states = set(
        Return.objects.filter(quarter__year__start_year=2026).values_list("state", flat=True)
    )
    assert states == {"draft", "submitted", "returned", "approved", "reopened"}
    mine = Return.objects.filter(portfolio__roles__user__username="officer").distinct()
    assert set(mine.values_list("state", flat=True)) >= {"draft", "submitted", "returned"}
    # Quarter 1's overview: every state, overdue ones, and one extension.
    client.force_login(User.objects.get(username="admin"))
    page = client.get(reverse("returns_overview"), {"q": "2026-1"}).content.decode()
    for label in ("Draft", "Submitted", "Returned for changes", "Approved", "Reopened"):
        assert f">{label}</strong>" in page
    assert "Approval " in page and "days overdue" in page
    assert page.count(">Extended</strong>") == 1


@time_machine.travel(date(2026, 11, 23))
def test_it_imports_projects_and_risks_and_rates_them_in_this_years_returns(db: None) -> None:
    from projects.models import Project, ProjectUpdate
    from risks.models import Risk, RiskAssessment

    load()
    assert Project.objects.filter(year__start_year=2024).count() == 32
    assert Risk.objects.filter(year__start_year=2024).count() == 18
    approved_q1 = ProjectUpdate.objects.filter(
        ret__quarter__year__start_year=2026, ret__state=Return.State.APPROVED
    )
    assert approved_q1.exists() and approved_q1.filter(rag_from_criteria=True).exists()
    assessed = RiskAssessment.objects.filter(ret__quarter__year__start_year=2026)
    assert assessed.filter(threat_likelihood__isnull=False, score_only=False).exists()


@time_machine.travel(date(2026, 11, 23))
def test_it_carries_every_kind_on_into_this_year_linked_to_last_years(db: None) -> None:
    load()
    measure = Measure.objects.get(year__start_year=2026, reference="CM PM03")
    assert (measure.previous.year.start_year, measure.previous.reference) == (2024, "CM PM03")
    action = Action.objects.filter(year__start_year=2026).first()
    assert action.previous.reference == action.reference
    assert not Measure.objects.filter(year__start_year=2026, previous__isnull=True).exists()
