"""Report files that are made once and kept: PDF, XLSX and CSV of approved quarters.

A file is kept under a key made of what was asked for (report, filters, format, table),
the fingerprint of the data reports read, and the fingerprint of the code and settings
that draw them (reports.fingerprint). Approving or reopening a return, an import or an
admin edit changes the data fingerprint, so the next request looks for a new key and the
old file is unreachable; it is deleted when the new one is made, or after
`ReportFile.KEEP_FOR`. The return workflow knows nothing of this.

Drafts (the performance team's preview) are never kept: `make_file` builds them in the
request every time.

Formats in `settings.REPORT_FILES_BACKGROUND_FORMATS` are made by a Celery worker while
the page shows how far it has got; the others, and every format where no worker is
configured (no REDIS_URL), are made in the request and kept as well.
"""

from __future__ import annotations

import hashlib
import json
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from perfmon.models import User
from perfmon.tasks import enqueue_on_commit
from reports.builders.common import Filters
from reports.fingerprint import code_fingerprint, data_fingerprint, settings_fingerprint
from reports.models import ReportFile
from reports.rendering import BuiltFile, FileSpec, NoSuchTable, make_file

logger = logging.getLogger(__name__)

FAILED = (
    "Something went wrong while preparing this file. The error has been logged for the "
    "system's administrators. Try again; if it fails again, tell them which report, "
    "year and quarter you asked for."
)


def _digest(value: object) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()


def spec_digest(spec: FileSpec) -> str:
    """What was asked for, without the data: files of one spec replace each other."""
    return _digest(spec.identity())


def file_key(spec: FileSpec) -> str:
    """The key of `spec`'s file as the data and code stand now (one query)."""
    return _digest(
        {
            "asked": spec.identity(),
            "data": data_fingerprint(),
            "code": code_fingerprint(),
            "settings": settings_fingerprint(),
        }
    )


def in_background(spec: FileSpec) -> bool:
    """Whether a Celery worker, not the request, makes this file."""
    return spec.fmt in settings.REPORT_FILES_BACKGROUND_FORMATS


def _kept(key: str, *, content: bool) -> ReportFile | None:
    found: QuerySet[ReportFile] = ReportFile.objects.filter(key=key)
    if not content:
        found = found.defer("content")
    return found.first()


def request_report_file(*, spec: FileSpec, user: User, content: bool = True) -> ReportFile:
    """The kept file for `spec` as the data stand now. Found ready, it is returned (with
    its bytes unless `content` is False) and nothing is built. Not made yet, it is made
    in the request (returned ready) or queued for a worker (returned queued), and older
    files of the same spec are dropped. May also return a file still being made, or one
    whose making failed.

    Raises ValueError for a draft (drafts are never kept) and NoSuchTable for a CSV of a
    table the report does not have (made in the request only).
    """
    if spec.filters.draft:
        raise ValueError("Draft previews are never kept: use make_file.")
    key = file_key(spec)
    found = _kept(key, content=content)
    if found is not None:
        return found
    if not in_background(spec):
        built = make_file(spec)
        return _keep(spec, key=key, user=user, built=built)
    with transaction.atomic():
        _drop_replaced(spec, key=key)
        kept, created = ReportFile.objects.get_or_create(
            key=key, defaults={**_columns(spec), "requested_by": user}
        )
        if created:
            _queue(kept)
    return kept


def _columns(spec: FileSpec) -> dict[str, object]:
    filters = spec.filters
    return {
        "spec": spec_digest(spec),
        "slug": spec.slug,
        "year": filters.year,
        "quarter": filters.quarter,
        "theme": filters.theme,
        "portfolio": filters.portfolio,
        "file_format": spec.fmt,
        "table": spec.table if spec.fmt == "csv" else "",
    }


def _keep(spec: FileSpec, *, key: str, user: User, built: BuiltFile) -> ReportFile:
    now = timezone.now()
    with transaction.atomic():
        _drop_replaced(spec, key=key)
        kept, _ = ReportFile.objects.update_or_create(
            key=key,
            defaults={
                **_columns(spec),
                **_ready(built),
                "requested_by": user,
                "started_at": now,
                "finished_at": now,
            },
        )
    return kept


