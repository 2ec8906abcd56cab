"""Trend over time: how many measures and actions in each rating at each quarter end, as
a chart with its table, and each item's rating beside last quarter's."""

from __future__ import annotations

from django.test import Client

from measures.models import ActionUpdate
from perfmon.models import User
from tests.reports.test_summary_dataset import _measure_update, build_council


def test_it_counts_ratings_per_quarter_and_words_a_change(client: Client, outsider: User) -> None:
    council = build_council()
    q3 = council.ret(council.portfolio, 2024, 3, "approved")
    _measure_update(q3, council.measures["M1"], "80")  # Red at Q3, Green at Q4
    ActionUpdate.objects.create(action=council.actions["A3"], ret=q3, status="on_track")
    client.force_login(outsider)
    response = client.get("/reports/trend/", {"year": 2024, "quarter": 4})
    assert response.status_code == 200
    report = response.context["result"]
    measures = {status.label: row for status, row in report.measures.rows}
    # Q1 and Q2 have no results; Q3 has M1 only; Q4 the six approved (M7 is a draft).
    assert measures["Red"] == [0, 0, 1, 1]
    assert measures["Green"] == [0, 0, 0, 2]
    assert measures["Blue"] == [0, 0, 0, 1]
    assert measures["Not reported"] == [7, 7, 6, 1]
    assert report.measures.totals() == [7, 7, 7, 7]
    actions = {status.label: row for status, row in report.actions.rows}
    assert actions["On track"] == [0, 0, 1, 1]
    items = {item.reference: item for item in report.items}
    assert items["M1"].text == "Green (Red in Q3)"
    assert items["A3"].text == "Some slippage (On track in Q3)"
    assert items["M2"].text == "Red"  # no Q3 rating to compare with
    page = response.content.decode()
    assert page.count("<svg") == 2
    assert 'data-testid="measures-chart-table"' in page
    assert "<title>Q4: 2 Green</title>" in page


def test_it_follows_each_measure_back_through_its_years(client: Client, outsider: User) -> None:
    council = build_council()
    client.force_login(outsider)
    response = client.get("/reports/trend/", {"year": 2024, "quarter": 4})
    report = response.context["result"]
    assert report.years == ["2023/24", "2024/25"]
    texts = {row.measure.reference: row.texts for row in report.measure_years}
    assert texts["M1"] == ["90", "105"]
    assert texts["M4"] == ["", "Data not yet available"]
    assert texts["M7"] == ["", ""]  # its only result is in a return not yet approved
    years = {t.slug: t for t in report.tables()}["years"]
    m5 = next(row for row in years.rows if row[0].value == "M5")
    assert [cell.value for cell in m5[2:]] == [12, 8]
    assert council.measures["M1"].description in response.content.decode()
