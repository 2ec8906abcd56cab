"""Past quarters from quarterly reports: `import_results FILE --year Y --quarter N`."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from measures.models import Action, ActionUpdate, Measure, MeasureUpdate
from perfmon.models import Portfolio, Return, User
from projects.models import ProjectUpdate
from reports.demo import ANNUAL_2021_22, QUARTER1_2021_22, load_demo
from risks.models import RiskAssessment

# The report's own "Assessment of progress (Quarter 1)": Our place, Our people, Our
# organisation are the 2021/22 themes below.
PUBLISHED_Q1 = {
    "A city with big ambitions": {"completed": 0, "on_track": 14, "some_slippage": 1},
    "A city of health and happiness": {
        "completed": 0,
        "on_track": 14,
        "some_slippage": 3,
        "major_slippage": 2,
    },
    "A council focused on the things that matter": {
        "completed": 3,
        "on_track": 15,
        "some_slippage": 1,
        "major_slippage": 0,
    },
}


def run(*args: str) -> str:
    out = StringIO()
    call_command("import_results", *args, stdout=out, stderr=out)
    return out.getvalue()


def quarter_one(user: User, *extra: str) -> str:
    return run(
        str(QUARTER1_2021_22),
        "--year",
        "2021/22",
        "--quarter",
        "1",
        "--user",
        user.username,
        *extra,
    )


@pytest.fixture
def year_2021(admin_user: User) -> User:
    run(str(ANNUAL_2021_22), "--year", "2021/22", "--user", admin_user.username)
    return admin_user


def summary(*args: str) -> dict[Any, dict[str, Any]]:
    out = StringIO()
    call_command("performance_summary", "--year", "2021/22", "--format", "json", *args, stdout=out)
    return {row["theme"]: row for row in json.loads(out.getvalue())}


def history_rows() -> int:
    models = (Measure, MeasureUpdate, Action, ActionUpdate, ProjectUpdate, RiskAssessment)
    return sum(m.history.count() for m in models)


def test_it_gives_the_published_q1_assessment_counts(year_2021: User) -> None:
    output = quarter_one(year_2021, "--accept-uncertain")
    assert "actions: 54 updated" in output
    rows = summary("--quarter", "1")
    assert rows[None]["actions_on_track_pct"] == 86.8  # published: 87%
    for theme, counts in PUBLISHED_Q1.items():
        for status, count in counts.items():
            assert rows[theme]["action_statuses"][status] == count, (theme, status)


def test_it_writes_positions_and_supporting_information_into_approved_q1_returns(
    year_2021: User,
) -> None:
    quarter_one(year_2021, "--accept-uncertain")
    update = ActionUpdate.objects.get(
        action__description="Updated Health and Wellbeing Strategy", ret__quarter__number=1
    )
    assert update.status == ActionUpdate.Status.MAJOR_SLIPPAGE
    assert update.ret.quarter.number == 1 and update.ret.state == Return.State.APPROVED
    assert "Derby Place Alliance" in update.commentary
    measure = MeasureUpdate.objects.get(
        measure__description="Children in Care per 10,000 population aged under 18",
        ret__quarter__number=1,
    )
    assert str(measure.actual) == "109.4"  # "109.40 per 10,000 population"
    record = ActionUpdate.history.filter(id=update.pk).earliest()
    assert record.history_user == year_2021
    assert record.history_change_reason == f"import of {QUARTER1_2021_22.name}"


def test_it_lists_each_match_with_its_score_and_the_new_items(year_2021: User) -> None:
    output = quarter_one(year_2021, "--accept-uncertain", "--dry-run")
    assert "(score 92)" in output  # Children looked after (LAC) is Children in Care
    assert "Uncertain matches, the team's choice (3):" in output
    assert "new risk SR19 “Business resilience and loss of jobs in light of COVID-19”" in output
    assert "read from text without columns" in output
    assert not ActionUpdate.objects.filter(ret__quarter__number=1).exists()


def test_it_puts_items_with_no_portfolio_in_one_for_the_team_to_assign(year_2021: User) -> None:
    quarter_one(year_2021, "--accept-uncertain")
    placeholder = Portfolio.objects.get(name="Portfolio to be assigned")
    risk = placeholder.risks.get(reference="SR19")
    assert risk.theme.name == "A city with big ambitions"
    assert risk.assessments.get().threat_score == 6


def test_it_changes_nothing_when_imported_again(year_2021: User) -> None:
    quarter_one(year_2021, "--accept-uncertain")
    before = history_rows()
    output = quarter_one(year_2021, "--accept-uncertain")
    assert "actions: 54 unchanged" in output and "measures: 46 unchanged" in output
    assert history_rows() == before


def test_it_refuses_uncertain_matches_until_accepted(year_2021: User) -> None:
    with pytest.raises(CommandError, match="Some matches are uncertain"):
        quarter_one(year_2021)
    assert not ActionUpdate.objects.filter(ret__quarter__number=1).exists()


def test_it_imports_an_uncertain_match_the_team_says_is_wrong_as_a_new_item(
    year_2021: User,
) -> None:
    """Line 305's "Affordable homes delivered" scores 76 against "Number of new affordable
    homes provided (gross)": told it is another measure, the import creates it."""
    output = quarter_one(year_2021, "--accept-uncertain", "--as-new", "305", "--dry-run")
    assert "Uncertain matches, the team's choice (2):" in output
    assert "line 305: new measure" in output and "“Affordable homes delivered”" in output
    quarter_one(year_2021, "--accept-uncertain", "--as-new", "305")
    created = Measure.objects.get(description="Affordable homes delivered")
    assert created.portfolio.name == "Portfolio to be assigned"
    assert created.updates.get().ret.quarter.number == 1
    assert not MeasureUpdate.objects.filter(
        measure__description="Number of new affordable homes provided (gross)",
        ret__quarter__number=1,
    ).exists()


