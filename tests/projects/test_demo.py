"""The demo's projects: last year's carried into this year with their lineage, and the
demo returns' updates, varied, deterministic, and the same however often they are made."""

from __future__ import annotations

from collections import Counter

import pytest

from perfmon.models import Portfolio, ReportingYear, Return, User
from perfmon.sections import sections
from perfmon.services import create_reporting_year
from projects.demo import carry_projects_on, fill_return
from projects.models import Project, ProjectUpdate
from tests.factories import ThemeFactory
from tests.projects.factories import ProjectFactory
from tests.projects.helpers import return_in


@pytest.fixture
def years(db: None) -> tuple[ReportingYear, ReportingYear]:
    return create_reporting_year(start_year=2024), create_reporting_year(start_year=2026)


@pytest.fixture
def last_years(years: tuple[ReportingYear, ReportingYear], portfolio: Portfolio) -> list[Project]:
    theme = ThemeFactory()
    return [
        ProjectFactory(
            year=years[0],
            portfolio=portfolio,
            theme=theme,
            reference=f"PMP{n}",
            gateway="Gateway 2" if n == 1 else "",
        )
        for n in range(1, 8)
    ]


def test_it_carries_last_years_projects_on_with_their_lineage_once(
    years: tuple[ReportingYear, ReportingYear], last_years: list[Project]
) -> None:
    old, new = years
    carry_projects_on(from_year=old, to=new)
    carried = list(Project.objects.filter(year=new).order_by("pk"))
    assert [p.reference for p in carried] == [p.reference for p in last_years]
    assert [p.previous for p in carried] == last_years
    assert carried[0].gateway == "Gateway 2"
    assert carried[0].history.get().history_change_reason == "demo"
    carry_projects_on(from_year=old, to=new)
    assert Project.objects.filter(year=new).count() == 7
    assert Project.history.filter(year_id=new.pk).count() == 7


def test_it_leaves_a_reference_already_in_this_year_alone(
    years: tuple[ReportingYear, ReportingYear], last_years: list[Project], portfolio: Portfolio
) -> None:
    old, new = years
    ProjectFactory(year=new, portfolio=portfolio, reference="PMP3", name="Started afresh")
    carry_projects_on(from_year=old, to=new)
    assert Project.objects.filter(year=new).count() == 7
    assert Project.objects.get(year=new, reference="PMP3").previous is None


@pytest.fixture
def carried(years: tuple[ReportingYear, ReportingYear], last_years: list[Project]) -> None:
    carry_projects_on(from_year=years[0], to=years[1])


def test_it_fills_a_complete_return_with_varied_ratings_and_one_red(
    carried: None, portfolio: Portfolio, officer: User
) -> None:
    ret = return_in(portfolio, 2026, 1, Return.State.APPROVED)
    fill_return(ret, officer=officer, complete=True)
    updates = list(ProjectUpdate.objects.filter(ret=ret).order_by("project__reference"))
    assert len(updates) == 7
    rags, dcas = Counter(u.rag for u in updates), Counter(u.dca for u in updates)
    assert rags["red"] == 1 and dcas["red"] == 1
    assert rags["amber_red"] >= 1 and dcas["amber_red"] >= 1
    assert len(set(dcas)) >= 3
    (red,) = [u for u in updates if u.dca == "red"]
    assert red.rag == "red" and red.commentary
    assert all(u.rag_explained.startswith(u.get_rag_display()) for u in updates)
    assert {u.updated_by for u in updates} == {officer}
    assert {u.history.get().history_user for u in updates} == {officer}
    (projects,) = [s for s in sections if s.key == "projects"]
    assert projects.missing(ret=ret) == []


def test_it_leaves_some_projects_missing_from_an_incomplete_return(
    carried: None, portfolio: Portfolio, officer: User
) -> None:
    ret = return_in(portfolio, 2026, 2, Return.State.DRAFT)
    fill_return(ret, officer=officer, complete=False)
    assert ProjectUpdate.objects.filter(ret=ret).count() == 4
    (projects,) = [s for s in sections if s.key == "projects"]
    assert len(projects.missing(ret=ret)) == 3


@pytest.mark.parametrize("complete", [True, False])
def test_it_gives_the_same_updates_every_time_and_adds_none_the_second_time(
    carried: None, portfolio: Portfolio, officer: User, complete: bool
) -> None:
    ret = return_in(portfolio, 2026, 1, Return.State.APPROVED)
    fill_return(ret, officer=officer, complete=complete)
    first = list(ProjectUpdate.objects.values_list("project__reference", "rag", "dca"))
    fill_return(ret, officer=officer, complete=complete)
    assert list(ProjectUpdate.objects.values_list("project__reference", "rag", "dca")) == first
    assert ProjectUpdate.history.count() == len(first)
    ProjectUpdate.history.all().delete()
    ProjectUpdate.objects.all().delete()
    fill_return(ret, officer=officer, complete=complete)
    assert list(ProjectUpdate.objects.values_list("project__reference", "rag", "dca")) == first
