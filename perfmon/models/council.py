"""What the council chooses about running its cycle: one row, kept in the admin."""

from __future__ import annotations

from django.db import models
from simple_history.models import HistoricalRecords


class CouncilSettings(models.Model):
    """The council's choices. There is one row; `current()` reads it (creating it with the
    defaults on a fresh install)."""

    separate_submit_and_approve = models.BooleanField(
        "Whoever submits a return cannot approve it",
        default=True,
        help_text="Separation of duties: a director who submitted a return (as one of its "
        "officers too) leaves its approval to another director.",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "council settings"
        verbose_name_plural = "council settings"

    def __str__(self) -> str:
        return "Council settings"

    @classmethod
    def current(cls) -> CouncilSettings:
        settings, _ = cls.objects.get_or_create(pk=1)
        return settings
