"""Measures, actions and quarter targets import in bulk with history, all or nothing,
with per-row errors in words; quarterly updates export only; every export is safe to
open and imports back unchanged; the import's query count does not grow with its rows."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from tablib import Dataset

from measures.models import Action, ActionUpdate, Measure, MeasureUpdate, QuarterTarget
from measures.resources import (
    ActionResource,
    ActionUpdateResource,
    MeasureResource,
    MeasureUpdateResource,
    QuarterTargetResource,
)
from perfmon.models import Portfolio, ReportingYear, Return, Theme, User
from perfmon.services import create_reporting_year
from tests.factories import (
    ActionFactory,
    CouncilPlanFactory,
    MeasureFactory,
    ThemeFactory,
    UserFactory,
)
from tests.perfmon.test_frame_resources import (
    as_csv,
    errors_of,
    export_csv,
    import_through_admin,
    preview,
)

HEADERS = MeasureResource().get_export_order()


@pytest.fixture
def team(client: Client, admin_user: User) -> Client:
    client.force_login(admin_user)
    return client


@pytest.fixture
def years(db: None) -> tuple[ReportingYear, ReportingYear]:
    return create_reporting_year(start_year=2023), create_reporting_year(start_year=2024)


@pytest.fixture
def theme(db: None) -> Theme:
    return ThemeFactory(
        name="A Green City", plan=CouncilPlanFactory(first_year=2023, last_year=2027)
    )


@pytest.fixture
def last_year(
    years: tuple[ReportingYear, ReportingYear], portfolio: Portfolio, theme: Theme
) -> Measure:
    return MeasureFactory(
        year=years[0], portfolio=portfolio, theme=theme, reference="PM29", target=Decimal(56)
    )


def measure_row(reference: str, **cells: str) -> list[str]:
    row = {
        "year": "2024/25",
        "reference": reference,
        "description": f"Measure {reference}",
        "portfolio": "Governance and Finance",
        "theme": "A Green City",
        "unit": "percentage",
        "polarity": "higher",
        "frequency": "quarterly",
        "target": "60",
        "previous": "",
    } | cells
    return [row[name] for name in HEADERS]


def measures_csv(*rows: list[str]) -> str:
    return as_csv([dict(zip(HEADERS, row, strict=True)) for row in rows])


# Bulk, with history ------------------------------------------------------------------------


def test_it_imports_measures_in_bulk_with_history_by_the_importer_and_the_file(
    team: Client, admin_user: User, last_year: Measure
) -> None:
    existing = MeasureFactory(
        year=ReportingYear.objects.get(start_year=2024),
        portfolio=last_year.portfolio,
        theme=last_year.theme,
        reference="PM30",
        description="Measure PM30",
        target=Decimal(50),
    )
    text = measures_csv(measure_row("PM29", previous="PM29"), measure_row("PM30"))
    import_through_admin(team, "measures.measure", text, "measures-2024.csv")
    new = Measure.objects.get(year__start_year=2024, reference="PM29")
    assert new.previous == last_year
    existing.refresh_from_db()
    assert existing.target == 60
    for measure, kind in ((new, "+"), (existing, "~")):
        record = measure.history.first()
        assert (record.history_type, record.history_user, record.history_change_reason) == (
            kind,
            admin_user,
            "import of measures-2024.csv",
        )


def test_it_keeps_history_when_imported_row_by_row_too(
    admin_user: User, last_year: Measure
) -> None:
    dataset = Dataset(measure_row("PM31", previous="PM29"), headers=HEADERS)
    result = MeasureResource(bulk=False).import_data(dataset, user=admin_user, file_name="one.csv")
    assert not result.has_errors() and not result.has_validation_errors()
    record = Measure.objects.get(reference="PM31").history.get()
    assert (record.history_user, record.history_change_reason) == (admin_user, "import of one.csv")


def test_it_imports_actions_and_quarter_targets(
    team: Client, admin_user: User, last_year: Measure
) -> None:
    import_through_admin(
        team,
        "measures.action",
        "year,reference,description,portfolio,theme,expected_completion,previous\n"
        "2024/25,GW 03,Plant trees,Governance and Finance,A Green City,2025-03-31,\n",
        "actions.csv",
    )
    action = Action.objects.get(reference="GW 03")
    assert str(action.expected_completion) == "2025-03-31"
    import_through_admin(
        team,
        "measures.quartertarget",
        "year,measure,quarter,value\n2023/24,PM29,1,52.5\n2023/24,PM29,2,54\n",
        "targets.csv",
    )
    assert list(last_year.quarter_targets.values_list("quarter_number", "value")) == [
        (1, Decimal("52.5")),
        (2, Decimal(54)),
    ]
    record = QuarterTarget.history.first()
    assert (record.history_user, record.history_change_reason) == (
        admin_user,
        "import of targets.csv",
    )


# Errors, all or nothing ---------------------------------------------------------------


def test_it_names_the_row_and_cell_of_every_problem_in_words(
    team: Client, last_year: Measure
) -> None:
    text = measures_csv(
        measure_row("PM40"),
        measure_row("PM41", portfolio="Streetpride"),
        measure_row("PM42", theme="A Blue City"),
        measure_row("PM43", previous="PM99"),
        measure_row("PM44", year="2031/32"),
        measure_row("PM45", target="lots"),
        measure_row("PM40"),
    )
    response = preview(team, "measures.measure", text)
    assert errors_of(response) == {
        2: {"portfolio": ["No portfolio called “Streetpride”."]},
        3: {"theme": ["No theme “A Blue City” in the Council Plan covering 2024/25."]},
        4: {"previous": ["No measure “PM99” in 2023/24 to continue from."]},
        5: {
            "year": ["No reporting year 2031/32: add the year first."],
            "theme": ["No theme “A Green City” in the Council Plan covering 2031/32."],
        },
        6: {"target": ["“lots” is not a number."]},
        7: {
            "year": [
                "Row 1 has the same year “2024/25” and reference “PM40”: each may appear "
                "once in a file."
            ]
        },
    }
    assert "confirm_form" not in response.context
    page = response.content.decode()
    assert "does not exist" not in page and "Traceback" not in page
    assert not Measure.objects.filter(year__start_year=2024).exists()


def test_it_says_a_row_cannot_continue_from_an_item_the_same_file_creates(
    team: Client, years: tuple[ReportingYear, ReportingYear], theme: Theme, portfolio: Portfolio
) -> None:
    text = measures_csv(measure_row("PM50", year="2023/24"), measure_row("PM51", previous="PM50"))
    response = preview(team, "measures.measure", text)
    assert errors_of(response) == {
        2: {
            "previous": [
                "No measure “PM50” in 2023/24 to continue from. It is created by row 1 of "
                "this file, and a row cannot refer to an item created in the same import: "
                "import row 1 first, then this row."
            ]
        }
    }
    assert not Measure.objects.exists()


def test_it_lets_a_row_continue_from_one_of_the_same_file_when_imported_row_by_row(
    admin_user: User, years: tuple[ReportingYear, ReportingYear], theme: Theme, portfolio: Portfolio
) -> None:
    dataset = Dataset(
        measure_row("PM50", year="2023/24"), measure_row("PM51", previous="PM50"), headers=HEADERS
    )
    result = MeasureResource(bulk=False).import_data(dataset, user=admin_user)
    assert [row.error_dict for row in result.invalid_rows] == []
    assert Measure.objects.get(reference="PM51").previous.reference == "PM50"


def test_it_writes_nothing_when_any_row_is_invalid(admin_user: User, last_year: Measure) -> None:
    dataset = Dataset(
        measure_row("PM60"),
        measure_row("PM29", year="2023/24", target="70"),
        measure_row("PM61", unit="parsecs"),
        headers=HEADERS,
    )
    result = MeasureResource().import_data(dataset, dry_run=False, user=admin_user)
    assert [(row.number, row.error_dict) for row in result.invalid_rows] == [
        (3, {"unit": ["Value 'parsecs' is not a valid choice."]})
    ]
    assert list(Measure.objects.all()) == [last_year]
    last_year.refresh_from_db()
    assert last_year.target == 56
    assert last_year.history.count() == 1  # the factory's


# Bulk: the query count does not grow with the rows -------------------------------------------


def import_measures(count: int, user: User) -> int:
    """Imports `count` measures for 2023/24, then `count` for 2024/25 continuing from them,
    and returns the second import's queries."""
    last_year = [measure_row(f"Q{count}-{n:03d}", year="2023/24") for n in range(count)]
    this_year = [
        measure_row(f"Q{count}-{n:03d}", previous=f"Q{count}-{n:03d}") for n in range(count)
    ]
    counts = []
    for rows in (last_year, this_year):
        with CaptureQueriesContext(connection) as queries:
            result = MeasureResource().import_data(
                Dataset(*rows, headers=HEADERS), user=user, file_name="many.csv"
            )
        assert [row.error_dict for row in result.invalid_rows] == []
        assert not result.has_errors()
        assert result.totals["new"] == count
        counts.append(len(queries))
    return counts[1]


