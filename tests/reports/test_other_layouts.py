"""Tables as other councils and years wrote them, read without a profile."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from measures.models import ActionUpdate, Measure
from perfmon.models import User

# Reference and description in one column, actuals named by their years (outturn), a
# year-end target, no theme or portfolio column: heading rows (in markup left by the PDF)
# give the priority, an outcome under it and the section; older words in the status and
# direction columns.
OLDER = """Council Plan performance 2019/20

<b>Ref and description</b>\t2018/19 outturn\t2019/20 outturn\tYear-end target\tStatus\tTrend
<b>A safe and healthy city</b>
Outcome: people live healthier lives
Council Plan measures
HW PM01 Adults who are physically active\t60%\t62%\t65%\tAmber\tImproved
HW PM02 Smoking quit rate\t58%\t61%\t60%\tProvisional\tImproved
Actions
HW A1 Open the new health hub\tN/A\tCompleted\tN/A - milestone\tMilestone\tPlanned
**A prosperous city**
Outcome: more people in good jobs
Council Plan measures
PR PM01 Jobs created through council support\t300\t320\tNo target\tNo target\tNo change
"""


def run(path: Path, user: User) -> str:
    out = StringIO()
    call_command(
        "import_results", str(path), "--year", "2019/20", "--user", user.username, stdout=out
    )
    return out.getvalue()


@pytest.fixture
def older(tmp_path: Path) -> Path:
    path = tmp_path / "council-plan-2019-20.txt"
    path.write_text(OLDER, encoding="utf-8")
    return path


def test_it_reads_a_layout_with_headings_for_priorities_and_outcomes(
    older: Path, admin_user: User
) -> None:
    output = run(older, admin_user)
    assert "measures: 3 new" in output and "actions: 1 new" in output
    active = Measure.objects.get(reference="HW PM01", year__start_year=2019)
    assert active.description == "Adults who are physically active"
    assert active.theme.name == "A safe and healthy city"
    assert active.target == Decimal("65")
    update = active.updates.get()
    assert update.actual == Decimal("62") and update.status == "Amber"
    assert active.previous is not None and active.previous.updates.get().actual == Decimal("60")
    jobs = Measure.objects.get(reference="PR PM01", year__start_year=2019)
    assert jobs.theme.name == "A prosperous city" and jobs.target is None


def test_it_lists_items_with_no_portfolio_for_the_team_to_assign(
    older: Path, admin_user: User
) -> None:
    output = run(older, admin_user)
    assert "No portfolio: imported under its theme “A safe and healthy city”" in output
    assert (
        Measure.objects.get(reference="HW PM01", year__start_year=2019).portfolio.name
        == "Portfolio to be assigned"
    )


def test_it_reads_older_status_and_direction_words(older: Path, admin_user: User) -> None:
    run(older, admin_user)
    quit_rate = Measure.objects.get(reference="HW PM02", year__start_year=2019).updates.get()
    assert quit_rate.provisional and quit_rate.status_override == ""
    action = ActionUpdate.objects.get(action__reference="HW A1")
    assert action.status == ActionUpdate.Status.COMPLETED
    jobs = Measure.objects.get(reference="PR PM01", year__start_year=2019)
    assert jobs.updates.get().status_override == ""  # "No target" is not a rating
