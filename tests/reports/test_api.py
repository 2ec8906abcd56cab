"""The open data API: approved results only, nothing personal or written as commentary,
filters, pagination, who may read it, and a query count that does not grow with rows.

The council is `build_council` (test_summary_dataset): 2024/25 Q4 approved for
Regeneration, with M7 in Streetpride's submitted return.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from measures.models import ActionUpdate, MeasureUpdate
from perfmon.models import Return, User
from projects.models import Project, ProjectUpdate
from reports.models import OpenDataSetting
from risks.models import Risk, RiskAssessment
from tests.factories import ActionFactory, MeasureFactory, PortfolioFactory, QuarterFactory
from tests.reports.test_summary_dataset import Council, _measure_update, build_council

LISTS = [
    "/api/years/",
    "/api/themes/",
    "/api/portfolios/",
    "/api/measures/",
    "/api/actions/",
    "/api/projects/",
    "/api/risks/",
]
# Keys that would carry commentary, reasons or people: none may appear anywhere.
NEVER_PUBLISHED = {
    "commentary",
    "override_reason",
    "reopen_reason",
    "controls",
    "further_actions",
    "owner",
    "owner_name",
    "sponsor",
    "sponsor_name",
    "manager",
    "manager_name",
    "updated_by",
    "user",
    "email",
    "username",
    "time_reason",
    "cost_reason",
    "scope_reason",
    "benefits_reason",
    "version",
}


def switch_anonymous_reading(on: bool) -> None:
    setting = OpenDataSetting.load()
    setting.anonymous_read = on
    setting.save()


def results(client: Client, url: str, **params: Any) -> list[dict[str, Any]]:
    response = client.get(url, params, HTTP_ACCEPT="application/json")
    assert response.status_code == 200, response.content
    return response.json()["results"]


def by_ref(client: Client, url: str, **params: Any) -> dict[str, dict[str, Any]]:
    return {item["reference"]: item for item in results(client, url, **params)}


def walk(data: Any) -> Iterator[tuple[str | None, Any]]:
    """Every (key, value) in a JSON document, nested ones too."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield key, value
            yield from walk(value)
    elif isinstance(data, list):
        for value in data:
            yield from walk(value)
    else:
        yield None, data


@pytest.fixture
def council(db: None) -> Council:
    return build_council()


@pytest.fixture
def reader(client: Client, outsider: User) -> Client:
    """Anyone signed in may read the API: a viewer with no role will do."""
    client.force_login(outsider)
    return client


def test_it_serves_approved_values_with_statuses_targets_and_direction(
    reader: Client, council: Council
) -> None:
    measures = by_ref(reader, "/api/measures/", year="2024/25")
    m1 = measures["M1"]
    assert m1["year"] == "2024/25"
    assert m1["theme"] == {"id": council.growth.pk, "name": "Growth"}
    assert m1["portfolio"] == {"id": council.portfolio.pk, "name": "Regeneration"}
    assert m1["quarters"] == [
        {
            "year": "2024/25",
            "quarter": 4,
            "actual": 105,
            "missing_reason": "",
            "target": 100,
            "status": "Green",
            "status_from_rule": "Green",
            "status_overridden": False,
            "provisional": False,
            "forecast": False,
            "period_label": "",
            "direction_of_travel": "Improving",
        }
    ]
    assert measures["M2"]["quarters"][0]["direction_of_travel"] == "Deteriorating"
    assert measures["M3"]["quarters"][0]["target"] is None
    assert measures["M4"]["quarters"][0]["actual"] is None
    assert measures["M4"]["quarters"][0]["missing_reason"] == "not_yet_available"
    assert measures["M6"]["quarters"][0]["period_label"] == "Q3 data"

    actions = by_ref(reader, "/api/actions/")
    assert actions["A3"]["quarters"] == [
        {
            "year": "2024/25",
            "quarter": 4,
            "status": "some_slippage",
            "status_label": "Some slippage",
            "rag": "Amber",
        }
    ]
    projects = by_ref(reader, "/api/projects/")
    assert projects["P2"]["quarters"][0]["dca"] == "red"
    assert projects["P2"]["quarters"][0]["dca_label"] == "Red"
    risks = by_ref(reader, "/api/risks/")
    assert [(q["quarter"], q["threat_score"]) for q in risks["R1"]["quarters"]] == [
        (3, 9),
        (4, 16),
    ]


