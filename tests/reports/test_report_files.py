"""Report files of approved quarters are made once and kept: a second download builds
nothing; approving or reopening a return of the year, an import or an edit of an item
gives a fresh file; drafts are never kept; access checks still stand in front of every
kept file."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from measures.models import MeasureUpdate
from perfmon.models import PortfolioRole, Return, User
from perfmon.services import approve_return, reopen_return
from reports import csv as report_csv
from reports import pdf, xlsx
from reports.fingerprint import data_fingerprint
from reports.models import ReportFile
from tests.factories import PortfolioRoleFactory, UserFactory
from tests.reports.test_summary_dataset import Council, build_council

MEASURES_CSV: dict[str, Any] = {"year": 2024, "quarter": 4, "format": "csv", "table": "measures"}
URL = "/reports/annual/"
WRITERS: dict[str, tuple[Any, str]] = {
    "pdf": (pdf, "pdf_bytes"),
    "xlsx": (xlsx, "workbook"),
    "csv": (report_csv, "table_csv"),
}


class Counted:
    """A file writer that counts its calls and then writes as the real one does."""

    def __init__(self, real: Callable[..., bytes], fake: bytes | None = None) -> None:
        self.real, self.fake, self.calls = real, fake, 0

    def __call__(self, *args: Any, **kwargs: Any) -> bytes:
        self.calls += 1
        return self.fake if self.fake is not None else self.real(*args, **kwargs)


def count_writes(monkeypatch: pytest.MonkeyPatch, fmt: str) -> Counted:
    module, name = WRITERS[fmt]
    # WeasyPrint's layout is the slow part of every test: count it, do not run it.
    counted = Counted(getattr(module, name), fake=b"%PDF-1.7 test" if fmt == "pdf" else None)
    monkeypatch.setattr(module, name, counted)
    return counted


@pytest.fixture
def council(db: None) -> Council:
    return build_council()


@pytest.fixture
def viewer(client: Client, outsider: User, council: Council) -> Client:
    client.force_login(outsider)
    return client


def measure_rows(response: Any) -> dict[str, list[str]]:
    """The annual report's measures CSV by reference: Portfolio, Ref, Description, last
    year's actual, Q4 actual, ..."""
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    return {row[1]: row for row in rows[1:]}


def actual(response: Any, reference: str) -> str:
    return measure_rows(response)[reference][4]