def test_it_imports_100_measures_in_the_queries_of_10(
    admin_user: User, years: tuple[ReportingYear, ReportingYear], theme: Theme, portfolio: Portfolio
) -> None:
    ten = import_measures(10, admin_user)
    hundred = import_measures(100, admin_user)
    assert hundred == ten
    assert Measure.history.filter(history_change_reason="import of many.csv").count() == 220
    assert Measure.objects.filter(year__start_year=2024, previous__isnull=False).count() == 110


def test_it_refuses_a_second_measure_continuing_from_the_same_one(
    team: Client, last_year: Measure
) -> None:
    MeasureFactory(
        year=ReportingYear.objects.get(start_year=2024),
        portfolio=last_year.portfolio,
        theme=last_year.theme,
        reference="PM30",
        previous=last_year,
    )
    text = measures_csv(measure_row("PM31", previous="PM29"))
    assert errors_of(preview(team, "measures.measure", text)) == {
        1: {"previous": ["Another measure already continues from “PM29” in 2023/24."]}
    }
    text = measures_csv(measure_row("PM30", previous=""), measure_row("PM31", previous="PM29"))
    response = preview(team, "measures.measure", text)
    assert errors_of(response) == {
        2: {"previous": ["Another measure already continues from “PM29” in 2023/24."]}
    }


