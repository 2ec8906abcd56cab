"""The exception report: only Amber and Red measures, actions with slippage, red or
amber/red projects and risks scoring 12 or more."""

from __future__ import annotations

from django.test import Client, override_settings

from perfmon.models import User
from tests.reports.test_summary_dataset import build_council


def _refs(client: Client, **query: object) -> list[str]:
    response = client.get("/reports/exceptions/", {"year": 2024, "quarter": 4, **query})
    assert response.status_code == 200
    return [row.reference for p in response.context["result"].portfolios for row in p.rows]


def test_it_lists_only_the_exceptions(client: Client, outsider: User) -> None:
    build_council()
    client.force_login(outsider)
    # M2 Red; A3 some and A4 major slippage; P2 Red; R1 scores 16 (R2's 6 is below 12).
    assert _refs(client) == ["M2", "A3", "A4", "P2", "R1"]
    response = client.get("/reports/exceptions/", {"year": 2024, "quarter": 4})
    page = response.content.decode()
    assert "80 against a target of 100" in page
    assert "Risk score 16, increased from 9 at the end of December 2024 to 16" in page


def test_it_includes_a_draft_return_in_a_draft(client: Client, admin_user: User) -> None:
    council = build_council()
    client.force_login(admin_user)
    assert "M7" in _refs(client, draft="on")
    assert (
        council.other.name
        in client.get(
            "/reports/exceptions/", {"year": 2024, "quarter": 4, "draft": "on"}
        ).content.decode()
    )


@override_settings(REPORTS_COUNTING={"exception_risk_score": 6})
def test_it_takes_the_risk_threshold_from_the_settings(client: Client, outsider: User) -> None:
    build_council()
    client.force_login(outsider)
    assert _refs(client)[-2:] == ["R1", "R2"]


def test_it_filters_by_theme_and_portfolio(client: Client, outsider: User) -> None:
    council = build_council()
    client.force_login(outsider)
    assert _refs(client, theme=council.green.pk) == ["A4"]
    assert _refs(client, portfolio=council.other.pk) == []
