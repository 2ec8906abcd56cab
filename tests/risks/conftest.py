"""A reporting year with quarters, and helpers to drive the return page as a person."""

from __future__ import annotations

import pytest
from django import forms
from django.test import Client
from django.urls import reverse

from perfmon.models import Portfolio, Quarter, ReportingYear, Return, Theme, User
from perfmon.services import create_reporting_year
from tests.factories import ThemeFactory


@pytest.fixture
def year_2026(db: None) -> ReportingYear:
    return create_reporting_year(start_year=2026)


@pytest.fixture
def quarter(year_2026: ReportingYear) -> Quarter:
    return year_2026.quarters.get(number=2)


@pytest.fixture
def theme(db: None) -> Theme:
    return ThemeFactory(name="Working Smarter")


def return_url(portfolio: Portfolio, quarter: Quarter) -> str:
    return reverse("return", args=[portfolio.pk, quarter.year.start_year, quarter.number])


def as_client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page_fields(client: Client, url: str) -> dict[str, str]:
    """What the return page would post back untouched: each row's current values."""
    response = client.get(url)
    data: dict[str, str] = {}
    for form in response.context["forms"]:
        for row in form.rows:
            for name, field in row.form.fields.items():
                value = row.form[name].value()
                if isinstance(field.widget, forms.CheckboxInput):
                    if value:
                        data[f"{row.form.prefix}-{name}"] = "on"
                    continue
                data[f"{row.form.prefix}-{name}"] = "" if value is None else str(value)
    return data


def approved_return(portfolio: Portfolio, quarter: Quarter) -> Return:
    return Return.objects.create(portfolio=portfolio, quarter=quarter, state="approved")
