"""The performance team imports a published annual results table in the admin, in a
real browser: upload, read the preview, confirm, see what was imported."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from pytest_django.live_server_helper import LiveServer

from measures.models import Action, Measure
from perfmon.services import ensure_performance_team_group
from reports.demo import ANNUAL_2024_25
from tests.browser.conftest import screenshot
from tests.browser.steps import sign_in
from tests.factories import UserFactory

pytestmark = pytest.mark.browser


def test_it_imports_a_published_table_through_the_admin(live_server: LiveServer, page: Any) -> None:
    team = UserFactory(username="pat", first_name="Pat", last_name="Performance", is_staff=True)
    team.groups.add(ensure_performance_team_group())
    base = live_server.url
    sign_in(page, base, "pat")

    page.goto(base + reverse("admin:reports_resultsimport_changelist"))
    page.get_by_role("link", name="Import a table").click()
    page.get_by_label("Annual results table").set_input_files(str(ANNUAL_2024_25))
    page.get_by_label("The year it reports on").fill("2024/25")
    page.get_by_role("button", name="Check the file").click()

    preview = page.get_by_role("table").filter(has_text="What the import will do")
    measures = preview.get_by_role("row").filter(has_text="Measures")
    assert measures.get_by_role("cell").all_inner_texts()[:2] == ["94", "94"]
    screenshot(page, "admin-import-preview")
    assert not Measure.objects.exists()

    page.get_by_role("button", name=f"Import {ANNUAL_2024_25.name}").click()
    page.get_by_text("Imported by Pat Performance").wait_for()
    screenshot(page, "admin-import-done")
    assert Measure.objects.filter(year__start_year=2024).count() == 94
    assert Action.objects.filter(year__start_year=2024).count() == 55
