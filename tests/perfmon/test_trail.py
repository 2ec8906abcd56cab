"""A return page lists the latest ten steps of the return's trail, and every step on
request, so a return saved all day keeps a page as quick as in the morning; the banner of
a returned return still quotes its director, however many saves came since."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse

from perfmon import services
from perfmon.models import Portfolio, Return, User
from perfmon.services import create_reporting_year
from tests.factories import MeasureFactory
from tests.forms_in_page import form_data

pytestmark = pytest.mark.django_db


def test_it_lists_the_latest_ten_steps_and_every_one_on_request(
    client: Client, officer: User, director: User, portfolio: Portfolio
) -> None:
    quarter = create_reporting_year(start_year=2026).quarters.get(number=2)
    measure = MeasureFactory(portfolio=portfolio, year=quarter.year, reference="PM01")
    ret = Return.objects.create(portfolio=portfolio, quarter=quarter, state="submitted")
    services.return_to_officers(ret=ret, user=director, comment="Fix PM01, please", seen=None)
    client.force_login(officer)
    page = reverse("return", args=[portfolio.pk, 2026, 2])
    for n in range(11):
        data = form_data(client.get(page).content)
        data[f"m{measure.pk}-actual"] = str(50 + n)
        saved = client.post(page, urlencode(data), content_type="application/x-www-form-urlencoded")
        assert saved.status_code == 302

    shown = client.get(page).content.decode()
    assert shown.count('class="perfmon-trail__item"') == 10
    assert "The latest 10 of 12 steps." in shown
    assert "Show all 12 steps" in shown
    assert "“Fix PM01, please”" in shown  # the banner, from a step no longer listed

    every = client.get(page, {"trail": "all"}).content.decode()
    assert every.count('class="perfmon-trail__item"') == 12
    assert "Returned to officers</strong> by Dana Director" in every
    assert 'data-testid="trail-cut"' not in every
