"""Matching a quarterly performance report (reports.quarterly_table) to a year's items.

The report names items by their text, not their references, so each item is matched to
the year's items of its kind by RapidFuzz's token set ratio of the descriptions. A match
scoring CERTAIN or more is taken; one between UNCERTAIN and CERTAIN is the team's choice
(`accept_uncertain` when writing); below that the item is new, created under its theme in
the portfolio PLACEHOLDER_PORTFOLIO for the team to assign. Nothing is written here:
reports.quarterly_writer writes a plan.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz, process, utils

from measures.models import Action, Measure
from perfmon.models import ReportingYear, Theme
from projects.models import Project
from projects.rules import parse_dca
from reports.annual_table import TableError
from reports.importer import (
    ACTION_STATUSES,
    PLACEHOLDER_PORTFOLIO,
    Problem,
    generated_reference,
)
from reports.quarterly_table import QuarterlyReport, ReportItem, read_report
from risks.models import Risk
from risks.rules import parse_score_text

CERTAIN = 88.0
UNCERTAIN = 70.0
MIN_WORDS_FOR_NEW = 4

_RISK = re.compile(r"^(?:new strategic risk|s\s*r?\s*\d+)", re.IGNORECASE)
_RISK_REF = re.compile(r"^.{0,20}?\b(S\s?R?\s?\d+(?:_\w+)?)\s*[-–:]\s*")
_PROJECT = re.compile(
    r"^deliver(?:ing|y of) our (?:priority |transforming cities )?projects\s*[-–]?\s*",
    re.IGNORECASE,
)
MODELS: dict[str, type[Any]] = {
    "action": Action,
    "measure": Measure,
    "project": Project,
    "risk": Risk,
}
TEXT_FIELD = {"action": "description", "measure": "description", "project": "name", "risk": "title"}


@dataclass
class Match:
    """One item of the report and what perfmon will do with it."""

    item: ReportItem
    kind: str
    text: str  # the item's description as the report gives it, cleaned
    reference: str  # the matched item's, or the one a new item gets
    matched_text: str = ""
    score: float = 0.0
    theme: str = ""

    @property
    def outcome(self) -> str:
        if not self.matched_text:
            return "new"
        return "matched" if self.score >= CERTAIN else "uncertain"

    def __str__(self) -> str:
        if self.outcome == "new":
            return f"line {self.item.line}: new {self.kind} {self.reference} “{self.text}”"
        return (
            f"line {self.item.line}: {self.kind} “{self.text}” is {self.reference} "
            f"“{self.matched_text}” (score {self.score:.0f})"
        )


@dataclass
class QuarterlyPlan:
    start_year: int
    quarter: int
    matches: list[Match] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    def by_outcome(self, outcome: str) -> list[Match]:
        return [m for m in self.matches if m.outcome == outcome]


def _kind(item: ReportItem) -> str | None:
    """What kind of item the row is, from its position and description; None where the
    position says nothing perfmon can read ("N/A" fits an action and a measure)."""
    position = item.position.lower()
    if position.startswith(("risk score", "opportunity")) or _RISK.match(item.description):
        return "risk"
    if _PROJECT.match(item.description):
        return "project"
    if position in ACTION_STATUSES and position != "n/a":
        return "action"
    if position == "n/a":
        return None
    try:
        parse_dca(item.position)
    except ValueError:
        return "measure"
    return "project"


def _text(kind: str, description: str) -> str:
    if kind == "project":
        return _PROJECT.sub("", description)
    if kind == "risk":
        return _RISK_REF.sub("", description)
    return description


def _candidates(year: ReportingYear) -> dict[str, dict[str, str]]:
    """Each kind's items in the year: {reference: text}."""
    return {
        kind: dict(model.objects.filter(year=year).values_list("reference", TEXT_FIELD[kind]))
        for kind, model in MODELS.items()
    }


