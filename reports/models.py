"""What reports keep: the annual results files the performance team uploads.

An upload is kept in the database, not on a disk, so the web process that takes it and
the Celery worker that previews or imports it need not share a filesystem; it expires
after `ResultsImport.KEEP_FOR`, and the row (with its outcome) outlives its file.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords


class ResultsImport(models.Model):
    """One upload of an annual results table, from preview to import."""

    KEEP_FOR = timedelta(days=7)

    class State(models.TextChoices):
        QUEUED = "queued", "Waiting to be checked"
        CHECKING = "checking", "Checking the file"
        PREVIEWED = "previewed", "Checked: ready to import"
        PROBLEMS = "problems", "Checked: problems to fix"
        IMPORTING = "importing", "Importing"
        IMPORTED = "imported", "Imported"
        FAILED = "failed", "Failed"

    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    file_name = models.CharField(max_length=255)
    content = models.BinaryField(null=True, editable=False)
    size = models.PositiveIntegerField(default=0)
    start_year = models.PositiveSmallIntegerField(
        help_text="The reporting year the table reports on: 2024 for 2024/25."
    )
    state = models.CharField(max_length=16, choices=State.choices, default=State.QUEUED)
    preview = models.JSONField(default=dict, blank=True)
    outcome = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="results_imports"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-uploaded_at"]
        verbose_name = "annual results import"
        permissions = [
            ("import_results", "Can import annual results tables"),
            ("export_results", "Can export annual results tables"),
        ]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.year_label})"

    @property
    def year_label(self) -> str:
        return f"{self.start_year}/{(self.start_year + 1) % 100:02d}"

    @property
    def expires_at(self) -> datetime:
        return self.uploaded_at + self.KEEP_FOR

    @property
    def running(self) -> bool:
        return self.state in {self.State.QUEUED, self.State.CHECKING, self.State.IMPORTING}


class OpenDataSetting(models.Model):
    """Whether the open data API is public. One row, edited by the performance team in
    the admin; `load()` creates it (switched off) the first time it is asked for."""

    SINGLETON_ID = 1

    anonymous_read = models.BooleanField(
        "Anyone may read the open data API without signing in",
        default=False,
        help_text="Ticked, anyone may read approved results, the schema and the docs under "
        "/api/; unticked, only people signed in to perfmon may.",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "open data setting"
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="open_data_setting_single_row")
        ]

    def __str__(self) -> str:
        return "Open data API"

    @classmethod
    def load(cls) -> OpenDataSetting:
        setting, _ = cls.objects.get_or_create(pk=cls.SINGLETON_ID)
        return setting
