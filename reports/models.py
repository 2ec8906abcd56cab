"""What reports keep: the annual results files the performance team uploads, and the
report files (PDF, XLSX, CSV) already made from approved quarters.

Both are kept in the database, not on a disk, so web processes and Celery workers need
not share a filesystem. An upload expires after `ResultsImport.KEEP_FOR`, and the row
(with its outcome) outlives its file; a report file is dropped after `ReportFile.KEEP_FOR`
or as soon as a newer file of the same report, filters and format is made.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from reports import conventions


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
    quarter = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Set for a quarterly performance report: the quarter it reports (1 to 4).",
    )
    # A quarterly report's lines whose uncertain match the team said was wrong: their
    # items are imported as new items.
    new_lines = models.JSONField(default=list, blank=True)
    profile = models.ForeignKey(
        "ImportProfile",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="imports",
        help_text="The column mapping the file is read with.",
    )

    class Meta:
        ordering = ["-uploaded_at"]
        verbose_name = "annual results import"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quarter__isnull=True) | models.Q(quarter__gte=1, quarter__lte=4),
                name="results_import_quarter_1_to_4",
            )
        ]
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


class ImportProfile(models.Model):
    """A named column mapping for tables in a layout perfmon does not read by itself:
    the header row as the file writes it and each column's role
    (reports.annual_table.ROLES). Files with the same header are read with it again."""

    name = models.CharField(max_length=100, unique=True)
    header = models.JSONField(help_text="The header row's cells, normalised.")
    roles = models.JSONField(help_text="Each column's role, in order.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        permissions = []

    def __str__(self) -> str:
        return self.name


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


class ReportFile(models.Model):
    """A report's file made from approved returns, kept under a key derived from what
    was asked for and from the data and code it was made from (reports.report_files).

    The row is also the job that makes the file on a worker: queued, building (with its
    step), then ready (with the bytes) or failed (with a message for the reader). Rows are
    only ever found by computing their key from a request that passed the access checks;
    no URL names one.
    """

    KEEP_FOR = timedelta(days=30)
    # A file still not made this long after it was asked for is stuck (a worker lost, a
    # broker down when it was queued): the page offers to try again.
    STALLED_AFTER = timedelta(minutes=5)

    class State(models.TextChoices):
        QUEUED = "queued", "Waiting for a worker"
        BUILDING = "building", "Being prepared"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    key = models.CharField(max_length=64, unique=True)
    spec = models.CharField(
        max_length=64,
        db_index=True,
        help_text="The request without the data: report, "
        "filters, format and table. Files of one spec replace each other.",
    )
    slug = models.SlugField(max_length=32)
    year = models.ForeignKey("perfmon.ReportingYear", on_delete=models.CASCADE, related_name="+")
    quarter = models.PositiveSmallIntegerField()
    theme = models.ForeignKey(
        "perfmon.Theme", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    portfolio = models.ForeignKey(
        "perfmon.Portfolio", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    file_format = models.CharField(max_length=8)
    table = models.SlugField(max_length=64, blank=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.QUEUED)
    step = models.CharField(max_length=100, blank=True)
    percent = models.PositiveSmallIntegerField(default=0)
    file_name = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    content = models.BinaryField(null=True, editable=False)
    size = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    requested_at = models.DateTimeField(default=timezone.now, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"{self.slug} {self.file_format} ({self.get_state_display()})"

    @property
    def waiting(self) -> bool:
        return self.state in {self.State.QUEUED, self.State.BUILDING}

    @property
    def stalled(self) -> bool:
        return self.waiting and self.requested_at + self.STALLED_AFTER <= timezone.now()


class CountingSetting(models.Model):
    """Which counting convention the summary by theme follows (reports.conventions). One
    row, edited by the performance team in the admin; `load()` creates it (perfmon's
    default) the first time it is asked for."""

    SINGLETON_ID = 1

    convention = models.CharField(
        "Counting convention",
        max_length=40,
        choices=conventions.choices(),
        default=conventions.DEFAULT,
        help_text="How the summary by theme counts its percentages; printed under it.",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "counting convention"
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="counting_setting_single_row")
        ]

    def __str__(self) -> str:
        return f"Counting convention: {self.get_convention_display()}"

    @classmethod
    def load(cls) -> CountingSetting:
        setting, _ = cls.objects.get_or_create(pk=cls.SINGLETON_ID)
        return setting
