"""Importing and exporting annual results tables in the admin."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from measures.models import Measure
from perfmon.models import User
from reports.demo import ANNUAL_2024_25
from reports.models import ResultsImport
from tests.factories import UserFactory
from tests.reports.test_import_results import SMALL

ADD = reverse("admin:reports_resultsimport_add")
EXPORT = reverse("admin:reports_resultsimport_export")


@pytest.fixture
def team(client: Client, admin_user: User) -> Client:
    client.force_login(admin_user)
    return client


def upload(client: Client, content: bytes, name: str = "results.tsv", year: str = "2024/25"):
    return client.post(ADD, {"file": SimpleUploadedFile(name, content), "year": year}, follow=True)


def test_it_previews_the_table_before_writing_anything(team: Client) -> None:
    response = upload(team, ANNUAL_2024_25.read_bytes())
    assert response.status_code == 200
    page = response.content.decode()
    assert "What the import will do" in page
    row = page.split("Measures</th>")[1].split("</tr>")[0]
    assert "<td>94</td><td>94</td><td>0</td><td>0</td>" in row  # read, new, updated, unchanged
    assert "Priority projects" in page
    assert not Measure.objects.exists()
    assert ResultsImport.objects.get().state == ResultsImport.State.PREVIEWED


def test_it_imports_once_confirmed(team: Client, admin_user: User) -> None:
    upload(team, SMALL.encode())
    job = ResultsImport.objects.get()
    response = team.post(reverse("admin:reports_resultsimport_confirm", args=[job.pk]), follow=True)
    assert "Imported by" in response.content.decode()
    job.refresh_from_db()
    assert job.state == ResultsImport.State.IMPORTED and job.imported_by == admin_user
    assert job.outcome["created"] == {"measure": 3, "action": 1}
    measure = Measure.objects.get(reference="GF PM01", year__start_year=2024)
    assert measure.history.earliest().history_change_reason == "import of results.tsv"


def test_confirming_twice_imports_once(team: Client) -> None:
    upload(team, SMALL.encode())
    job = ResultsImport.objects.get()
    confirm = reverse("admin:reports_resultsimport_confirm", args=[job.pk])
    team.post(confirm)
    response = team.post(confirm, follow=True)
    assert "Only a checked file with no problems can be imported" in response.content.decode()
    assert Measure.objects.filter(year__start_year=2024).count() == 3


def test_it_lists_every_problem_row_and_offers_no_import(team: Client) -> None:
    bad = SMALL.replace("93.25%", "ninety").replace("GF PM03", "GF PM02")
    page = upload(team, bad.encode()).content.decode()
    assert "2 rows to fix before importing" in page
    assert "<td>8</td><td>Q4 actual</td>" in page
    assert "GF PM02 is also on line 9" in page
    assert "Import results.tsv" not in page
    job = ResultsImport.objects.get()
    assert job.state == ResultsImport.State.PROBLEMS
    response = team.post(reverse("admin:reports_resultsimport_confirm", args=[job.pk]), follow=True)
    assert "Only a checked file" in response.content.decode()
    assert not Measure.objects.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"no table here\n", "No header row was found"),
        (b"\x00\x01\x02binary" * 50, "This is not a text table"),
    ],
)
def test_it_explains_a_file_it_cannot_read(team: Client, content: bytes, message: str) -> None:
    page = upload(team, content).content.decode()
    assert message in page
    assert not Measure.objects.exists()


def test_it_refuses_an_empty_file_on_the_upload_form(team: Client) -> None:
    response = upload(team, b"")
    assert "The submitted file is empty" in response.content.decode()
    assert not ResultsImport.objects.exists()


def test_it_refuses_a_file_over_the_limit(team: Client, settings: object) -> None:
    page = upload(team, b"x" * (20 * 1024 * 1024 + 1)).content.decode()
    assert "the largest file perfmon takes is 20 MB" in page
    assert not ResultsImport.objects.exists()


def test_it_names_the_real_size_of_a_file_over_the_limit(team: Client) -> None:
    page = upload(team, b"x" * (50 * 1024 * 1024)).content.decode()
    assert "is 50 MB; the largest file perfmon takes is 20 MB" in page
    assert not ResultsImport.objects.exists()


def test_it_needs_the_import_permission(client: Client, db: None) -> None:
    clerk = UserFactory(is_staff=True)
    client.force_login(clerk)
    assert client.get(ADD).status_code == 403
    assert client.get(EXPORT).status_code == 403
    response = client.post(ADD, {"file": SimpleUploadedFile("a.tsv", SMALL.encode())})
    assert response.status_code == 403
    assert not ResultsImport.objects.exists()


def test_it_exports_a_year_as_a_spreadsheet(team: Client) -> None:
    upload(team, SMALL.encode())
    job = ResultsImport.objects.get()
    team.post(reverse("admin:reports_resultsimport_confirm", args=[job.pk]))
    from perfmon.models import ReportingYear

    year = ReportingYear.objects.get(start_year=2024)
    response = team.get(EXPORT, {"year": year.pk, "format": "xlsx"})
    assert response["Content-Disposition"] == 'attachment; filename="annual-results-2024-25.xlsx"'
    sheet = load_workbook(BytesIO(response.content)).active
    refs = [row[0] for row in sheet.iter_rows(values_only=True)]
    assert {"GF A1", "GF PM01", "GF PM02", "GF PM03"} <= set(refs)


def test_the_changelist_offers_import_and_export(team: Client) -> None:
    page = team.get(reverse("admin:reports_resultsimport_changelist")).content.decode()
    assert "Import a table" in page and "Export a year" in page