def _theme_of(line: int, headings: list[tuple[int, str]], themes: list[str]) -> str:
    """The year's theme named by the last heading above `line` that names one."""
    for _, text in reversed([h for h in headings if h[0] < line]):
        found = process.extractOne(
            text, themes, scorer=fuzz.partial_ratio, processor=utils.default_process
        )
        if found is not None and found[1] >= 90 and len(text) < 80:
            return str(found[0])
    return ""


def plan_quarter(
    report: QuarterlyReport, *, year: ReportingYear, as_new: Collection[int] = ()
) -> QuarterlyPlan:
    """Match every item of the report to the year's items; nothing is written. The best
    scoring pairs are taken first, so two items never take one of the year's items. The
    items on the lines `as_new` take none of their uncertain matches (the team said they
    were wrong): unless one of them matches for certain, they are new items."""
    plan = QuarterlyPlan(start_year=year.start_year, quarter=report.quarter)
    candidates = _candidates(year)
    themes = list(Theme.objects.for_year(year).values_list("name", flat=True))
    item_themes = _item_themes(year)
    pairs: list[tuple[float, int, Match]] = []
    for index, item in enumerate(report.items):
        for match in _pairs(item, candidates):
            if match.score >= CERTAIN or item.line not in as_new:
                pairs.append((match.score, -index, match))
    taken: dict[str, Match] = {}
    placed: set[int] = set()
    for _, _, match in sorted(pairs, key=lambda pair: (-pair[0], -pair[1])):
        key = f"{match.kind}:{match.reference}"
        if id(match.item) in placed or key in taken:
            continue
        match.theme = item_themes[(match.kind, match.reference)]
        taken[key] = match
        placed.add(id(match.item))
    by_item = {id(m.item): m for m in taken.values()}
    for item in report.items:
        found = by_item.get(id(item)) or _new(
            item, plan, report.headings, themes, chosen=item.line in as_new
        )
        if found is not None:
            plan.matches.append(found)
    _read_loose_text(report, candidates["action"], taken, item_themes, plan)
    plan.warnings.extend(unreadable_positions(plan))
    if not any(m.matched_text for m in plan.matches):
        plan.problems.append(
            Problem(
                0,
                "",
                f"No item of the report matches an item of {year.label}: is it that year's "
                "report? Import the year's annual results table first.",
            )
        )
    return plan


def _item_themes(year: ReportingYear) -> dict[tuple[str, str], str]:
    return {
        (kind, reference): theme
        for kind, model in MODELS.items()
        for reference, theme in model.objects.filter(year=year).values_list(
            "reference", "theme__name"
        )
    }


def _pairs(item: ReportItem, candidates: dict[str, dict[str, str]]) -> list[Match]:
    """The item's plausible matches (scoring UNCERTAIN or more) among the year's items of
    its kind, or of both kinds an "N/A" position may be."""
    if not item.position:
        return []
    kind = _kind(item)
    found = []
    for each in [kind] if kind else ["action", "measure"]:
        text = _text(each, item.description)
        for matched_text, score, reference in process.extract(
            text,
            candidates[each],
            scorer=fuzz.token_set_ratio,
            processor=utils.default_process,
            limit=5,
            score_cutoff=UNCERTAIN,
        ):
            found.append(Match(item, each, text, str(reference), str(matched_text), float(score)))
    return found


def _new(
    item: ReportItem,
    plan: QuarterlyPlan,
    headings: list[tuple[int, str]],
    themes: list[str],
    *,
    chosen: bool = False,
) -> Match | None:
    """An item matching none of the year's: new under the theme its heading names, or
    left out (with a warning) when it does not read as an item, unless the team `chosen`
    it as new (it had a match)."""
    kind = _kind(item) or "measure"
    short = len(item.description.split()) < MIN_WORDS_FOR_NEW
    if not item.position or (short and not chosen):
        plan.warnings.append(
            Problem(
                item.line,
                "Item description",
                f"“{item.description}” (position “{item.position}”) was not read: it "
                "matches no item and does not read as one.",
            )
        )
        return None
    text = _text(kind, item.description)
    match = Match(item, kind, text, _new_reference(kind, item.description))
    match.theme = _theme_of(item.line, headings, themes)
    if not match.theme:
        plan.problems.append(
            Problem(
                item.line,
                "Theme",
                f"“{text}” matches no item of the year, and no heading above it names "
                "one of the year's themes.",
            )
        )
        return None
    return match


