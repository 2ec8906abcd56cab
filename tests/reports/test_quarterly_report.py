"""The quarterly report: assessment counts per theme, key achievements (completed this
quarter), priorities for development (slippage), red and amber/red projects, risk score
changes in words, and every item's supporting information."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from measures.models import ActionUpdate
from perfmon.models import User
from projects.models import ProjectUpdate
from tests.factories import ActionFactory
from tests.reports.test_summary_dataset import build_council


def test_it_reports_a_quarter_by_theme(client: Client, outsider: User) -> None:
    council = build_council()
    q3 = council.ret(council.portfolio, 2024, 3, "approved")
    # A1 was already completed at Q3, so it is not an achievement of Q4; A2 completes now.
    ActionUpdate.objects.create(action=council.actions["A1"], ret=q3, status="completed")
    ActionUpdate.objects.filter(action=council.actions["A2"]).update(status="completed")
    ProjectUpdate.objects.filter(project=council.projects["P1"]).update(dca="amber_red")
    client.force_login(outsider)
    response = client.get("/reports/quarterly/", {"year": 2024, "quarter": 4})
    assert response.status_code == 200
    report = response.context["result"]
    growth, green = report.themes
    assert (growth.theme, green.theme) == ("Growth", "Green")
    assert report.assessment_rows == [
        ("Completed", [2, 0], 2),
        ("On track", [0, 0], 0),
        ("Some slippage", [1, 0], 1),
        ("Major slippage", [0, 1], 1),
    ]
    assert [r.action.reference for r in growth.completed_now] == ["A2"]
    assert [r.action.reference for r in growth.some_slippage] == ["A3"]
    assert [r.action.reference for r in green.major_slippage] == ["A4"]
    assert [r.project.reference for r in growth.red_projects] == ["P1", "P2"]
    page = response.content.decode()
    assert "At the end of March 2025, 50% of our priority actions" in page  # 2 of 4
    assert "Project P1 (“amber/red”)" in page
    assert (
        "R1 – Risk R1: the risk score increased from 9 at the end of December 2024 to 16." in page
    )
    # R2 had no score at Q3: not a change.
    assert "Risk R2: the risk score" not in page
    assert "A3 note" in page  # supporting information


def test_it_runs_the_same_queries_however_many_rows(
    client: Client, outsider: User, django_assert_num_queries: Any
) -> None:
    council = build_council()
    client.force_login(outsider)
    query = {"year": 2024, "quarter": 4}
    client.get(
        "/reports/quarterly/", query
    )  # the first page reads the council's settings and schemes into the cache
    with CaptureQueriesContext(connection) as few:
        client.get("/reports/quarterly/", query)
    q3 = council.ret(council.portfolio, 2024, 3, "approved")
    q4 = council.ret(council.portfolio, 2024, 4, "approved")
    for _ in range(20):
        action = ActionFactory(year=council.year, theme=council.green, portfolio=q4.portfolio)
        ActionUpdate.objects.create(action=action, ret=q3, status="on_track")
        ActionUpdate.objects.create(action=action, ret=q4, status="completed")
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get("/reports/quarterly/", query)
    assert len(response.context["result"].themes[1].completed_now) == 20
