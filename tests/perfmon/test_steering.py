"""The performance team steers the quarter: the overview of every return, chasing,
extensions and cover for absent directors, for every role."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from perfmon.models import (
    Deputy,
    Extension,
    Portfolio,
    PortfolioRole,
    Quarter,
    ReminderEmail,
    Return,
    ReturnEvent,
    User,
)
from perfmon.reminders import deliver_email, ensure_default_rules, plan_reminders
from perfmon.services import create_reporting_year
from tests.factories import MeasureFactory, PortfolioFactory, PortfolioRoleFactory, UserFactory
from tests.forms_in_page import decision

TODAY = date(2026, 11, 30)  # Q2 2026/27 is being reported; its submission deadline has passed


@pytest.fixture(autouse=True)
def today() -> Iterator[None]:
    with time_machine.travel(datetime(2026, 11, 30, 10, tzinfo=ZoneInfo("Europe/London"))):
        yield


@pytest.fixture
def quarter(db: None) -> Quarter:
    year = create_reporting_year(
        start_year=2026, deadlines={2: (date(2026, 11, 26), date(2026, 12, 10))}
    )
    return year.quarters.get(number=2)


def with_items(portfolio: Portfolio, quarter: Quarter, count: int = 2) -> Portfolio:
    for _ in range(count):
        MeasureFactory(portfolio=portfolio, year=quarter.year)
    return portfolio


def a_return(portfolio: Portfolio, quarter: Quarter, state: str, by: User) -> Return:
    ret = Return.objects.create(portfolio=portfolio, quarter=quarter, state=state)
    ReturnEvent.objects.create(
        ret=ret, action="saved", from_state="draft", to_state="draft", user=by
    )
    if state in {"submitted", "approved"}:
        ReturnEvent.objects.create(
            ret=ret, action="submitted", from_state="draft", to_state="submitted", user=by
        )
    if state == "approved":
        ReturnEvent.objects.create(
            ret=ret, action="approved", from_state="submitted", to_state="approved", user=by
        )
    return ret


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def overview(user: User, **params: str) -> tuple[int, str]:
    response = signed_in(user).get(reverse("returns_overview"), params)
    return response.status_code, response.content.decode()


def args(portfolio: Portfolio, quarter: Quarter) -> list[int]:
    return [portfolio.pk, quarter.year.start_year, quarter.number]


@pytest.fixture
def quarter_in_play(
    quarter: Quarter, portfolio: Portfolio, officer: User, director: User
) -> dict[str, Portfolio]:
    """Governance and Finance in draft (overdue), Housing submitted, Leisure approved,
    Transport not started (overdue)."""
    with_items(portfolio, quarter)
    housing = with_items(PortfolioFactory(name="Housing"), quarter)
    leisure = with_items(PortfolioFactory(name="Leisure"), quarter)
    transport = with_items(PortfolioFactory(name="Transport"), quarter)
    PortfolioFactory(name="Dormant, no items")
    a_return(portfolio, quarter, "draft", officer)
    a_return(housing, quarter, "submitted", officer)
    a_return(leisure, quarter, "approved", officer)
    return {"gf": portfolio, "housing": housing, "leisure": leisure, "transport": transport}


# The overview ---------------------------------------------------------------------------


def test_it_shows_the_team_every_return_with_what_needs_action_first(
    admin_user: User, quarter_in_play: dict[str, Portfolio]
) -> None:
    status, page = overview(admin_user)
    assert status == 200
    assert "2 of 4 submitted, 2 overdue" in page
    order = [page.index(name) for name in ("Transport", "Governance and Finance", "Housing")]
    assert order == sorted(order), "overdue first, then the rest by urgency"
    assert page.index("Housing") < page.index("Leisure")
    assert "Dormant, no items" not in page
    assert page.count("Submission 4 days overdue") == 2
    assert "Alex Officer" in page  # who last saved


def test_it_filters_the_overview_by_state_and_overdue(
    admin_user: User, quarter_in_play: dict[str, Portfolio]
) -> None:
    _, overdue = overview(admin_user, overdue="on")
    assert "Showing 2 of 4 returns" in overdue
    assert "Governance and Finance" in overdue and "Transport" in overdue
    assert "Housing" not in overdue
    _, submitted = overview(admin_user, state="submitted")
    assert "Showing 1 of 4 returns" in submitted and "Housing" in submitted
    _, not_started = overview(admin_user, state="not_started")
    assert "Transport" in not_started and "Leisure" not in not_started


def test_it_downloads_the_overview_as_csv(
    admin_user: User, quarter_in_play: dict[str, Portfolio]
) -> None:
    response = signed_in(admin_user).get(
        reverse("returns_overview"), {"format": "csv", "overdue": "on"}
    )
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="returns-2026-q2.csv"' in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [row["Portfolio"] for row in rows] == ["Transport", "Governance and Finance"]
    assert rows[1]["State"] == "Draft"
    assert rows[1]["Overdue"] == "Submission 4 days overdue"
    assert rows[1]["Last saved by"] == "Alex Officer"
    assert rows[0]["State"] == "Not started"
    assert rows[0]["Items"] == "2"


def test_it_shows_another_quarter_when_chosen(
    admin_user: User, quarter_in_play: dict[str, Portfolio]
) -> None:
    _, page = overview(admin_user, q="2026-1")
    assert "Q1 2026/27" in page
    assert "0 of 4 submitted, 0 overdue" in page  # Q1 has no deadlines set


def test_it_runs_the_overview_in_a_fixed_number_of_queries(
    admin_user: User, quarter_in_play: dict[str, Portfolio], officer: User, quarter: Quarter
) -> None:
    client = signed_in(admin_user)
    url = reverse("returns_overview")
    client.get(url)  # the session and the team check, once
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(5):
        more = with_items(PortfolioFactory(name=f"Extra {n}"), quarter, count=3)
        a_return(more, quarter, "submitted", officer)
    with CaptureQueriesContext(connection) as many:
        page = client.get(url).content.decode()
    assert "Extra 4" in page
    assert len(many) == len(few), "\n".join(q["sql"][:150] for q in many.captured_queries)
    # Settings and roles from the cache, counts in one query each; the session from the
    # database, or from Redis where REDIS_URL is set.
    assert len([q for q in few if "django_session" not in q["sql"]]) == 10


def test_it_shows_a_director_only_their_portfolios(
    director: User, quarter_in_play: dict[str, Portfolio]
) -> None:
    status, page = overview(director)
    assert status == 200
    assert "Governance and Finance" in page
    assert "Housing" not in page
    assert "0 of 1 submitted, 1 overdue" in page


@pytest.mark.parametrize("who", ["officer", "outsider"])
def test_it_hides_the_overview_from_officers_and_viewers(
    who: str, request: pytest.FixtureRequest, quarter_in_play: dict[str, Portfolio]
) -> None:
    status, _ = overview(request.getfixturevalue(who))
    assert status == 404


# Chasing --------------------------------------------------------------------------------


def chase_url(portfolio: Portfolio, quarter: Quarter) -> str:
    return reverse("chase_return", args=args(portfolio, quarter))


def test_it_chases_a_portfolios_officers_once_however_often_the_form_is_sent(
    admin_user: User, officer: User, quarter_in_play: dict[str, Portfolio], quarter: Quarter
) -> None:
    client = signed_in(admin_user)
    url = chase_url(quarter_in_play["gf"], quarter)
    assert client.get(url).status_code == 200
    form = {"audience": "officers", "note": "Please submit by Friday.", "seen": "0"}
    first = client.post(url, form)
    assert first.status_code == 302
    again = client.post(url, form, follow=True)  # a double click: the same page again
    assert "were reminded already" in again.content.decode()
    chases = ReturnEvent.objects.filter(action=ReturnEvent.Action.CHASED)
    assert chases.count() == 1
    assert chases.get().comment == "Please submit by Friday."
    assert list(
        ReminderEmail.objects.filter(event__in=chases).values_list("recipient", flat=True)
    ) == [officer.pk]
    _, page = overview(admin_user)
    assert "Chased 1 time" in page
    trail = signed_in(admin_user).get(reverse("return", args=args(quarter_in_play["gf"], quarter)))
    assert "Officers chased</strong> by Pat Performance" in trail.content.decode()


def test_it_chases_a_return_not_started_yet(
    admin_user: User, quarter_in_play: dict[str, Portfolio], quarter: Quarter
) -> None:
    transport = quarter_in_play["transport"]
    officer = UserFactory(username="tom")
    PortfolioRoleFactory(user=officer, portfolio=transport, role=PortfolioRole.Role.OFFICER)
    response = signed_in(admin_user).post(
        chase_url(transport, quarter), {"audience": "officers", "seen": "0"}
    )
    assert response.status_code == 302
    assert ReminderEmail.objects.filter(recipient=officer, event__action="chased").exists()
    # The chase is kept on a stored draft, but nobody has started the return.
    _, not_started = overview(admin_user, state="not_started")
    assert "Transport" in not_started
    _, drafts = overview(admin_user, state="draft")
    assert "Transport" not in drafts
    mine = signed_in(officer).get(reverse("my_returns")).content.decode()
    assert "Not started" in mine and ">Draft<" not in mine
    assert "Transport – Q2 2026/27</a>: Not started" in signed_in(officer).get("/").content.decode()


def test_it_chases_the_directors_of_a_submitted_return(
    admin_user: User, quarter_in_play: dict[str, Portfolio], quarter: Quarter
) -> None:
    housing = quarter_in_play["housing"]
    boss = UserFactory(username="hd")
    PortfolioRoleFactory(user=boss, portfolio=housing, role=PortfolioRole.Role.DIRECTOR)
    signed_in(admin_user).post(chase_url(housing, quarter), {"audience": "directors"})
    assert ReminderEmail.objects.filter(recipient=boss, event__action="chased_directors").exists()


def test_it_refuses_to_chase_an_approved_return_at_the_field(
    admin_user: User, quarter_in_play: dict[str, Portfolio], quarter: Quarter
) -> None:
    response = signed_in(admin_user).post(
        chase_url(quarter_in_play["leisure"], quarter), {"audience": "officers"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "This return is approved: there is nobody to chase." in page
    assert 'id="audience-error"' in page or "govuk-error-message" in page
    assert not ReturnEvent.objects.filter(action__startswith="chased").exists()
    assert not ReminderEmail.objects.exists()


def test_it_lets_a_director_chase_officers_but_not_directors(
    director: User, quarter_in_play: dict[str, Portfolio], quarter: Quarter
) -> None:
    client = signed_in(director)
    url = chase_url(quarter_in_play["gf"], quarter)
    assert client.post(url, {"audience": "directors"}).status_code == 400
    assert client.post(url, {"audience": "officers"}).status_code == 302
    assert ReturnEvent.objects.filter(action="chased", user=director).count() == 1


def test_it_refuses_chasing_to_officers_and_viewers(
    officer: User, outsider: User, quarter_in_play: dict[str, Portfolio], quarter: Quarter
) -> None:
    url = chase_url(quarter_in_play["gf"], quarter)
    assert signed_in(officer).post(url, {"audience": "officers"}).status_code == 403
    assert signed_in(outsider).post(url, {"audience": "officers"}).status_code == 404
    assert signed_in(outsider).get(url).status_code == 404
    assert not ReturnEvent.objects.filter(action__startswith="chased").exists()


# Extensions -----------------------------------------------------------------------------


def extend_url(portfolio: Portfolio, quarter: Quarter) -> str:
    return reverse("extend_deadline", args=args(portfolio, quarter))


def test_it_extends_one_portfolios_deadline_and_the_overview_follows(
    admin_user: User, quarter_in_play: dict[str, Portfolio], quarter: Quarter
) -> None:
    gf = quarter_in_play["gf"]
    response = signed_in(admin_user).post(
        extend_url(gf, quarter), {"until": "2026-12-04", "reason": "Data team sickness."}
    )
    assert response.status_code == 302
    extension = Extension.objects.get()
    assert (extension.portfolio, extension.submission_deadline) == (gf, date(2026, 12, 4))
    event = ReturnEvent.objects.get(action="extended")
    assert "26 November 2026 to 4 December 2026: Data team sickness." in event.comment
    _, page = overview(admin_user)
    assert "2 of 4 submitted, 1 overdue" in page
    assert "Submit by 4 Dec 2026" in page and "Approve by 18 Dec 2026" in page
    ret_page = signed_in(admin_user).get(reverse("return", args=args(gf, quarter)))
    assert "Friday 4 December 2026 (extended for this portfolio)" in ret_page.content.decode()


def test_my_returns_gives_the_officer_the_extended_deadline(
    admin_user: User, officer: User, quarter_in_play: dict[str, Portfolio], quarter: Quarter
) -> None:
    gf = quarter_in_play["gf"]
    mine = signed_in(officer)
    deadline = f'data-testid="deadline-{gf.pk}">'
    before = mine.get(reverse("my_returns")).content.decode()
    assert f"{deadline}26 Nov 2026 <strong" in before
    assert "Submission 4 days overdue" in before
    signed_in(admin_user).post(
        extend_url(gf, quarter), {"until": "2026-12-04", "reason": "Data team sickness."}
    )
    after = mine.get(reverse("my_returns")).content.decode()
    assert f"{deadline}4 Dec 2026 (extended)</td>" in after
    assert "overdue" not in after
    home = mine.get(reverse("home")).content.decode()
    assert "submit by 4 December 2026 (extended)" in home


@pytest.mark.parametrize(
    ("until", "reason", "message"),
    [
        ("2026-11-20", "Late data.", "must be after the current one, 26 November 2026"),
        ("2026-11-26", "Late data.", "must be after the current one"),
        ("not a date", "Late data.", "as a real date"),
        ("2026-12-04", "  ", "Give the reason"),
    ],
)
def test_it_refuses_a_bad_extension_at_the_field(
    admin_user: User,
    quarter_in_play: dict[str, Portfolio],
    quarter: Quarter,
    until: str,
    reason: str,
    message: str,
) -> None:
    response = signed_in(admin_user).post(
        extend_url(quarter_in_play["gf"], quarter), {"until": until, "reason": reason}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "govuk-error-summary" in response.content.decode()
    assert not Extension.objects.exists()
    assert not ReturnEvent.objects.filter(action="extended").exists()


@pytest.mark.parametrize(
    ("who", "status"), [("officer", 403), ("director", 403), ("outsider", 404)]
)
def test_it_lets_only_the_team_extend(
    who: str,
    status: int,
    request: pytest.FixtureRequest,
    quarter_in_play: dict[str, Portfolio],
    quarter: Quarter,
) -> None:
    client = signed_in(request.getfixturevalue(who))
    url = extend_url(quarter_in_play["gf"], quarter)
    assert client.post(url, {"until": "2026-12-04", "reason": "x"}).status_code == status
    assert not Extension.objects.exists()


def test_it_reminds_an_extended_portfolio_by_its_own_deadline(
    admin_user: User, officer: User, quarter_in_play: dict[str, Portfolio], quarter: Quarter
) -> None:
    ensure_default_rules()
    on_the_day = {p.recipient_id for p in plan_reminders(on=date(2026, 11, 26))}
    assert officer.pk in on_the_day
    signed_in(admin_user).post(
        extend_url(quarter_in_play["gf"], quarter), {"until": "2026-12-04", "reason": "Late."}
    )
    assert officer.pk not in {p.recipient_id for p in plan_reminders(on=date(2026, 11, 26))}
    due = [p for p in plan_reminders(on=date(2026, 12, 4)) if p.recipient_id == officer.pk]
    assert [(p.deadline, p.days) for p in due] == [(date(2026, 12, 4), 0)]


# Deputies -------------------------------------------------------------------------------


@pytest.fixture
def bea(quarter_in_play: dict[str, Portfolio]) -> User:
    """B. Deputy: a director of another portfolio, so she holds a role in the council."""
    user = UserFactory(username="bea", first_name="B.", last_name="Deputy")
    PortfolioRoleFactory(
        user=user, portfolio=quarter_in_play["housing"], role=PortfolioRole.Role.DIRECTOR
    )
    return user


def name(client: Client, portfolio: Portfolio, **fields: str) -> tuple[int, str]:
    data = {"portfolio": str(portfolio.pk), "starts_on": "2026-11-28", "ends_on": "2026-12-12"}
    response = client.post(reverse("deputies"), data | fields)
    return response.status_code, response.content.decode()


def test_it_lets_a_deputy_approve_for_an_absent_director_and_says_so(
    director: User,
    bea: User,
    officer: User,
    portfolio: Portfolio,
    quarter: Quarter,
    quarter_in_play: dict[str, Portfolio],
) -> None:
    Return.objects.filter(portfolio=portfolio).update(state=Return.State.SUBMITTED)
    status, _ = name(signed_in(director), portfolio, deputy="bea")
    assert status == 302
    assert Deputy.objects.get().director == director
    deputy = signed_in(bea)
    assert "Governance and Finance" in deputy.get(reverse("approvals")).content.decode()
    page = reverse("return", args=args(portfolio, quarter))
    decide = reverse("decide_return", args=args(portfolio, quarter))
    response = deputy.post(decide, decision(deputy, page, decision="approve"), follow=True)
    assert Return.objects.get(portfolio=portfolio).state == Return.State.APPROVED
    event = ReturnEvent.objects.get(action="approved", ret__portfolio=portfolio)
    assert (event.user, event.on_behalf_of) == (bea, director)
    text = " ".join(response.content.decode().split())
    assert "Approved</strong> by B. Deputy for Dana Director" in text


def test_it_ends_a_deputys_powers_with_the_cover(
    director: User, bea: User, portfolio: Portfolio, quarter_in_play: dict[str, Portfolio]
) -> None:
    name(signed_in(director), portfolio, deputy="bea", ends_on="2026-11-29")
    assert Deputy.objects.count() == 1
    assert "Governance and Finance" not in signed_in(bea).get(reverse("approvals")).content.decode()
    assert overview(bea)[1].count("Governance and Finance") == 0


def test_the_director_ends_a_cover_early_on_the_deputies_page(
    director: User, bea: User, portfolio: Portfolio, quarter_in_play: dict[str, Portfolio]
) -> None:
    Return.objects.filter(portfolio=portfolio).update(state=Return.State.SUBMITTED)
    name(signed_in(director), portfolio, deputy="bea")  # 28 November to 12 December
    cover = Deputy.objects.get()
    deputy = signed_in(bea)
    assert "Governance and Finance" in deputy.get(reverse("approvals")).content.decode()
    assert deputy.post(reverse("end_cover", args=[cover.pk])).status_code == 403
    page = signed_in(director).get(reverse("deputies")).content.decode()
    assert "End cover<span" in page
    response = signed_in(director).post(reverse("end_cover", args=[cover.pk]), follow=True)
    assert "The cover of B. Deputy for Dana Director has ended" in response.content.decode()
    cover.refresh_from_db()
    assert (cover.starts_on, cover.ends_on) == (date(2026, 11, 28), date(2026, 11, 29))
    assert "Governance and Finance" not in deputy.get(reverse("approvals")).content.decode()
    again = signed_in(director).post(reverse("end_cover", args=[cover.pk]), follow=True)
    assert "This cover has ended already." in again.content.decode()
    assert [h.ends_on for h in cover.history.all()] == [date(2026, 11, 29), date(2026, 12, 12)]
    assert cover.history.first().history_user == director


def test_the_team_withdraws_a_cover_that_has_not_begun(
    admin_user: User, director: User, bea: User, portfolio: Portfolio
) -> None:
    name(signed_in(director), portfolio, deputy="bea", starts_on="2026-12-07")
    cover = Deputy.objects.get()
    team = signed_in(admin_user)
    assert "Withdraw cover<span" in team.get(reverse("deputies")).content.decode()
    assert team.get(reverse("end_cover", args=[cover.pk])).status_code == 405
    response = team.post(reverse("end_cover", args=[cover.pk]), follow=True)
    assert "The cover of B. Deputy for Dana Director is withdrawn." in response.content.decode()
    assert not Deputy.objects.exists()
    assert Deputy.history.filter(id=cover.pk, history_type="-").count() == 1
    assert team.post(reverse("end_cover", args=[cover.pk])).status_code == 404


def test_it_stops_a_deputy_approving_what_they_submitted(
    director: User, bea: User, portfolio: Portfolio, quarter: Quarter, quarter_in_play: dict
) -> None:
    PortfolioRoleFactory(user=bea, portfolio=portfolio, role=PortfolioRole.Role.OFFICER)
    ret = Return.objects.get(portfolio=portfolio)
    ret.state = Return.State.SUBMITTED
    ret.save()
    ReturnEvent.objects.create(
        ret=ret, action="submitted", from_state="draft", to_state="submitted", user=bea
    )
    name(signed_in(director), portfolio, deputy="bea")
    deputy = signed_in(bea)
    page = reverse("return", args=args(portfolio, quarter))
    decide = reverse("decide_return", args=args(portfolio, quarter))
    deputy.post(decide, decision(deputy, page, decision="approve"))
    assert Return.objects.get(pk=ret.pk).state == Return.State.SUBMITTED


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"deputy": "bea", "ends_on": "2026-11-27"}, "must end on or after the day it starts"),
        ({"deputy": "dana"}, "someone other than the director"),
        ({"deputy": "nobody@council.example"}, "Nobody has an account"),
        ({"deputy": "vic"}, "holds no role in the council"),
        ({"deputy": ""}, "Enter the deputy"),
        ({"deputy": "bea", "starts_on": "31/02/2026"}, "as a real date"),
    ],
)
def test_it_refuses_a_bad_deputy_at_the_field(
    director: User,
    bea: User,
    outsider: User,
    portfolio: Portfolio,
    fields: dict[str, str],
    message: str,
) -> None:
    status, page = name(signed_in(director), portfolio, **fields)
    assert status == 400
    assert message in page
    assert "govuk-error-summary" in page
    assert not Deputy.objects.exists()


def test_it_lets_the_team_name_a_deputy_for_a_director(
    admin_user: User, director: User, bea: User, portfolio: Portfolio
) -> None:
    status, _ = name(signed_in(admin_user), portfolio, director="dana", deputy="bea")
    assert status == 302
    assert Deputy.objects.get().named_by == admin_user


@pytest.mark.parametrize("who", ["officer", "outsider"])
def test_it_hides_naming_deputies_from_officers_and_viewers(
    who: str, request: pytest.FixtureRequest, bea: User, portfolio: Portfolio
) -> None:
    client = signed_in(request.getfixturevalue(who))
    assert client.get(reverse("deputies")).status_code == 404
    assert name(client, portfolio, deputy="bea")[0] == 404
    assert not Deputy.objects.exists()


def test_it_refuses_a_director_naming_a_deputy_for_another_portfolio(
    director: User, bea: User, quarter_in_play: dict[str, Portfolio]
) -> None:
    status, _ = name(signed_in(director), quarter_in_play["housing"], deputy="bea")
    assert status == 400  # not among the director's portfolios
    assert not Deputy.objects.exists()


# The menu and the home page -------------------------------------------------------------


def menu_of(user: User) -> str:
    page = signed_in(user).get(reverse("home")).content.decode()
    return page[page.index('id="navigation"') : page.index("</nav>")]


def test_it_fits_the_menu_to_the_person(
    officer: User, director: User, admin_user: User, outsider: User, bea: User, portfolio: Portfolio
) -> None:
    assert "My returns" in menu_of(officer) and "Approvals" not in menu_of(officer)
    assert "Overview" not in menu_of(officer)
    assert "Approvals" in menu_of(director) and "Overview" in menu_of(director)
    assert "My returns" not in menu_of(director)
    assert "Overview" in menu_of(admin_user) and "Approvals" not in menu_of(admin_user)
    viewer = menu_of(outsider)
    assert not any(entry in viewer for entry in ("My returns", "Approvals", "Overview"))
    deputy = UserFactory(username="deb")
    PortfolioRoleFactory(user=deputy, portfolio=PortfolioFactory(), role="officer")
    Deputy.objects.create(
        portfolio=portfolio,
        director=director,
        deputy=deputy,
        starts_on=TODAY,
        ends_on=TODAY,
        named_by=director,
    )
    assert "Approvals" in menu_of(deputy)


def test_it_tells_each_person_what_is_waiting_for_them(
    officer: User, director: User, admin_user: User, outsider: User, quarter_in_play: dict
) -> None:
    Return.objects.filter(portfolio__name="Governance and Finance").update(state="submitted")
    team = signed_in(admin_user).get(reverse("home")).content.decode()
    assert "Q2 2026/27: 3 of 4 submitted, 1 overdue." in team
    boss = " ".join(signed_in(director).get(reverse("home")).content.decode().split())
    assert "Returns awaiting your decision" in boss
    assert "Governance and Finance – Q2 2026/27</a>: approve by 10 December 2026" in boss
    Quarter.objects.filter(pk=quarter_in_play["gf"].returns.get().quarter_id).update(
        approval_deadline=date(2026, 11, 28)
    )
    boss = signed_in(director).get(reverse("home")).content.decode()
    assert "Approval 2 days overdue" in boss
    approvals = signed_in(director).get(reverse("approvals")).content.decode()
    assert "Approval 2 days overdue" in approvals
    mine = " ".join(signed_in(officer).get(reverse("home")).content.decode().split())
    assert "Your returns" in mine and "Governance and Finance – Q2 2026/27" in mine
    assert (
        "Nothing is waiting for you." in signed_in(outsider).get(reverse("home")).content.decode()
    )


def test_it_lists_extensions_and_cover_in_the_admin_where_cover_can_be_deleted(
    admin_user: User, director: User, bea: User, portfolio: Portfolio, quarter: Quarter
) -> None:
    team = signed_in(admin_user)
    team.post(extend_url(portfolio, quarter), {"until": "2026-12-04", "reason": "Late data."})
    name(signed_in(director), portfolio, deputy="bea")
    extensions = team.get(reverse("admin:perfmon_extension_changelist")).content.decode()
    assert "Governance and Finance" in extensions and "4 December 2026" in extensions
    cover = Deputy.objects.get()
    assert "B. Deputy" in team.get(reverse("admin:perfmon_deputy_changelist")).content.decode()
    delete = reverse("admin:perfmon_deputy_delete", args=[cover.pk])
    assert team.post(delete, {"post": "yes"}).status_code == 302
    assert not Deputy.objects.exists()


def test_it_tells_the_chased_officer_who_chased_and_why(
    admin_user: User, officer: User, quarter_in_play: dict[str, Portfolio], quarter: Quarter
) -> None:
    signed_in(admin_user).post(
        chase_url(quarter_in_play["gf"], quarter),
        {"audience": "officers", "note": "Finance figures, please."},
    )
    notice = ReminderEmail.objects.get(recipient=officer)
    deliver_email(email_id=notice.pk)
    sent = mail.outbox[-1]
    assert sent.subject == "Governance and Finance – Q2 2026/27 return still to be submitted"
    body = " ".join(sent.body.split())
    assert "Pat Performance sent a reminder about the Governance and Finance return" in body
    assert '"Finance figures, please."' in body
