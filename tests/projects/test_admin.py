"""The performance team's admin for projects: lists, filters, history, spreadsheet export
(safe to open) and import (previewed, then confirmed), and updates that only change
through their return."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from tablib import Dataset

from perfmon.models import Portfolio, Return, Theme, User
from perfmon.resources import escape_formula, unescape_formula
from perfmon.services import create_reporting_year
from projects.models import Project, ProjectUpdate
from projects.resources import ProjectResource
from tests.factories import CouncilPlanFactory, ThemeFactory
from tests.projects.factories import ProjectFactory, ProjectUpdateFactory
from tests.projects.helpers import return_in


@pytest.fixture
def team(client: Client, admin_user: User) -> Client:
    client.force_login(admin_user)
    return client


@pytest.fixture
def theme(db: None) -> Theme:
    return ThemeFactory(
        name="A Vibrant City", plan=CouncilPlanFactory(first_year=2024, last_year=2027)
    )


@pytest.fixture
def project(portfolio: Portfolio, theme: Theme) -> Project:
    last_year = ProjectFactory(
        year=create_reporting_year(start_year=2025),
        portfolio=portfolio,
        theme=theme,
        reference="PMP9",
        name="Market Hall",
    )
    return ProjectFactory(
        year=create_reporting_year(start_year=2026),
        portfolio=portfolio,
        theme=theme,
        reference="PMP9",
        name='=HYPERLINK("http://evil.example", "Market Hall")',
        previous=last_year,
        gateway="Gateway 3",
    )


@pytest.fixture
def update(project: Project, officer: User) -> ProjectUpdate:
    return ProjectUpdateFactory(
        project=project,
        ret=return_in(project.portfolio, 2026, 1, Return.State.APPROVED),
        time_on_track=False,
        time_reason="Late",
        dca="amber_green",
        updated_by=officer,
    )


@pytest.mark.parametrize("model", ["project", "projectupdate"])
def test_it_opens_every_list_to_the_performance_team(
    team: Client, update: ProjectUpdate, model: str
) -> None:
    response = team.get(reverse(f"admin:projects_{model}_changelist"))
    assert response.status_code == 200
    assert "PMP9" in response.content.decode()


def test_it_filters_and_searches_projects(team: Client, project: Project) -> None:
    url = reverse("admin:projects_project_changelist")
    for query in (
        f"year__id__exact={project.year_id}",
        f"theme__id__exact={project.theme_id}&year__id__exact={project.year_id}",
        f"stage__exact=delivery&year__id__exact={project.year_id}",
        "q=HYPERLINK",
    ):
        response = team.get(f"{url}?{query}")
        assert response.status_code == 200
        assert list(response.context["cl"].result_list) == [project], query


def test_it_keeps_a_projects_history_with_who_changed_it(
    team: Client, project: Project, admin_user: User
) -> None:
    url = reverse("admin:projects_project_change", args=[project.pk])
    form = team.get(url).context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    data |= {"stage": "closed", "sponsor_name": "Director of Regeneration"}
    assert team.post(url, data).status_code == 302
    record = project.history.first()
    assert (record.history_user, record.stage) == (admin_user, "closed")
    history = team.get(reverse("admin:projects_project_history", args=[project.pk]))
    assert history.status_code == 200
    assert "Pat Performance" in history.content.decode()


def test_it_shows_updates_but_does_not_let_them_change_outside_their_return(
    team: Client, update: ProjectUpdate
) -> None:
    change = reverse("admin:projects_projectupdate_change", args=[update.pk])
    assert team.get(change).status_code == 200
    history = team.get(reverse("admin:projects_projectupdate_history", args=[update.pk]))
    assert history.status_code == 200
    assert team.post(change, {"dca": "red"}).status_code == 403
    update.refresh_from_db()
    assert update.dca == "amber_green"
    assert team.get(reverse("admin:projects_projectupdate_add")).status_code == 403


def test_it_keeps_the_admin_from_people_outside_the_team(
    client: Client, officer: User, project: Project
) -> None:
    client.force_login(officer)
    response = client.get(reverse("admin:projects_project_changelist"))
    assert response.status_code == 302


def _export(team: Client, model: str) -> list[dict[str, str]]:
    url = reverse(f"admin:projects_{model}_export")
    response = team.post(
        url, {"format": "0", "resource": "0", "export_items": []} | _all_fields(team, url)
    )
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def _all_fields(team: Client, url: str) -> dict[str, str]:
    """Every field the export form offers, ticked."""
    form = team.get(url).context["form"]
    return {
        name: "on" for name in form.fields if name not in {"format", "resource", "export_items"}
    }


def test_it_exports_projects_safe_to_open_in_a_spreadsheet(team: Client, project: Project) -> None:
    rows = _export(team, "project")
    row = next(r for r in rows if r["year"] == "2026/27")
    assert row["reference"] == "PMP9"
    assert row["name"] == '\'=HYPERLINK("http://evil.example", "Market Hall")'
    assert (row["portfolio"], row["theme"], row["previous"]) == (
        "Governance and Finance",
        "A Vibrant City",
        "PMP9",
    )


def test_it_exports_updates_with_their_ratings_in_words(
    team: Client, update: ProjectUpdate
) -> None:
    (row,) = _export(team, "projectupdate")
    assert (row["reference"], row["quarter"], row["rag"], row["dca"]) == (
        "PMP9",
        "1",
        "Amber/Green",
        "Amber/Green",
    )
    assert row["time_reason"] == "Late"


def test_it_reads_back_what_it_writes(project: Project, theme: Theme) -> None:
    exported = ProjectResource().export()
    Project.objects.filter(year__start_year=2026).update(name="Renamed", gateway="")
    result = ProjectResource().import_data(exported, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    project.refresh_from_db()
    assert project.name.startswith("=HYPERLINK")
    assert project.gateway == "Gateway 3"
    assert project.previous.year.start_year == 2025


def test_it_previews_an_upload_then_imports_it_once_confirmed(
    team: Client, project: Project, theme: Theme
) -> None:
    data = Dataset(
        headers=[
            "year",
            "reference",
            "name",
            "portfolio",
            "theme",
            "stage",
            "gateway",
            "sponsor_name",
            "manager_name",
            "previous",
        ]
    )
    data.append(
        [
            "2026",
            "PMP14",
            "SmartParc",
            "Governance and Finance",
            "A Vibrant City",
            "pre_start",
            "",
            "",
            "Morgan Manager",
            "",
        ]
    )
    upload = SimpleUploadedFile("projects.csv", data.export("csv").encode(), "text/csv")
    url = reverse("admin:projects_project_import")
    preview = team.post(url, {"format": "0", "resource": "0", "import_file": upload})
    assert preview.status_code == 200
    assert not Project.objects.filter(reference="PMP14").exists()
    confirm = preview.context["confirm_form"]
    response = team.post(
        reverse("admin:projects_project_process_import"),
        {name: confirm[name].value() for name in confirm.fields},
    )
    assert response.status_code == 302
    smartparc = Project.objects.get(reference="PMP14")
    assert (smartparc.stage, smartparc.manager_name, smartparc.year.start_year) == (
        "pre_start",
        "Morgan Manager",
        2026,
    )
    assert smartparc.history.get().history_user.username == "pat"


@pytest.mark.parametrize(
    ("value", "escaped"),
    [("=1+1", "'=1+1"), ("-5", "-5"), ("@SUM(A1)", "'@SUM(A1)"), ("Market Hall", "Market Hall")],
)
def test_it_escapes_formulas_and_reads_them_back(value: str, escaped: str) -> None:
    assert escape_formula(value) == escaped
    assert unescape_formula(escape_formula(value)) == value
