"""The annual results importer, through `import_results` and `export_results`."""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO, StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from measures.models import Action, ActionUpdate, Measure, MeasureUpdate
from perfmon.models import Portfolio, ReportingYear, Return, User
from projects.models import ProjectUpdate
from reports.demo import ANNUAL_2021_22, ANNUAL_2024_25
from risks.models import RiskAssessment
from tests.factories import PortfolioFactory

HEADER = (
    "Ref\tDescription\t2023 24 actual\t2024 25 Q4 actual\tQ4 status\tTarget\tDoT"
    "\tCouncil Plan theme"
)
SMALL = f"""Derby City Council annual results

{HEADER}
Governance and Finance
Actions identified in the Delivery Plan
GF A1\tPublish the budget\tN/A\tCompleted\tBlue\tN/A - milestone\tN/A\tWorking Smarter
Delivery Plan measures
GF PM01\t% Council Tax collected\t93.2%\t93.25%\tAmber\t93.8%\tImproving\tWorking Smarter
GF PM02\tDays lost to sickness\t12.8 days\t11.1 days\tGreen\t11.5 days\tImproving\t
GF PM03\tComplaints answered in time\t80%\t80%\tRed\t90%\tSame\tWorking Smarter
"""
PROJECTS = """Priority projects and strategic risks
PMP9\tMarket Hall\tN/A\tN/A\tGreen/Amber\tN/A project\tN/A\tWorking Smarter
SR30_PS24\tHigh Needs Block pressures\tN/A\tN/A\tRisk score 16\tN/A risk\tN/A\tWorking Smarter
"""


def run(*args: str) -> str:
    out = StringIO()
    call_command("import_results", *args, stdout=out, stderr=out)
    return out.getvalue()


@pytest.fixture
def small(tmp_path: Path) -> Path:
    path = tmp_path / "results-2024-25.tsv"
    path.write_text(SMALL, encoding="utf-8")
    return path


@pytest.fixture
def importer(admin_user: User) -> User:
    return admin_user


def history_rows() -> int:
    return sum(m.history.count() for m in (Measure, MeasureUpdate, Action, ActionUpdate))


def test_it_imports_measures_actions_and_their_q4_results(small: Path, importer: User) -> None:
    output = run(str(small), "--year", "2024/25", "--user", importer.username)
    assert "measures: 3 new" in output and "actions: 1 new" in output
    measure = Measure.objects.get(reference="GF PM01", year__start_year=2024)
    assert measure.unit == "percentage" and measure.target == Decimal("93.8")
    assert measure.polarity == "higher"  # Improving while the value rose
    update = measure.updates.get()
    assert update.actual == Decimal("93.25") and update.ret.state == Return.State.APPROVED
    assert update.ret.quarter.number == 4
    # Derby published Amber where the Derby scheme computes Green: both are kept.
    assert (update.status, update.status_override) == ("Green", "Amber")
    assert update.override_reason == "imported"
    days = Measure.objects.get(reference="GF PM02", year__start_year=2024)
    assert days.unit == "days" and days.polarity == "lower"
    action = ActionUpdate.objects.get(action__reference="GF A1")
    assert action.status == ActionUpdate.Status.COMPLETED


def test_it_keeps_last_years_actual_as_last_years_q4_linked_by_lineage(
    small: Path, importer: User
) -> None:
    run(str(small), "--year", "2024/25", "--user", importer.username)
    measure = Measure.objects.get(reference="GF PM01", year__start_year=2024)
    assert measure.previous is not None and measure.previous.year.start_year == 2023
    last = measure.previous.updates.get()
    assert last.actual == Decimal("93.2") and last.ret.quarter.year.start_year == 2023


def test_it_creates_the_reporting_year_when_missing(small: Path, importer: User) -> None:
    assert not ReportingYear.objects.exists()
    run(str(small), "--year", "2024/25", "--user", importer.username)
    assert set(ReportingYear.objects.values_list("start_year", flat=True)) == {2023, 2024}
    assert ReportingYear.objects.get(start_year=2024).quarters.count() == 4


def test_it_writes_history_with_the_user_and_the_file(small: Path, importer: User) -> None:
    run(str(small), "--year", "2024/25", "--user", importer.username)
    record = Measure.history.filter(reference="GF PM01", year__start_year=2024).earliest()
    assert record.history_user == importer
    assert record.history_change_reason == f"import of {small.name}"


def test_it_changes_nothing_on_a_second_import(small: Path, importer: User) -> None:
    run(str(small), "--year", "2024/25", "--user", importer.username)
    before = history_rows()
    output = run(str(small), "--year", "2024/25", "--user", importer.username)
    assert "measures: 3 unchanged" in output and "actions: 1 unchanged" in output
    assert history_rows() == before


