"""Each item's result for one quarter, as every report reads it: measures with their
actual, target, status and direction of travel; actions with their status; projects with
their rating; risks with their score."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from measures import rules
from measures.models import Action, ActionUpdate, Measure, MeasureUpdate
from measures.presenters import actual_text
from perfmon import quarters
from projects.models import Project, ProjectUpdate
from projects.rules import Rating
from reports.builders.common import (
    Counting,
    Loaded,
    Status,
    action_status,
    computed_status,
    measure_status,
)
from risks.models import Risk, RiskAssessment
from risks.rules import change_in_words


@dataclass(frozen=True)
class MeasureResult:
    measure: Measure
    update: MeasureUpdate | None
    last_year: MeasureUpdate | None  # the same quarter last year, through the lineage
    status: Status | None
    computed: Status | None  # the rule's status where the council overrode it
    direction: rules.Direction

    @property
    def unit(self) -> rules.Unit:
        return rules.Unit(self.measure.unit)

    @property
    def actual(self) -> Decimal | None:
        return self.update.actual if self.update else None

    @property
    def last_year_actual(self) -> Decimal | None:
        return self.last_year.actual if self.last_year else None

    @property
    def target(self) -> Decimal | None:
        if self.update is not None and self.update.target is not None:
            return self.update.target
        return self.measure.target

    @property
    def actual_text(self) -> str:
        return actual_text(self.update, self.unit)

    @property
    def last_year_text(self) -> str:
        return actual_text(self.last_year, self.unit)

    @property
    def target_text(self) -> str:
        return rules.format_value(self.target, self.unit) if self.target is not None else "N/A"

    @property
    def earlier_period(self) -> bool:
        return bool(self.update and self.update.period_label)

    @property
    def commentary(self) -> str:
        return self.update.commentary if self.update else ""

    def meets_target(self, counting: Counting) -> bool | None:
        """True or False where it counts towards "% meeting target", None where it does not."""
        if self.target is None or self.actual is None or self.status is None:
            return None
        if self.measure.polarity == rules.Polarity.NONE.value:
            return None
        if counting.exclude_earlier_period and self.earlier_period:
            return None
        label = self.status.label
        if label in counting.rate_published_statuses and self.computed is not None:
            label = self.computed.label  # the scheme's status, not the published word
        return label in counting.met_statuses

    def improved(self, counting: Counting) -> bool | None:
        """True or False where it counts towards "% improved", None where it does not."""
        if self.direction is rules.Direction.NOT_APPLICABLE:
            return None
        last_year_earlier = bool(self.last_year and self.last_year.period_label)
        if counting.exclude_earlier_period and (self.earlier_period or last_year_earlier):
            return None  # not like for like
        if self.direction is rules.Direction.SAME:
            return counting.same_counts_as_improved
        return self.direction is rules.Direction.IMPROVING


def measure_result(loaded: Loaded, measure: Measure, number: int) -> MeasureResult:
    update = loaded.measure_updates.get((measure.pk, number))
    last_year = loaded.last_year.get((measure.previous_id, number)) if measure.previous_id else None
    return MeasureResult(
        measure=measure,
        update=update,
        last_year=last_year,
        status=measure_status(update, loaded.colours),
        computed=computed_status(update),
        direction=rules.direction_of_travel(
            current=update.actual if update else None,
            previous=last_year.actual if last_year else None,
            polarity=rules.Polarity(measure.polarity),
        ),
    )


@dataclass(frozen=True)
class ActionResult:
    action: Action
    update: ActionUpdate | None
    # The latest position of an earlier quarter this year, where this quarter has none.
    earlier: ActionUpdate | None = None

    @property
    def status(self) -> Status | None:
        return action_status(self.update)

    @property
    def status_value(self) -> str:
        return self.update.status if self.update else ""

    @property
    def rag(self) -> Status | None:
        """Blue/Green/Amber/Red, as the annual table's status column writes it."""
        if self.update is None or not self.update.status:
            return None
        return Status(*self.update.colour)

    @property
    def commentary(self) -> str:
        return self.update.commentary if self.update else ""

    def counted_status(self, counting: Counting) -> str:
        """The status the summary counts: this quarter's, or the latest earlier one where
        the convention counts it; "" for none."""
        status = self.status_value
        if not status and self.earlier is not None and counting.count_earlier_positions:
            status = self.earlier.status
        return status

    def on_track(self, counting: Counting) -> bool | None:
        update = self.update
        if (
            update is not None
            and update.rating is not None
            and update.status not in ActionUpdate.COLOURS
        ):
            # A label of the council's own scheme says what it counts as.
            return update.rating.on_track if update.rating.rated else None
        status = self.counted_status(counting)
        if not status or status == ActionUpdate.Status.NOT_APPLICABLE:
            return None
        return status in counting.actions_on_track


