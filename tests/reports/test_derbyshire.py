"""Derbyshire County Council's 2021-22 Council Plan report, loaded as the second demo: the
published counts come out of perfmon's own summary and trend report."""

from __future__ import annotations

import io
import json
import re
from datetime import date
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import Client
from openpyxl import load_workbook

from measures.models import Action, ActionScheme, ActionUpdate, Measure, MeasureUpdate
from perfmon.models import CouncilSettings, ReportingYear, Return, User
from reports.builders.common import Filters
from reports.builders.summary import build_summary
from reports.builders.trend import build_trend
from tests.factories import ActionFactory, MeasureFactory, QuarterFactory

pytestmark = pytest.mark.django_db
KEY_REVIEW = "Some risk to achieving timetable and/or outcomes."


@pytest.fixture
def derbyshire() -> ReportingYear:
    with time_machine.travel(date(2026, 11, 30), tick=False):
        call_command("load_demo", "--council", "derbyshire", stdout=StringIO())
    return ReportingYear.objects.get(start_year=2021)


def test_it_gives_the_published_q4_counts(derbyshire: ReportingYear) -> None:
    council = build_summary(Filters(year=derbyshire, quarter=4)).council.as_json()

    assert council["actions"] == 66
    assert council["action_ratings"] == {"Strong": 6, "Good": 48, "Review": 11, "Action": 1}
    assert council["measure_ratings"] == {"Strong": 12, "Good": 7, "Review": 3, "Action": 15}


def test_it_rates_every_key_measure_as_the_council_did(derbyshire: ReportingYear) -> None:
    # The Derbyshire scheme, from actual and target, gives each published rating: no
    # override was needed (the closing note says so).
    updates = MeasureUpdate.objects.filter(measure__year=derbyshire)
    assert updates.count() == 39
    assert not updates.exclude(status_override="").exists()


def test_it_prints_the_new_keys_from_the_command(derbyshire: ReportingYear) -> None:
    out = StringIO()
    call_command("performance_summary", "--year", "2021/22", "--format", "json", stdout=out)
    council = json.loads(out.getvalue())[-1]
    assert council["action_ratings"]["Good"] == 48
    assert council["measure_ratings"]["Action"] == 15
    csv_out = StringIO()
    call_command("performance_summary", "--year", "2021/22", "--format", "csv", stdout=csv_out)
    assert csv_out.getvalue().startswith("theme,")


def test_it_shows_the_trend_over_time_with_last_quarters_rating(
    derbyshire: ReportingYear,
) -> None:
    trend = build_trend(Filters(year=derbyshire, quarter=4))
    counts = {status.label: per_quarter[2:] for status, per_quarter in trend.actions.rows}

    # Q3 as the report's own notes ("Good (Review in Q3)") give it: the report publishes
    # Review 10 and Action 2 for Dec 2021, so one deliverable rated Review at Q4 was rated
    # Action at Q3 without the report saying which.
    assert counts == {
        "Strong": [4, 6],
        "Good": [50, 48],
        "Review": [11, 11],
        "Action": [1, 1],
        "Not reported": [0, 0],  # the demo has no Q1 or Q2 returns
    }
    texts = {item.reference: item.text for item in trend.items if item.kind == "Action"}
    assert texts["CP D16"] == "Good (Review in Q3)"
    assert texts["CP D03"] == "Strong (Good in Q3)"
    assert texts["CP D01"] == "Good"


def test_it_shows_the_trend_page_in_the_schemes_words(
    derbyshire: ReportingYear, client: Client
) -> None:
    client.force_login(User.objects.get(username="viewer"))
    response = client.get("/reports/trend/", {"year": 2021, "quarter": 4})
    page = " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())
    assert response.status_code == 200
    assert "Good (Review in Q3)" in page
    assert "Deliverables by rating, 2021/22" in page
    assert "Key measures by rating, 2021/22" in page
    assert "Some slippage" not in page


def test_it_keeps_completion_apart_with_its_date(derbyshire: ReportingYear) -> None:
    update = ActionUpdate.objects.get(action__reference="CP D04", ret__quarter__number=4)
    assert update.completed_on == date(2022, 3, 31)
    assert update.get_status_display() == "Strong"
    action = Action.objects.get(year=derbyshire, reference="CP D05")
    assert action.original_completion == date(2022, 3, 31)
    assert action.expected_completion == date(2023, 3, 31)
    assert (
        ActionUpdate.objects.filter(ret__quarter__number=4, completed_on__isnull=False).count()
        == 16
    )


def test_it_puts_derbyshires_schemes_words_and_name_in_use(derbyshire: ReportingYear) -> None:
    assert ActionScheme.objects.get(in_use=True).name == "Derbyshire County Council"
    council = CouncilSettings.current()
    assert council.council_name == "Derbyshire County Council"
    assert [council.dot_improving, council.dot_same, council.dot_deteriorating] == [
        "Improving",
        "No change",
        "Declining",
    ]


def test_it_lists_the_councils_it_knows_for_an_unknown_one() -> None:
    with pytest.raises(CommandError, match="derby, derbyshire"):
        call_command("load_demo", "--council", "nottingham", stdout=StringIO())


def test_it_loads_derbyshire_twice_without_change(derbyshire: ReportingYear) -> None:
    with time_machine.travel(date(2026, 11, 30), tick=False):
        call_command("load_demo", "--council", "derbyshire", stdout=StringIO())
    assert ActionUpdate.objects.filter(action__year=derbyshire).count() == 132


