"""The quarterly cycle through its views: officers fill in and submit, directors return
or approve, approved returns lock, and every step is on the trail."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from measures.models import ActionUpdate, MeasureUpdate
from perfmon.models import Portfolio, PortfolioRole, Quarter, Return, ReturnEvent, User
from perfmon.services import create_reporting_year
from tests.factories import ActionFactory, MeasureFactory, PortfolioRoleFactory, UserFactory
from tests.forms_in_page import decision, submit


@pytest.fixture
def quarter(db: None) -> Quarter:
    return create_reporting_year(start_year=2026).quarters.get(number=2)


@pytest.fixture
def items(portfolio: Portfolio, quarter: Quarter) -> dict[str, Any]:
    year = quarter.year
    return {
        "measure": MeasureFactory(portfolio=portfolio, year=year, reference="EHCS PM29", target=58),
        "action": ActionFactory(portfolio=portfolio, year=year, reference="GW 03"),
    }


def url(portfolio: Portfolio, quarter: Quarter, action: str = "") -> str:
    name = {"": "return", "decide": "decide_return", "reopen": "reopen_return"}[action]
    return reverse(name, args=[portfolio.pk, quarter.year.start_year, quarter.number])


def fields(client: Client, page_url: str) -> dict[str, str]:
    """What the return page would post back untouched: each row's current values."""
    response = client.get(page_url)
    data: dict[str, str] = {}
    for form in response.context["forms"]:
        for row in form.rows:
            for name, bound in row.form.fields.items():
                value = row.form[name].value()
                if isinstance(bound.widget, __import__("django").forms.CheckboxInput):
                    if value:
                        data[f"{row.form.prefix}-{name}"] = "on"
                    continue
                data[f"{row.form.prefix}-{name}"] = "" if value is None else str(value)
    return data


def as_client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def fill(client: Client, page_url: str, items: dict[str, Any], **changes: str) -> dict[str, str]:
    data = fields(client, page_url)
    m, a = items["measure"].pk, items["action"].pk
    data.update({f"m{m}-actual": "56%", f"a{a}-status": "on_track"})
    data.update({key.replace("__", "-"): value for key, value in changes.items()})
    return data


def test_it_saves_a_draft_with_the_status_worked_out(
    officer: User, portfolio: Portfolio, quarter: Quarter, items: dict[str, Any]
) -> None:
    client = as_client(officer)
    page = url(portfolio, quarter)
    response = client.post(page, fill(client, page, items) | {"save": ""})
    assert response.status_code == 302
    update = MeasureUpdate.objects.get()
    assert update.actual == Decimal("56")
    assert update.status == "Amber"
    assert update.status_explained.startswith("Amber: 3.4% below the target of 58%")
    assert update.history.get().history_user == officer
    ret = Return.objects.get()
    assert ret.state == Return.State.DRAFT
    event = ret.events.get()
    assert event.action == "saved" and event.user == officer
    assert "EHCS PM29 actual: (blank) → 56%" in event.changes


def test_it_lists_what_is_missing_instead_of_submitting(
    officer: User, portfolio: Portfolio, quarter: Quarter, items: dict[str, Any]
) -> None:
    client = as_client(officer)
    page = url(portfolio, quarter)
    data = fields(client, page) | {f"a{items['action'].pk}-status": "on_track", "check": ""}
    response = client.post(page, data)
    assert response.status_code == 200
    missing = response.context["missing"]
    m = items["measure"].pk
    assert [(m.item.split()[0:2], m.anchor) for m in missing] == [
        (["EHCS", "PM29"], f"id_m{m}-actual")
    ]
    html = response.content.decode()
    # The summary links to the empty field, which says what is missing itself; no
    # banner repeats the summary.
    assert f'href="#id_m{m}-actual"' in html
    assert f'id="id_m{m}-actual_error"' in html
    assert "Important" not in html
    assert "<title>Error:" in html
    assert Return.objects.get().state == Return.State.DRAFT
    assert ActionUpdate.objects.get().status == "on_track"  # the draft was kept