def action_result(loaded: Loaded, action: Action, number: int) -> ActionResult:
    update = loaded.action_updates.get((action.pk, number))
    earlier = None
    if update is None or not update.status:
        earlier = next(
            (
                found
                for before in range(number - 1, 0, -1)
                if (found := loaded.action_updates.get((action.pk, before))) and found.status
            ),
            None,
        )
    return ActionResult(action=action, update=update, earlier=earlier)


@dataclass(frozen=True)
class ProjectResult:
    project: Project
    update: ProjectUpdate | None
    rating_field: str  # "dca" or "rag"

    @property
    def rating_value(self) -> str:
        if self.update is None:
            return ""
        return getattr(self.update, self.rating_field) or self.update.dca or self.update.rag

    @property
    def rating(self) -> Status | None:
        if not self.rating_value:
            return None
        rating = Rating(self.rating_value)
        return Status(rating.label, rating.colour)

    @property
    def rag(self) -> Status | None:
        if self.update is None or not self.update.rag:
            return None
        rating = Rating(self.update.rag)
        return Status(rating.label, rating.colour)

    @property
    def dca(self) -> Status | None:
        if self.update is None or not self.update.dca:
            return None
        rating = Rating(self.update.dca)
        return Status(rating.label, rating.colour)

    @property
    def commentary(self) -> str:
        return self.update.commentary if self.update else ""

    def green_or_amber(self, counting: Counting) -> bool | None:
        if not self.rating_value or self.rating_value == "pre_start_completed":
            return None
        return self.rating_value in counting.projects_green_or_amber

    @property
    def red_or_amber_red(self) -> bool:
        return self.rating_value in {"red", "amber_red"}


def project_results(loaded: Loaded, number: int) -> list[ProjectResult]:
    field = "rag" if loaded.counting.project_rating == "rag" else "dca"
    return [
        ProjectResult(p, loaded.project_updates.get((p.pk, number)), field) for p in loaded.projects
    ]


@dataclass(frozen=True)
class RiskResult:
    """A strategic risk this quarter, with last quarter's assessment for the change."""

    risk: Risk
    assessment: RiskAssessment | None
    before: RiskAssessment | None
    since: str  # "the end of March 2021"

    @property
    def score(self) -> int | None:
        return self.assessment.threat_score if self.assessment else None

    @property
    def opportunity_score(self) -> int | None:
        return self.assessment.opportunity_score if self.assessment else None

    @property
    def previous_score(self) -> int | None:
        return self.before.threat_score if self.before else None

    @property
    def score_text(self) -> str:
        """ "Risk score 16", with "Opportunity score 12" where the risk has one."""
        parts = []
        if self.score is not None:
            parts.append(f"Risk score {self.score}")
        if self.opportunity_score is not None:
            parts.append(f"Opportunity score {self.opportunity_score}")
        return " ".join(parts) or "Not assessed"

    @property
    def status(self) -> Status | None:
        if self.assessment is None or self.score is None:
            return None
        return Status(self.score_text, self.assessment.threat_level_colour or "grey")

    @property
    def changed(self) -> bool:
        return (
            self.score is not None
            and self.previous_score is not None
            and self.score != self.previous_score
        )

    @property
    def change_words(self) -> str:
        """ "reduced from 8 at the end of March 2021 to 6"."""
        return change_in_words(previous=self.previous_score, current=self.score, since=self.since)

    @property
    def commentary(self) -> str:
        return self.assessment.commentary if self.assessment else ""


def risk_results(loaded: Loaded, number: int) -> list[RiskResult]:
    start = loaded.filters.year.start_year
    before_year, before_number = quarters.previous_quarter(start, number)
    ends = quarters.quarter_bounds(before_year, before_number)[1]
    since = f"the end of {ends:%B %Y}"
    results = []
    for risk in loaded.risks:
        if before_year == start:
            before = loaded.risk_updates.get((risk.pk, before_number))
        else:
            before = loaded.risk_last_year.get((risk.previous_id, 4)) if risk.previous_id else None
        results.append(RiskResult(risk, loaded.risk_updates.get((risk.pk, number)), before, since))
    return results