def test_it_shows_an_overridden_status_and_the_rules_own(reader: Client, council: Council) -> None:
    MeasureUpdate.objects.filter(measure=council.measures["M2"]).update(
        status_override="Amber", override_reason="Confidential reason"
    )
    value = by_ref(reader, "/api/measures/", year="2024")["M2"]["quarters"][0]
    assert (value["status"], value["status_from_rule"], value["status_overridden"]) == (
        "Amber",
        "Red",
        True,
    )


@pytest.mark.parametrize(
    "state", [Return.State.DRAFT, Return.State.SUBMITTED, Return.State.RETURNED, "reopened"]
)
def test_it_never_serves_updates_of_returns_not_approved(
    reader: Client, council: Council, state: str
) -> None:
    # Q3 of 2024/25 for Regeneration is approved in build_council; its Q2, in `state`, holds
    # a value for M1 and an assessment of R1 that must not appear.
    ret = council.ret(council.portfolio, 2024, 2, state)
    _measure_update(ret, council.measures["M1"], "1")
    RiskAssessment.objects.create(risk=council.risks["R1"], ret=ret, threat_score=1)
    for draft in (council.measures["M7"],):
        assert draft.updates.get().ret.state == Return.State.SUBMITTED

    measures = by_ref(reader, "/api/measures/", year="2024")
    assert "M7" not in measures  # only in a submitted return: not published at all
    assert [q["quarter"] for q in measures["M1"]["quarters"]] == [4]
    assert [q["quarter"] for q in by_ref(reader, "/api/risks/")["R1"]["quarters"]] == [3, 4]
    m7 = council.measures["M7"]
    assert reader.get(f"/api/measures/{m7.pk}/").status_code == 404
    assert reader.get("/api/measures/", {"reference": "M7"}).json()["count"] == 0


def test_it_publishes_no_commentary_reasons_or_people(
    reader: Client, council: Council, officer: User
) -> None:
    officer.email = "alex.officer@council.example"
    officer.save()
    MeasureUpdate.objects.update(commentary="Secret measure note", updated_by=officer)
    ActionUpdate.objects.update(commentary="Secret action note", reopen_reason="Secret why")
    ProjectUpdate.objects.update(commentary="Secret project note", time_reason="Secret late")
    Project.objects.update(sponsor=officer, sponsor_name="Sam Sponsor", manager_name="Mo Manager")
    Risk.objects.update(owner=officer, owner_name="Olly Owner")
    RiskAssessment.objects.update(
        commentary="Secret risk note", controls="Secret controls", further_actions="Secret next"
    )
    forbidden_text = ("Secret", "Alex", "alex", "Sam Sponsor", "Mo Manager", "Olly Owner")
    for url in LISTS:
        payload = reader.get(url, HTTP_ACCEPT="application/json").json()
        assert payload["count"] > 0, url
        details = [
            reader.get(f"{url}{item['id']}/", HTTP_ACCEPT="application/json").json()
            for item in payload["results"]
        ]
        for key, value in walk([payload, details]):
            assert key not in NEVER_PUBLISHED, (url, key)
            if isinstance(value, str):
                assert not any(text in value for text in forbidden_text), (url, value)


@pytest.mark.parametrize("url", [*LISTS, "/api/", "/api/schema/", "/api/docs/"])
def test_it_refuses_anonymous_readers_while_switched_off(
    client: Client, council: Council, url: str
) -> None:
    response = client.get(url, HTTP_ACCEPT="application/json")
    assert response.status_code in (401, 403)
    assert response.json()["detail"]
    assert not OpenDataSetting.load().anonymous_read