# Updates: export only ----------------------------------------------------------------------


@pytest.fixture
def updates(last_year: Measure, officer: User) -> None:
    ret = Return.objects.create(
        portfolio=last_year.portfolio, quarter=last_year.year.quarters.get(number=2)
    )
    MeasureUpdate.objects.create(
        measure=last_year,
        ret=ret,
        actual=Decimal("57.5"),
        status="Green",
        commentary="=1+1 more than planned",
        updated_by=officer,
    )
    action = ActionFactory(
        year=last_year.year, portfolio=last_year.portfolio, theme=last_year.theme, reference="GW 01"
    )
    ActionUpdate.objects.create(
        action=action, ret=ret, status="on_track", commentary="@risk", updated_by=officer
    )


def test_it_exports_updates_safe_to_open_and_offers_no_import(team: Client, updates: None) -> None:
    measure_rows = export_csv(team, "measures.measureupdate", MeasureUpdateResource)
    assert len(measure_rows) == 1
    assert {
        k: measure_rows[0][k]
        for k in ("year", "measure", "quarter", "actual", "commentary", "updated_by")
    } == {
        "year": "2023/24",
        "measure": "PM29",
        "quarter": "2",
        "actual": "57.5",
        "commentary": "'=1+1 more than planned",
        "updated_by": "alex",
    }
    action_rows = export_csv(team, "measures.actionupdate", ActionUpdateResource)
    assert [(r["action"], r["status"], r["commentary"]) for r in action_rows] == [
        ("GW 01", "on_track", "'@risk")
    ]
    for model in ("measureupdate", "actionupdate"):
        with pytest.raises(NoReverseMatch):
            reverse(f"admin:measures_{model}_import")
        page = team.get(reverse(f"admin:measures_{model}_changelist")).content.decode()
        assert reverse(f"admin:measures_{model}_export") in page


# Formula cells and round trips ----------------------------------------------------------


@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
def test_it_escapes_formula_cells_on_export_and_reads_them_back(
    team: Client, last_year: Measure, start: str
) -> None:
    description = f"{start}cmd|' /C calc'!A0"
    Measure.objects.filter(pk=last_year.pk).update(description=description)
    rows = export_csv(team, "measures.measure", MeasureResource)
    assert rows[0]["description"] == f"'{description}"
    response = preview(team, "measures.measure", as_csv(rows))
    assert [row.import_type for row in response.context["result"].rows] == ["skip"]
    rows[0]["target"] = "57"
    import_through_admin(team, "measures.measure", as_csv(rows))
    last_year.refresh_from_db()
    assert (last_year.description, last_year.target) == (description, 57)


@pytest.fixture
def items(last_year: Measure) -> None:
    this_year = ReportingYear.objects.get(start_year=2024)
    measure = MeasureFactory(
        year=this_year,
        portfolio=last_year.portfolio,
        theme=last_year.theme,
        reference="PM29",
        previous=last_year,
        target=None,
        polarity="lower",
    )
    QuarterTarget.objects.create(measure=measure, quarter_number=1, value=Decimal("12.25"))
    previous_action = ActionFactory(
        year=last_year.year, portfolio=last_year.portfolio, theme=last_year.theme, reference="GW 1"
    )
    ActionFactory(
        year=this_year,
        portfolio=last_year.portfolio,
        theme=last_year.theme,
        reference="GW 1",
        previous=previous_action,
        description="+ more trees",
    )


@pytest.mark.parametrize(
    ("model", "resource"),
    [
        ("measures.measure", MeasureResource),
        ("measures.action", ActionResource),
        ("measures.quartertarget", QuarterTargetResource),
    ],
)
def test_it_imports_its_own_export_back_unchanged(
    team: Client, items: None, model: str, resource: type
) -> None:
    rows = export_csv(team, model, resource)
    assert rows
    response = preview(team, model, as_csv(rows))
    result = response.context["result"]
    assert not result.has_errors() and not result.has_validation_errors()
    assert [row.import_type for row in result.rows] == ["skip"] * len(rows)
    before = timezone.now()
    import_through_admin(team, model, as_csv(rows))
    assert not resource._meta.model.history.filter(history_date__gte=before).exists()


# Permissions -----------------------------------------------------------------------------


def test_it_exports_with_the_view_permission_and_imports_only_with_change(
    client: Client, last_year: Measure
) -> None:
    user = UserFactory(username="sam", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_measure"))
    client.force_login(user)
    assert client.get(reverse("admin:measures_measure_export")).status_code == 200
    assert client.get(reverse("admin:measures_measure_import")).status_code == 403
    text = measures_csv(measure_row("PM70"))
    assert preview(client, "measures.measure", text).status_code == 403
    user.user_permissions.add(Permission.objects.get(codename="change_measure"))
    user = User.objects.get(pk=user.pk)  # permissions are cached on the instance
    client.force_login(user)
    import_through_admin(client, "measures.measure", text)
    assert Measure.objects.filter(reference="PM70").exists()
