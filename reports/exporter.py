"""Writing a year's annual results table in the format the importer reads (the seeds').

What it writes, the importer reads back to the same data: that round trip is tested.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from collections.abc import Sequence

from measures import rules
from measures.models import Action, ActionUpdate, Measure, MeasureUpdate
from measures.presenters import actual_text
from perfmon import quarters
from perfmon.models import ReportingYear
from perfmon.resources.spreadsheets import escape_formula
from projects.models import Project, ProjectUpdate
from projects.rules import Rating
from risks.models import Risk, RiskAssessment
from risks.rules import PublishedScore, score_text

FORMATS = ("tsv", "csv", "xlsx")
# What ends a cell or a line in TSV, for a spreadsheet or for the importer (splitlines).
_TSV_BREAKS = re.compile("[\t\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


def header(year: ReportingYear) -> list[str]:
    last = quarters.year_label(year.start_year - 1).replace("/", " ")
    this = year.label.replace("/", " ")
    return [
        "Ref",
        "Description",
        f"{last} actual",
        f"{this} Q4 actual",
        "Q4 status",
        "Target",
        "DoT",
        "Council Plan theme",
    ]


def table_rows(year: ReportingYear) -> list[list[str]]:
    """The table: a header, then per portfolio its heading, its actions and measures."""
    measures = list(
        Measure.objects.filter(year=year)
        .select_related("portfolio", "theme", "previous")
        .order_by("portfolio__name", "reference")
    )
    q4 = {
        u.measure_id: u
        for u in MeasureUpdate.objects.filter(
            ret__quarter__number=4,
            measure_id__in=[m.pk for m in measures]
            + [m.previous_id for m in measures if m.previous_id],
        )
    }
    actions = list(
        Action.objects.filter(year=year)
        .select_related("portfolio", "theme")
        .order_by("portfolio__name", "reference")
    )
    action_q4 = {
        u.action_id: u
        for u in ActionUpdate.objects.filter(ret__quarter__number=4, action__in=actions)
    }
    sections: dict[tuple[str, str], list[list[str]]] = defaultdict(list)
    for action in actions:
        update = action_q4.get(action.pk)
        status = update.get_status_display() if update and update.status else "N/A"
        colour = update.colour[0] if update and update.status else "N/A"
        sections[(action.portfolio.name, "actions")].append(
            [
                action.reference,
                action.description,
                "N/A",
                status,
                colour,
                "N/A - action",
                "N/A",
                action.theme.name,
            ]
        )
    for measure in measures:
        unit, polarity = rules.Unit(measure.unit), rules.Polarity(measure.polarity)
        current = q4.get(measure.pk)
        previous = q4.get(measure.previous_id) if measure.previous_id else None
        direction = rules.direction_of_travel(
            current=current.actual if current else None,
            previous=previous.actual if previous else None,
            polarity=polarity,
        )
        target = rules.format_value(measure.target, unit) if measure.target is not None else "N/A"
        sections[(measure.portfolio.name, "measures")].append(
            [
                measure.reference,
                measure.description,
                actual_text(previous, unit),
                actual_text(current, unit),
                current.shown_status if current and current.shown_status else "N/A",
                target,
                direction.label,
                measure.theme.name,
            ]
        )
    _projects_and_risks(year, sections)
    portfolios = sorted({name for name, _ in sections})
    rows = [header(year)]
    width = len(rows[0])
    label = year.label.replace("/", " ")
    for name in portfolios:
        rows.append([name] + [""] * (width - 1))
        for kind, heading in (
            ("actions", f"Actions identified in the Delivery Plan {label}"),
            ("measures", "Delivery Plan measures"),
            ("projects", "Priority projects and strategic risks"),
        ):
            if sections[(name, kind)]:
                rows.append([heading] + [""] * (width - 1))
                rows.extend(sections[(name, kind)])
    return rows


def render(rows: Sequence[Sequence[str]], fmt: str) -> bytes:
    """The table as TSV, CSV or XLSX bytes. In every format a cell a spreadsheet would run
    as a formula is escaped with a leading apostrophe (escape_formula: the importer takes
    it off again). In TSV a cell's tabs and line breaks become spaces: the format cannot
    hold them, and a line break would start a line that no escaping had looked at."""
    if fmt == "tsv":
        lines = ("\t".join(escape_formula(_TSV_BREAKS.sub(" ", c)) for c in row) for row in rows)
        return ("\n".join(lines) + "\n").encode("utf-8")
    safe = [[escape_formula(cell) for cell in row] for row in rows]
    if fmt == "csv":
        buffer = io.StringIO()
        csv.writer(buffer).writerows(safe)
        return buffer.getvalue().encode("utf-8")
    if fmt == "xlsx":
        from openpyxl import Workbook
        from openpyxl.styles import Font

        workbook = Workbook()
        sheet = workbook.active
        sheet.title = "Annual results"
        for row in safe:
            sheet.append(row)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        buffer_bytes = io.BytesIO()
        workbook.save(buffer_bytes)
        return buffer_bytes.getvalue()
    raise ValueError(f"Unknown format {fmt!r}: use one of {', '.join(FORMATS)}.")


def _projects_and_risks(
    year: ReportingYear, sections: dict[tuple[str, str], list[list[str]]]
) -> None:
    """Each project with its Q4 DCA and each risk with its Q4 score, as the council
    publishes them ("Green/Amber", "Risk score 16")."""
    projects = list(
        Project.objects.filter(year=year)
        .select_related("portfolio", "theme")
        .order_by("portfolio__name", "reference")
    )
    dca = {
        u.project_id: u.dca
        for u in ProjectUpdate.objects.filter(ret__quarter__number=4, project__in=projects)
    }
    for project in projects:
        rating = dca.get(project.pk)
        sections[(project.portfolio.name, "projects")].append(
            [
                project.reference,
                project.name,
                "N/A",
                "N/A",
                Rating(rating).label if rating else "N/A",
                "N/A - project",
                "N/A",
                project.theme.name,
            ]
        )
    risks = list(
        Risk.objects.filter(year=year)
        .select_related("portfolio", "theme")
        .order_by("portfolio__name", "reference")
    )
    scores = {
        a.risk_id: score_text(
            PublishedScore(threat=a.threat_score, opportunity=a.opportunity_score)
        )
        for a in RiskAssessment.objects.filter(ret__quarter__number=4, risk__in=risks)
    }
    for risk in risks:
        sections[(risk.portfolio.name, "projects")].append(
            [
                risk.reference,
                risk.title,
                "N/A",
                "N/A",
                scores.get(risk.pk) or "N/A",
                "N/A - risk",
                "N/A",
                risk.theme.name,
            ]
        )
