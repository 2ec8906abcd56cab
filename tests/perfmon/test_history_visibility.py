"""An item's change history shows only the updates of returns the reader may see, by the
rule of its quarter table (ItemAccess.visible): when the performance team moves an item to
another portfolio, the new portfolio's people do not see the old portfolio's drafts in it,
for every kind (measure, action, project, risk)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from measures.history import action_history, measure_history
from measures.models import ActionUpdate, MeasureUpdate
from perfmon.access import item_access
from perfmon.models import Portfolio, PortfolioRole, Quarter, Return, User
from perfmon.services import create_reporting_year
from projects.history import project_history
from projects.models import ProjectUpdate
from risks.history import risk_history
from risks.models import RiskAssessment
from tests.factories import (
    ActionFactory,
    MeasureFactory,
    PortfolioFactory,
    PortfolioRoleFactory,
    UserFactory,
)
from tests.projects.factories import ProjectFactory
from tests.risks.factories import RiskFactory

pytestmark = pytest.mark.django_db

SECRET = "Draft wording the old portfolio has not agreed"
APPROVED_TEXT = "Approved wording everyone may read"


@pytest.fixture
def old(db: None) -> Portfolio:
    return PortfolioFactory(name="Old portfolio")


@pytest.fixture
def new(db: None) -> Portfolio:
    return PortfolioFactory(name="New portfolio")


@pytest.fixture
def new_officer(new: Portfolio) -> User:
    user = UserFactory(username="nora", first_name="Nora", last_name="Newofficer")
    PortfolioRoleFactory(user=user, portfolio=new, role=PortfolioRole.Role.OFFICER)
    return user


def returns_of(portfolio: Portfolio) -> tuple[Return, Return]:
    """The portfolio's approved Q1 and draft Q2 returns of 2026/27."""
    year = create_reporting_year(start_year=2026)
    q1, q2 = (Quarter.objects.get(year=year, number=n) for n in (1, 2))
    approved = Return.objects.create(portfolio=portfolio, quarter=q1, state=Return.State.APPROVED)
    return approved, Return.objects.create(portfolio=portfolio, quarter=q2)


def moved(item: Any, portfolio: Portfolio) -> Any:
    item.portfolio = portfolio
    item.save()
    return item


def history_text(client: Client, user: User, url_name: str, pk: int) -> str:
    client.force_login(user)
    response = client.get(reverse(url_name, args=[pk]))
    assert response.status_code == 200
    html = response.content.decode()
    match = re.search(r'data-testid="history"[^>]*>(.*?)</ol>', html, re.S)
    assert match, "no history on the page"
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())


def make_measure(old: Portfolio) -> tuple[Any, str]:
    approved, draft = returns_of(old)
    measure = MeasureFactory(year=approved.quarter.year, portfolio=old)
    MeasureUpdate.objects.create(measure=measure, ret=approved, commentary=APPROVED_TEXT)
    MeasureUpdate.objects.create(measure=measure, ret=draft, commentary=SECRET)
    return measure, "measures:measure"


def make_action(old: Portfolio) -> tuple[Any, str]:
    approved, draft = returns_of(old)
    action = ActionFactory(year=approved.quarter.year, portfolio=old)
    ActionUpdate.objects.create(action=action, ret=approved, commentary=APPROVED_TEXT)
    ActionUpdate.objects.create(action=action, ret=draft, commentary=SECRET)
    return action, "measures:action"


def make_project(old: Portfolio) -> tuple[Any, str]:
    approved, draft = returns_of(old)
    project = ProjectFactory(year=approved.quarter.year, portfolio=old)
    ProjectUpdate.objects.create(project=project, ret=approved, commentary=APPROVED_TEXT)
    ProjectUpdate.objects.create(project=project, ret=draft, commentary=SECRET)
    return project, "projects:project"


def make_risk(old: Portfolio) -> tuple[Any, str]:
    approved, draft = returns_of(old)
    risk = RiskFactory(year=approved.quarter.year, portfolio=old)
    RiskAssessment.objects.create(risk=risk, ret=approved, commentary=APPROVED_TEXT)
    RiskAssessment.objects.create(risk=risk, ret=draft, threat_likelihood=3, commentary=SECRET)
    return risk, "risks:risk"


MAKERS = [make_measure, make_action, make_project, make_risk]
HISTORIES = {
    "measures:measure": measure_history,
    "measures:action": action_history,
    "projects:project": project_history,
    "risks:risk": risk_history,
}


@pytest.mark.parametrize("make", MAKERS)
def test_it_hides_the_old_portfolios_draft_from_the_new_portfolios_officer(
    client: Client, old: Portfolio, new: Portfolio, new_officer: User, make: Any
) -> None:
    item, url_name = make(old)
    moved(item, new)

    history = history_text(client, new_officer, url_name, item.pk)

    assert "Q2 2026/27" not in history
    assert SECRET not in history
    assert "Q1 2026/27" in history  # the approved quarter stays
    assert item.__class__.objects.get(pk=item.pk).portfolio == new


@pytest.mark.parametrize("make", MAKERS)
def test_it_shows_the_team_every_quarter_of_a_moved_item(
    old: Portfolio, new: Portfolio, admin_user: User, new_officer: User, make: Any
) -> None:
    item, url_name = make(old)
    moved(item, new)
    history = HISTORIES[url_name]

    team = {entry.subject for entry in history(item, access=item_access(admin_user, item))}
    officer = {entry.subject for entry in history(item, access=item_access(new_officer, item))}

    assert {"Q1 2026/27", "Q2 2026/27"} <= team
    assert "Q2 2026/27" not in officer and "Q1 2026/27" in officer


@pytest.mark.parametrize("make", MAKERS)
def test_it_still_shows_the_portfolios_own_drafts_to_its_officer(
    client: Client, new: Portfolio, new_officer: User, make: Any
) -> None:
    item, url_name = make(new)

    history = history_text(client, new_officer, url_name, item.pk)

    assert "Q2 2026/27" in history


@pytest.mark.parametrize("make", MAKERS)
def test_it_shows_the_team_every_quarter_on_a_moved_items_page(
    client: Client, old: Portfolio, new: Portfolio, admin_user: User, make: Any
) -> None:
    item, url_name = make(old)
    moved(item, new)

    history = history_text(client, admin_user, url_name, item.pk)

    assert "Q2 2026/27" in history and "Q1 2026/27" in history
