"""The project dashboard: every project of a quarter with its RAG and DCA beside last
quarter's, arrows that say how each moved, filters, the report's summary line, and a query
count that does not grow with the number of projects."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from perfmon.models import Portfolio, Quarter, Return, Theme, User
from perfmon.services import create_reporting_year
from projects.models import Project
from tests.factories import PortfolioFactory, ThemeFactory
from tests.projects.factories import ProjectFactory, ProjectUpdateFactory
from tests.projects.helpers import return_in

APPROVED, DRAFT = Return.State.APPROVED, Return.State.DRAFT
DASHBOARD = "projects:dashboard"


@pytest.fixture
def quarter(db: None) -> Quarter:
    return create_reporting_year(start_year=2026).quarters.get(number=2)


@pytest.fixture
def green_city(db: None) -> Theme:
    return ThemeFactory(name="A Green City")


@pytest.fixture
def vibrant(db: None) -> Theme:
    return ThemeFactory(name="A Vibrant City")


@pytest.fixture
def viewer(client: Client, outsider: User) -> Client:
    client.force_login(outsider)
    return client


def rated(project: Project, number: int, *, dca: str, off: int = 0, state: str = APPROVED) -> None:
    """An update of `project` in quarter `number` of 2026/27: `off` criteria off track."""
    answers = dict.fromkeys(["time", "cost", "scope", "benefits"][:off], False)
    ProjectUpdateFactory(
        project=project,
        ret=return_in(project.portfolio, 2026, number, state),
        dca=dca,
        commentary="Explained.",
        **{f"{name}_on_track": value for name, value in answers.items()},
        **{f"{name}_reason": "Slipping" for name in answers},
    )


def words(html: str, testid: str) -> str:
    match = re.search(rf'<(\w+)[^>]*data-testid="{re.escape(testid)}"[^>]*>(.*?)</\1>', html, re.S)
    assert match, f"no element {testid}"
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(2)).split())


@pytest.fixture
def market_hall(portfolio: Portfolio, quarter: Quarter, vibrant: Theme) -> Project:
    project = ProjectFactory(
        year=quarter.year, portfolio=portfolio, theme=vibrant, reference="PMP9", name="Market Hall"
    )
    rated(project, 1, dca="amber_green", off=1)
    rated(project, 2, dca="amber_red", off=2)
    return project


def test_it_shows_rag_and_dca_beside_last_quarters_with_the_movement_in_words(
    viewer: Client, market_hall: Project, quarter: Quarter
) -> None:
    html = viewer.get(reverse(DASHBOARD), {"quarter": quarter.pk}).content.decode()
    row = words(html, "project-PMP9")
    assert row.startswith("PMP9 Market Hall A Vibrant City · Governance and Finance")
    assert words(html, "rag") == "Amber/Red ↓ worse than last quarter (Amber/Green)"
    assert words(html, "dca") == "Amber/Red ↓ worse than last quarter (Amber/Green)"
    assert "Amber/Red ↓ worse than last quarter (Amber/Green) Amber/Green" in row
    assert 'class="govuk-tag govuk-tag--orange">Amber/Red<' in html


def test_it_says_when_a_rating_held_or_improved(
    viewer: Client, portfolio: Portfolio, quarter: Quarter, vibrant: Theme
) -> None:
    project = ProjectFactory(year=quarter.year, portfolio=portfolio, theme=vibrant)
    rated(project, 1, dca="red", off=4)
    rated(project, 2, dca="red", off=0)
    html = viewer.get(reverse(DASHBOARD), {"quarter": quarter.pk}).content.decode()
    assert words(html, "rag") == "Green ↑ better than last quarter (Red)"
    assert words(html, "dca") == "Red → same as last quarter"


def test_it_shows_only_approved_returns(
    viewer: Client, portfolio: Portfolio, quarter: Quarter, vibrant: Theme
) -> None:
    project = ProjectFactory(year=quarter.year, portfolio=portfolio, theme=vibrant)
    rated(project, 2, dca="red", state=DRAFT)
    response = viewer.get(reverse(DASHBOARD), {"quarter": quarter.pk})
    (row,) = response.context["board"].rows
    assert row.update is None
    assert words(response.content.decode(), "dca") == "Not rated"


def test_it_compares_quarter_one_with_last_years_quarter_four(
    viewer: Client, portfolio: Portfolio, quarter: Quarter, vibrant: Theme
) -> None:
    last_year = ProjectFactory(year=quarter.year, portfolio=portfolio, theme=vibrant)
    rated(last_year, 4, dca="green")
    next_year = create_reporting_year(start_year=2027)
    project = ProjectFactory(year=next_year, portfolio=portfolio, theme=vibrant, previous=last_year)
    ProjectUpdateFactory(
        project=project, ret=return_in(portfolio, 2027, 1, APPROVED), dca="amber_green"
    )
    q1 = next_year.quarters.get(number=1)
    html = viewer.get(reverse(DASHBOARD), {"quarter": q1.pk}).content.decode()
    assert words(html, "dca") == "Amber/Green ↓ worse than last quarter (Green)"


@pytest.fixture
def seventeen(quarter: Quarter, green_city: Theme, vibrant: Theme) -> dict[str, Portfolio]:
    """The seed's quarter 1 line: six of 17 projects red or amber/red (here by DCA)."""
    place, other = PortfolioFactory(name="Our Place"), PortfolioFactory(name="Our People")
    dcas = ["red"] * 2 + ["amber_red"] * 4 + ["green"] * 6 + ["amber_green"] * 5
    for index, dca in enumerate(dcas):
        project = ProjectFactory(
            year=quarter.year,
            portfolio=place if index % 3 else other,
            theme=green_city if index < 9 else vibrant,
            reference=f"PMP{index + 1:02d}",
        )
        rated(project, 2, dca=dca)
    ProjectFactory(year=quarter.year, portfolio=place, theme=vibrant, reference="PMP99")
    return {"place": place, "other": other}


