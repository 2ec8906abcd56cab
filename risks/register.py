"""The risk register and the heat map of a quarter, built from approved assessments.

Both pages run a fixed number of queries however many risks there are: the year's risks
in one, this quarter's assessments in one, last quarter's in one (for quarter 1, last
year's quarter 4 of the risk each continues), and the matrix in four.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.urls import reverse

from perfmon.models import Portfolio, Quarter, User
from risks import rules
from risks.access import published_assessments
from risks.models import Risk, RiskAssessment, SideAssessment
from risks.sections import since_words


@dataclass(frozen=True)
class SideView:
    """One side of a risk this quarter, with last quarter's beside it."""

    now: SideAssessment
    previous: SideAssessment | None
    change: str

    @property
    def movement(self) -> rules.Movement:
        return rules.movement(
            previous=self.previous.score if self.previous else None, current=self.now.score
        )

    @property
    def moved_cell(self) -> bool:
        """Placed now and last quarter, in a different cell."""
        before = self.previous
        return (
            before is not None
            and before.placed
            and self.now.placed
            and (before.likelihood, before.impact) != (self.now.likelihood, self.now.impact)
        )


@dataclass(frozen=True)
class RegisterRow:
    risk: Risk
    assessment: RiskAssessment | None
    sides: list[SideView]

    def side(self, side: rules.Side) -> SideView | None:
        return next((view for view in self.sides if view.now.side is side), None)

    @property
    def threat(self) -> SideView | None:
        return self.side(rules.Side.THREAT)

    @property
    def opportunity(self) -> SideView | None:
        return self.side(rules.Side.OPPORTUNITY)


def register_url(quarter: Quarter, side: rules.Side, **cell: int) -> str:
    query = {"year": quarter.year.start_year, "quarter": quarter.number, "side": side.value}
    return f"{reverse('risks:register')}?{urlencode(query | cell)}"


def heat_map_url(quarter: Quarter, side: rules.Side) -> str:
    query = {"year": quarter.year.start_year, "quarter": quarter.number, "side": side.value}
    return f"{reverse('risks:heat_map')}?{urlencode(query)}"


def register_rows(
    user: User, quarter: Quarter, *, portfolio: Portfolio | None = None
) -> list[RegisterRow]:
    """Every risk of the quarter's year (of one portfolio if given), with its approved
    assessment for the quarter and last quarter's, ordered by portfolio and reference."""
    chosen = Risk.objects.filter(year=quarter.year).select_related("portfolio", "theme", "owner")
    if portfolio is not None:
        chosen = chosen.filter(portfolio=portfolio)
    risks = list(chosen.order_by("portfolio__name", "reference"))
    now = {
        a.risk_id: a
        for a in published_assessments(user).filter(ret__quarter=quarter, risk__in=risks)
    }
    before = previous_assessments(user, quarter, risks)
    since = since_words(quarter.year.start_year, quarter.number)
    rows = []
    for risk in risks:
        assessment, previous = now.get(risk.pk), before.get(risk.pk)
        sides = []
        if assessment is not None:
            for side in risk.sides:
                this, last = assessment.side(side), previous.side(side) if previous else None
                last = last if last and last.score is not None else None
                change = rules.change_in_words(
                    previous=last.score if last else None, current=this.score, since=since
                )
                sides.append(SideView(now=this, previous=last, change=change))
        rows.append(RegisterRow(risk=risk, assessment=assessment, sides=sides))
    return rows


def previous_assessments(
    user: User, quarter: Quarter, risks: list[Risk]
) -> dict[int, RiskAssessment]:
    """Last quarter's approved assessment of each risk, by risk id. For quarter 1 that is
    last year's quarter 4 of the risk it continues (`previous`)."""
    found = published_assessments(user)
    if quarter.number > 1:
        previous = found.filter(
            risk__in=risks, ret__quarter__year=quarter.year, ret__quarter__number=quarter.number - 1
        )
        return {a.risk_id: a for a in previous}
    continued = {risk.previous_id: risk.pk for risk in risks if risk.previous_id}
    previous = found.filter(
        risk__in=list(continued),
        ret__quarter__year__start_year=quarter.year.start_year - 1,
        ret__quarter__number=4,
    )
    return {continued[a.risk_id]: a for a in previous}


def in_cell(row: RegisterRow, side: rules.Side, likelihood: int | None, impact: int | None) -> bool:
    """Whether the row has `side` assessed, in the given cell (None: any)."""
    view = row.side(side)
    if view is None or view.now.score is None:
        return False
    if likelihood is None and impact is None:
        return True
    if not view.now.placed:
        return False
    return (likelihood is None or view.now.likelihood == likelihood) and (
        impact is None or view.now.impact == impact
    )


# The heat map ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    likelihood: int
    impact: int
    level: rules.Level | None
    count: int
    was_here: int  # risks in this cell last quarter
    references: tuple[str, ...]
    url: str

    @property
    def score(self) -> int:
        return self.likelihood * self.impact

    @property
    def fill(self) -> str:
        """A light shade of the level's colour, dark text staying readable on it."""
        return FILLS.get(self.level.colour if self.level else "", "#ffffff")


