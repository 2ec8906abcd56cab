"""A project's page: its definition, every quarter of every year of its lineage with the
RAG, DCA and criteria, and its change history, each shown only to those who may see it."""

from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from perfmon.models import Portfolio, PortfolioRole, ReportingYear, Return, User
from perfmon.services import create_reporting_year
from projects.models import Project, ProjectUpdate
from tests.factories import PortfolioFactory, UserFactory
from tests.projects.factories import ProjectFactory, ProjectUpdateFactory
from tests.projects.helpers import return_in

APPROVED, SUBMITTED = Return.State.APPROVED, Return.State.SUBMITTED
LONDON = ZoneInfo("Europe/London")


@pytest.fixture(autouse=True)
def years(db: None) -> None:
    for start_year in (2025, 2026):
        create_reporting_year(start_year=start_year)


@pytest.fixture
def lineage(portfolio: Portfolio) -> tuple[Project, Project]:
    first = ProjectFactory(
        year=ReportingYear.objects.get(start_year=2025),
        portfolio=portfolio,
        reference="PMP28",
        name="Becketwell Arena",
    )
    second = ProjectFactory(
        year=ReportingYear.objects.get(start_year=2026),
        portfolio=portfolio,
        reference="PMP28",
        name="Becketwell Performance Venue Project",
        previous=first,
        stage=Project.Stage.DELIVERY,
        gateway="Gateway 3",
        sponsor=UserFactory(first_name="Sam", last_name="Sponsor"),
        manager_name="Morgan Manager",
    )
    ProjectUpdate.objects.create(
        project=first,
        ret=return_in(portfolio, 2025, 4, APPROVED),
        dca="amber_green",
        rag_from_criteria=False,
    )
    ProjectUpdateFactory(
        project=second,
        ret=return_in(portfolio, 2026, 1, APPROVED),
        cost_on_track=False,
        cost_reason="Steel prices",
        dca="amber_green",
    )
    ProjectUpdateFactory(project=second, ret=return_in(portfolio, 2026, 2, SUBMITTED), dca="green")
    return first, second


def page(client: Client, user: User, project: Project) -> str:
    client.force_login(user)
    response = client.get(reverse("projects:project", args=[project.pk]))
    assert response.status_code == 200
    return response.content.decode()


def text_of(html: str, testid: str) -> str:
    match = re.search(rf'<(\w+)[^>]*data-testid="{re.escape(testid)}"[^>]*>(.*?)</\1>', html, re.S)
    assert match, f"no element {testid}"
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(2)).split())


def test_it_shows_the_definition_with_people_stage_and_gateway(
    client: Client, outsider: User, lineage: tuple[Project, Project]
) -> None:
    html = page(client, outsider, lineage[1])
    definition = text_of(html, "definition")
    assert "Stage In delivery · PMO Gateway 3" in definition
    assert "Sponsor Sam Sponsor" in definition
    assert "Project manager Morgan Manager" in definition
    assert "2025/26: PMP28 Becketwell Arena" in definition


def test_it_lists_every_quarter_of_the_lineage_with_rag_dca_and_criteria(
    client: Client, officer: User, lineage: tuple[Project, Project]
) -> None:
    html = page(client, officer, lineage[1])
    assert text_of(html, "quarter-2025-4").startswith(
        "2025/26 PMP28 Q4 Not published Amber/Green Not given: imported from a published table"
    )
    q1 = text_of(html, "quarter-2026-1")
    assert "Amber/Green Amber/Green: cost may not be delivered within tolerance" in q1
    assert "Cost: not on track (Steel prices)" in q1
    assert "Time: on track" in q1
    assert "Submitted Not yet approved" in text_of(html, "quarter-2026-2")
    assert "Not reported" in text_of(html, "quarter-2026-3")


def test_it_shows_viewers_approved_quarters_only_and_no_history(
    client: Client, outsider: User, lineage: tuple[Project, Project]
) -> None:
    html = page(client, outsider, lineage[1])
    assert "No approved result" in text_of(html, "quarter-2026-2")
    assert 'data-testid="history"' not in html
    assert 'data-testid="unapproved-note"' not in html


def test_it_shows_history_to_the_portfolios_officers(
    client: Client, officer: User, lineage: tuple[Project, Project]
) -> None:
    project = lineage[1]
    update = project.updates.get(ret__quarter__number=2)
    update.dca = "red"
    update.commentary = "The operator withdrew."
    update._history_user = officer  # type: ignore[attr-defined]
    later = (timezone.now() + timedelta(days=1)).astimezone(LONDON).replace(second=0)
    update._history_date = later  # type: ignore[attr-defined]
    update.save()
    html = page(client, officer, project)
    history = text_of(html, "history")
    assert history.startswith(
        "Q2 2026/27 · DCA: Green → Red; Supporting information added, by Alex Officer, "
        f"{later:%-d %b %Y %H:%M}"
    )
    assert "The operator withdrew." in html
    assert "Definition · Created with" in history


def test_it_hides_another_portfolios_unapproved_quarters_from_its_officers(
    client: Client, lineage: tuple[Project, Project]
) -> None:
    stranger = UserFactory(username="other-officer")
    other = PortfolioFactory()
    PortfolioRole.objects.create(user=stranger, portfolio=other, role="officer")
    html = page(client, stranger, lineage[1])
    assert "No approved result" in text_of(html, "quarter-2026-2")


def test_it_answers_404_for_a_project_that_does_not_exist(client: Client, outsider: User) -> None:
    client.force_login(outsider)
    assert client.get(reverse("projects:project", args=[999999])).status_code == 404


def test_it_runs_a_fixed_number_of_queries_however_long_the_lineage(
    client: Client, admin_user: User, portfolio: Portfolio, lineage: tuple[Project, Project]
) -> None:
    client.force_login(admin_user)
    url = reverse("projects:project", args=[lineage[1].pk])
    client.get(url)
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    create_reporting_year(start_year=2027)
    third = ProjectFactory(
        year=ReportingYear.objects.get(start_year=2027),
        portfolio=portfolio,
        reference="PMP28",
        previous=lineage[1],
    )
    for number in (1, 2, 3):
        ProjectUpdateFactory(project=third, ret=return_in(portfolio, 2027, number, APPROVED))
    with CaptureQueriesContext(connection) as after:
        response = client.get(url)
    assert len(response.context["rows"]) == 12
    assert len(after) == len(before)
