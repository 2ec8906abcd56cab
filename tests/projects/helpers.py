"""What the projects tests share: returns in a given state, a signed-in client, and the
return page's form as a browser would post it back."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpResponse
from django.test import Client

from perfmon.models import Portfolio, Quarter, Return, User


def return_in(portfolio: Portfolio, start_year: int, number: int, state: str) -> Return:
    quarter = Quarter.objects.get(year__start_year=start_year, number=number)
    ret, _ = Return.objects.get_or_create(portfolio=portfolio, quarter=quarter)
    if ret.state != state:
        Return.objects.filter(pk=ret.pk).update(state=state)
        ret.refresh_from_db()
    return ret


def as_client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def posted_back(client: Client, page_url: str) -> dict[str, str]:
    """What the return page would post back untouched: each row's current values."""
    response = client.get(page_url)
    assert response.status_code == 200
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


def project_rows(response: HttpResponse) -> list[Any]:
    """The rows of the return page's priority projects section."""
    return [
        row
        for form in response.context["forms"]
        if form.section.key == "projects"
        for row in form.rows
    ]
