"""Two or more people saving one return: saving merges field by field against what each
person loaded, so nothing anyone saved is lost and only a field both changed is refused."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from measures.models import Measure, MeasureUpdate
from perfmon.models import Portfolio, PortfolioRole, Quarter, Return, User
from perfmon.services import create_reporting_year
from tests.factories import MeasureFactory, PortfolioRoleFactory, UserFactory
from tests.forms_in_page import form_data


@pytest.fixture
def quarter(db: None) -> Quarter:
    return create_reporting_year(start_year=2026).quarters.get(number=2)


@pytest.fixture
def measures(portfolio: Portfolio, quarter: Quarter) -> list[Measure]:
    return [
        MeasureFactory(portfolio=portfolio, year=quarter.year, reference=f"PM{n:02}", target=50)
        for n in range(1, 4)
    ]


@pytest.fixture
def page(portfolio: Portfolio, quarter: Quarter) -> str:
    return reverse("return", args=[portfolio.pk, quarter.year.start_year, quarter.number])


def officer_named(portfolio: Portfolio, first: str, last: str) -> Client:
    user = UserFactory(username=first.lower(), first_name=first, last_name=last)
    PortfolioRoleFactory(user=user, portfolio=portfolio, role=PortfolioRole.Role.OFFICER)
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def ann(portfolio: Portfolio) -> Client:
    return officer_named(portfolio, "Ann", "Able")


@pytest.fixture
def ben(portfolio: Portfolio) -> Client:
    return officer_named(portfolio, "Ben", "Baker")


def loaded(client: Client, page: str) -> str:
    response = client.get(page)
    assert response.status_code == 200
    return response.content.decode()


def stored(measure: Measure) -> MeasureUpdate:
    return MeasureUpdate.objects.get(measure=measure)


def test_it_keeps_both_peoples_changes_to_different_items(
    ann: Client, ben: Client, page: str, measures: list[Measure]
) -> None:
    x, y, _ = measures
    ann_page, ben_page = loaded(ann, page), loaded(ben, page)
    assert ann.post(page, form_data(ann_page, **{f"m{x.pk}__actual": "51%"})).status_code == 302
    response = ben.post(page, form_data(ben_page, **{f"m{y.pk}__actual": "52%"}), follow=True)
    assert response.status_code == 200
    assert stored(x).actual == Decimal("51") and stored(y).actual == Decimal("52")
    assert "Ann Able changed PM01 actual to 51%" in response.content.decode()


def test_it_keeps_both_peoples_changes_to_different_fields_of_one_item(
    ann: Client, ben: Client, page: str, measures: list[Measure]
) -> None:
    x = measures[0]
    ann.post(page, form_data(loaded(ann, page), **{f"m{x.pk}__actual": "51%"}))
    ann_page, ben_page = loaded(ann, page), loaded(ben, page)
    ann.post(page, form_data(ann_page, **{f"m{x.pk}__actual": "52%"}))
    response = ben.post(page, form_data(ben_page, **{f"m{x.pk}__commentary": "Ahead of plan."}))
    assert response.status_code == 302
    update = stored(x)
    assert (update.actual, update.commentary) == (Decimal("52"), "Ahead of plan.")
    assert update.status == "Green"  # worked out from the merged values
    assert update.version == 3


def test_it_refuses_only_the_field_both_changed_and_keeps_what_was_typed(
    ann: Client, ben: Client, page: str, measures: list[Measure]
) -> None:
    x, y, _ = measures
    ann_page, ben_page = loaded(ann, page), loaded(ben, page)
    ann.post(page, form_data(ann_page, **{f"m{x.pk}__actual": "60%"}))
    response = ben.post(
        page, form_data(ben_page, **{f"m{x.pk}__actual": "57%", f"m{y.pk}__actual": "40%"})
    )
    assert response.status_code == 409
    text = response.content.decode()
    assert "PM01 actual: Ann Able changed it to 60%; yours is 57%" in text
    assert f'href="#id_m{x.pk}-actual"' in text
    assert stored(x).actual == Decimal("60")  # Ann's stays
    assert stored(y).actual == Decimal("40")  # Ben's other change is saved
    again = form_data(text)
    assert again[f"m{x.pk}-actual"] == "57%"  # what Ben typed, to confirm
    assert again[f"m{y.pk}-actual"] == "40%"


def test_it_never_writes_a_value_the_person_did_not_touch_when_saving_again(
    ann: Client, ben: Client, page: str, measures: list[Measure]
) -> None:
    """The lost update of the issue: A changes X and Z; B, from an older page, changes X
    and is refused; B saves again from the refusal page: Z keeps A's value."""
    x, _, z = measures
    ann_page, ben_page = loaded(ann, page), loaded(ben, page)
    ann.post(page, form_data(ann_page, **{f"m{x.pk}__actual": "60%", f"m{z.pk}__actual": "70%"}))
    refused = ben.post(page, form_data(ben_page, **{f"m{x.pk}__actual": "57%"}))
    assert refused.status_code == 409
    assert ben.post(page, form_data(refused.content)).status_code == 302
    assert stored(x).actual == Decimal("57")  # Ben confirmed his
    assert stored(z).actual == Decimal("70")  # Ann's, untouched by Ben, is kept