def _new_reference(kind: str, text: str) -> str:
    found = _RISK_REF.match(text) if kind == "risk" else None
    if found:
        return re.sub(r"\s+", "", found.group(1)).upper()
    return generated_reference(kind, PLACEHOLDER_PORTFOLIO, _text(kind, text))


def _read_loose_text(
    report: QuarterlyReport,
    actions: dict[str, str],
    taken: dict[str, Match],
    item_themes: dict[tuple[str, str], str],
    plan: QuarterlyPlan,
) -> None:
    """Pages whose columns were lost still hold actions: each action of the year not yet
    matched whose opening words are in the text takes the first action status after them."""
    # As a status is written in the position column (prose says "completed" too).
    statuses = re.compile(
        "|".join(re.escape(s.capitalize()) for s in ACTION_STATUSES if s != "n/a")
    )
    for line, text in report.loose_text:
        for reference, description in actions.items():
            if f"action:{reference}" in taken:
                continue
            opening = " ".join(description.split()[:4])
            start = text.lower().find(opening.lower())
            if start < 0:
                continue
            status = statuses.search(text, start + len(opening))
            if status is None:
                continue
            item = ReportItem(line=line, description=opening, position=status.group(0))
            match = Match(
                item=item,
                kind="action",
                text=f"{opening} …",
                reference=reference,
                matched_text=description,
                score=100.0,
                theme=item_themes[("action", reference)],
            )
            taken[f"action:{reference}"] = match
            plan.matches.append(match)
            plan.warnings.append(
                Problem(
                    line,
                    "Q position",
                    f"{reference} “{description}” read from text without columns: "
                    f"“{status.group(0)}”.",
                )
            )


def reads(parse: Any, text: str) -> bool:
    try:
        parse(text)
    except ValueError:
        return False
    return True


def unreadable_positions(plan: QuarterlyPlan) -> list[Problem]:
    """Projects and risks whose position neither service can read: left out, listed."""
    return [
        Problem(
            m.item.line,
            "Q position",
            f"“{m.item.position}” is not a {'DCA' if m.kind == 'project' else 'risk score'}: "
            f"{m.kind} “{m.text}” left out.",
        )
        for m in plan.matches
        if m.kind in {"project", "risk"}
        and not reads(parse_dca if m.kind == "project" else parse_score_text, m.item.position)
    ]


def read_quarterly_report(
    *, data: bytes, start_year: int, quarter: int, as_new: Collection[int] = ()
) -> QuarterlyPlan:
    """Read and match a quarterly report for quarter `quarter` of the year starting
    `start_year`, the items on the lines `as_new` taken as new (see plan_quarter). Raises
    TableError with a sentence when the year does not exist, the quarter is not 1 to 4,
    the file is not a quarterly report or reports another quarter."""
    if quarter not in (1, 2, 3, 4):
        raise TableError(f"Quarter {quarter} does not exist: a quarter is 1, 2, 3 or 4.")
    year = ReportingYear.objects.filter(start_year=start_year).first()
    if year is None:
        label = f"{start_year}/{(start_year + 1) % 100:02d}"
        raise TableError(
            f"There is no reporting year {label}: import its annual results table, or "
            "add the year in the admin, before its quarters."
        )
    if b"\x00" in data[:4096]:
        raise TableError("This is not a text file: a quarterly report is read as text.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    report = read_report(text.splitlines())
    if report.quarter != quarter:
        raise TableError(
            f"The report gives quarter {report.quarter} positions, not quarter {quarter}'s."
        )
    return plan_quarter(report, year=year, as_new=as_new)
