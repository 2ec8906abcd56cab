"""Live formulas: every export of the annual results table (TSV too, from the command and
the admin) escapes a cell a spreadsheet would run, the importer reads the escaped cell
back as the text it was, and export -> import -> export is stable and never live."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from measures.models import Action
from perfmon.models import ReportingYear, User
from perfmon.resources import FORMULA_STARTS, escape_formula, unescape_formula
from tests.reports.test_import_results import SMALL

PAYLOADS = [
    '=HYPERLINK("http://evil.invalid","x")',
    "+1+cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "-2+3+cmd|' /C calc'!A0",
]
ACTIONS = "".join(
    f"GF A{n}\t{payload}\tN/A\tCompleted\tBlue\tN/A - milestone\tN/A\tWorking Smarter\n"
    for n, payload in enumerate(PAYLOADS, start=2)
)
TABLE = SMALL.replace("Delivery Plan measures\n", ACTIONS + "Delivery Plan measures\n")


def run_import(path: Path, user: User) -> str:
    out = io.StringIO()
    call_command(
        "import_results", str(path), "--year", "2024/25", "--user", user.username, stdout=out
    )
    return out.getvalue()


def export(fmt: str, tmp_path: Path) -> bytes:
    path = tmp_path / f"export.{fmt}"
    call_command("export_results", "--year", "2024/25", "--format", fmt, "--output", str(path))
    return path.read_bytes()


def cells(data: bytes, fmt: str) -> list[str]:
    """Every cell as a spreadsheet opening the file would see it."""
    if fmt == "xlsx":
        sheet = load_workbook(io.BytesIO(data)).active
        return [str(cell) for row in sheet.iter_rows(values_only=True) for cell in row if cell]
    text = data.decode("utf-8")
    if fmt == "csv":
        return [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    return [cell for line in text.splitlines() for cell in line.split("\t")]


def live(cell: str) -> bool:
    return cell.startswith(FORMULA_STARTS) and escape_formula(cell) != cell


@pytest.fixture
def imported(tmp_path: Path, admin_user: User) -> User:
    path = tmp_path / "table.tsv"
    path.write_text(TABLE, encoding="utf-8")
    run_import(path, admin_user)
    return admin_user


@pytest.mark.parametrize("fmt", ["tsv", "csv", "xlsx"])
def test_it_escapes_every_formula_in_every_export_format(
    tmp_path: Path, imported: User, fmt: str
) -> None:
    seen = cells(export(fmt, tmp_path), fmt)
    assert not [cell for cell in seen if live(cell)]
    for payload in PAYLOADS:
        assert "'" + payload in seen


def test_the_importer_keeps_the_formulas_as_the_text_they_were(imported: User) -> None:
    descriptions = set(Action.objects.values_list("description", flat=True))
    assert set(PAYLOADS) <= descriptions


@pytest.mark.parametrize("fmt", ["tsv", "csv", "xlsx"])
def test_export_import_export_is_stable_and_never_live(
    tmp_path: Path, imported: User, fmt: str
) -> None:
    first = export(fmt, tmp_path)
    path = tmp_path / f"again.{fmt}"
    path.write_bytes(first)
    output = run_import(path, imported)
    assert "updated" not in output and f"actions: {len(PAYLOADS) + 1} unchanged" in output
    assert set(PAYLOADS) <= set(Action.objects.values_list("description", flat=True))
    second = export(fmt, tmp_path)
    assert cells(second, fmt) == cells(first, fmt)
    assert not [cell for cell in cells(second, fmt) if live(cell)]


def test_text_that_starts_with_an_apostrophe_survives_the_round_trip(
    tmp_path: Path, imported: User
) -> None:
    quoted = "'=HYPERLINK(1) with its own apostrophe"
    Action.objects.filter(reference="GF A1").update(description=quoted)
    first = export("tsv", tmp_path)
    assert "''=HYPERLINK(1)" in first.decode()
    path = tmp_path / "again.tsv"
    path.write_bytes(first)
    run_import(path, imported)
    assert Action.objects.get(reference="GF A1").description == quoted
    assert export("tsv", tmp_path) == first


def test_a_line_break_cannot_start_a_live_line_in_the_tsv(tmp_path: Path, imported: User) -> None:
    Action.objects.filter(reference="GF A1").update(
        description='Publish the budget\n=HYPERLINK("http://evil.invalid","x")\tmore'
    )
    data = export("tsv", tmp_path)
    lines = data.decode("utf-8").splitlines()
    row = next(line for line in lines if line.startswith("GF A1\t"))
    assert row.split("\t")[1] == 'Publish the budget =HYPERLINK("http://evil.invalid","x") more'
    assert not [cell for cell in cells(data, "tsv") if live(cell)]


def test_the_admin_export_escapes_the_tsv_too(client: Client, imported: User) -> None:
    client.force_login(imported)
    year = ReportingYear.objects.get(start_year=2024)
    response = client.get(
        reverse("admin:reports_resultsimport_export"), {"year": year.pk, "format": "tsv"}
    )
    assert response.status_code == 200
    seen = cells(response.content, "tsv")
    assert not [cell for cell in seen if live(cell)]
    assert "'" + PAYLOADS[0] in seen


@hypothesis_settings(database=None, max_examples=300, deadline=None)
@given(text=st.text(alphabet=st.sampled_from("'=+-@\t\r0123456789.,x ")))
def test_escaping_is_undone_exactly_and_leaves_no_formula(text: str) -> None:
    escaped = escape_formula(text)
    assert unescape_formula(escaped) == text
    if escaped.startswith(FORMULA_STARTS):  # only a plain number such as -5 or +1,000.5
        assert escaped == text and re.fullmatch(r"[+-]?[0-9][0-9,]*(\.[0-9]+)?", text)