def test_it_prints_direction_of_travel_in_the_councils_words(client: Client) -> None:
    council = CouncilSettings.current()
    council.dot_same = "No change"
    council.save()
    last = ReportingYear.objects.create(start_year=2020)
    this = ReportingYear.objects.create(start_year=2021)

    before = MeasureFactory(year=last, reference="KM1", target=10)
    now = MeasureFactory(
        year=this,
        reference="KM1",
        previous=before,
        target=10,
        portfolio=before.portfolio,
        theme=before.theme,
    )
    for measure, year in ((before, last), (now, this)):
        ret = Return.objects.create(
            portfolio=measure.portfolio,
            quarter=QuarterFactory(year=year, number=4),
            state=Return.State.APPROVED,
        )
        MeasureUpdate.objects.create(measure=measure, ret=ret, actual=12, status="Blue")
    client.force_login(User.objects.create(username="reader"))
    response = client.get("/reports/annual/", {"year": 2021, "quarter": 4})
    assert response.status_code == 200
    cells = [row.direction for p in response.context["result"].portfolios for row in p.measures]
    assert cells == ["No change"]


def test_it_gives_the_api_the_schemes_words(derbyshire: ReportingYear, client: Client) -> None:
    client.force_login(User.objects.get(username="viewer"))
    response = client.get(
        "/api/actions/", {"year": "2021/22", "page_size": 100}, HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 200, response.content
    found = {item["reference"]: item for item in response.json()["results"]}
    assert [q["status_label"] for q in found["CP D16"]["quarters"]] == ["Review", "Good"]
    assert found["CP D16"]["quarters"][1]["status"] == "good"


def test_it_prints_the_key_in_the_schemes_words(derbyshire: ReportingYear) -> None:
    keys = build_trend(Filters(year=derbyshire, quarter=4)).keys
    actions = next(key for key in keys if key.title.startswith("Actions"))
    assert [entry.status.label for entry in actions.entries][:4] == [
        "Strong",
        "Good",
        "Review",
        "Action",
    ]


@pytest.mark.parametrize("slug", ["annual", "summary", "quarterly", "trend", "exceptions"])
def test_it_gives_every_report_in_derbyshires_words(
    derbyshire: ReportingYear, client: Client, slug: str
) -> None:
    client.force_login(User.objects.get(username="viewer"))
    query = {"year": 2021, "quarter": 4}
    page = client.get(f"/reports/{slug}/", query)
    assert page.status_code == 200
    assert "Some slippage" not in page.content.decode()
    response = client.get(f"/reports/{slug}/", {**query, "format": "xlsx"})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    key = list(book["Key"].iter_rows(min_row=5, values_only=True))
    assert ("Actions (Derbyshire County Council)", "Review", KEY_REVIEW) in key
    assert not any("slippage" in str(cell) for row in key for cell in row)
    # Every sheet names the council, as the printed report does.
    for sheet in book.worksheets:
        assert str(sheet["A2"].value).startswith("Derbyshire County Council · Quarter 4 2021/22")
        assert sheet.oddFooter.left.text == "Derbyshire County Council"
    assert book.properties.creator == "Derbyshire County Council"


def test_it_prints_the_councils_name_on_the_pdf(
    derbyshire: ReportingYear, client: Client, pdf_html: list[str]
) -> None:
    client.force_login(User.objects.get(username="viewer"))
    response = client.get("/reports/trend/", {"year": 2021, "quarter": 4, "format": "pdf"})
    assert response.content.startswith(b"%PDF")
    assert "Derbyshire County Council · Quarter 4 2021/22" in pdf_html[0]
    assert "Derby City" not in pdf_html[0]


def test_it_shows_the_councils_name_and_colour_in_the_header(
    derbyshire: ReportingYear, client: Client
) -> None:
    client.force_login(User.objects.get(username="viewer"))
    page = client.get("/").content.decode()
    assert '<span class="app-header__council">Derbyshire County Council</span>' in page
    assert 'fill="#00594f"' in page


def test_it_refuses_to_load_the_derby_demo_over_derbyshire(derbyshire: ReportingYear) -> None:
    with pytest.raises(CommandError, match="holds the Derbyshire demo"):
        call_command("load_demo", stdout=StringIO())
    assert CouncilSettings.current().name == "Derbyshire County Council"
    assert not Measure.objects.filter(year__start_year=2024).exists()


def test_it_refuses_to_mix_derbyshire_into_another_councils_year() -> None:
    ActionFactory(year=ReportingYear.objects.create(start_year=2021), reference="GW 01")
    with pytest.raises(CommandError, match="database of its own"):
        call_command("load_demo", "--council", "derbyshire", stdout=StringIO())
    assert not ActionUpdate.objects.exists()


def test_it_gives_each_prioritys_published_deliverable_counts(derbyshire: ReportingYear) -> None:
    themes = build_summary(Filters(year=derbyshire, quarter=4)).themes
    assert [row.action_ratings for row in themes] == [
        {"Strong": 2, "Good": 8, "Review": 1},
        {"Strong": 2, "Good": 14, "Review": 5, "Action": 1},
        {"Strong": 1, "Good": 10, "Review": 2},
        {"Strong": 1, "Good": 16, "Review": 3},
    ]