@pytest.mark.parametrize("url", [*LISTS, "/api/", "/api/schema/"])
def test_it_lets_anyone_read_once_switched_on(client: Client, council: Council, url: str) -> None:
    switch_anonymous_reading(True)
    assert client.get(url, HTTP_ACCEPT="application/json").status_code == 200


def test_it_documents_the_api_on_a_page_for_people_at_its_root(
    client: Client, council: Council
) -> None:
    switch_anonymous_reading(True)
    response = client.get("/api/docs/")
    assert response.status_code == 302 and response["Location"] == "/api/"
    page = client.get("/api/", HTTP_ACCEPT="text/html,application/xhtml+xml,*/*;q=0.8")
    assert page.status_code == 200
    html = page.text
    assert '<html lang="en-GB"' in html
    assert '<h1 class="govuk-heading-l">Open data API</h1>' in html
    assert 'href="http://testserver/api/measures/"' in html
    assert 'data-schema-url="/api/schema/?format=json"' in html
    assert "dist/swagger-ui/swagger-ui-bundle.js" in html
    # A browser reading a list gets its JSON; programs still get the schema.
    listing = client.get("/api/measures/", HTTP_ACCEPT="text/html,*/*;q=0.8")
    assert listing["Content-Type"] == "application/json"
    assert client.get("/api/schema/").status_code == 200


def test_it_tells_a_browser_why_the_api_is_closed(client: Client, council: Council) -> None:
    page = client.get("/api/", HTTP_ACCEPT="text/html")
    assert page.status_code == 403
    assert "Sign in to read the open data API" in page.text
    assert 'href="/sign-in/?next=/api/"' in page.text


def test_it_refuses_to_write(reader: Client, council: Council) -> None:
    measure = council.measures["M1"]
    assert reader.post("/api/measures/", {}).status_code in (403, 405)
    assert reader.delete(f"/api/measures/{measure.pk}/").status_code in (403, 405)
    assert reader.put(f"/api/measures/{measure.pk}/", {}).status_code in (403, 405)


def test_it_refuses_an_inactive_user(client: Client, council: Council, outsider: User) -> None:
    client.force_login(outsider)
    User.objects.filter(pk=outsider.pk).update(is_active=False)
    assert client.get("/api/measures/").status_code in (401, 403)


def test_it_filters_by_year_theme_portfolio_and_reference(reader: Client, council: Council) -> None:
    this_year = {"M1", "M2", "M3", "M4", "M5", "M6"}
    assert set(by_ref(reader, "/api/measures/", year="2024/25")) == this_year
    assert set(by_ref(reader, "/api/measures/", year="2024")) == this_year
    assert set(by_ref(reader, "/api/measures/", year="2023/24")) == {"M1", "M2", "M3", "M5", "M6"}
    assert set(by_ref(reader, "/api/measures/", year="2019")) == set()
    assert set(by_ref(reader, "/api/measures/", year="2024/26")) == set()
    green = by_ref(reader, "/api/measures/", year="2024", theme=council.green.pk)
    assert set(green) == {"M5", "M6"}
    assert set(by_ref(reader, "/api/actions/", theme=council.green.pk)) == {"A4", "A5"}
    assert by_ref(reader, "/api/risks/", portfolio=council.other.pk) == {}
    assert set(by_ref(reader, "/api/risks/", portfolio=council.portfolio.pk)) == {"R1", "R2"}
    found = results(reader, "/api/measures/", year="2024/25", reference="m1")
    assert [m["id"] for m in found] == [council.measures["M1"].pk]
    found = results(reader, "/api/measures/", year="2024/25", reference=" m1 ")  # trimmed
    assert [m["id"] for m in found] == [council.measures["M1"].pk]
    # Spaces alone are no reference: refused, as the published schema says.
    blank = reader.get("/api/actions/", {"reference": " "})
    assert blank.status_code == 400
    assert "reference" in blank.json()
    assert {t["name"] for t in results(reader, "/api/themes/", year="2024/25")} == {
        "Growth",
        "Green",
    }
    assert results(reader, "/api/themes/", year="2030") == []


