"""The performance team's admin for risks: lists, filters, history, spreadsheet export
(safe to open) and import by year and reference keeping the lineage; assessments look-
only, exportable."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from tablib import Dataset

from perfmon.models import Portfolio, Quarter, User
from perfmon.services import create_reporting_year
from risks.models import Risk, RiskAssessment
from risks.resources import RiskResource
from tests.factories import CouncilPlanFactory, ThemeFactory
from tests.risks.conftest import approved_return, as_client
from tests.risks.factories import RiskFactory, assess


@pytest.fixture
def team(admin_user: User) -> Client:
    return as_client(admin_user)


@pytest.fixture
def green(db: None) -> Any:
    return ThemeFactory(
        name="A Green City", plan=CouncilPlanFactory(first_year=2024, last_year=2027)
    )


@pytest.fixture
def risk(portfolio: Portfolio, quarter: Quarter, green: Any, officer: User) -> Risk:
    risk = RiskFactory(
        reference="SR41_CP21",
        title='=HYPERLINK("http://evil.example", "Click")',
        year=quarter.year,
        portfolio=portfolio,
        theme=green,
        owner=officer,
    )
    assess(risk, approved_return(portfolio, quarter), threat=(4, 4), updated_by=officer)
    return risk


@pytest.mark.parametrize("model", ["risk", "riskassessment", "riskmatrix"])
def test_it_opens_every_list_to_the_performance_team(team: Client, risk: Risk, model: str) -> None:
    assert team.get(reverse(f"admin:risks_{model}_changelist")).status_code == 200


def test_it_filters_and_searches_risks(team: Client, risk: Risk) -> None:
    RiskFactory(year=risk.year, reference="SR99", category="corporate")
    url = reverse("admin:risks_risk_changelist")
    for query in (
        f"portfolio__id__exact={risk.portfolio_id}",
        "category__exact=strategic",
        "q=SR41",
    ):
        response = team.get(f"{url}?{query}")
        assert list(response.context["cl"].result_list) == [risk], query


def test_it_shows_who_changed_a_risk(team: Client, risk: Risk, admin_user: User) -> None:
    url = reverse("admin:risks_risk_change", args=[risk.pk])
    form = team.get(url).context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    data |= {"title": "Climate Change Action Plan outcomes", "category": "corporate"}
    response = team.post(url, data)
    assert response.status_code == 302
    assert risk.history.first().history_user == admin_user
    history = team.get(reverse("admin:risks_risk_history", args=[risk.pk])).content.decode()
    assert "Pat Performance" in history
    page = team.get(reverse("risks:risk", args=[risk.pk])).content.decode()
    assert "Category: Strategic → Corporate" in page


def test_it_shows_assessments_but_does_not_let_them_change_outside_their_return(
    team: Client, risk: Risk
) -> None:
    assessment = RiskAssessment.objects.get()
    change = reverse("admin:risks_riskassessment_change", args=[assessment.pk])
    assert team.get(change).status_code == 200
    assert (
        team.get(reverse("admin:risks_riskassessment_history", args=[assessment.pk])).status_code
        == 200
    )
    assert team.post(change, {"threat_likelihood": "1"}).status_code == 403
    assessment.refresh_from_db()
    assert assessment.threat_score == 16


@pytest.mark.parametrize(
    "url_name",
    [
        "admin:risks_risk_changelist",
        "admin:risks_risk_export",
        "admin:risks_risk_import",
        "admin:risks_riskmatrix_changelist",
    ],
)
def test_it_keeps_officers_out(officer: User, url_name: str) -> None:
    response = as_client(officer).get(reverse(url_name))
    assert response.status_code == 302 and "/admin/login/" in response.url


def test_it_exports_risks_as_a_csv_safe_to_open(team: Client, risk: Risk) -> None:
    fields = [f"riskresource_{name}" for name in RiskResource().get_export_order()]
    response = team.post(
        reverse("admin:risks_risk_export"),
        {"format": "0", "resource": "0"} | dict.fromkeys(fields, "on"),
    )
    assert response.status_code == 200
    assert list(csv.DictReader(io.StringIO(response.content.decode()))) == [
        {
            "year": "2026/27",
            "reference": "SR41_CP21",
            "title": '\'=HYPERLINK("http://evil.example", "Click")',
            "description": "",
            "owner": "alex",
            "owner_name": "",
            "portfolio": "Governance and Finance",
            "theme": "A Green City",
            "category": "strategic",
            "assessed": "threat",
            "previous": "",
        }
    ]


def test_it_exports_assessments(team: Client, risk: Risk) -> None:
    response = team.post(
        reverse("admin:risks_riskassessment_export"),
        {
            "format": "0",
            "resource": "0",
            "riskassessmentresource_risk": "on",
            "riskassessmentresource_quarter": "on",
            "riskassessmentresource_threat_score": "on",
            "riskassessmentresource_threat_level": "on",
        },
    )
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert rows == [
        {
            "risk": "SR41_CP21",
            "quarter": "2",
            "threat_score": "16",
            "threat_level": "Very high",
        }
    ]


def test_it_imports_by_year_and_reference_keeping_the_lineage(
    risk: Risk, green: Any, portfolio: Portfolio, admin_user: User
) -> None:
    create_reporting_year(start_year=2027)
    dataset = Dataset(
        [
            "2027",
            "SR41 renamed",
            "Net zero by 2035",
            "",
            "",
            "Head of Climate",
            portfolio.name,
            "A Green City",
            "corporate",
            "both",
            "SR41_CP21",
        ],
        headers=RiskResource().get_export_order(),
    )
    result = RiskResource().import_data(
        dataset, dry_run=False, user=admin_user, file_name="risks.csv"
    )
    assert not result.has_errors() and not result.has_validation_errors()
    renamed = Risk.objects.get(reference="SR41 renamed")
    record = renamed.history.get()
    assert (record.history_user, record.history_change_reason) == (
        admin_user,
        "import of risks.csv",
    )
    assert (renamed.previous, renamed.theme, renamed.assessed, renamed.owner_text) == (
        risk,
        green,
        "both",
        "Head of Climate",
    )


def test_it_refuses_an_import_row_with_an_unknown_choice(risk: Risk, portfolio: Portfolio) -> None:
    dataset = Dataset(
        [
            "2026",
            "NEW 1",
            "New",
            "",
            "",
            "",
            portfolio.name,
            "A Green City",
            "galactic",
            "threat",
            "",
        ],
        headers=RiskResource().get_export_order(),
    )
    assert RiskResource().import_data(dataset, dry_run=True).has_validation_errors()
    assert not Risk.objects.filter(reference="NEW 1").exists()