@pytest.mark.parametrize("fmt", ["pdf", "xlsx", "csv"])
def test_it_makes_an_approved_file_once_and_hands_it_over_again(
    viewer: Client, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    writes = count_writes(monkeypatch, fmt)
    query: dict[str, Any] = {"year": 2024, "quarter": 4, "format": fmt}
    first = viewer.get(URL, query)
    with CaptureQueriesContext(connection) as queries:
        second = viewer.get(URL, query)
    assert first.status_code == second.status_code == 200
    assert second.content == first.content
    assert second["Content-Disposition"] == first["Content-Disposition"]
    assert writes.calls == 1
    # Session, user, the year in the filters, the fingerprint (with the counting convention
    # chosen in the admin), the file: the report itself is not read again.
    assert len(queries) <= 7
    assert not any('"measures_measureupdate"' in q["sql"] for q in queries.captured_queries)
    assert ReportFile.objects.get().state == ReportFile.State.READY


def test_it_makes_the_file_again_when_a_return_of_the_quarter_is_approved(
    viewer: Client, council: Council, monkeypatch: pytest.MonkeyPatch
) -> None:
    writes = count_writes(monkeypatch, "csv")
    assert actual(viewer.get(URL, MEASURES_CSV), "M7") == "N/A"  # submitted, not approved
    director = cast(User, UserFactory(username="dee"))
    PortfolioRoleFactory(user=director, portfolio=council.other, role=PortfolioRole.Role.DIRECTOR)
    approve_return(ret=Return.objects.get(portfolio=council.other), user=director)

    assert actual(viewer.get(URL, MEASURES_CSV), "M7") == "10"
    assert writes.calls == 2
    assert ReportFile.objects.count() == 1  # the file of older data is dropped


def test_it_makes_the_file_again_when_a_return_of_the_quarter_is_reopened(
    viewer: Client, council: Council, admin_user: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    writes = count_writes(monkeypatch, "csv")
    assert actual(viewer.get(URL, MEASURES_CSV), "M1") == "105"
    q4 = Return.objects.get(
        portfolio=council.portfolio, quarter__year__start_year=2024, quarter__number=4
    )
    reopen_return(ret=q4, user=admin_user, reason="A figure was wrong")

    assert actual(viewer.get(URL, MEASURES_CSV), "M1") == "N/A"
    assert writes.calls == 2


TABLE = """Annual results

Ref\tDescription\t2023 24 actual\t2024 25 Q4 actual\tQ4 status\tTarget\tDoT\tCouncil Plan theme
Regeneration
Delivery Plan measures
M1\tJobs created\t90\t111\tGreen\t100\tImproving\tGrowth
"""


def test_it_makes_the_file_again_after_an_import_into_the_year(
    viewer: Client, admin_user: User, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    writes = count_writes(monkeypatch, "csv")
    assert actual(viewer.get(URL, MEASURES_CSV), "M1") == "105"
    table = tmp_path / "corrected.tsv"
    table.write_text(TABLE, encoding="utf-8")
    # The command writes straight into the approved return: no return event, no upload row.
    call_command("import_results", str(table), "--year", "2024/25", "--user", "pat")

    assert actual(viewer.get(URL, MEASURES_CSV), "M1") == "111"
    assert writes.calls == 2


def test_it_makes_the_file_again_when_an_item_is_edited(
    viewer: Client, council: Council, monkeypatch: pytest.MonkeyPatch
) -> None:
    writes = count_writes(monkeypatch, "csv")
    viewer.get(URL, MEASURES_CSV)
    measure = council.measures["M1"]
    measure.description = "New jobs created in the city"
    measure.save()  # as the admin does: recorded in the measure's history, no return event

    assert measure_rows(viewer.get(URL, MEASURES_CSV))["M1"][2] == "New jobs created in the city"
    assert writes.calls == 2


def test_it_keeps_the_file_while_officers_work_on_returns_not_approved(
    viewer: Client, council: Council, monkeypatch: pytest.MonkeyPatch
) -> None:
    writes = count_writes(monkeypatch, "csv")
    viewer.get(URL, MEASURES_CSV)
    before = data_fingerprint()
    submitted = Return.objects.get(portfolio=council.other)
    update = MeasureUpdate.objects.get(ret=submitted)
    update.commentary = "Rewritten while the return waits for a decision"
    update.save()
    submitted.state = Return.State.RETURNED
    submitted.save()

    assert data_fingerprint() == before
    viewer.get(URL, MEASURES_CSV)
    assert writes.calls == 1


@pytest.mark.parametrize("fmt", ["pdf", "csv"])
def test_it_never_keeps_a_draft_preview(
    client: Client, admin_user: User, council: Council, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    writes = count_writes(monkeypatch, fmt)
    client.force_login(admin_user)
    query: dict[str, Any] = {"year": 2024, "quarter": 4, "draft": "on", "format": fmt}
    for _ in range(2):
        response = client.get(URL, query)
        assert response.status_code == 200
        assert "-draft" in response["Content-Disposition"]
    assert writes.calls == 2
    assert not ReportFile.objects.exists()


def test_it_refuses_a_viewer_a_draft_file_even_when_an_approved_one_is_kept(
    viewer: Client, settings: Any
) -> None:
    assert viewer.get(URL, MEASURES_CSV).status_code == 200
    draft: dict[str, Any] = {**MEASURES_CSV, "draft": "on"}
    assert viewer.get(URL, draft).status_code == 403
    assert viewer.get("/reports/annual/file/", draft).status_code == 403
    settings.REPORT_FILES_BACKGROUND_FORMATS = ("pdf",)
    assert viewer.get("/reports/annual/file/", {**draft, "format": "pdf"}).status_code == 403
    assert ReportFile.objects.count() == 1  # the approved CSV only


def test_it_names_a_kept_file_by_nothing_a_reader_could_guess(
    viewer: Client, outsider: User
) -> None:
    response = viewer.get(URL, MEASURES_CSV)
    kept = ReportFile.objects.get()
    for secret in (kept.key, kept.spec):
        assert secret not in str(response.headers) and secret.encode() not in response.content
    for path in (f"/reports/{kept.key}/", f"/reports/{kept.pk}/", f"/reports/{kept.key}/file/"):
        assert viewer.get(path).status_code == 404
    anonymous = Client()
    assert anonymous.get(URL, MEASURES_CSV).status_code == 302  # to sign in
    outsider.is_active = False
    outsider.save()
    assert viewer.get(URL, MEASURES_CSV).status_code == 302  # signed out: inactive


def test_it_says_when_a_csv_table_does_not_exist(viewer: Client) -> None:
    response = viewer.get(URL, {**MEASURES_CSV, "table": "nonsense"})
    assert response.status_code == 404
    assert not ReportFile.objects.exists()


def test_it_reads_the_data_fingerprint_in_one_query(
    council: Council, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(1):
        data_fingerprint()


def test_it_drops_files_past_their_time(viewer: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    viewer.get(URL, MEASURES_CSV)
    old = ReportFile.objects.get()
    ReportFile.objects.filter(pk=old.pk).update(requested_at=old.requested_at - ReportFile.KEEP_FOR)
    viewer.get(URL, {**MEASURES_CSV, "table": "actions"})
    assert list(ReportFile.objects.values_list("table", flat=True)) == ["actions"]

    out = io.StringIO()
    call_command("prune_report_files", "--all", stdout=out)
    assert not ReportFile.objects.exists()
    assert "Deleted 1 kept report file" in out.getvalue()