def test_it_runs_the_whole_cycle_and_locks_the_approved_return(
    officer: User, director: User, portfolio: Portfolio, quarter: Quarter, items: dict[str, Any]
) -> None:
    officer_client, director_client = as_client(officer), as_client(director)
    page = url(portfolio, quarter)
    submit(officer_client, page, fill(officer_client, page, items))
    assert Return.objects.get().state == Return.State.SUBMITTED
    assert officer_client.post(page, fill(officer_client, page, items)).status_code == 403

    assert director_client.get(reverse("approvals")).context["rows"][0].portfolio == portfolio
    refused = director_client.post(
        url(portfolio, quarter, "decide"), decision(director_client, page, decision="return")
    )
    assert refused.status_code == 400
    assert "Say what the officers need to change" in refused.content.decode()
    director_client.post(
        url(portfolio, quarter, "decide"),
        decision(
            director_client,
            page,
            decision="return",
            comment="Explain the drop in care leavers in EET.",
        ),
    )
    assert Return.objects.get().state == Return.State.RETURNED
    assert "Explain the drop" in officer_client.get(page).content.decode()

    m = items["measure"].pk
    submit(
        officer_client,
        page,
        fill(officer_client, page, items, **{f"m{m}__commentary": "Two young people moved."}),
    )
    assert Return.objects.get().state == Return.State.SUBMITTED
    director_client.post(
        url(portfolio, quarter, "decide"), decision(director_client, page, decision="approve")
    )
    ret = Return.objects.get()
    assert ret.state == Return.State.APPROVED

    locked = fill(officer_client, page, items, **{f"m{m}__actual": "99%"})
    assert officer_client.post(page, locked).status_code == 403
    assert director_client.post(page, locked).status_code == 403
    assert MeasureUpdate.objects.get().actual == Decimal("56")
    assert list(ret.events.values_list("action", flat=True)) == [
        "saved",
        "submitted",
        "returned",
        "saved",
        "submitted",
        "approved",
    ]
    trail = officer_client.get(page).content.decode()
    assert "Returned to officers" in trail and "Approved" in trail


def test_it_stops_a_director_approving_a_return_they_edited(
    portfolio: Portfolio, quarter: Quarter, items: dict[str, Any]
) -> None:
    both = UserFactory(username="both")
    for role in ("officer", "director"):
        PortfolioRoleFactory(user=both, portfolio=portfolio, role=role)
    client = as_client(both)
    page = url(portfolio, quarter)
    submit(client, page, fill(client, page, items))
    client.post(url(portfolio, quarter, "decide"), decision(client, page, decision="approve"))
    assert Return.objects.get().state == Return.State.SUBMITTED
    page_text = client.get(page).content.decode()
    assert "another director must approve it" in page_text


def test_it_asks_why_a_completed_action_is_no_longer_completed(
    officer: User, portfolio: Portfolio, quarter: Quarter, items: dict[str, Any]
) -> None:
    client = as_client(officer)
    page = url(portfolio, quarter)
    a = items["action"].pk
    client.post(page, fill(client, page, items, **{f"a{a}__status": "completed"}))
    response = client.post(page, fill(client, page, items, **{f"a{a}__status": "on_track"}))
    assert response.status_code == 400
    assert "say why it is no longer completed" in response.content.decode()
    assert ActionUpdate.objects.get().status == "completed"
    ok = fill(
        client, page, items, **{f"a{a}__status": "on_track", f"a{a}__reopen_reason": "Delayed."}
    )
    assert client.post(page, ok).status_code == 302
    assert ActionUpdate.objects.get().status == "on_track"


def test_it_rejects_an_actual_that_is_not_a_number(
    officer: User, portfolio: Portfolio, quarter: Quarter, items: dict[str, Any]
) -> None:
    client = as_client(officer)
    page = url(portfolio, quarter)
    m = items["measure"].pk
    response = client.post(page, fill(client, page, items, **{f"m{m}__actual": "lots"}))
    assert response.status_code == 400
    assert "is not a number" in response.content.decode()
    assert f'href="#id_m{m}-actual"' in response.content.decode()
    assert not MeasureUpdate.objects.exists()


def test_it_needs_a_reason_to_override_a_status(
    officer: User, portfolio: Portfolio, quarter: Quarter, items: dict[str, Any]
) -> None:
    client = as_client(officer)
    page = url(portfolio, quarter)
    m = items["measure"].pk
    response = client.post(page, fill(client, page, items, **{f"m{m}__status_override": "Green"}))
    assert response.status_code == 400
    assert "Say why the status is overridden" in response.content.decode()
    ok = fill(
        client,
        page,
        items,
        **{f"m{m}__status_override": "Green", f"m{m}__override_reason": "Agreed at DMT."},
    )
    assert client.post(page, ok).status_code == 302
    update = MeasureUpdate.objects.get()
    assert (update.status, update.status_override) == ("Amber", "Green")