def test_it_gives_the_reports_summary_line(
    viewer: Client, seventeen: dict[str, Portfolio], quarter: Quarter
) -> None:
    html = viewer.get(reverse(DASHBOARD), {"quarter": quarter.pk}).content.decode()
    assert words(html, "summary") == "6 of 17 projects assessed red or amber/red"


@pytest.mark.parametrize(
    ("query", "references", "summary"),
    [
        ({"rating": "red"}, ["PMP01", "PMP02"], "6 of 17"),
        ({"rating": "red_or_amber_red"}, [f"PMP{n:02d}" for n in range(1, 7)], "6 of 17"),
        ({"rating": "pre_start_completed"}, [], "6 of 17"),
        ({"theme": "vibrant"}, [f"PMP{n:02d}" for n in range(10, 18)] + ["PMP99"], "0 of 8"),
        (
            {"theme": "green_city", "rating": "amber_red"},
            ["PMP03", "PMP04", "PMP05", "PMP06"],
            "6 of 9",
        ),
        ({"portfolio": "other"}, ["PMP01", "PMP04", "PMP07", "PMP10", "PMP13", "PMP16"], "2 of 6"),
    ],
)
def test_it_filters_by_theme_portfolio_and_rating(
    viewer: Client,
    seventeen: dict[str, Portfolio],
    quarter: Quarter,
    green_city: Theme,
    vibrant: Theme,
    query: dict[str, str],
    references: list[str],
    summary: str,
) -> None:
    ids = {"vibrant": vibrant.pk, "green_city": green_city.pk}
    ids |= {name: portfolio.pk for name, portfolio in seventeen.items()}
    params = {name: ids.get(value, value) for name, value in query.items()}
    response = viewer.get(reverse(DASHBOARD), {"quarter": quarter.pk, **params})
    board = response.context["board"]
    assert sorted(row.project.reference for row in board.rows) == references
    assert board.summary.startswith(summary)
    assert (response.context["form"]["rating"].value() or "") == query.get("rating", "")


def test_it_ignores_a_filter_it_does_not_know(
    viewer: Client, seventeen: dict[str, Portfolio], quarter: Quarter
) -> None:
    response = viewer.get(reverse(DASHBOARD), {"quarter": quarter.pk, "rating": "blue"})
    assert response.status_code == 200
    assert len(response.context["board"].rows) == 18
    assert "Select a valid choice" in response.content.decode()


def test_it_opens_on_the_latest_quarter_with_approved_projects(
    viewer: Client, market_hall: Project, quarter: Quarter
) -> None:
    response = viewer.get(reverse(DASHBOARD))
    assert response.context["board"].quarter == quarter
    assert f'<option value="{quarter.pk}" selected>' in response.content.decode()


def test_it_says_so_when_there_are_no_years(viewer: Client) -> None:
    response = viewer.get(reverse(DASHBOARD))
    assert response.context["board"] is None
    assert "There are no reporting years yet." in response.content.decode()


def test_it_asks_people_to_sign_in(client: Client, db: None) -> None:
    response = client.get(reverse(DASHBOARD))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def _add_projects(quarter: Quarter, count: int, themes: list[Theme]) -> None:
    for index in range(count):
        portfolio = PortfolioFactory()
        project = ProjectFactory(year=quarter.year, portfolio=portfolio, theme=themes[index % 2])
        rated(project, 1, dca="green")
        rated(project, 2, dca=["green", "amber_red", "red"][index % 3], off=index % 5)


def test_it_runs_the_same_number_of_queries_for_10_or_150_projects(
    viewer: Client,
    quarter: Quarter,
    green_city: Theme,
    vibrant: Theme,
    django_assert_num_queries: object,
) -> None:
    url = reverse(DASHBOARD)
    _add_projects(quarter, 10, [green_city, vibrant])
    viewer.get(url)  # the session, once
    with CaptureQueriesContext(connection) as few:
        response = viewer.get(url, {"quarter": quarter.pk})
    assert len(response.context["board"].rows) == 10
    _add_projects(quarter, 140, [green_city, vibrant])
    with django_assert_num_queries(len(few)):  # type: ignore[operator]
        response = viewer.get(url, {"quarter": quarter.pk})
    assert len(response.context["board"].rows) == 150
    assert len(few) <= 11  # with the council's name and colour for the header


def test_it_keeps_the_quarter_it_shows_selected_when_only_a_theme_is_chosen(
    viewer: Client, market_hall: Project, quarter: Quarter, vibrant: Theme
) -> None:
    response = viewer.get(reverse(DASHBOARD), {"theme": vibrant.pk})
    assert response.context["board"].quarter == quarter
    html = response.content.decode()
    assert f'<option value="{quarter.pk}" selected>' in html
    assert f'<option value="{vibrant.pk}" selected>' in html


def test_it_falls_back_to_the_latest_quarter_for_one_it_does_not_know(
    viewer: Client, market_hall: Project, quarter: Quarter
) -> None:
    response = viewer.get(reverse(DASHBOARD), {"quarter": "999999"})
    assert response.status_code == 200
    assert response.context["board"].quarter == quarter
