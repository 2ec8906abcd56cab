"""The performance team's admin for measures and actions: lists, history, spreadsheet
export (safe to open) and import (previewed before anything is written)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from tablib import Dataset

from measures.models import Action, ActionUpdate, Measure, MeasureUpdate, RatingScheme
from measures.resources import MeasureResource, escape_formula, unescape_formula
from perfmon.models import Portfolio, Return, Theme, User
from perfmon.services import create_reporting_year
from tests.factories import ActionFactory, CouncilPlanFactory, MeasureFactory, ThemeFactory


@pytest.fixture
def team(client: Client, admin_user: User) -> Client:
    client.force_login(admin_user)
    return client


@pytest.fixture
def theme(db: None) -> Theme:
    return ThemeFactory(
        name="A Green City", plan=CouncilPlanFactory(first_year=2024, last_year=2027)
    )


@pytest.fixture
def measure(portfolio: Portfolio, theme: Theme) -> Measure:
    year = create_reporting_year(start_year=2026)
    return MeasureFactory(
        year=year,
        portfolio=portfolio,
        theme=theme,
        reference="EHCS PM29",
        description='=HYPERLINK("http://evil.example", "Click")',
        target=Decimal("-5"),
    )


@pytest.fixture
def updates(measure: Measure, officer: User) -> None:
    ret = Return.objects.create(
        portfolio=measure.portfolio, quarter=measure.year.quarters.get(number=1)
    )
    MeasureUpdate.objects.create(
        measure=measure, ret=ret, actual=56, status="Green", updated_by=officer
    )
    action = ActionFactory(year=measure.year, portfolio=measure.portfolio, theme=measure.theme)
    ActionUpdate.objects.create(action=action, ret=ret, status="on_track", updated_by=officer)
    RatingScheme.objects.get_or_create(name="Derby City Council")


@pytest.mark.parametrize(
    "model", ["ratingscheme", "measure", "measureupdate", "action", "actionupdate"]
)
def test_it_opens_every_list_to_the_performance_team(
    team: Client, updates: None, model: str
) -> None:
    response = team.get(reverse(f"admin:measures_{model}_changelist"))
    assert response.status_code == 200


def test_it_filters_and_searches_measures(team: Client, measure: Measure) -> None:
    url = reverse("admin:measures_measure_changelist")
    for query in (
        f"year__id__exact={measure.year_id}",
        f"portfolio__id__exact={measure.portfolio_id}",
        f"theme__id__exact={measure.theme_id}",
        "polarity__exact=higher",
        "q=PM29",
    ):
        response = team.get(f"{url}?{query}")
        assert response.status_code == 200
        assert list(response.context["cl"].result_list) == [measure], query


def test_it_shows_a_measures_history_with_who_changed_it(
    team: Client, measure: Measure, admin_user: User
) -> None:
    url = reverse("admin:measures_measure_change", args=[measure.pk])
    form = team.get(url).context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    data |= {
        "target": "60",
        "quarter_targets-TOTAL_FORMS": "0",
        "quarter_targets-INITIAL_FORMS": "0",
    }
    assert team.post(url, data).status_code == 302
    assert measure.history.first().history_user == admin_user
    history = team.get(reverse("admin:measures_measure_history", args=[measure.pk]))
    assert history.status_code == 200
    assert "Pat Performance" in history.content.decode()


def test_it_shows_updates_but_does_not_let_them_change_outside_their_return(
    team: Client, updates: None
) -> None:
    update = MeasureUpdate.objects.get()
    change = reverse("admin:measures_measureupdate_change", args=[update.pk])
    assert team.get(change).status_code == 200
    assert (
        team.get(reverse("admin:measures_measureupdate_history", args=[update.pk])).status_code
        == 200
    )
    assert team.post(change, {"actual": "99"}).status_code == 403
    update.refresh_from_db()
    assert update.actual == 56
    assert team.get(reverse("admin:measures_measureupdate_add")).status_code == 403


@pytest.mark.parametrize(
    "url_name",
    [
        "admin:measures_measure_changelist",
        "admin:measures_measure_export",
        "admin:measures_measure_import",
    ],
)
def test_it_keeps_officers_out(client: Client, officer: User, url_name: str) -> None:
    client.force_login(officer)
    response = client.get(reverse(url_name))
    assert response.status_code == 302
    assert "/admin/login/" in response.url


@pytest.mark.parametrize("library_escaping", [False, True])
def test_it_exports_measures_as_a_csv_safe_to_open(
    team: Client, measure: Measure, settings: object, library_escaping: bool
) -> None:
    settings.IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = library_escaping  # type: ignore[attr-defined]
    fields = [f"measureresource_{name}" for name in MeasureResource().get_export_order()]
    response = team.post(
        reverse("admin:measures_measure_export"),
        {"format": "0", "resource": "0"} | dict.fromkeys(fields, "on"),
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert rows == [
        {
            "year": "2026/27",
            "reference": "EHCS PM29",
            "description": '\'=HYPERLINK("http://evil.example", "Click")',
            "portfolio": "Governance and Finance",
            "theme": "A Green City",
            "unit": "percentage",
            "polarity": "higher",
            "frequency": "quarterly",
            "target": "-5",
            "previous": "",
        }
    ]


def test_it_previews_an_import_before_writing_anything(
    team: Client, measure: Measure, theme: Theme
) -> None:
    upload = SimpleUploadedFile(
        "measures.csv",
        b"year,reference,description,portfolio,theme,unit,polarity,frequency,target,previous\n"
        b"2026,EHCS PM30,Care leavers in work,Governance and Finance,A Green City,"
        b"percentage,higher,quarterly,75,\n",
        content_type="text/csv",
    )
    response = team.post(
        reverse("admin:measures_measure_import"),
        {"format": "0", "resource": "0", "import_file": upload},
    )
    assert response.status_code == 200
    assert response.context["confirm_form"] is not None
    assert "EHCS PM30" in response.content.decode()
    assert not Measure.objects.filter(reference="EHCS PM30").exists()


def test_it_imports_by_year_and_reference_keeping_the_lineage(
    measure: Measure, theme: Theme, portfolio: Portfolio
) -> None:
    create_reporting_year(start_year=2027)
    ThemeFactory(name="A Green City", plan=CouncilPlanFactory(first_year=2028, last_year=2031))
    dataset = Dataset(
        [
            "2027",
            "PM29 renamed",
            "Pupils",
            portfolio.name,
            "A Green City",
            "percentage",
            "lower",
            "annual",
            "",
            "EHCS PM29",
        ],
        headers=MeasureResource().get_export_order(),
    )
    result = MeasureResource().import_data(dataset, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    renamed = Measure.objects.get(reference="PM29 renamed")
    assert renamed.previous == measure
    assert renamed.theme == theme  # the theme of 2027's plan, not the later plan's namesake
    assert (renamed.polarity, renamed.frequency, renamed.target) == ("lower", "annual", None)


def test_it_refuses_an_import_row_with_an_unknown_choice(
    measure: Measure, portfolio: Portfolio
) -> None:
    dataset = Dataset(
        [
            "2026",
            "NEW 1",
            "New",
            portfolio.name,
            "A Green City",
            "parsecs",
            "higher",
            "quarterly",
            "1",
            "",
        ],
        headers=MeasureResource().get_export_order(),
    )
    result = MeasureResource().import_data(dataset, dry_run=True)
    assert result.has_validation_errors()
    assert not Measure.objects.filter(reference="NEW 1").exists()


def test_it_exports_and_imports_actions(team: Client, measure: Measure) -> None:
    ActionFactory(
        year=measure.year, portfolio=measure.portfolio, theme=measure.theme, reference="GW 03"
    )
    response = team.post(
        reverse("admin:measures_action_export"),
        {
            "format": "0",
            "resource": "0",
            "actionresource_reference": "on",
            "actionresource_year": "on",
        },
    )
    assert response.status_code == 200
    assert "GW 03" in response.content.decode()
    assert Action.objects.count() == 1


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("=SUM(A1)", "'=SUM(A1)"),
        ("+44 1332", "'+44 1332"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("-5", "-5"),
        ("-1,000.5", "-1,000.5"),
        ("Plain text", "Plain text"),
        ("'quoted", "'quoted"),
    ],
)
def test_it_escapes_what_a_spreadsheet_would_run_and_reads_it_back(text: str, escaped: str) -> None:
    assert escape_formula(text) == escaped
    assert unescape_formula(escaped) == text