def _ready(built: BuiltFile) -> dict[str, object]:
    return {
        "state": ReportFile.State.READY,
        "step": "",
        "percent": 100,
        "file_name": built.file_name,
        "content_type": built.content_type,
        "content": built.data,
        "size": len(built.data),
        "error": "",
    }


def _drop_replaced(spec: FileSpec, *, key: str) -> int:
    """Delete the files of this spec made from older data, and every file past its time."""
    expired = timezone.now() - ReportFile.KEEP_FOR
    replaced = Q(spec=spec_digest(spec)) & ~Q(key=key)
    deleted, _ = ReportFile.objects.filter(replaced | Q(requested_at__lt=expired)).delete()
    return deleted


def _queue(kept: ReportFile) -> None:
    from reports.tasks import build_report_file_task

    enqueue_on_commit(build_report_file_task, kept.pk)


def retry_report_file(*, spec: FileSpec, user: User) -> ReportFile:
    """Ask again for a file whose making failed or stalled (queued again, or made in the
    request when no worker makes this format); any other file is left as it is."""
    key = file_key(spec)
    with transaction.atomic():
        kept = ReportFile.objects.select_for_update().defer("content").filter(key=key).first()
        if kept is not None and (kept.state == ReportFile.State.FAILED or kept.stalled):
            if not in_background(spec):
                kept.delete()
                kept = None
            else:
                kept.state = ReportFile.State.QUEUED
                kept.step, kept.percent, kept.error = "", 0, ""
                kept.requested_at, kept.requested_by = timezone.now(), user
                kept.save(
                    update_fields=[
                        "state",
                        "step",
                        "percent",
                        "error",
                        "requested_at",
                        "requested_by",
                    ]
                )
                _queue(kept)
    if kept is None:
        return request_report_file(spec=spec, user=user, content=False)
    return kept


def spec_of(kept: ReportFile) -> FileSpec:
    return FileSpec(
        slug=kept.slug,
        filters=Filters(
            year=kept.year, quarter=kept.quarter, theme=kept.theme, portfolio=kept.portfolio
        ),
        fmt=kept.file_format,
        table=kept.table,
    )


def _claim(file_id: int) -> ReportFile | None:
    """Move a queued file to building (so a task delivered twice makes it once); None if
    it was not queued, or is gone."""
    with transaction.atomic():
        kept = (
            ReportFile.objects.select_for_update(of=("self",))
            .select_related("year", "theme", "portfolio")
            .defer("content")
            .filter(pk=file_id)
            .first()
        )
        if kept is None or kept.state != ReportFile.State.QUEUED:
            return None
        kept.state, kept.started_at = ReportFile.State.BUILDING, timezone.now()
        kept.step, kept.percent = "Starting", 5
        kept.save(update_fields=["state", "started_at", "step", "percent"])
        return kept


def build_report_file(*, file_id: int) -> None:
    """Make a queued file (on a Celery worker), saying each step as it goes. A file that
    cannot be made is marked failed with a message for the reader; an unexpected error is
    logged and raised again for Celery."""
    kept = _claim(file_id)
    if kept is None:
        return

    def progress(step: str, percent: int) -> None:
        # Each step commits on its own, so the waiting page sees it at once.
        ReportFile.objects.filter(pk=file_id, state=ReportFile.State.BUILDING).update(
            step=step, percent=percent
        )

    try:
        built = make_file(spec_of(kept), progress=progress)
    except NoSuchTable as error:
        _finish(file_id, state=ReportFile.State.FAILED, error=str(error))
        return
    except Exception:
        logger.exception("Making report file %s failed", file_id)
        _finish(file_id, state=ReportFile.State.FAILED, error=FAILED)
        raise
    progress("Saving the file", 90)
    _finish(file_id, **_ready(built))


def _finish(file_id: int, **fields: object) -> None:
    # By id, not by saving the row: it may have been dropped meanwhile (newer data).
    ReportFile.objects.filter(pk=file_id).update(finished_at=timezone.now(), **fields)


def prune_report_files(*, everything: bool = False) -> int:
    """Delete kept files past `ReportFile.KEEP_FOR` (or all of them); how many went."""
    doomed = ReportFile.objects.all()
    if not everything:
        doomed = doomed.filter(requested_at__lt=timezone.now() - ReportFile.KEEP_FOR)
    deleted, _ = doomed.delete()
    return deleted
