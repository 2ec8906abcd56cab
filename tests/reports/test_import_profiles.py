"""Tables in layouts perfmon does not read by itself: map their columns once, save the
mapping as an import profile, and import with it from the admin and the command."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from measures.models import ActionUpdate, Measure
from perfmon.models import User
from reports.demo import ANNUAL_2021_22, QUARTER1_2021_22
from reports.models import ImportProfile, ResultsImport

ADD = reverse("admin:reports_resultsimport_add")

# Another council's layout: no name perfmon knows for the actual, status or target.
UNSEEN = """Council performance 2019/20

Indicator\tLast year\tThis year\tRAG\tGoal\tTrend\tPriority
Housing
Council Plan measures
Homes built\t540\t681\tAmber\t751\tImproving\tA city of homes
Empty homes brought back into use\t120\t95\tRed\t150\tDeteriorating\tA city of homes
"""
ROLES = ["description", "last_year", "q4_actual", "q4_status", "target", "dot", "theme"]


@pytest.fixture
def team(client: Client, admin_user: User) -> Client:
    client.force_login(admin_user)
    return client


@pytest.fixture
def unseen(tmp_path: Path) -> Path:
    path = tmp_path / "council-2019-20.tsv"
    path.write_text(UNSEEN, encoding="utf-8")
    return path


def upload(client: Client, content: bytes, **fields: object):
    data = {"file": SimpleUploadedFile("council-2019-20.tsv", content), "year": "2019/20"}
    data.update({k: v for k, v in fields.items() if v is not None})
    return client.post(ADD, data, follow=True)


def mapping(name: str, roles: list[str]) -> dict[str, str]:
    return {"name": name, **{f"column_{i}": role for i, role in enumerate(roles)}}


def run(*args: str) -> str:
    out = StringIO()
    call_command("import_results", *args, stdout=out, stderr=out)
    return out.getvalue()


def test_it_says_what_is_missing_and_offers_to_map_the_columns(team: Client) -> None:
    page = upload(team, UNSEEN.encode()).content.decode()
    assert "No header row was found" in page
    assert "Map the columns of this file" in page
    job = ResultsImport.objects.get()
    page = team.get(reverse("admin:reports_resultsimport_map", args=[job.pk])).content.decode()
    assert "Line 3 looks like its header row" in " ".join(page.split())
    assert '<option value="description">Description</option>' in page


def test_it_refuses_a_mapping_that_gives_one_role_to_two_columns(team: Client) -> None:
    upload(team, UNSEEN.encode())
    job = ResultsImport.objects.get()
    url = reverse("admin:reports_resultsimport_map", args=[job.pk])
    roles = ["description", "q4_actual", "q4_actual", "q4_status", "target", "dot", "theme"]
    page = team.post(url, mapping("Other council", roles)).content.decode()
    assert "Actual is given to more than one column: choose one." in page
    assert not ImportProfile.objects.exists()


def test_it_saves_the_mapping_and_previews_the_file_with_it(team: Client, admin_user: User) -> None:
    upload(team, UNSEEN.encode())
    job = ResultsImport.objects.get()
    url = reverse("admin:reports_resultsimport_map", args=[job.pk])
    page = team.post(url, mapping("Other council", ROLES), follow=True).content.decode()
    assert "Read with the import profile “Other council”" in page
    assert (
        "Columns read: Description, Last year's actual, Actual, Status, Target, Direction of "
        "travel, Council Plan theme." in " ".join(page.replace("&#x27;", "'").split())
    )
    assert "or else the portfolio of the rows under it" in page
    job.refresh_from_db()
    assert job.state == ResultsImport.State.PREVIEWED and job.preview["rows"] == {"measure": 2}
    profile = ImportProfile.objects.get()
    assert profile.roles == ROLES and profile.created_by == admin_user
    team.post(reverse("admin:reports_resultsimport_confirm", args=[job.pk]))
    homes = Measure.objects.get(description="Homes built", year__start_year=2019)
    assert homes.portfolio.name == "Housing" and homes.theme.name == "A city of homes"
    assert homes.updates.get().actual == 681


def test_it_reads_a_file_with_a_saved_header_by_its_profile(unseen: Path, admin_user: User) -> None:
    with pytest.raises(CommandError, match="No header row was found"):
        run(str(unseen), "--year", "2019/20", "--user", admin_user.username)
    ImportProfile.objects.create(
        name="Other council",
        header=["indicator", "last year", "this year", "rag", "goal", "trend", "priority"],
        roles=ROLES,
        created_by=admin_user,
    )
    output = run(str(unseen), "--year", "2019/20", "--user", admin_user.username)
    assert "measures: 2 new" in output
    output = run(
        str(unseen),
        "--year",
        "2019/20",
        "--profile",
        "Other council",
        "--user",
        admin_user.username,
    )
    assert "measures: 2 unchanged" in output


def test_it_refuses_a_profile_that_does_not_fit_the_file(admin_user: User) -> None:
    ImportProfile.objects.create(
        name="Other council", header=["indicator", "rag"], roles=ROLES[:2], created_by=admin_user
    )
    with pytest.raises(CommandError, match="The import profile does not fit this file"):
        run(str(ANNUAL_2021_22), "--year", "2021/22", "--profile", "Other council")
    with pytest.raises(CommandError, match="There is no import profile “Nobody's”"):
        run(str(ANNUAL_2021_22), "--year", "2021/22", "--profile", "Nobody's")


def test_it_imports_a_quarterly_report_in_the_admin(team: Client, admin_user: User) -> None:
    run(str(ANNUAL_2021_22), "--year", "2021/22", "--user", admin_user.username)
    response = team.post(
        ADD,
        {
            "file": SimpleUploadedFile(QUARTER1_2021_22.name, QUARTER1_2021_22.read_bytes()),
            "year": "2021/22",
            "quarter": "1",
        },
        follow=True,
    )
    page = response.content.decode()
    assert "3 uncertain matches: your choice" in page
    assert "Children in Care per 10,000 population aged under 18" in page
    job = ResultsImport.objects.get()
    assert job.state == ResultsImport.State.PREVIEWED and job.quarter == 1
    assert not ActionUpdate.objects.filter(ret__quarter__number=1).exists()
    team.post(reverse("admin:reports_resultsimport_confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.state == ResultsImport.State.IMPORTED
    out = StringIO()
    call_command(
        "performance_summary", "--year", "2021/22", "--quarter", "1", "--format", "json", stdout=out
    )
    assert json.loads(out.getvalue())[-1]["actions_on_track_pct"] == 86.8


def checked_quarter_one(team: Client, admin_user: User) -> ResultsImport:
    """The 2021/22 table imported, and its Q1 report uploaded and checked in the admin."""
    run(str(ANNUAL_2021_22), "--year", "2021/22", "--user", admin_user.username)
    team.post(
        ADD,
        {
            "file": SimpleUploadedFile(QUARTER1_2021_22.name, QUARTER1_2021_22.read_bytes()),
            "year": "2021/22",
            "quarter": "1",
        },
    )
    return ResultsImport.objects.get()


def test_the_team_takes_a_wrong_uncertain_match_as_a_new_item_in_the_admin(
    team: Client, admin_user: User
) -> None:
    job = checked_quarter_one(team, admin_user)
    choose = reverse("admin:reports_resultsimport_new_items", args=[job.pk])
    page = team.get(reverse("admin:reports_resultsimport_change", args=[job.pk])).content.decode()
    assert 'name="new" value="305"' in page and "Check again with my choices" in page
    # A line that is no uncertain match (a new item's) is refused, nothing changed.
    refused = team.post(choose, {"new": ["305", "112"]}, follow=True).content.decode()
    assert "Only uncertain matches can be taken as new items" in refused
    job.refresh_from_db()
    assert job.new_lines == [] and job.state == ResultsImport.State.PREVIEWED

    page = team.post(choose, {"new": ["305"]}, follow=True).content.decode()
    job.refresh_from_db()
    assert job.new_lines == [305] and job.state == ResultsImport.State.PREVIEWED
    assert "3 uncertain matches: your choice" in page  # two still uncertain, one chosen
    assert 'value="305" id="new-305" checked' in page and "(new: your choice)" in page
    team.post(reverse("admin:reports_resultsimport_confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.state == ResultsImport.State.IMPORTED
    assert Measure.objects.get(description="Affordable homes delivered").updates.exists()


def test_a_choice_can_be_taken_back_before_importing(team: Client, admin_user: User) -> None:
    job = checked_quarter_one(team, admin_user)
    choose = reverse("admin:reports_resultsimport_new_items", args=[job.pk])
    team.post(choose, {"new": ["305"]})
    page = team.post(choose, {}, follow=True).content.decode()
    job.refresh_from_db()
    assert job.new_lines == []
    assert 'value="305" id="new-305">' in page  # unticked: the match is taken again
    team.post(reverse("admin:reports_resultsimport_confirm", args=[job.pk]))
    assert not Measure.objects.filter(description="Affordable homes delivered").exists()
