"""A director decides on the return they saw: a page older than the return's latest step
is refused, saying what changed; and whoever submitted a return cannot approve it where
the council separates duties (the default)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from measures.models import Measure
from perfmon.models import CouncilSettings, Portfolio, PortfolioRole, Quarter, Return, User
from perfmon.services import create_reporting_year
from tests.factories import MeasureFactory, PortfolioRoleFactory, UserFactory
from tests.forms_in_page import decision, form_data
from tests.forms_in_page import submit as check_and_submit


@pytest.fixture
def quarter(db: None) -> Quarter:
    return create_reporting_year(start_year=2026).quarters.get(number=2)


@pytest.fixture
def measure(portfolio: Portfolio, quarter: Quarter) -> Measure:
    return MeasureFactory(portfolio=portfolio, year=quarter.year, reference="PM01", target=50)


def urls(portfolio: Portfolio, quarter: Quarter) -> tuple[str, str]:
    args = [portfolio.pk, quarter.year.start_year, quarter.number]
    return reverse("return", args=args), reverse("decide_return", args=args)


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def submit(client: Client, page: str, measure: Measure, actual: str) -> None:
    html = client.get(page).content
    changed = form_data(html, **{f"m{measure.pk}__actual": actual})
    assert check_and_submit(client, page, changed).status_code == 302


def test_it_refuses_a_decision_on_a_page_loaded_before_the_return_changed(
    officer: User, director: User, portfolio: Portfolio, quarter: Quarter, measure: Measure
) -> None:
    page, decide = urls(portfolio, quarter)
    officers, directors = signed_in(officer), signed_in(director)
    other_director = UserFactory(username="dee", first_name="Dee", last_name="Second")
    PortfolioRoleFactory(user=other_director, portfolio=portfolio, role="director")
    submit(officers, page, measure, "40%")
    stale = decision(directors, page, decision="approve")
    # Meanwhile another director returns it, and the officer corrects and resubmits.
    second = signed_in(other_director)
    second.post(decide, decision(second, page, decision="return", comment="Check the actual."))
    submit(officers, page, measure, "49%")
    assert Return.objects.get().state == Return.State.SUBMITTED

    response = directors.post(decide, stale, follow=True)
    text = response.content.decode()
    assert "This return changed after you loaded it" in text
    assert "returned to officers by Dee Second" in text
    assert "saved by Alex Officer" in text and "submitted by Alex Officer" in text
    assert Return.objects.get().state == Return.State.SUBMITTED

    fresh = decision(directors, page, decision="approve")
    directors.post(decide, fresh)
    assert Return.objects.get().state == Return.State.APPROVED


def test_it_refuses_a_decision_without_the_version_it_was_taken_on(
    officer: User, director: User, portfolio: Portfolio, quarter: Quarter, measure: Measure
) -> None:
    page, decide = urls(portfolio, quarter)
    submit(signed_in(officer), page, measure, "40%")
    response = signed_in(director).post(decide, {"decision": "approve"})
    assert response.status_code == 400
    assert "This page is out of date: reload it, then decide" in response.content.decode()
    tampered = decision(signed_in(director), page, decision="approve", seen="999999")
    signed_in(director).post(decide, tampered)
    assert Return.objects.get().state == Return.State.SUBMITTED


@pytest.fixture
def officer_and_director(portfolio: Portfolio) -> User:
    """Submits nothing by editing: a director who is also an officer of the portfolio."""
    both = UserFactory(username="bo", first_name="Bo", last_name="Both")
    for role in (PortfolioRole.Role.OFFICER, PortfolioRole.Role.DIRECTOR):
        PortfolioRoleFactory(user=both, portfolio=portfolio, role=role)
    return both


def test_it_stops_whoever_submitted_a_return_approving_it(
    officer: User,
    officer_and_director: User,
    portfolio: Portfolio,
    quarter: Quarter,
    measure: Measure,
) -> None:
    page, decide = urls(portfolio, quarter)
    submit(signed_in(officer), page, measure, "40%")  # the officer's values...
    both = signed_in(officer_and_director)
    # ...submitted by the director-officer without changing anything.
    Return.objects.update(state=Return.State.RETURNED)
    html = both.get(page).content
    assert check_and_submit(both, page, form_data(html)).status_code == 302
    assert Return.objects.get().state == Return.State.SUBMITTED

    text = both.get(page).content.decode()
    assert "You submitted this return yourself, so another director must approve it" in text
    response = both.post(decide, decision(both, page, decision="approve"), follow=True)
    assert "You submitted this return, so another director must approve it" in (
        response.content.decode()
    )
    assert Return.objects.get().state == Return.State.SUBMITTED


def test_it_lets_the_council_allow_the_submitter_to_approve(
    officer: User,
    officer_and_director: User,
    portfolio: Portfolio,
    quarter: Quarter,
    measure: Measure,
) -> None:
    settings = CouncilSettings.current()
    settings.separate_submit_and_approve = False
    settings.save()
    page, decide = urls(portfolio, quarter)
    submit(signed_in(officer), page, measure, "40%")
    Return.objects.update(state=Return.State.RETURNED)
    both = signed_in(officer_and_director)
    check_and_submit(both, page, form_data(both.get(page).content))
    both.post(decide, decision(both, page, decision="approve"))
    assert Return.objects.get().state == Return.State.APPROVED
