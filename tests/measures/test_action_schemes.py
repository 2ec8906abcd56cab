"""Action rating schemes are data: refused when incomplete, in the admin and the database."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.test import Client

from measures.models import ActionRating, ActionScheme, ActionUpdate
from perfmon.models import Return, User
from tests.factories import ActionFactory, QuarterFactory

pytestmark = pytest.mark.django_db


def _update(label: ActionRating) -> ActionUpdate:
    action = ActionFactory()
    ret = Return.objects.create(portfolio=action.portfolio, quarter=QuarterFactory())
    return ActionUpdate.objects.create(action=action, ret=ret, status=label.key, rating=label)


def _labels_post(scheme: ActionScheme, rows: list[dict[str, Any]], **fields: Any) -> dict[str, Any]:
    prefix = "labels"
    data: dict[str, Any] = {
        "name": scheme.name,
        "completion_apart": "on" if scheme.completion_apart else "",
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(len(rows)),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
        **fields,
    }
    for n, row in enumerate(rows):
        for key, value in row.items():
            data[f"{prefix}-{n}-{key}"] = value
    return data


def _rows(scheme: ActionScheme) -> list[dict[str, Any]]:
    return [
        {
            "id": label.pk,
            "scheme": scheme.pk,
            "position": label.position,
            "key": label.key,
            "label": label.label,
            "colour": label.colour,
            "on_track": "on" if label.on_track else "",
            "completed": "on" if label.completed else "",
            "rated": "on" if label.rated else "",
            "description": label.description,
        }
        for label in scheme.labels.all()
    ]


@pytest.fixture
def derbyshire() -> ActionScheme:
    return ActionScheme.objects.get(name="Derbyshire County Council")


def test_it_ships_derby_city_in_use_and_derbyshire(derbyshire: ActionScheme) -> None:
    in_use = ActionScheme.objects.get(in_use=True)
    assert in_use.name == "Derby City Council"
    assert [x.label for x in in_use.labels.all()] == [
        "Completed",
        "On track",
        "Some slippage",
        "Major slippage",
        "N/A",
    ]
    assert [x.label for x in derbyshire.labels.all()] == ["Strong", "Good", "Review", "Action"]
    assert derbyshire.completion_apart


def test_it_refuses_two_labels_with_one_name_in_the_database(derbyshire: ActionScheme) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        ActionRating.objects.create(
            scheme=derbyshire, position=9, key="good2", label="Good", colour="green"
        )


def test_it_refuses_deleting_a_label_past_quarters_use(derbyshire: ActionScheme) -> None:
    good = derbyshire.labels.get(key="good")
    _update(good)
    with pytest.raises(ProtectedError):
        good.delete()


def test_it_refuses_a_scheme_without_an_on_track_label_in_the_admin(
    client: Client, admin_user: User, derbyshire: ActionScheme
) -> None:
    client.force_login(admin_user)
    rows = _rows(derbyshire)
    for row in rows:
        row["on_track"] = ""
    url = f"/admin/measures/actionscheme/{derbyshire.pk}/change/"
    response = client.post(url, _labels_post(derbyshire, rows))
    assert response.status_code == 200
    assert "Mark at least one label as counting as on track." in response.content.decode()
    assert derbyshire.labels.filter(on_track=True).count() == 2


def test_it_refuses_a_scheme_without_a_completed_label_in_the_admin(
    client: Client, admin_user: User
) -> None:
    derby = ActionScheme.objects.get(name="Derby City Council")
    client.force_login(admin_user)
    rows = _rows(derby)
    for row in rows:
        row["completed"] = ""
    url = f"/admin/measures/actionscheme/{derby.pk}/change/"
    response = client.post(url, _labels_post(derby, rows, in_use="on"))
    assert response.status_code == 200
    assert "Mark a label as meaning completed" in response.content.decode()


def test_it_refuses_two_labels_with_one_name_in_the_admin(
    client: Client, admin_user: User, derbyshire: ActionScheme
) -> None:
    client.force_login(admin_user)
    rows = _rows(derbyshire)
    rows[2]["label"] = "good"
    url = f"/admin/measures/actionscheme/{derbyshire.pk}/change/"
    response = client.post(url, _labels_post(derbyshire, rows))
    assert "Two labels of one scheme cannot have the same name." in response.content.decode()
    assert derbyshire.labels.get(key="review").label == "Review"


def test_it_refuses_deleting_a_used_label_in_the_admin(
    client: Client, admin_user: User, derbyshire: ActionScheme
) -> None:
    good = derbyshire.labels.get(key="good")
    _update(good)
    client.force_login(admin_user)
    rows = _rows(derbyshire)
    rows[1]["DELETE"] = "on"
    url = f"/admin/measures/actionscheme/{derbyshire.pk}/change/"
    response = client.post(url, _labels_post(derbyshire, rows))
    assert response.status_code == 200
    assert derbyshire.labels.filter(key="good").exists()
    assert "protected" in response.content.decode()


def test_it_keeps_a_past_quarters_rating_when_the_scheme_changes(
    derbyshire: ActionScheme,
) -> None:
    derby = ActionScheme.objects.get(in_use=True)
    update = _update(derby.labels.get(key="some_slippage"))
    derby.in_use = False
    derby.save()
    derbyshire.in_use = True
    derbyshire.save()
    update.refresh_from_db()
    assert update.get_status_display() == "Some slippage"
    assert update.colour == ("Amber", "yellow")
