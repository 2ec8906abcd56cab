"""The return page keeps each row's markup and reads it back while nothing the row shows
has changed; any change to what a row shows (its item, this quarter's or last quarter's
update, its theme or owner, the rating scheme, whether the return can be edited) draws
it afresh."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from measures.models import Measure, MeasureUpdate, RatingBand
from perfmon.models import Portfolio, PortfolioRole, Quarter, Return, User
from perfmon.services import create_reporting_year
from risks.models import Risk
from tests.factories import (
    ActionFactory,
    MeasureFactory,
    PortfolioRoleFactory,
    UserFactory,
)
from tests.forms_in_page import form_data
from tests.risks.factories import RiskFactory


@pytest.fixture
def quarter(db: None) -> Quarter:
    return create_reporting_year(start_year=2026).quarters.get(number=2)


@pytest.fixture
def measure(portfolio: Portfolio, quarter: Quarter) -> Measure:
    return MeasureFactory(
        portfolio=portfolio, year=quarter.year, reference="PM01", description="Old words"
    )


@pytest.fixture
def client_of(officer: User) -> Client:
    client = Client()
    client.force_login(officer)
    return client


def page(client: Client, portfolio: Portfolio, quarter: Quarter) -> str:
    url = reverse("return", args=[portfolio.pk, quarter.year.start_year, quarter.number])
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def without_csrf(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


def test_it_reads_back_the_same_page_while_nothing_changes(
    client_of: Client, portfolio: Portfolio, quarter: Quarter, measure: Measure
) -> None:
    first = page(client_of, portfolio, quarter)
    assert without_csrf(first) == without_csrf(page(client_of, portfolio, quarter))


def test_it_shows_an_edited_item_at_once(
    client_of: Client, portfolio: Portfolio, quarter: Quarter, measure: Measure
) -> None:
    assert "Old words" in page(client_of, portfolio, quarter)
    Measure.objects.filter(pk=measure.pk).update(description="New words", target=40)
    text = page(client_of, portfolio, quarter)
    assert "New words" in text and "Old words" not in text
    assert "Target: 40" in text


def test_it_shows_what_was_saved_and_last_quarters_result_at_once(
    client_of: Client, portfolio: Portfolio, quarter: Quarter, measure: Measure
) -> None:
    url = reverse("return", args=[portfolio.pk, 2026, 2])
    before = page(client_of, portfolio, quarter)
    client_of.post(url, form_data(before, **{f"m{measure.pk}__actual": "51"}))
    assert form_data(page(client_of, portfolio, quarter))[f"m{measure.pk}-actual"].startswith("51")
    last = Return.objects.create(
        portfolio=portfolio, quarter=quarter.year.quarters.get(number=1), state="approved"
    )
    MeasureUpdate.objects.create(measure=measure, ret=last, actual=Decimal("47"))
    assert "Last quarter: 47" in page(client_of, portfolio, quarter)
    MeasureUpdate.objects.filter(ret=last).update(actual=Decimal("48"))
    assert "Last quarter: 48" in page(client_of, portfolio, quarter)


def test_it_shows_a_renamed_theme_and_owner_at_once(
    client_of: Client, portfolio: Portfolio, quarter: Quarter, officer: User
) -> None:
    action = ActionFactory(portfolio=portfolio, year=quarter.year)
    RiskFactory(portfolio=portfolio, year=quarter.year, owner=officer)
    text = page(client_of, portfolio, quarter)
    assert action.theme.name in text and "Owner: Alex Officer" in text
    type(action.theme).objects.filter(pk=action.theme_id).update(name="A Renamed Theme")
    User.objects.filter(pk=officer.pk).update(first_name="Alexandra")
    text = page(client_of, portfolio, quarter)
    assert "A Renamed Theme" in text and "Owner: Alexandra Officer" in text
    assert Risk.objects.count() == 1


def test_it_shows_a_relabelled_rating_band_at_once(
    client_of: Client, portfolio: Portfolio, quarter: Quarter, measure: Measure
) -> None:
    assert '<option value="Amber">Amber</option>' in page(client_of, portfolio, quarter)
    band = RatingBand.objects.get(scheme__in_use=True, label="Amber")
    band.label = "Yellow"  # as the admin saves it
    band.save()
    text = page(client_of, portfolio, quarter)
    assert '<option value="Yellow">Yellow</option>' in text and ">Amber<" not in text


def test_it_draws_the_rows_read_only_once_the_return_is_submitted(
    client_of: Client, portfolio: Portfolio, quarter: Quarter, measure: Measure, officer: User
) -> None:
    assert f'name="m{measure.pk}-actual" disabled' not in page(client_of, portfolio, quarter)
    Return.objects.create(portfolio=portfolio, quarter=quarter, state="submitted")
    director = UserFactory(username="dee")
    PortfolioRoleFactory(user=director, portfolio=portfolio, role=PortfolioRole.Role.DIRECTOR)
    text = page(client_of, portfolio, quarter)  # read only: summary cards, no controls
    assert f'name="m{measure.pk}-actual"' not in text
    assert f'<div class="govuk-summary-card" id="m{measure.pk}">' in text
