"""The strategic risks section of the return, through the return page: officers score
each side as likelihood x impact with last quarter's beside it, bad input is refused with
nothing saved, approved returns lock, and every change is on the trail and in history."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from perfmon.models import Portfolio, Quarter, Return, ReturnEvent, User
from perfmon.sections import sections
from risks.models import Risk, RiskAssessment
from tests.forms_in_page import decision, submit
from tests.risks.conftest import approved_return, as_client, page_fields, return_url
from tests.risks.factories import RiskFactory, assess


@pytest.fixture
def risks(portfolio: Portfolio, quarter: Quarter, theme: Any) -> dict[str, Risk]:
    common = {"portfolio": portfolio, "year": quarter.year, "theme": theme}
    return {
        "cyber": RiskFactory(reference="SR3_CR3", title="Cyber threats to our systems", **common),
        "both": RiskFactory(
            reference="SR22_DA", title="New duties on domestic abuse", assessed="both", **common
        ),
    }


@pytest.fixture
def last_quarter(risks: dict[str, Risk], portfolio: Portfolio, year_2026: Any) -> Return:
    ret = approved_return(portfolio, year_2026.quarters.get(number=1))
    assess(risks["cyber"], ret, threat=(2, 4), controls="Firewalls and training.", target_score=4)
    assess(risks["both"], ret, threat=(3, 4), opportunity=(3, 4))
    return ret


def filled(client: Client, url: str, risks: dict[str, Risk], **changes: str) -> dict[str, str]:
    data = page_fields(client, url)
    c, b = risks["cyber"].pk, risks["both"].pk
    data |= {
        f"r{c}-threat_likelihood": "2",
        f"r{c}-threat_impact": "3",
        f"r{b}-threat_likelihood": "3",
        f"r{b}-threat_impact": "3",
        f"r{b}-opportunity_likelihood": "4",
        f"r{b}-opportunity_impact": "3",
    }
    return data | {key.replace("__", "-"): value for key, value in changes.items()}


def test_it_registers_the_section_after_measures_and_actions() -> None:
    keys = [section.key for section in sections]
    assert "risks" in keys
    orders = {section.key: section.order for section in sections}
    assert orders["risks"] == 50
    assert all(orders[key] < 50 for key in ("actions", "measures") if key in orders)


def test_it_saves_scores_and_levels_worked_out_from_the_matrix(
    officer: User, portfolio: Portfolio, quarter: Quarter, risks: dict[str, Risk]
) -> None:
    client, url = as_client(officer), return_url(portfolio, quarter)
    c = risks["cyber"].pk
    data = filled(
        client, url, risks, **{f"r{c}__controls": "Firewalls.", f"r{c}__target_score": "4"}
    )
    response = client.post(url, data | {"save": ""})
    assert response.status_code == 302
    cyber = RiskAssessment.objects.get(risk=risks["cyber"])
    assert (cyber.threat_likelihood, cyber.threat_impact, cyber.threat_score) == (2, 3, 6)
    assert (cyber.threat_level, cyber.threat_level_colour) == ("Medium", "yellow")
    assert cyber.opportunity_score is None and cyber.opportunity_level == ""
    assert (cyber.controls, cyber.target_score, cyber.version) == ("Firewalls.", 4, 1)
    assert cyber.updated_by == officer and not cyber.score_only
    both = RiskAssessment.objects.get(risk=risks["both"])
    assert (both.threat_score, both.threat_level) == (9, "High")
    assert (both.opportunity_score, both.opportunity_level) == (12, "Very high")
    (event,) = ReturnEvent.objects.filter(action="saved")
    assert "SR3_CR3 threat likelihood: (blank) → 2" in event.changes


def test_it_shows_last_quarters_assessment_and_the_change_beside_each_side(
    officer: User,
    portfolio: Portfolio,
    quarter: Quarter,
    risks: dict[str, Risk],
    last_quarter: Return,
) -> None:
    client, url = as_client(officer), return_url(portfolio, quarter)
    client.post(url, filled(client, url, risks) | {"save": ""})
    text = client.get(url).content.decode()
    assert "Last quarter: 8 (likelihood 2 × impact 4)" in text
    assert "Now: 6 (likelihood 2 × impact 3)" in text
    assert "Score reduced from 8 at the end of June 2026 to 6" in text
    assert "Score unchanged at 12" in text  # the opportunity side of SR22_DA
    assert "Firewalls and training." in text  # last quarter's controls
    assert "Last quarter's target score: 4" in text
    assert 'data-testid="side-SR22_DA-opportunity"' in text
    assert 'data-testid="side-SR3_CR3-opportunity"' not in text  # a threat only


def test_it_starts_the_controls_and_target_from_last_quarter(
    officer: User,
    portfolio: Portfolio,
    quarter: Quarter,
    risks: dict[str, Risk],
    last_quarter: Return,
) -> None:
    data = page_fields(as_client(officer), return_url(portfolio, quarter))
    c = risks["cyber"].pk
    assert (data[f"r{c}-controls"], data[f"r{c}-target_score"]) == ("Firewalls and training.", "4")
    assert data[f"r{c}-threat_likelihood"] == ""  # the score is this quarter's judgement


def test_it_offers_the_matrix_labels_as_choices(
    officer: User, portfolio: Portfolio, quarter: Quarter, risks: dict[str, Risk]
) -> None:
    text = as_client(officer).get(return_url(portfolio, quarter)).content.decode()
    assert '<option value="4">4 Highly probable</option>' in text
    assert '<option value="4">4 Very high</option>' in text
    assert '<option value="4">4 Significant</option>' in text  # opportunity impact


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("threat_likelihood", "5", "Choose a likelihood from 1 to 4"),
        ("threat_impact", "0", "Choose an impact from 1 to 4"),
        ("threat_impact", "", "Choose the threat&#x27;s impact as well as its likelihood"),
        ("target_score", "7", "Choose a target score that likelihood × impact gives"),
    ],
)
def test_it_refuses_bad_input_and_saves_nothing(
    officer: User,
    portfolio: Portfolio,
    quarter: Quarter,
    risks: dict[str, Risk],
    field: str,
    value: str,
    message: str,
) -> None:
    client, url = as_client(officer), return_url(portfolio, quarter)
    c = risks["cyber"].pk
    response = client.post(url, filled(client, url, risks, **{f"r{c}__{field}": value}))
    assert response.status_code == 400
    text = response.content.decode()
    assert message in text
    assert f'href="#id_r{c}-{field}"' in text
    assert not RiskAssessment.objects.exists()


def test_it_will_not_submit_until_every_side_is_scored(
    officer: User, portfolio: Portfolio, quarter: Quarter, risks: dict[str, Risk]
) -> None:
    client, url = as_client(officer), return_url(portfolio, quarter)
    b = risks["both"].pk
    data = filled(
        client, url, risks, **{f"r{b}__opportunity_likelihood": "", f"r{b}__opportunity_impact": ""}
    )
    response = submit(client, url, data)
    assert response.status_code == 200
    missing = response.context["missing"]
    assert [(m.item, m.problem) for m in missing] == [
        ("SR22_DA New duties on domestic abuse", "Choose the likelihood and impact")
    ]
    assert Return.objects.get().state == Return.State.DRAFT
    submit(client, url, filled(client, url, risks))
    assert Return.objects.get().state == Return.State.SUBMITTED


def test_it_locks_the_assessment_once_the_return_is_approved(
    officer: User, director: User, portfolio: Portfolio, quarter: Quarter, risks: dict[str, Risk]
) -> None:
    client, url = as_client(officer), return_url(portfolio, quarter)
    submit(client, url, filled(client, url, risks))
    decide = reverse("decide_return", args=[portfolio.pk, 2026, 2])
    director_client = as_client(director)
    director_client.post(decide, decision(director_client, url, decision="approve"))
    assert Return.objects.get().state == Return.State.APPROVED
    c = risks["cyber"].pk
    data = filled(client, url, risks, **{f"r{c}__threat_likelihood": "4"})
    assert client.post(url, data).status_code == 403
    assert RiskAssessment.objects.get(risk=risks["cyber"]).threat_likelihood == 2
    page = client.get(url).content.decode()
    # Read only: the assessment as a summary card, with no controls.
    assert f'name="r{c}-threat_likelihood"' not in page
    assert f'<div class="govuk-summary-card" id="r{c}">' in page


def test_it_keeps_every_change_in_the_risks_history(
    officer: User, portfolio: Portfolio, quarter: Quarter, risks: dict[str, Risk]
) -> None:
    client, url = as_client(officer), return_url(portfolio, quarter)
    client.post(url, filled(client, url, risks) | {"save": ""})
    c = risks["cyber"].pk
    client.post(url, filled(client, url, risks, **{f"r{c}__threat_likelihood": "1"}) | {"save": ""})
    assessment = RiskAssessment.objects.get(risk=risks["cyber"])
    assert assessment.version == 2
    assert [h.threat_score for h in assessment.history.order_by("history_id")] == [6, 3]
    page = client.get(reverse("risks:risk", args=[c])).content.decode()
    assert "Threat likelihood: 2 → 1; Threat score: 6 → 3; Threat level: Medium → Low" in page
    assert "by Alex Officer" in page


def test_it_keeps_a_published_score_when_only_the_commentary_changes(
    officer: User, portfolio: Portfolio, quarter: Quarter, risks: dict[str, Risk]
) -> None:
    ret = Return.objects.create(portfolio=portfolio, quarter=quarter, state="reopened")
    RiskAssessment.objects.create(
        risk=risks["cyber"], ret=ret, threat_score=16, threat_level="Very high", score_only=True
    )
    client, url = as_client(officer), return_url(portfolio, quarter)
    c = risks["cyber"].pk
    page = client.get(url).content.decode()
    assert "Now: 16 (score only, as published)" in page
    data = page_fields(client, url) | {f"r{c}-commentary": "Reviewed at CRMG."}
    assert client.post(url, data | {"save": ""}).status_code == 302
    kept = RiskAssessment.objects.get(risk=risks["cyber"])
    assert (kept.threat_score, kept.score_only, kept.commentary) == (16, True, "Reviewed at CRMG.")
    data = page_fields(client, url) | {f"r{c}-threat_likelihood": "4", f"r{c}-threat_impact": "3"}
    client.post(url, data | {"save": ""})
    rescored = RiskAssessment.objects.get(risk=risks["cyber"])
    assert (rescored.threat_score, rescored.score_only) == (12, False)


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_it_runs_a_fixed_number_of_queries_for_the_return_page(
    officer: User, portfolio: Portfolio, quarter: Quarter, theme: Any, year_2026: Any
) -> None:
    client, url = as_client(officer), return_url(portfolio, quarter)
    last = approved_return(portfolio, year_2026.quarters.get(number=1))

    def grow(count: int) -> None:
        for _ in range(count):
            risk = RiskFactory(
                portfolio=portfolio, year=quarter.year, theme=theme, assessed="both", owner=officer
            )
            assess(risk, last, threat=(2, 2), opportunity=(3, 1))

    grow(10)
    _queries(client, url)  # the first page reads the council's settings and schemes into the cache
    few = _queries(client, url)
    grow(140)
    assert _queries(client, url) == few