@pytest.mark.parametrize("line", ["112", "1"])  # a new item's line; a line with no item
def test_it_refuses_as_new_for_a_line_without_an_uncertain_match(
    year_2021: User, line: str
) -> None:
    with pytest.raises(CommandError, match=f"--as-new {line}: no uncertain match is on that"):
        quarter_one(year_2021, "--accept-uncertain", "--as-new", line)
    assert not ActionUpdate.objects.filter(ret__quarter__number=1).exists()


@pytest.mark.parametrize(
    ("year", "quarter", "message"),
    [
        ("2021/22", "5", "Quarter 5 does not exist"),
        ("2019/20", "1", "There is no reporting year 2019/20"),
        ("2021/22", "2", "gives quarter 1 positions, not quarter 2"),
    ],
)
def test_it_refuses_a_quarter_it_cannot_take(
    year_2021: User, year: str, quarter: str, message: str
) -> None:
    with pytest.raises(CommandError, match=message):
        run(str(QUARTER1_2021_22), "--year", year, "--quarter", quarter)
    assert not ActionUpdate.objects.filter(ret__quarter__number__in=[1, 2]).exists()


def test_it_refuses_a_report_whose_items_match_nothing(year_2021: User, tmp_path: Path) -> None:
    path = tmp_path / "other-council.txt"
    path.write_text(
        "Item description\tType*\tQ1 position\tSupporting information\n"
        "Build a new swimming pool on the seafront\tE\tOn track\tWork started.\n",
        encoding="utf-8",
    )
    err = StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_results", str(path), "--year", "2021/22", "--quarter", "1", stderr=err)
    assert "No item of the report matches an item of 2021/22" in err.getvalue()
    assert not Action.objects.filter(description__contains="swimming").exists()


def test_it_refuses_a_file_that_is_not_a_quarterly_report(year_2021: User, tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("Minutes of the meeting\nNothing to report.\n", encoding="utf-8")
    with pytest.raises(CommandError, match="No quarterly report table was found"):
        run(str(path), "--year", "2021/22", "--quarter", "1")


def test_it_loads_the_q1_2021_22_report_in_the_demo(db: None) -> None:
    load_demo(today=timezone.localdate())
    rows = summary("--quarter", "1")
    assert round(rows[None]["actions_on_track_pct"]) == 87


def test_it_says_a_quarterly_report_is_one_when_given_as_an_annual_table(
    year_2021: User,
) -> None:
    with pytest.raises(CommandError, match="import it as quarter 1"):
        run(str(QUARTER1_2021_22), "--year", "2021/22")
