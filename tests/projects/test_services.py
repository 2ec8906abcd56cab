"""Importing the projects of a published annual results table: created, updated or
unchanged, with history only for what changed, and nothing written for a DCA it cannot
read."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest

from perfmon.models import Portfolio, ReportingYear, Return, Theme, User
from perfmon.services import create_reporting_year
from projects.models import Project, ProjectUpdate
from projects.services import DcaParseError, PublishedProject, import_published_projects
from tests.factories import PortfolioFactory, ThemeFactory
from tests.projects.factories import ProjectFactory, ProjectUpdateFactory
from tests.projects.helpers import return_in

REASON = "Imported from derby-city-annual-results-2024-25.txt"


@pytest.fixture
def year(db: None) -> ReportingYear:
    return create_reporting_year(start_year=2024)


@pytest.fixture
def resilient(db: None) -> Theme:
    return ThemeFactory(name="A Resilient City")


@pytest.fixture
def vibrant(db: None) -> Theme:
    return ThemeFactory(name="A Vibrant City")


@pytest.fixture
def cyps(db: None) -> Portfolio:
    return PortfolioFactory(name="Children, Young People and Skills")


@pytest.fixture
def returns(year: ReportingYear) -> Callable[[Portfolio], Return]:
    def return_for(portfolio: Portfolio) -> Return:
        return return_in(portfolio, 2024, 4, Return.State.APPROVED)

    return return_for


@pytest.fixture
def table(cyps: Portfolio, portfolio: Portfolio, resilient: Theme, vibrant: Theme) -> list:
    return [
        PublishedProject("PMP124", "Family Hubs", cyps, resilient, "Green"),
        PublishedProject(
            "PMP171", "DSG and School Capital programme", cyps, resilient, "Green/Amber"
        ),
        PublishedProject("PMP126", "Community Managed Libraries", portfolio, vibrant, "Amber/Red"),
        PublishedProject("PMP60", "South Derby Growth Zone", portfolio, vibrant, "Red"),
    ]


def run(
    year: ReportingYear, table: list, returns: Callable[[Portfolio], Return], user: User
) -> dict[str, str]:
    return import_published_projects(
        year=year, projects=table, return_for=returns, user=user, reason=REASON
    )


def test_it_creates_each_project_and_its_published_dca_without_criteria(
    year: ReportingYear, table: list, returns: Callable, admin_user: User, cyps: Portfolio
) -> None:
    assert run(year, table, returns, admin_user) == dict.fromkeys(
        ["PMP124", "PMP171", "PMP126", "PMP60"], "created"
    )
    hubs = Project.objects.get(reference="PMP124")
    assert (hubs.year, hubs.name, hubs.portfolio, hubs.theme.name) == (
        year,
        "Family Hubs",
        cyps,
        "A Resilient City",
    )
    updates = {
        u.project.reference: u for u in ProjectUpdate.objects.select_related("project", "ret")
    }
    assert {ref: u.dca for ref, u in updates.items()} == {
        "PMP124": "green",
        "PMP171": "amber_green",
        "PMP126": "amber_red",
        "PMP60": "red",
    }
    assert {u.ret.quarter.number for u in updates.values()} == {4}
    assert {u.ret.portfolio for u in updates.values()} == {cyps, table[2].portfolio}
    for update in updates.values():
        assert (update.rag, update.rag_from_criteria, update.time_on_track) == ("", False, None)
        assert update.updated_by == admin_user
    record = updates["PMP124"].history.get()
    assert (record.history_user, record.history_change_reason) == (admin_user, REASON)
    assert hubs.history.get().history_change_reason == REASON


def test_it_changes_nothing_and_writes_no_history_the_second_time(
    year: ReportingYear, table: list, returns: Callable, admin_user: User
) -> None:
    run(year, table, returns, admin_user)
    counts = (Project.history.count(), ProjectUpdate.history.count())
    assert set(run(year, table, returns, admin_user).values()) == {"unchanged"}
    assert (Project.history.count(), ProjectUpdate.history.count()) == counts


def test_it_updates_a_renamed_project_and_a_changed_dca(
    year: ReportingYear, table: list, returns: Callable, admin_user: User
) -> None:
    run(year, table, returns, admin_user)
    table[0] = replace(table[0], name="Family Hubs (phase 2)")
    table[3] = replace(table[3], dca_text="Amber / Red")
    assert run(year, table, returns, admin_user) == {
        "PMP124": "updated",
        "PMP171": "unchanged",
        "PMP126": "unchanged",
        "PMP60": "updated",
    }
    assert Project.objects.get(reference="PMP124").name == "Family Hubs (phase 2)"
    update = ProjectUpdate.objects.get(project__reference="PMP60")
    assert (update.dca, update.version) == ("amber_red", 2)
    assert update.history.first().history_change_reason == REASON


def test_it_adds_the_published_dca_to_a_project_that_had_none(
    year: ReportingYear, table: list, returns: Callable, admin_user: User, cyps: Portfolio
) -> None:
    ProjectFactory(
        year=year, reference="PMP124", name="Family Hubs", portfolio=cyps, theme=table[0].theme
    )
    assert run(year, table[:1], returns, admin_user) == {"PMP124": "updated"}
    assert ProjectUpdate.objects.get().dca == "green"


def test_it_keeps_an_officers_criteria_when_the_published_dca_differs(
    year: ReportingYear, table: list, returns: Callable, admin_user: User, cyps: Portfolio
) -> None:
    project = ProjectFactory(
        year=year, reference="PMP124", name="Family Hubs", portfolio=cyps, theme=table[0].theme
    )
    ProjectUpdateFactory(
        project=project,
        ret=returns(cyps),
        cost_on_track=False,
        cost_reason="Over",
        dca="amber_green",
    )
    assert run(year, table[:1], returns, admin_user) == {"PMP124": "updated"}
    update = ProjectUpdate.objects.get()
    assert (update.dca, update.rag, update.rag_from_criteria, update.cost_on_track) == (
        "green",
        "amber_green",
        True,
        False,
    )


def test_it_links_a_new_project_to_last_years_with_the_same_reference(
    year: ReportingYear, table: list, returns: Callable, admin_user: User, cyps: Portfolio
) -> None:
    before = ProjectFactory(
        year=create_reporting_year(start_year=2023), reference="PMP124", portfolio=cyps
    )
    run(year, table, returns, admin_user)
    assert Project.objects.get(year=year, reference="PMP124").previous == before


@pytest.mark.parametrize(
    ("dca_text", "message"),
    [
        ("N/A", "PMP60: “N/A” is not a DCA"),
        ("Amber", "PMP60: “Amber” is not a DCA: Amber alone is not on the scale"),
        ("", "PMP60: The DCA is blank"),
    ],
)
def test_it_refuses_a_dca_it_cannot_read_and_writes_nothing(
    year: ReportingYear,
    table: list,
    returns: Callable,
    admin_user: User,
    dca_text: str,
    message: str,
) -> None:
    table[3] = replace(table[3], dca_text=dca_text)
    with pytest.raises(DcaParseError, match=message):
        run(year, table, returns, admin_user)
    assert not Project.objects.exists()
    assert not ProjectUpdate.objects.exists()


def test_it_refuses_a_reference_given_twice(
    year: ReportingYear, table: list, returns: Callable, admin_user: User
) -> None:
    with pytest.raises(ValueError, match="PMP124 is in the table twice"):
        run(year, [*table, table[0]], returns, admin_user)
    assert not Project.objects.exists()


def test_it_asks_for_each_portfolios_return_once(
    year: ReportingYear, table: list, returns: Callable, admin_user: User
) -> None:
    asked: list[Portfolio] = []

    def counting(portfolio: Portfolio) -> Return:
        asked.append(portfolio)
        return returns(portfolio)

    run(year, table, counting, admin_user)
    assert len(asked) == 2


def test_it_moves_the_update_of_a_project_that_moved_portfolio(
    year: ReportingYear, table: list, returns: Callable, admin_user: User, portfolio: Portfolio
) -> None:
    run(year, table, returns, admin_user)
    table[0] = replace(table[0], portfolio=portfolio)
    assert run(year, table, returns, admin_user)["PMP124"] == "updated"
    update = ProjectUpdate.objects.get(project__reference="PMP124")
    assert (update.ret.portfolio, update.ret.quarter.number, update.dca) == (portfolio, 4, "green")
    assert Project.objects.get(reference="PMP124").portfolio == portfolio
    assert set(run(year, table, returns, admin_user).values()) == {"unchanged"}