@dataclass(frozen=True)
class Move:
    risk: Risk
    view: SideView


@dataclass
class HeatMap:
    side: rules.Side
    matrix: rules.Matrix
    rows: list[list[Cell]]  # impact 4 (top) to 1, each likelihood 1 to 4
    moves: list[Move] = field(default_factory=list)
    score_only: list[RegisterRow] = field(default_factory=list)
    unassessed: list[RegisterRow] = field(default_factory=list)

    @property
    def placed(self) -> int:
        return sum(cell.count for row in self.rows for cell in row)


def build_heat_map(
    rows: list[RegisterRow], *, quarter: Quarter, side: rules.Side, matrix: rules.Matrix
) -> HeatMap:
    now: Counter[tuple[int, int]] = Counter()
    before: Counter[tuple[int, int]] = Counter()
    references: dict[tuple[int, int], list[str]] = {}
    heat = HeatMap(side=side, matrix=matrix, rows=[])
    for row in rows:
        if side not in row.risk.sides:
            continue
        view = row.side(side)
        if view is None or view.now.score is None:
            heat.unassessed.append(row)
            continue
        if view.previous is not None and view.previous.cell is not None:
            before[view.previous.cell] += 1
        cell = view.now.cell
        if cell is None:
            heat.score_only.append(row)
            continue
        now[cell] += 1
        references.setdefault(cell, []).append(row.risk.reference)
        if view.moved_cell:
            heat.moves.append(Move(risk=row.risk, view=view))
    heat.rows = [
        [
            Cell(
                likelihood=lk,
                impact=im,
                level=matrix.cells.get((lk, im)),
                count=now[(lk, im)],
                was_here=before[(lk, im)],
                references=tuple(references.get((lk, im), ())),
                url=register_url(quarter, side, likelihood=lk, impact=im),
            )
            for lk in rules.SCALE
        ]
        for im in reversed(rules.SCALE)
    ]
    return heat


# Drawing it: an inline SVG, impact up the side and likelihood along the bottom ----------

CELL, LEFT, TOP = 120, 170, 10
# Light tints of the GOV.UK tag colours; black text on each is well above 4.5:1.
FILLS = {
    "green": "#cce2d8",
    "yellow": "#fff7bf",
    "orange": "#fcd6c3",
    "red": "#f4cdc6",
    "grey": "#eeefef",
    "light-blue": "#e8f1f8",
    "blue": "#bbd4ea",
    "purple": "#dbd5e9",
    "pink": "#f9e1ec",
    "turquoise": "#d4ecea",
}
WIDTH, HEIGHT = LEFT + 4 * CELL + 10, TOP + 4 * CELL + 80


@dataclass(frozen=True)
class Arrow:
    """From where a risk was last quarter to where it is now, in SVG coordinates."""

    x1: float
    y1: float
    x2: float
    y2: float
    label: str


def cell_origin(likelihood: int, impact: int) -> tuple[int, int]:
    return LEFT + (likelihood - 1) * CELL, TOP + (4 - impact) * CELL


def _point(likelihood: int, impact: int, index: int, towards: int) -> tuple[float, float]:
    # Beside the cell's words (centred, at most about 70 wide at this height), on the side
    # facing the other end's likelihood, a little apart for each risk: a move to the next
    # cell is a short arrow across the border; longer lines pass behind other cells' words,
    # which are painted over them.
    x, y = cell_origin(likelihood, impact)
    side = 14 if towards < likelihood else CELL - 12
    return x + side, y + CELL / 2 + 2 + (index % 4 - 1.5) * 4


def arrows(moves: list[Move]) -> list[Arrow]:
    """An arrow per move, each a little apart so several between the same cells show."""
    drawn = []
    for index, move in enumerate(moves):
        start = move.view.previous.cell if move.view.previous else None
        end = move.view.now.cell
        assert start is not None and end is not None, "a move is between two cells"
        x1, y1 = _point(*start, index, towards=end[0])
        x2, y2 = _point(*end, index, towards=start[0])
        # Stop short of the end, so heads of arrows into one cell do not meet.
        length = max(((x2 - x1) ** 2 + (y2 - y1) ** 2) ** 0.5, 1)
        shorten = min(8, length / 4)
        x2, y2 = x2 - (x2 - x1) * shorten / length, y2 - (y2 - y1) * shorten / length
        label = f"{move.risk.reference}: {move.view.change}"
        drawn.append(Arrow(round(x1, 1), round(y1, 1), round(x2, 1), round(y2, 1), label))
    return drawn


def axis_labels(matrix: rules.Matrix, axis: str) -> list[tuple[float, rules.Point]]:
    """Where each step of an axis is written: y for impact (4 at the top), x for
    likelihood."""
    points = matrix.impact if axis == "impact" else matrix.likelihood
    placed = []
    for value in rules.SCALE:
        point = points.get(value, rules.Point(value, ""))
        x, y = cell_origin(value, value)
        placed.append((y + CELL / 2 if axis == "impact" else x + CELL / 2, point))
    return placed