def test_it_takes_a_blank_theme_from_the_row_above_and_says_so(small: Path, importer: User) -> None:
    output = run(str(small), "--year", "2024/25", "--user", importer.username)
    assert "line 9, Council Plan theme: Blank: took “Working Smarter”" in output
    assert (
        Measure.objects.get(reference="GF PM02", year__start_year=2024).theme.name
        == "Working Smarter"
    )


def test_it_lists_measures_whose_polarity_it_cannot_infer(small: Path, importer: User) -> None:
    output = run(str(small), "--year", "2024/25", "--user", importer.username)
    assert "set it in the admin: GF PM03" in output


def test_a_dry_run_says_what_would_change_and_writes_nothing(small: Path, importer: User) -> None:
    output = run(str(small), "--year", "2024/25", "--dry-run", "--user", importer.username)
    assert "Would import" in output and "measures: 3 new" in output
    assert not Measure.objects.exists() and not ReportingYear.objects.exists()


def test_it_changes_an_item_the_table_changes(small: Path, importer: User) -> None:
    run(str(small), "--year", "2024/25", "--user", importer.username)
    small.write_text(SMALL.replace("93.25%", "94.1%"), encoding="utf-8")
    output = run(str(small), "--year", "2024/25", "--user", importer.username)
    assert "measures: 3 unchanged" in output  # the measure is the same; its Q4 changed
    update = MeasureUpdate.objects.get(measure__reference="GF PM01", measure__year__start_year=2024)
    assert update.actual == Decimal("94.1") and update.version == 2
    assert update.history.latest().history_change_reason == f"import of {small.name}"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "is empty"),
        ("Just some text\nwith no table in it\n", "No header row was found"),
        (SMALL.replace("93.25%", "ninety"), "line 8, Q4 actual"),
        (SMALL.replace("GF PM03", "GF PM01"), "line 10, Ref: GF PM01 is also on line 8"),
        (SMALL.replace("\tCompleted\t", "\tGoing well\t"), "is not an action status"),
        (SMALL + PROJECTS.replace("Green/Amber", "Amber"), "line 12, Q4 status: “Amber”"),
        (SMALL + PROJECTS.replace("Risk score 16", "Risk score 7"), "7 is not a likelihood"),
    ],
    ids=[
        "empty",
        "no-header",
        "not-a-number",
        "duplicate-ref",
        "bad-action-status",
        "bad-dca",
        "impossible-score",
    ],
)
def test_it_refuses_bad_input_and_writes_nothing(
    tmp_path: Path, importer: User, content: str, message: str
) -> None:
    path = tmp_path / "bad.tsv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError) as error:
        out = StringIO()
        call_command(
            "import_results",
            str(path),
            "--year",
            "2024/25",
            "--user",
            "pat",
            stdout=out,
            stderr=out,
        )
    assert message in str(error.value) + out.getvalue()
    assert not Measure.objects.exists() and not ReportingYear.objects.exists()


def test_it_refuses_an_unknown_portfolio_in_a_portfolio_column(
    tmp_path: Path, importer: User
) -> None:
    PortfolioFactory(name="Governance and Finance")
    table = (
        "Ref\tDescription\tQ4 actual\tQ4 status\tTarget\tCouncil Plan theme\tPortfolio\n"
        "X1\tA measure\t5\tGreen\t5\tWorking Smarter\tGovernance & Finance\n"
        "X2\tAnother\t5\tGreen\t5\tWorking Smarter\tMinistry of Silly Walks\n"
    )
    path = tmp_path / "cols.tsv"
    path.write_text(table, encoding="utf-8")
    out = StringIO()
    with pytest.raises(CommandError, match="1 problem row"):
        call_command("import_results", str(path), "--year", "2024/25", stdout=out, stderr=out)
    assert "line 3, Portfolio: “Ministry of Silly Walks” is not a portfolio" in out.getvalue()
    assert not Measure.objects.exists()


def test_it_refuses_a_binary_file(tmp_path: Path, importer: User) -> None:
    path = tmp_path / "photo.tsv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    with pytest.raises(CommandError, match="not a text table"):
        call_command("import_results", str(path), "--year", "2024/25")


def test_it_refuses_a_file_over_the_size_limit(tmp_path: Path, importer: User) -> None:
    path = tmp_path / "huge.tsv"
    with path.open("wb") as handle:
        handle.truncate(100 * 1024 * 1024)  # sparse: 100 MB without writing them
    with pytest.raises(CommandError, match="larger than 20 MB"):
        call_command("import_results", str(path), "--year", "2024/25")


def test_it_refuses_a_year_that_is_not_one(small: Path, importer: User) -> None:
    with pytest.raises(CommandError, match="not a financial year"):
        call_command("import_results", str(small), "--year", "next year")


