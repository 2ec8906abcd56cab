"""The performance team maps the columns of a table in a layout perfmon does not read by
itself, in a real browser: upload, map, save the profile, read the preview, import."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from pytest_django.live_server_helper import LiveServer

from measures.models import Measure
from perfmon.services import ensure_performance_team_group
from reports.models import ImportProfile
from tests.browser.conftest import screenshot
from tests.browser.steps import sign_in
from tests.factories import UserFactory
from tests.reports.test_import_profiles import UNSEEN

pytestmark = pytest.mark.browser


def test_it_maps_the_columns_of_an_unseen_layout(
    live_server: LiveServer, page: Any, tmp_path: Path
) -> None:
    team = UserFactory(username="pat", first_name="Pat", last_name="Performance", is_staff=True)
    team.groups.add(ensure_performance_team_group())
    file = tmp_path / "council-2019-20.tsv"
    file.write_text(UNSEEN, encoding="utf-8")
    base = live_server.url
    sign_in(page, base, "pat")

    page.goto(base + reverse("admin:reports_resultsimport_add"))
    page.get_by_label("Annual results table").set_input_files(str(file))
    page.get_by_label("The year it reports on").fill("2019/20")
    page.get_by_role("button", name="Check the file").click()
    page.get_by_text("No header row was found").wait_for()
    page.get_by_role("link", name="Map the columns of this file").click()

    # perfmon guessed nothing it could use; the team says what each column is, and first
    # gives one role to two columns.
    page.get_by_label("Indicator").select_option("description")
    page.get_by_label("Last year").select_option("q4_actual")
    page.get_by_label("This year").select_option("q4_actual")
    page.get_by_label("Save this mapping as").fill("Other council")
    page.get_by_role("button", name="Save the profile and check the file again").click()
    page.get_by_text("Actual is given to more than one column: choose one.").wait_for()
    screenshot(page, "admin-import-mapping-error")
    assert not ImportProfile.objects.exists()

    page.get_by_label("Last year").select_option("last_year")
    for label, role in (("RAG", "q4_status"), ("Goal", "target"), ("Trend", "dot")):
        page.get_by_label(label).select_option(role)
    page.get_by_label("Priority").select_option("theme")
    screenshot(page, "admin-import-mapping")
    page.get_by_role("button", name="Save the profile and check the file again").click()

    page.get_by_text("Read with the import profile “Other council”").wait_for()
    preview = page.get_by_role("table").filter(has_text="What the import will do")
    measures = preview.get_by_role("row").filter(has_text="Measures")
    assert measures.get_by_role("cell").all_inner_texts()[:2] == ["2", "2"]
    screenshot(page, "admin-import-mapped-preview")
    page.get_by_role("button", name=f"Import {file.name}").click()
    page.get_by_text("Imported by Pat Performance").wait_for()
    assert Measure.objects.filter(year__start_year=2019).count() == 2