@pytest.mark.parametrize("state", ["draft", "submitted", "returned"])
def test_it_hides_unapproved_returns_from_viewers(
    outsider: User, portfolio: Portfolio, quarter: Quarter, state: str
) -> None:
    Return.objects.create(portfolio=portfolio, quarter=quarter, state=state)
    assert as_client(outsider).get(url(portfolio, quarter)).status_code == 404


def test_it_shows_approved_returns_to_viewers_read_only(
    outsider: User, portfolio: Portfolio, quarter: Quarter, items: dict[str, Any]
) -> None:
    Return.objects.create(portfolio=portfolio, quarter=quarter, state="approved")
    client = as_client(outsider)
    response = client.get(url(portfolio, quarter))
    assert response.status_code == 200
    assert "Save draft" not in response.content.decode()
    assert client.post(url(portfolio, quarter), {}).status_code == 403


def test_it_keeps_officers_out_of_other_portfolios(
    officer: User, quarter: Quarter, db: None
) -> None:
    other = Portfolio.objects.create(name="Health and Adult Care")
    assert as_client(officer).get(url(other, quarter)).status_code == 404


def test_it_lets_only_the_performance_team_reopen_with_a_reason(
    officer: User, director: User, admin_user: User, portfolio: Portfolio, quarter: Quarter
) -> None:
    Return.objects.create(portfolio=portfolio, quarter=quarter, state="approved")
    assert (
        as_client(director).post(url(portfolio, quarter, "reopen"), {"reason": "x"}).status_code
        == 403
    )
    team = as_client(admin_user)
    assert team.post(url(portfolio, quarter, "reopen"), {"reason": ""}).status_code == 400
    team.post(url(portfolio, quarter, "reopen"), {"reason": "Q2 figure corrected by finance."})
    ret = Return.objects.get()
    assert ret.state == Return.State.REOPENED
    assert ReturnEvent.objects.get().comment == "Q2 figure corrected by finance."


def _count_queries(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def _grow(portfolio: Portfolio, quarter: Quarter, n: int) -> None:
    for _ in range(n):
        MeasureFactory(portfolio=portfolio, year=quarter.year)
        ActionFactory(portfolio=portfolio, year=quarter.year)


def test_it_runs_a_fixed_number_of_queries_for_the_return_page(
    officer: User, portfolio: Portfolio, quarter: Quarter
) -> None:
    client = as_client(officer)
    page = url(portfolio, quarter)
    _grow(portfolio, quarter, 5)
    client.post(page, fields(client, page) | {"save": ""})
    small = _count_queries(client, page)
    _grow(portfolio, quarter, 70)
    assert _count_queries(client, page) == small


def test_it_runs_a_fixed_number_of_queries_for_the_inboxes(
    officer: User, director: User, portfolio: Portfolio, quarter: Quarter
) -> None:
    import time_machine

    def add_portfolios(count: int, start: int) -> None:
        for n in range(start, start + count):
            other = Portfolio.objects.create(name=f"Portfolio {n}")
            PortfolioRoleFactory(user=officer, portfolio=other, role=PortfolioRole.Role.OFFICER)
            PortfolioRoleFactory(user=director, portfolio=other, role=PortfolioRole.Role.DIRECTOR)
            Return.objects.create(portfolio=other, quarter=quarter, state="submitted")
            _grow(other, quarter, 3)

    def count_both() -> tuple[int, int]:
        return (
            _count_queries(officer_client, reverse("my_returns")),
            _count_queries(director_client, reverse("approvals")),
        )

    with time_machine.travel("2026-11-23"):
        officer_client, director_client = as_client(officer), as_client(director)
        _grow(portfolio, quarter, 5)
        add_portfolios(1, start=0)
        count_both()  # the first page reads the council's settings and schemes into the cache
        few = count_both()
        add_portfolios(10, start=1)
        count_both()  # new roles: people's standing is read afresh, once
        assert count_both() == few
        rows = officer_client.get(reverse("my_returns")).context["rows"]
        assert len(rows) == 12
        mine = next(item.row for item in rows if item.row.portfolio == portfolio)
        assert (mine.state, mine.missing) == ("Not started", 10)
