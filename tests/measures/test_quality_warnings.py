"""Data-quality warnings at entry: a value that is probably a typing mistake must be
corrected or confirmed; a confirmed warning is kept with the update."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from measures.models import MeasureUpdate
from measures.quality import quality_warnings
from measures.rules import Unit
from perfmon.models import Portfolio, Quarter, User
from perfmon.services import create_reporting_year
from tests.factories import ActionFactory, MeasureFactory
from tests.perfmon.test_returns import as_client, fill, url


def test_it_warns_of_a_percentage_over_100() -> None:
    assert quality_warnings(actual=Decimal(740), unit=Unit.PERCENTAGE) == [
        "740% is a percentage over 100"
    ]
    assert quality_warnings(actual=Decimal(740), unit=Unit.COUNT) == []


def test_it_warns_of_a_jump_to_many_times_last_quarters() -> None:
    found = quality_warnings(actual=Decimal(1200), unit=Unit.COUNT, last_quarter=Decimal(120))
    assert found == ["1,200 is 10.0 times last quarter's 120"]
    assert quality_warnings(actual=Decimal(20), unit=Unit.COUNT, last_quarter=Decimal(120)) == [
        "20 is 1/6 times last quarter's 120"
    ]
    assert quality_warnings(actual=Decimal(400), unit=Unit.COUNT, last_quarter=Decimal(120)) == []


def test_it_warns_of_a_value_far_outside_the_measures_own_history() -> None:
    history = [Decimal(10), Decimal(12), Decimal(14)]
    found = quality_warnings(actual=Decimal(40), unit=Unit.DAYS, history=history)
    assert found == [
        "40 days is far outside this measure's own results so far (10 days to 14 days)"
    ]
    assert quality_warnings(actual=Decimal(20), unit=Unit.DAYS, history=history) == []
    assert quality_warnings(actual=Decimal(40), unit=Unit.DAYS, history=history[:2]) == []


@pytest.fixture
def quarter(db: None) -> Quarter:
    return create_reporting_year(start_year=2026).quarters.get(number=2)


@pytest.fixture
def items(portfolio: Portfolio, quarter: Quarter) -> dict[str, Any]:
    year = quarter.year
    return {
        "measure": MeasureFactory(portfolio=portfolio, year=year, reference="EHCS PM29"),
        "action": ActionFactory(portfolio=portfolio, year=year, reference="GW 03"),
    }


def post(client: Client, page: str, items: dict[str, Any], **changes: str) -> Any:
    return client.post(page, fill(client, page, items, **changes) | {"save": ""})


def test_it_refuses_a_warned_value_until_it_is_confirmed(
    officer: User, portfolio: Portfolio, quarter: Quarter, items: dict[str, Any]
) -> None:
    client, page = as_client(officer), url(portfolio, quarter)
    m = items["measure"].pk
    response = post(client, page, items, **{f"m{m}__actual": "740"})
    assert response.status_code == 400
    assert not MeasureUpdate.objects.exists()
    html = response.content.decode()
    assert f'href="#id_m{m}-actual"' in html
    assert f'id="id_m{m}-actual_error"' in html
    assert "740% is a percentage over 100" in html
    assert f'name="m{m}-value_confirmed"' in html

    response = post(client, page, items, **{f"m{m}__actual": "740", f"m{m}__value_confirmed": "on"})
    assert response.status_code == 302
    update = MeasureUpdate.objects.get()
    assert update.actual == Decimal(740)
    assert update.value_confirmed
    assert update.quality_warning == "740% is a percentage over 100"
    shown = client.get(page).content.decode()
    assert "Warning confirmed: 740% is a percentage over 100" in shown


def test_it_forgets_a_confirmed_warning_once_the_value_is_corrected(
    officer: User, portfolio: Portfolio, quarter: Quarter, items: dict[str, Any]
) -> None:
    client, page = as_client(officer), url(portfolio, quarter)
    m = items["measure"].pk
    post(client, page, items, **{f"m{m}__actual": "740", f"m{m}__value_confirmed": "on"})
    assert post(client, page, items, **{f"m{m}__actual": "74"}).status_code == 302
    update = MeasureUpdate.objects.get()
    assert (update.actual, update.quality_warning, update.value_confirmed) == (74, "", False)
