"""Priority projects and their quarterly updates (RAG from four criteria, and the DCA)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from perfmon.models.items import Item, ItemUpdate
from perfmon.models.returns import within_text_limit
from projects import rules


class Rating(models.TextChoices):
    """The five-point scale of both the RAG and the DCA (projects.rules.Rating)."""

    GREEN = rules.Rating.GREEN.value, rules.Rating.GREEN.label
    AMBER_GREEN = rules.Rating.AMBER_GREEN.value, rules.Rating.AMBER_GREEN.label
    AMBER_RED = rules.Rating.AMBER_RED.value, rules.Rating.AMBER_RED.label
    RED = rules.Rating.RED.value, rules.Rating.RED.label
    PRE_START_COMPLETED = (
        rules.Rating.PRE_START_COMPLETED.value,
        rules.Rating.PRE_START_COMPLETED.label,
    )


class Project(Item):
    """A priority project or programme in one reporting year."""

    class Stage(models.TextChoices):
        PRE_START = "pre_start", "Pre-start"
        DELIVERY = "delivery", "In delivery"
        CLOSED = "closed", "Closed"

    name = models.CharField(max_length=300)
    sponsor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sponsored_projects",
    )
    sponsor_name = models.CharField(
        max_length=200, blank=True, help_text="When the sponsor is not a perfmon user."
    )
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="managed_projects",
    )
    manager_name = models.CharField(
        max_length=200, blank=True, help_text="When the manager is not a perfmon user."
    )
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.DELIVERY)
    gateway = models.CharField(
        "PMO gateway",
        max_length=100,
        blank=True,
        help_text='The last Programme Management Office gateway passed: "Gateway 3".',
    )
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"{self.reference} {self.name}"

    @property
    def sponsor_shown(self) -> str:
        return self.sponsor.display_name if self.sponsor else self.sponsor_name

    @property
    def manager_shown(self) -> str:
        return self.manager.display_name if self.manager else self.manager_name


CRITERION_FIELDS = {c: (f"{c.value}_on_track", f"{c.value}_reason") for c in rules.CRITERIA}


def _on_track(label: str) -> models.BooleanField:
    return models.BooleanField(f"{label} on track", null=True, blank=True)


def _reason(label: str) -> models.CharField:
    return models.CharField(f"{label}: why not on track", max_length=300, blank=True)


class ProjectUpdate(ItemUpdate):
    """A project's position in one quarter, part of its portfolio's return.

    The RAG is worked out from the four criteria and stored with its sentence, so a change
    of rules never re-rates a quarter already reported. An update imported from a published
    table has only the DCA: `rag_from_criteria` is False and the criteria are blank.
    """

    ITEM_FIELD = "project"
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="updates")
    time_on_track = _on_track("Time")
    time_reason = _reason("Time")
    cost_on_track = _on_track("Cost")
    cost_reason = _reason("Cost")
    scope_on_track = _on_track("Scope")
    scope_reason = _reason("Scope")
    benefits_on_track = _on_track("Benefits")
    benefits_reason = _reason("Benefits")
    dca = models.CharField(
        "Delivery confidence assessment", max_length=30, choices=Rating.choices, blank=True
    )
    commentary = models.TextField(blank=True)
    rag = models.CharField("RAG", max_length=30, choices=Rating.choices, blank=True)
    rag_explained = models.CharField(max_length=300, blank=True)
    rag_from_criteria = models.BooleanField(
        default=True,
        help_text="Unticked when the update was imported from a published table that gives "
        "the DCA only.",
    )
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "ret"], name="project_update_unique"),
            models.CheckConstraint(
                condition=Q(rag_from_criteria=True) | Q(rag=""),
                name="project_update_no_rag_without_criteria",
                violation_error_message="Without the criteria there is no RAG.",
            ),
            within_text_limit("commentary", name="project_update_text_limit"),
        ]

    def __str__(self) -> str:
        return f"{self.project.reference} {self.ret.quarter}"

    @property
    def rag_rating(self) -> rules.Rating | None:
        return rules.Rating(self.rag) if self.rag else None

    @property
    def dca_rating(self) -> rules.Rating | None:
        return rules.Rating(self.dca) if self.dca else None

    def on_track(self) -> dict[rules.Criterion, bool | None]:
        return {c: getattr(self, fields[0]) for c, fields in CRITERION_FIELDS.items()}

    def criteria(self) -> list[tuple[str, bool | None, str]]:
        """[(criterion label, on track, reason)] in the guidance's order."""
        return [
            (c.value.capitalize(), getattr(self, on), getattr(self, why))
            for c, (on, why) in CRITERION_FIELDS.items()
        ]

    def derive(self, **_: Any) -> None:
        self.derive_rag()

    def derive_rag(self) -> None:
        """Store the RAG from the criteria (blank until all four are answered)."""
        rag = rules.rag_for(self.on_track())
        self.rag_from_criteria = True
        self.rag = rag.rating.value if rag else ""
        self.rag_explained = rag.explained if rag else ""
