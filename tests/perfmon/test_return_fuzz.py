"""Generated values in every field of the return page (a measure, an action, a project and
a risk) never make a server error, and a refused save (400) writes nothing at all: no
return, no update, no history row, no step on the trail. Meant for PostgreSQL, whose
numeric and text columns refuse what SQLite would keep; it runs on either.

Each example posts inside a transaction rolled back afterwards, so all examples start from
the same empty return."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from measures.models import ActionUpdate, MeasureUpdate
from perfmon.models import Return, ReturnEvent
from projects.models import ProjectUpdate
from risks.models import RiskAssessment
from tests.forms_in_page import form_data
from tests.perfmon.test_text_limits import Page, a_return_page

pytestmark = pytest.mark.django_db

# Past what the database keeps (10^14, 6 decimal places), at its edge, and as people type;
# past it most often, as that is where a server error would come from.
TOO_BIG = st.sampled_from(
    [
        "99999999999999999999",
        "£9999999999999m",
        "123456789012345",
        "99999999999999.9999999",
        "-£100,000,000,000,000",
        "£100000bn",
        "1e400",
        "NaN",
    ]
)
NUMBERS = st.one_of(
    TOO_BIG,
    TOO_BIG,
    st.sampled_from(
        [
            "99999999999999.999999",
            "-99999999999999.999999",
            "£40bn",
            "74% (Provisional)",
            "136.9 per 10,000",
            "0.0000000001",
            "12.8 days (Q3 data)",
        ]
    ),
    st.integers().map(str),
    st.decimals().map(str),
)
TEXTS = st.one_of(
    st.text(max_size=60),
    st.text(alphabet="a\x00\n\r\t<>&'\"£%()", max_size=12),
    st.sampled_from(["x" * 10_000, "x" * 10_001, "y" * 301, " "]),
)
# Choices the forms offer (and some they do not), for choice and radio fields.
CHOICES = st.sampled_from(
    [
        "",
        "on",
        "True",
        "False",
        "1",
        "4",
        "5",
        "16",
        "17",
        "-1",
        "green",
        "red",
        "Green",
        "completed",
        "on_track",
        "not_yet_available",
        "n/a",
    ]
)
ANY_VALUE = st.one_of(NUMBERS, TEXTS, CHOICES, st.integers().map(str))


def field_values(page: Page) -> dict[str, dict[str, tuple[str, st.SearchStrategy[str]]]]:
    """For every row of the page's form (an item), each of its fields (checkboxes and
    radios too) with the value the page gave it and what else to post: a value of the
    field's own kind (a number for an actual, one of the offered choices, free text)."""
    response = page.client.get(page.url)
    given = form_data(response.content)
    rows: dict[str, dict[str, tuple[str, st.SearchStrategy[str]]]] = {}
    for section in response.context["forms"]:
        for row in section.rows:
            prefix = row.form.prefix
            rows[prefix] = {
                f"{prefix}-{name}": (given.get(f"{prefix}-{name}", ""), _kind_of(name, field))
                for name, field in row.form.fields.items()
            }
    return rows


def _kind_of(name: str, field: forms.Field) -> st.SearchStrategy[str]:
    if isinstance(field, forms.BooleanField):
        return st.sampled_from(["", "on"])
    if isinstance(field, forms.ChoiceField):
        return st.sampled_from([str(value) for value, _ in field.choices])
    if isinstance(field, forms.IntegerField):  # the version each row was loaded at
        return st.just("0")
    if name == "actual":
        return NUMBERS
    longest = getattr(field, "max_length", None) or 10_000
    return st.one_of(
        st.text(st.characters(exclude_characters="\x00", exclude_categories=["Cs"]), max_size=40),
        st.just("x" * longest),
    ).map(lambda text: text[:longest])


def written() -> dict[str, int]:
    """What a save could write, counted."""
    models: list[Any] = [MeasureUpdate, ActionUpdate, ProjectUpdate, RiskAssessment]
    counts = {model.__name__: model.objects.count() for model in models}
    counts |= {f"{m.__name__} history": m.history.count() for m in models}
    counts |= {"Return": Return.objects.count(), "ReturnEvent": ReturnEvent.objects.count()}
    return counts


@pytest.fixture
def page(client: Client) -> Page:
    return a_return_page(client)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)
@given(data=st.data())
def test_it_never_fails_and_a_refused_save_writes_nothing(page: Page, data: Any) -> None:
    rows = field_values(page)
    # One item's fields changed at a time, to values of their kind, the others as the page
    # gave them, so that most posts pass every check and carry what was generated through
    # to the database; now and then one field anywhere gets anything at all.
    focus = data.draw(st.sampled_from(sorted(rows)), label="item")
    posted = {name: value for fields in rows.values() for name, (value, _) in fields.items()}
    for name, (value, kind) in rows[focus].items():
        posted[name] = data.draw(st.one_of(st.just(value), kind), label=name)
    wild = data.draw(st.sets(st.sampled_from(sorted(posted)), max_size=1), label="anything in")
    posted |= {name: data.draw(ANY_VALUE, label=name) for name in wild}
    # The page's two buttons, and "submit", which only the check page answers.
    button = data.draw(st.sampled_from(["save", "check", "submit"]))
    before = written()

    with transaction.atomic():
        response = page.client.post(page.url, posted | {button: ""})
        after = written()
        transaction.set_rollback(True)

    assert response.status_code in {200, 302, 400, 409}, response.status_code
    event(f"status {response.status_code}")
    if response.status_code == 400:
        assert after == before
    assert written() == before  # rolled back for the next example
