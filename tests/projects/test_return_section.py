"""The priority projects section of a return, through the return page: officers answer the
four criteria and the DCA, the RAG is worked out and explained, last quarter's answers sit
beside each field, what is missing stops a submission, and approval locks it all."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from perfmon.models import Portfolio, Quarter, ReportingYear, Return, User
from perfmon.services import create_reporting_year
from projects.models import Project, ProjectUpdate
from tests.factories import PortfolioRoleFactory, ThemeFactory, UserFactory
from tests.forms_in_page import decision, form_data, submit
from tests.projects.factories import ProjectFactory, ProjectUpdateFactory
from tests.projects.helpers import as_client, posted_back, project_rows, return_in

APPROVED, DRAFT = Return.State.APPROVED, Return.State.DRAFT


@pytest.fixture
def quarter(db: None) -> Quarter:
    return create_reporting_year(start_year=2026).quarters.get(number=2)


@pytest.fixture
def project(portfolio: Portfolio, quarter: Quarter) -> Project:
    return ProjectFactory(
        portfolio=portfolio, year=quarter.year, reference="PMP9", name="Market Hall"
    )


def page_url(portfolio: Portfolio, quarter: Quarter) -> str:
    return reverse("return", args=[portfolio.pk, quarter.year.start_year, quarter.number])


def rated(project: Project, **answers: str) -> dict[str, str]:
    """Form data for `project`: every criterion on track and a Green DCA, unless told."""
    values = {
        "time_on_track": "True",
        "cost_on_track": "True",
        "scope_on_track": "True",
        "benefits_on_track": "True",
        "dca": "green",
    } | answers
    return {f"p{project.pk}-{name}": value for name, value in values.items()}


def test_it_saves_the_criteria_and_explains_the_rag_it_works_out(
    officer: User, portfolio: Portfolio, quarter: Quarter, project: Project
) -> None:
    client = as_client(officer)
    url = page_url(portfolio, quarter)
    data = posted_back(client, url) | rated(
        project,
        time_on_track="False",
        time_reason="Planning decision delayed",
        cost_on_track="False",
        cost_reason="Tender came in above budget",
        dca="amber_red",
        commentary="Value engineering under way.",
    )
    response = client.post(url, data | {"save": ""})
    assert response.status_code == 302
    update = ProjectUpdate.objects.get()
    assert (update.time_on_track, update.cost_on_track, update.scope_on_track) == (
        False,
        False,
        True,
    )
    assert update.time_reason == "Planning decision delayed"
    assert (update.rag, update.dca, update.rag_from_criteria) == ("amber_red", "amber_red", True)
    assert update.rag_explained == "Amber/Red: time and cost may not be delivered within tolerance"
    assert (update.version, update.updated_by) == (1, officer)
    assert update.history.get().history_user == officer
    event = Return.objects.get().events.get()
    assert "PMP9 time on track: (blank) → no" in event.changes
    assert "PMP9 why time is not on track: (blank) → Planning decision delayed" in event.changes
    assert "PMP9 DCA: (blank) → Amber/Red" in event.changes
    shown = client.get(url).content.decode()
    assert "Amber/Red: time and cost may not be delivered within tolerance" in shown


def test_it_saves_only_what_changed_and_counts_versions(
    officer: User, portfolio: Portfolio, quarter: Quarter, project: Project
) -> None:
    client = as_client(officer)
    url = page_url(portfolio, quarter)
    client.post(url, posted_back(client, url) | rated(project) | {"save": ""})
    again = client.post(url, posted_back(client, url) | {"save": ""})
    assert again.status_code == 302
    update = ProjectUpdate.objects.get()
    assert (update.version, update.history.count()) == (1, 1)
    client.post(
        url,
        posted_back(client, url)
        | rated(project, scope_on_track="False", scope_reason="Phase 2 removed")
        | {"save": ""},
    )
    update.refresh_from_db()
    assert (update.version, update.rag, update.history.count()) == (2, "amber_green", 2)


@pytest.mark.parametrize(
    ("answers", "field", "message"),
    [
        ({"benefits_on_track": "False"}, "benefits_reason", "Say why benefits is not on track"),
        ({"dca": ""}, "dca", "Choose the delivery confidence assessment (DCA)"),
        ({"dca": "red"}, "commentary", "The DCA is Red: say what is happening"),
        (
            {
                "time_on_track": "False",
                "cost_on_track": "False",
                "scope_on_track": "False",
                "benefits_on_track": "False",
                "time_reason": "Late",
                "cost_reason": "Over",
                "scope_reason": "Cut",
                "benefits_reason": "Lost",
                "dca": "amber_red",
            },
            "commentary",
            "The RAG is Red: say what is happening",
        ),
        ({"dca": "purple"}, "dca", "Select a valid choice"),
        ({"time_on_track": "maybe"}, "time_on_track", "Select a valid choice"),
    ],
)
def test_it_refuses_an_incomplete_or_unexplained_rating_and_saves_nothing(
    officer: User,
    portfolio: Portfolio,
    quarter: Quarter,
    project: Project,
    answers: dict[str, str],
    field: str,
    message: str,
) -> None:
    client = as_client(officer)
    url = page_url(portfolio, quarter)
    response = client.post(url, posted_back(client, url) | rated(project, **answers))
    assert response.status_code == 400
    text = response.content.decode()
    assert message in text
    assert f'id="id_p{project.pk}-{field}_error"' in text
    assert not ProjectUpdate.objects.exists()
    assert not Return.objects.filter(events__isnull=False).exists()


def test_it_refuses_the_dca_both_changed_and_keeps_what_was_typed(
    officer: User, portfolio: Portfolio, quarter: Quarter, project: Project
) -> None:
    colleague = UserFactory(username="sam", first_name="Sam", last_name="Colleague")
    PortfolioRoleFactory(user=colleague, portfolio=portfolio, role="officer")
    first, second = as_client(colleague), as_client(officer)
    url = page_url(portfolio, quarter)
    stale = posted_back(second, url) | rated(project, dca="amber_green")
    saved = first.post(url, posted_back(first, url) | rated(project, dca="green") | {"save": ""})
    assert saved.status_code == 302
    response = second.post(url, stale | {"save": ""})
    assert response.status_code == 409
    text = response.content.decode()
    assert "PMP9 DCA: Sam Colleague changed it to Green; yours is Amber/Green" in text
    assert "Sam Colleague changed the DCA to “Green” after you loaded this page" in text
    assert re.search(r'<option value="amber_green" selected>', text)
    assert ProjectUpdate.objects.get().dca == "green"
    assert second.post(url, form_data(text) | {"save": ""}).status_code == 302
    assert ProjectUpdate.objects.get().dca == "amber_green"


def test_it_saves_a_draft_with_a_project_left_blank(
    officer: User, portfolio: Portfolio, quarter: Quarter, project: Project
) -> None:
    other = ProjectFactory(portfolio=portfolio, year=quarter.year, reference="PMP14")
    client = as_client(officer)
    url = page_url(portfolio, quarter)
    response = client.post(url, posted_back(client, url) | rated(other) | {"save": ""})
    assert response.status_code == 302
    assert list(ProjectUpdate.objects.values_list("project__reference", flat=True)) == ["PMP14"]


def test_it_lists_a_project_without_its_criteria_or_dca_as_missing(
    officer: User, portfolio: Portfolio, quarter: Quarter, project: Project
) -> None:
    client = as_client(officer)
    url = page_url(portfolio, quarter)
    response = submit(client, url, posted_back(client, url))
    assert response.status_code == 200
    assert [(m.item, m.anchor) for m in response.context["missing"]] == [
        ("PMP9 Market Hall", f"id_p{project.pk}-time_on_track_0")  # the first radio
    ]
    html = response.content.decode()
    assert "choose the DCA" in html
    assert f'id="id_p{project.pk}-time_on_track_error"' in html  # on the field too
    assert Return.objects.get().state == DRAFT

    done = submit(client, url, posted_back(client, url) | rated(project))
    assert done.status_code == 302
    assert Return.objects.get().state == Return.State.SUBMITTED


def test_it_shows_last_quarters_answers_beside_each_field(
    officer: User, portfolio: Portfolio, quarter: Quarter, project: Project
) -> None:
    ProjectUpdateFactory(
        project=project,
        ret=return_in(portfolio, 2026, 1, APPROVED),
        cost_on_track=False,
        cost_reason="Land costs rising",
        dca="amber_green",
        commentary="Vacant possession achieved on 7 June.",
    )
    client = as_client(officer)
    text = client.get(page_url(portfolio, quarter)).content.decode()
    words = " ".join(re.sub(r"<[^>]+>", " ", text).split())
    assert "Last quarter: RAG Amber/Green · DCA Amber/Green" in words
    assert "Last quarter: Not on track: Land costs rising" in words
    assert words.count("Last quarter: On track") == 3
    assert "Vacant possession achieved on 7 June." in words


def test_it_carries_last_years_quarter_four_into_quarter_one(
    officer: User, portfolio: Portfolio, quarter: Quarter, project: Project
) -> None:
    create_reporting_year(start_year=2027)
    ProjectUpdateFactory(
        project=project,
        ret=return_in(portfolio, 2026, 4, APPROVED),
        dca="red",
        commentary="Paused.",
    )
    continued = ProjectFactory(
        portfolio=portfolio,
        year=ReportingYear.objects.get(start_year=2027),
        reference="PMP9",
        name="Market Hall",
        previous=project,
    )
    response = as_client(officer).get(reverse("return", args=[portfolio.pk, 2027, 1]))
    (row,) = project_rows(response)
    assert row.item == continued
    assert row.previous.dca == "red"


def test_it_ignores_last_quarter_while_it_is_not_approved(
    officer: User, portfolio: Portfolio, quarter: Quarter, project: Project
) -> None:
    ProjectUpdateFactory(
        project=project,
        ret=return_in(portfolio, 2026, 1, DRAFT),
        dca="red",
        commentary="Draft only.",
    )
    response = as_client(officer).get(page_url(portfolio, quarter))
    assert project_rows(response)[0].previous is None
    assert "Draft only." not in response.content.decode()


def test_it_locks_the_projects_of_an_approved_return(
    officer: User, director: User, portfolio: Portfolio, quarter: Quarter, project: Project
) -> None:
    officer_client = as_client(officer)
    url = page_url(portfolio, quarter)
    submit(officer_client, url, posted_back(officer_client, url) | rated(project))
    decide = reverse("decide_return", args=[portfolio.pk, 2026, 2])
    director_client = as_client(director)
    director_client.post(decide, decision(director_client, url, decision="approve"))
    assert Return.objects.get().state == APPROVED

    changed = posted_back(officer_client, url) | rated(project, dca="amber_green")
    assert officer_client.post(url, changed).status_code == 403
    assert ProjectUpdate.objects.get().dca == "green"
    # Read only: the project as a summary card, with no controls.
    text = officer_client.get(url).content.decode()
    assert f'name="p{project.pk}-dca"' not in text
    assert f'name="p{project.pk}-time_on_track"' not in text
    assert re.search(rf'<div class="govuk-summary-card" id="p{project.pk}">', text)


def test_it_keeps_every_saved_change_in_the_projects_history(
    officer: User, portfolio: Portfolio, quarter: Quarter, project: Project
) -> None:
    client = as_client(officer)
    url = page_url(portfolio, quarter)
    client.post(url, posted_back(client, url) | rated(project) | {"save": ""})
    client.post(
        url,
        posted_back(client, url)
        | rated(project, dca="amber_red", commentary="Costs rising.")
        | {"save": ""},
    )
    history = client.get(reverse("projects:project", args=[project.pk])).context["history"]
    assert [entry.summary for entry in history[:2]] == [
        "DCA: Green → Amber/Red; Supporting information added",
        "Time: on track; Cost: on track; Scope: on track; Benefits: on track; RAG: Green; "
        "DCA: Green",
    ]
    assert {entry.by for entry in history[:2]} == {"Alex Officer"}
    assert history[0].subject == "Q2 2026/27"


def _projects_in(portfolio: Portfolio, quarter: Quarter, count: int) -> None:
    theme = ThemeFactory()
    previous = return_in(portfolio, quarter.year.start_year, 1, APPROVED)
    for index in range(count):
        project = ProjectFactory(portfolio=portfolio, year=quarter.year, theme=theme)
        if index % 2:
            ProjectUpdateFactory(
                project=project, ret=previous, dca="amber_red", commentary="Rising costs."
            )


def test_it_renders_the_return_page_in_the_same_number_of_queries_for_10_or_150_projects(
    officer: User, portfolio: Portfolio, quarter: Quarter
) -> None:
    client = as_client(officer)
    url = page_url(portfolio, quarter)
    counts = []
    for extra in (10, 140):
        _projects_in(portfolio, quarter, extra)
        client.get(url)  # warm the session and the caches
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        counts.append((len(project_rows(response)), len(queries)))
    assert [rows for rows, _ in counts] == [10, 150]
    assert counts[0][1] == counts[1][1]