def test_it_saves_twenty_people_editing_different_items_at_once(
    portfolio: Portfolio, quarter: Quarter, page: str
) -> None:
    items = [
        MeasureFactory(portfolio=portfolio, year=quarter.year, reference=f"M{n:02}")
        for n in range(20)
    ]
    people = [officer_named(portfolio, f"Person{n}", "Officer") for n in range(20)]
    pages = [loaded(person, page) for person in people]
    answers = [
        person.post(page, form_data(html, **{f"m{item.pk}__actual": str(n)})).status_code
        for n, (person, html, item) in enumerate(zip(people, pages, items, strict=True))
    ]
    assert answers == [302] * 20
    assert sorted(MeasureUpdate.objects.values_list("actual", flat=True)) == list(range(20))


def test_it_does_not_go_on_to_check_and_submit_a_return_with_a_clash(
    ann: Client, ben: Client, page: str, measures: list[Measure]
) -> None:
    x = measures[0]
    ann_page, ben_page = loaded(ann, page), loaded(ben, page)
    ann.post(page, form_data(ann_page, **{f"m{x.pk}__actual": "60%"}))
    for button in ("check", "submit"):
        response = ben.post(
            page, form_data(ben_page, **{button: ""}, **{f"m{x.pk}__actual": "57%"})
        )
        assert response.status_code == 409  # the clash is shown, not Check your answers
        assert Return.objects.get().state == Return.State.DRAFT


def test_it_refuses_a_version_that_was_never_stored_and_writes_nothing(
    ann: Client, page: str, measures: list[Measure], officer: User
) -> None:
    x, y, _ = measures
    ann.post(page, form_data(loaded(ann, page), **{f"m{x.pk}__actual": "51%"}))
    tampered = form_data(loaded(ann, page), **{f"m{x.pk}__version": "9", f"m{y.pk}__actual": "40%"})
    response = ann.post(page, tampered, follow=True)
    assert "does not match the stored return" in response.content.decode()
    assert stored(x).version == 1
    assert not MeasureUpdate.objects.filter(measure=y).exists()
    garbage = form_data(loaded(ann, page), **{f"m{x.pk}__version": "-1"})
    assert ann.post(page, garbage).status_code == 400


def test_it_ignores_items_of_another_portfolio_posted_into_the_form(
    ann: Client, page: str, measures: list[Measure], quarter: Quarter
) -> None:
    other = MeasureFactory(year=quarter.year, reference="ELSEWHERE")
    data = form_data(
        loaded(ann, page), **{f"m{other.pk}__actual": "99", f"m{other.pk}__version": "0"}
    )
    assert ann.post(page, data).status_code == 302
    assert not MeasureUpdate.objects.filter(measure=other).exists()
