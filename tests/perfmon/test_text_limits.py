"""Every free text of a return (commentary, reasons, comments, controls, further actions)
keeps at most 10,000 characters: the field says so and its textarea keeps to it, the forms
refuse more at the field, the annual results import refuses cells longer than the database
keeps, and the database itself refuses more, whatever path wrote it."""

from __future__ import annotations

from dataclasses import dataclass
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from measures.models import Action, ActionUpdate, Measure, MeasureUpdate
from perfmon.forms import DecisionForm, ReopenForm
from perfmon.models import Portfolio, PortfolioRole, Quarter, Return, ReturnEvent, User
from perfmon.services import create_reporting_year
from projects.models import Project, ProjectUpdate
from risks.models import Risk, RiskAssessment
from tests.factories import (
    ActionFactory,
    MeasureFactory,
    PortfolioFactory,
    PortfolioRoleFactory,
    UserFactory,
)
from tests.forms_in_page import form_data
from tests.projects.factories import ProjectFactory
from tests.reports.test_import_results import SMALL
from tests.risks.factories import RiskFactory

pytestmark = pytest.mark.django_db

LIMIT = 10_000
HINT = "You can enter up to 10,000 characters."
TEXTS = ("commentary", "override_reason", "reopen_reason", "controls", "further_actions")


@dataclass
class Page:
    """One portfolio's Q2 2026/27 return page with one item of each kind."""

    client: Client
    url: str
    ret_quarter: Quarter
    portfolio: Portfolio
    measure: Measure
    action: Action
    project: Project
    risk: Risk

    def form(self, **changes: str) -> dict[str, str]:
        return form_data(self.client.get(self.url).content, **changes)

    def text_fields(self, data: dict[str, str]) -> list[str]:
        return [name for name in data if name.split("-")[-1] in TEXTS]

    def updates(self) -> int:
        models: list[Any] = [MeasureUpdate, ActionUpdate, ProjectUpdate, RiskAssessment]
        return sum(m.objects.filter(ret__quarter=self.ret_quarter).count() for m in models)


def a_return_page(client: Client) -> Page:
    year = create_reporting_year(start_year=2026)
    quarter = year.quarters.get(number=2)
    portfolio = PortfolioFactory(name="Place")
    officer = UserFactory(username="olive")
    PortfolioRoleFactory(user=officer, portfolio=portfolio, role=PortfolioRole.Role.OFFICER)
    common = {"year": year, "portfolio": portfolio}
    page = Page(
        client=client,
        url=reverse("return", args=[portfolio.pk, 2026, 2]),
        ret_quarter=quarter,
        portfolio=portfolio,
        measure=MeasureFactory(**common),
        action=ActionFactory(**common),
        project=ProjectFactory(**common),
        risk=RiskFactory(**common),
    )
    client.force_login(officer)
    return page


@pytest.fixture
def page(client: Client) -> Page:
    return a_return_page(client)


def test_it_shows_the_limit_on_every_free_text_field(page: Page) -> None:
    html = page.client.get(page.url).content.decode()
    fields = page.text_fields(page.form())

    # A measure's commentary and override reason, an action's commentary (its reason to go
    # back shows once it was completed), a project's commentary, a risk's controls, further
    # actions and commentary.
    assert len(fields) == 7
    assert html.count("<textarea") == html.count('maxlength="10000"') >= 7
    assert html.count(HINT) >= 7


def test_it_refuses_a_text_over_the_limit_at_the_field_and_writes_nothing(page: Page) -> None:
    data = page.form()
    for name in page.text_fields(data):
        refused = data | {name: "x" * (LIMIT + 1), f"m{page.measure.pk}-actual": "5"}

        response = page.client.post(page.url, refused)

        assert response.status_code == 400, name
        assert "must be 10,000 characters or fewer" in response.content.decode()
        assert page.updates() == 0
        assert not Return.objects.exists()


def test_it_keeps_a_text_of_exactly_the_limit(page: Page) -> None:
    data = page.form(**{f"m{page.measure.pk}__actual": "5"})
    data[f"m{page.measure.pk}-commentary"] = "y" * LIMIT
    data[f"r{page.risk.pk}-controls"] = "z" * LIMIT

    response = page.client.post(page.url, data | {"save": ""})

    assert response.status_code == 302
    assert len(MeasureUpdate.objects.get().commentary) == LIMIT
    assert len(RiskAssessment.objects.get().controls) == LIMIT


