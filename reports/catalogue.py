"""The reports perfmon publishes: each one's slug, title, builder and description.

Read by the pages (reports.views) and by whatever makes a report's files, in the request
or on a Celery worker (reports.report_files).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from reports.builders.annual import build_annual
from reports.builders.common import Filters
from reports.builders.exceptions import build_exceptions
from reports.builders.quarterly import build_quarterly
from reports.builders.summary import build_summary
from reports.builders.trend import build_trend


@dataclass(frozen=True)
class Report:
    slug: str
    title: str
    builder: Callable[[Filters], Any]
    about: str


REPORTS = {
    report.slug: report
    for report in (
        Report(
            "annual",
            "Annual performance results",
            build_annual,
            "The year's outturn as the council publishes it: the summary by theme, then for "
            "each Cabinet portfolio its actions, measures, priority projects and strategic "
            "risks, with last year's actual, the Q4 actual, status, target and direction of "
            "travel, and the key.",
        ),
        Report(
            "summary",
            "Summary by theme",
            build_summary,
            "For a year and quarter, per Council Plan theme and for the whole council: how "
            "many measures, actions, risks and projects, the % of measures meeting target and "
            "improved since last year, the % of actions on track and of projects Green or "
            "Amber. How each figure is counted is printed under the table.",
        ),
        Report(
            "quarterly",
            "Quarterly performance report",
            build_quarterly,
            "Per theme: the assessment of progress of actions, key achievements, priorities "
            "for development (slippage), projects rated red or amber/red, then the "
            "supporting information of every item.",
        ),
        Report(
            "trend",
            "Trend over time",
            build_trend,
            "How many measures and actions were in each rating at the end of each quarter of "
            "the year, as charts and tables, and each item's rating beside last quarter's.",
        ),
        Report(
            "exceptions",
            "Exception report",
            build_exceptions,
            "For a committee: only the measures rated Amber or Red, actions with slippage, "
            "projects rated red or amber/red, and risks scoring 12 or more.",
        ),
    )
}