@pytest.mark.parametrize(
    "params",
    [{"year": "24/25"}, {"year": "last"}, {"year": ""}, {"theme": "green"}, {"portfolio": "0"}],
)
def test_it_answers_a_bad_filter_with_400(
    reader: Client, council: Council, params: dict[str, str]
) -> None:
    response = reader.get("/api/measures/", params, HTTP_ACCEPT="application/json")
    assert response.status_code == 400
    assert set(response.json()) == set(params)


def _many_measures(count: int) -> None:
    """`count` measures and actions with approved Q4 values, each measure with last year's."""
    quarter = QuarterFactory(number=4)
    last_quarter = QuarterFactory(year__start_year=2023, number=4)
    portfolio = PortfolioFactory()
    ret = Return.objects.create(portfolio=portfolio, quarter=quarter, state="approved")
    last = Return.objects.create(portfolio=portfolio, quarter=last_quarter, state="approved")
    for _ in range(count):
        previous = MeasureFactory(year=last_quarter.year, portfolio=portfolio)
        MeasureUpdate.objects.create(measure=previous, ret=last, actual=Decimal(40))
        measure = MeasureFactory(year=quarter.year, portfolio=portfolio, previous=previous)
        MeasureUpdate.objects.create(measure=measure, ret=ret, actual=Decimal(50))
        action = ActionFactory(year=quarter.year, portfolio=portfolio)
        ActionUpdate.objects.create(action=action, ret=ret, status="on_track")


def test_it_pages_by_100(reader: Client, db: None) -> None:
    _many_measures(101)
    first = reader.get("/api/actions/", HTTP_ACCEPT="application/json").json()
    assert first["count"] == 101 and len(first["results"]) == 100
    assert first["next"].endswith("/api/actions/?page=2")
    second = reader.get(first["next"], HTTP_ACCEPT="application/json").json()
    assert len(second["results"]) == 1 and second["next"] is None
    assert reader.get("/api/actions/", {"page": 3}).status_code == 404


@pytest.mark.parametrize("count", [10, 100])
@pytest.mark.parametrize(
    ("url", "queries"),
    [("/api/measures/", 6), ("/api/actions/", 5)],
)
def test_it_reads_a_page_in_a_fixed_number_of_queries(
    reader: Client,
    django_assert_num_queries: Any,
    count: int,
    url: str,
    queries: int,
) -> None:
    _many_measures(count)
    # user, the count, the items, their approved updates (and, for measures, last year's,
    # for the direction of travel), and the session where it is not read from Redis
    with CaptureQueriesContext(connection) as done:
        assert len(results(reader, url, year="2024/25")) == count
    assert len([q for q in done if "django_session" not in q["sql"]]) == queries - 1


def test_it_lets_the_performance_team_switch_anonymous_reading_in_the_admin(
    client: Client, council: Council, admin_user: User
) -> None:
    client.force_login(admin_user)
    listing = client.get("/admin/reports/opendatasetting/")
    assert listing.status_code == 302
    page = client.get(listing["Location"])
    assert "Anyone may read the open data API without signing in" in page.text
    response = client.post(listing["Location"], {"anonymous_read": "on"})
    assert response.status_code == 302
    setting = OpenDataSetting.load()
    assert setting.anonymous_read
    assert setting.history.latest().history_user == admin_user
    client.logout()
    assert client.get("/api/measures/", HTTP_ACCEPT="application/json").status_code == 200


def test_it_keeps_the_switch_from_anyone_else(client: Client, outsider: User) -> None:
    User.objects.filter(pk=outsider.pk).update(is_staff=True)
    client.force_login(outsider)
    setting = OpenDataSetting.load()
    assert client.get(f"/admin/reports/opendatasetting/{setting.pk}/change/").status_code == 403
    response = client.post(
        f"/admin/reports/opendatasetting/{setting.pk}/change/", {"anonymous_read": "on"}
    )
    assert response.status_code == 403
    assert not OpenDataSetting.load().anonymous_read
