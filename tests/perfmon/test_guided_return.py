"""The guided return: a task list of sections, check your answers before submitting, the
director's summary and read-only return, and errors in the GOV.UK pattern on addresses
that can be reloaded."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from measures.models import Action, Measure
from perfmon.models import Portfolio, Quarter, Return, User
from perfmon.services import create_reporting_year
from tests.factories import ActionFactory, MeasureFactory
from tests.forms_in_page import decision, form_data, submit


@pytest.fixture
def quarter(db: None) -> Quarter:
    return create_reporting_year(start_year=2026).quarters.get(number=2)


@pytest.fixture
def measure(portfolio: Portfolio, quarter: Quarter) -> Measure:
    return MeasureFactory(
        portfolio=portfolio,
        year=quarter.year,
        reference="CM PM03",
        description="% Council Tax collected in-year",
        target=93.8,
    )


@pytest.fixture
def action(portfolio: Portfolio, quarter: Quarter) -> Action:
    return ActionFactory(portfolio=portfolio, year=quarter.year, reference="SM 10")


def url(portfolio: Portfolio, quarter: Quarter, name: str = "return") -> str:
    return reverse(name, args=[portfolio.pk, quarter.year.start_year, quarter.number])


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post(client: Client, page: str, button: str, **changes: str) -> Any:
    return client.post(page, form_data(client.get(page).content, **{button: ""}, **changes))


def submitted(client: Client, page: str, **changes: str) -> Any:
    """Save and check the answers, then make the declaration and submit."""
    return submit(client, page, form_data(client.get(page).content, **changes))


def approved_last_quarter(
    officer: User, director: User, portfolio: Portfolio, quarter: Quarter, **changes: str
) -> None:
    q1 = quarter.year.quarters.get(number=1)
    page = url(portfolio, q1)
    assert submitted(signed_in(officer), page, **changes).status_code == 302
    directors = signed_in(director)
    directors.post(
        url(portfolio, q1, "decide_return"), decision(directors, page, decision="approve")
    )
    assert Return.objects.get(quarter=q1).state == Return.State.APPROVED


def test_it_shows_each_sections_progress_as_a_task_list(
    officer: User, portfolio: Portfolio, quarter: Quarter, measure: Measure, action: Action
) -> None:
    client, page = signed_in(officer), url(portfolio, quarter)
    tasks = {t.key: t.status for t in client.get(page).context["tasks"]}
    assert tasks == {"actions": "Not started", "measures": "Not started"}

    post(client, page, "save", **{f"a{action.pk}__status": "on_track"})
    html = client.get(page).content.decode()
    assert {t.key: t.status for t in client.get(page).context["tasks"]} == {
        "actions": "Completed",
        "measures": "Not started",
    }
    assert 'href="#section-measures"' in html
    assert "0 of 1 answered" in html

    response = post(client, page, "save", **{f"m{measure.pk}__actual": "lots"})
    assert response.status_code == 400
    assert {t.key: t.status for t in response.context["tasks"]}["measures"] == (
        "There is a problem"
    )


def test_it_shows_the_returns_progress_on_my_returns(
    officer: User, portfolio: Portfolio, quarter: Quarter, measure: Measure, action: Action
) -> None:
    client = signed_in(officer)
    post(client, url(portfolio, quarter), "save", **{f"a{action.pk}__status": "on_track"})
    html = client.get(reverse("my_returns")).content.decode()
    assert "1 of 2 answered" in html
    assert 'govuk-tag govuk-tag--grey">Draft' in html


def test_it_checks_the_answers_before_submitting(
    officer: User, portfolio: Portfolio, quarter: Quarter, measure: Measure, action: Action
) -> None:
    client, page, check = (
        signed_in(officer),
        url(portfolio, quarter),
        url(portfolio, quarter, "check_return"),
    )
    # With an item unanswered, "check" saves and says what is missing, on the field.
    response = post(client, page, "check", **{f"a{action.pk}__status": "on_track"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Error:" in html
    assert f'href="#id_m{measure.pk}-actual"' in html
    assert "CM PM03 % Council Tax collected in-year: Enter the actual" in html

    response = post(client, page, "check", **{f"m{measure.pk}__actual": "93.25%"})
    assert response.status_code == 302 and response.url == check
    html = client.get(check).content.decode()
    assert "Check your answers before submitting" in html
    assert f'href="{page}#id_m{measure.pk}-actual"' in html  # Change links to the field
    assert "93.25%" in html
    assert Return.objects.get().state == Return.State.DRAFT

    # The declaration must be made: an error summary, and the page can be reloaded.
    response = client.post(check, {})
    assert response.status_code == 400
    html = response.content.decode()
    assert "<title>Error:" in html
    assert 'href="#id_declaration"' in html
    assert client.get(check).status_code == 200

    response = client.post(check, {"declaration": "on"})
    assert response.status_code == 302 and response.url == page
    assert Return.objects.get().state == Return.State.SUBMITTED


def test_a_post_asking_the_return_page_to_submit_is_saved_and_sent_to_be_checked(
    officer: User, portfolio: Portfolio, quarter: Quarter, measure: Measure, action: Action
) -> None:
    """Only Check your answers submits, once the declaration is made: "submit" posted to
    the return page (an old page, or a request made by hand) saves the draft and goes to
    the check page, as "Save and check your answers" does."""
    client, page = signed_in(officer), url(portfolio, quarter)
    check = url(portfolio, quarter, "check_return")
    changes = {f"m{measure.pk}__actual": "93%", f"a{action.pk}__status": "on_track"}
    response = post(client, page, "submit", **changes)
    assert response.status_code == 302 and response.url == check
    ret = Return.objects.get()
    assert ret.state == Return.State.DRAFT
    assert list(ret.events.values_list("action", flat=True)) == ["saved"]
    assert client.post(check, {"declaration": "on"}).status_code == 302
    assert Return.objects.get().state == Return.State.SUBMITTED


def test_it_refuses_to_submit_from_the_check_page_with_gaps(
    officer: User, portfolio: Portfolio, quarter: Quarter, measure: Measure, action: Action
) -> None:
    client, page = signed_in(officer), url(portfolio, quarter)
    post(client, page, "save", **{f"a{action.pk}__status": "on_track"})
    response = client.post(url(portfolio, quarter, "check_return"), {"declaration": "on"})
    assert response.status_code == 400
    assert f'href="{page}#id_m{measure.pk}-actual"' in response.content.decode()
    assert Return.objects.get().state == Return.State.DRAFT


def test_it_writes_nothing_when_a_return_nobody_started_is_submitted_with_gaps(
    officer: User, portfolio: Portfolio, quarter: Quarter, measure: Measure
) -> None:
    """Submitting from the check page of a return nobody has saved yet, with nothing
    answered, is refused without creating the return."""
    client = signed_in(officer)
    response = client.post(url(portfolio, quarter, "check_return"), {"declaration": "on"})
    assert response.status_code == 400
    assert f"#id_m{measure.pk}-actual" in response.content.decode()
    assert not Return.objects.exists()


def test_it_gives_the_director_a_summary_and_the_return_read_only(
    officer: User,
    director: User,
    portfolio: Portfolio,
    quarter: Quarter,
    measure: Measure,
    action: Action,
) -> None:
    approved_last_quarter(
        officer,
        director,
        portfolio,
        quarter,
        **{f"m{measure.pk}__actual": "94%", f"a{action.pk}__status": "on_track"},
    )
    page = url(portfolio, quarter)
    submitted(
        signed_in(officer),
        page,
        **{
            f"m{measure.pk}__actual": "80%",
            f"m{measure.pk}__status_override": "Amber",
            f"m{measure.pk}__override_reason": "Collection is seasonal.",
            f"a{action.pk}__status": "on_track",
            f"a{action.pk}__commentary": "Going well.",
        },
    )
    response = signed_in(director).get(page)
    html = response.content.decode()
    summary = response.context["summary"]
    assert [item.label for item in summary.turned_red] == []  # overridden to Amber
    assert [flag for _, flag in summary.flagged] == [
        "Status overridden from Red to Amber: Collection is seasonal."
    ]
    assert [item.change[0] for item in summary.biggest_changes] == ["94% to 80%"]
    assert [item.label for item in summary.no_commentary] == [
        "CM PM03 % Council Tax collected in-year"
    ]
    # An overridden Amber is drawn amber; the return is summary lists, not disabled fields.
    assert 'govuk-tag--yellow">Amber' in html
    assert "disabled" not in html
    assert "govuk-summary-card" in html
    # The decision comes before the return's items.
    assert html.index('id="decision-form"') < html.index('id="section-measures"')
    assert 'govuk-tag--blue">Submitted' in html


def test_it_shows_an_empty_decision_as_an_error_summary_on_a_reloadable_address(
    officer: User, director: User, portfolio: Portfolio, quarter: Quarter, measure: Measure
) -> None:
    page, decide = url(portfolio, quarter), url(portfolio, quarter, "decide_return")
    submitted(signed_in(officer), page, **{f"m{measure.pk}__actual": "94%"})
    directors = signed_in(director)
    response = directors.post(decide, decision(directors, page))
    assert response.status_code == 400
    html = response.content.decode()
    assert "<title>Error:" in html
    assert 'href="#id_decision_0"' in html
    assert 'id="id_decision_error"' in html or "Choose whether to approve" in html
    assert html.index("govuk-error-summary") < html.index("<h1")
    reloaded = directors.get(decide)
    assert reloaded.status_code == 302 and reloaded.url == page

    response = directors.post(decide, decision(directors, page, decision="return"))
    assert 'href="#id_comment"' in response.content.decode()


def test_it_says_why_a_reopened_return_was_reopened(
    officer: User,
    director: User,
    admin_user: User,
    portfolio: Portfolio,
    quarter: Quarter,
    measure: Measure,
) -> None:
    page, reopen = url(portfolio, quarter), url(portfolio, quarter, "reopen_return")
    submitted(signed_in(officer), page, **{f"m{measure.pk}__actual": "94%"})
    directors = signed_in(director)
    directors.post(
        url(portfolio, quarter, "decide_return"), decision(directors, page, decision="approve")
    )
    team = signed_in(admin_user)
    response = team.post(reopen, {"reason": ""})
    assert response.status_code == 400
    assert 'href="#id_reason"' in response.content.decode()
    assert "<title>Error:" in response.content.decode()
    assert team.get(reopen).url == page

    team.post(reopen, {"reason": "The actual was for the wrong quarter."})
    html = signed_in(officer).get(page).content.decode()
    assert "The actual was for the wrong quarter." in html
    assert html.index("reopened-reason") < html.index('id="return-form"')