@pytest.mark.parametrize(
    ("model", "item", "text"),
    [
        (MeasureUpdate, "measure", "commentary"),
        (MeasureUpdate, "measure", "override_reason"),
        (ActionUpdate, "action", "commentary"),
        (ActionUpdate, "action", "reopen_reason"),
        (ProjectUpdate, "project", "commentary"),
        (RiskAssessment, "risk", "controls"),
        (RiskAssessment, "risk", "further_actions"),
        (RiskAssessment, "risk", "commentary"),
    ],
)
def test_it_refuses_a_longer_text_in_the_database(
    page: Page, model: Any, item: str, text: str
) -> None:
    ret = Return.objects.create(portfolio=page.portfolio, quarter=page.ret_quarter)
    fields = {item: getattr(page, item), "ret": ret, text: "x" * (LIMIT + 1)}
    if text == "override_reason":
        fields["status_override"] = "Green"

    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.create(**fields)

    assert not model.objects.exists()
    model.objects.create(**(fields | {text: "x" * LIMIT}))
    assert model.objects.count() == 1


def test_it_refuses_a_longer_comment_on_a_return_step(page: Page, officer: User) -> None:
    ret = Return.objects.create(portfolio=page.portfolio, quarter=page.ret_quarter)
    step = {"ret": ret, "action": "saved", "from_state": "draft", "to_state": "draft"}

    with pytest.raises(IntegrityError), transaction.atomic():
        ReturnEvent.objects.create(user=officer, comment="x" * (LIMIT + 1), **step)

    assert not ReturnEvent.objects.exists()


def test_it_limits_a_directors_comment_and_a_reopening_reason() -> None:
    long = "x" * (LIMIT + 1)
    decision = DecisionForm({"decision": "return", "comment": long, "seen": 0})
    reopen = ReopenForm({"reason": long})

    assert not decision.is_valid() and not reopen.is_valid()
    assert decision.errors["comment"] == ["Comment must be 10,000 characters or fewer"]
    assert "10,000 characters or fewer" in reopen.errors["reason"][0]
    assert HINT in str(decision["comment"].help_text)
    assert DecisionForm({"decision": "return", "comment": "x" * LIMIT, "seen": 0}).is_valid()


@pytest.mark.parametrize(
    ("old", "new", "column"),
    [
        ("\tAmber\t", "\t" + "Amber-ish " * 10 + "\t", "Q4 status"),
        ("GF PM01", "GF" + "X" * 60, "Ref"),
        ("93.25%", "93.25% (Q3 data for the year ending in 2024 as first published)", "Q4 actual"),
        ("% Council Tax collected", "x" * (LIMIT + 1), "Description"),
        ("Market Hall", "M" * 301, "Description"),
        ("\tWorking Smarter\n", "\t" + "W" * 201 + "\n", "Council Plan theme"),
    ],
)
def test_it_refuses_cells_longer_than_the_database_keeps_in_the_annual_import(
    tmp_path: Path, admin_user: User, old: str, new: str, column: str
) -> None:
    from tests.reports.test_import_results import PROJECTS

    path = tmp_path / "results-2024-25.tsv"
    text = SMALL + PROJECTS
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    PortfolioFactory(name="Governance and Finance")
    out = StringIO()

    with pytest.raises(CommandError):
        call_command("import_results", str(path), "--year", "2024/25", stdout=out, stderr=out)

    assert column in out.getvalue()
    assert "characters" in out.getvalue()
    assert not Measure.objects.exists() and not Project.objects.exists()


def test_it_counts_the_characters_of_the_cell_it_refuses(tmp_path: Path, admin_user: User) -> None:
    path = tmp_path / "results-2024-25.tsv"
    path.write_text(SMALL.replace("GF PM01", "G" * 41), encoding="utf-8")
    PortfolioFactory(name="Governance and Finance")
    out = StringIO()

    with pytest.raises(CommandError):
        call_command("import_results", str(path), "--year", "2024/25", stdout=out, stderr=out)

    assert "Ref: This cell has 41 characters; it can have up to 40." in out.getvalue()
    assert not Measure.objects.exists()