def test_it_imports_the_published_2024_25_table_with_no_problem_rows(importer: User) -> None:
    output = run(str(ANNUAL_2024_25), "--year", "2024/25", "--user", importer.username)
    assert "measures: 94 new" in output and "actions: 55 new" in output
    assert "projects: 32 new" in output and "risks: 18 new" in output
    assert "Problem" not in output
    assert Portfolio.objects.count() == 9
    family_hubs = ProjectUpdate.objects.get(project__reference="PMP124")
    assert (family_hubs.dca, family_hubs.ret.quarter.number) == ("green", 4)
    assert not family_hubs.rag_from_criteria  # the table gives the DCA, not the criteria
    budget = RiskAssessment.objects.get(risk__reference="SR30_PS24")
    assert (budget.threat_score, budget.score_only) == (16, True)


def test_it_generates_stable_references_for_the_2021_22_table(importer: User) -> None:
    run(str(ANNUAL_2021_22), "--year", "2021/22", "--user", importer.username)
    references = set(
        Measure.objects.filter(year__start_year=2021).values_list("reference", flat=True)
    )
    assert len(references) == 51 and all(ref.startswith("M-") for ref in references)
    output = run(str(ANNUAL_2021_22), "--year", "2021/22", "--user", importer.username)
    assert "measures: 51 unchanged" in output and "actions: 56 unchanged" in output
    # "Streetside and Public" (a cell cut short in the PDF) is its heading's portfolio.
    assert not Portfolio.objects.filter(name="Streetside and Public").exists()


def export(*args: str) -> bytes:
    out = StringIO()
    call_command("export_results", *args, stdout=out, stderr=StringIO())
    return out.getvalue().encode("utf-8")


def test_the_exported_table_imports_back_to_the_same_data(tmp_path: Path, importer: User) -> None:
    run(str(ANNUAL_2024_25), "--year", "2024/25", "--user", importer.username)
    first = export("--year", "2024/25", "--format", "tsv")
    path = tmp_path / "export.tsv"
    path.write_bytes(first)
    output = run(str(path), "--year", "2024/25", "--user", importer.username)
    assert "measures: 94 unchanged" in output and "actions: 55 unchanged" in output
    assert "projects: 32 unchanged" in output and "risks: 18 unchanged" in output
    assert "updated" not in output
    assert export("--year", "2024/25", "--format", "tsv") == first


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_csv_and_xlsx_exports_import_back_unchanged(
    tmp_path: Path, importer: User, fmt: str
) -> None:
    run(str(ANNUAL_2024_25), "--year", "2024/25", "--user", importer.username)
    path = tmp_path / f"export.{fmt}"
    call_command("export_results", "--year", "2024/25", "--format", fmt, "--output", str(path))
    output = run(str(path), "--year", "2024/25", "--user", importer.username)
    assert "measures: 94 unchanged" in output and "updated" not in output


def test_the_xlsx_export_has_a_frozen_header_and_escapes_formulas(
    tmp_path: Path, importer: User
) -> None:
    run(str(table_with_action(tmp_path, "=HYPERLINK(1)")), "--year", "2024/25", "--user", "pat")
    path = tmp_path / "out.xlsx"
    call_command("export_results", "--year", "2024/25", "--format", "xlsx", "--output", str(path))
    sheet = load_workbook(BytesIO(path.read_bytes())).active
    assert sheet.freeze_panes == "A2"
    cells = [cell for row in sheet.iter_rows(values_only=True) for cell in row if cell]
    assert "'=HYPERLINK(1)" in cells and "=HYPERLINK(1)" not in cells


def table_with_action(tmp_path: Path, description: str) -> Path:
    path = tmp_path / "formula.tsv"
    path.write_text(SMALL.replace("Publish the budget", description), encoding="utf-8")
    return path


def test_export_refuses_a_year_that_does_not_exist(db: None) -> None:
    with pytest.raises(CommandError, match="no 2030/31 reporting year"):
        call_command("export_results", "--year", "2030/31")


def test_a_later_tables_last_year_column_leaves_that_years_own_figures_alone(
    tmp_path: Path, importer: User
) -> None:
    earlier = tmp_path / "2023-24.tsv"
    earlier.write_text(
        SMALL.replace("2023 24 actual", "2022 23 actual").replace("2024 25 Q4", "2023 24 Q4"),
        encoding="utf-8",
    )
    run(str(earlier), "--year", "2023/24", "--user", importer.username)
    measure = Measure.objects.get(reference="GF PM01", year__start_year=2023)
    assert (measure.target, measure.updates.get().actual) == (Decimal("93.8"), Decimal("93.25"))
    # 2024/25's table says 2023/24 ended at 93.2%: 2023/24's own table (93.25%) stands.
    run(str(small_table(tmp_path)), "--year", "2024/25", "--user", importer.username)
    measure.refresh_from_db()
    assert (measure.target, measure.updates.get().actual) == (Decimal("93.8"), Decimal("93.25"))
    assert Measure.objects.get(reference="GF PM01", year__start_year=2024).previous == measure


def small_table(tmp_path: Path) -> Path:
    path = tmp_path / "2024-25.tsv"
    path.write_text(SMALL, encoding="utf-8")
    return path
