"""Importing an annual results table from the admin: upload, check, confirm.

An upload is stored (`ResultsImport`), checked with a dry run of the real import (so
the preview's counts are exactly what the import will do), and imported only when the
performance team confirms. Small files are checked and imported in the request; large
ones by a Celery task while the page shows how far it has got.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Collection
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from perfmon.models import User
from perfmon.tasks import enqueue_on_commit
from reports.annual_table import TableError
from reports.importer import ImportResult, ParsedTable, import_results
from reports.models import ImportProfile, ResultsImport
from reports.profiles import read_results_with_profile, save_import_profile
from reports.quarterly_import import QuarterlyPlan, read_quarterly_report
from reports.quarterly_writer import import_quarter

logger = logging.getLogger(__name__)

MAX_BYTES = 20 * 1024 * 1024
_PROGRESS_FOR = 60 * 60


class UploadError(ValueError):
    """An upload that cannot be taken; the message is for the person who sent it."""


def read_results_file(
    *, name: str, data: bytes, profile: ImportProfile | None = None
) -> ParsedTable:
    """Read and check every row of an uploaded table, by its own column names, with
    `profile`, or with a saved profile made for its header (reports.profiles). Raises
    TableError for a file that is not a table perfmon can read, or that is a quarterly
    report."""
    quarterly = _QUARTERLY.search(data[:2_000_000])
    if quarterly and profile is None:
        number = quarterly.group(1).decode()
        raise TableError(
            f"This is a quarterly performance report (quarter {number} positions), not an "
            f"annual results table: import it as quarter {number}."
        )
    return read_results_with_profile(name=name, data=data, profile=profile)[0]


_QUARTERLY = re.compile(rb"Item description\*?\*?\t[^\n]*Q([1-4]) position", re.IGNORECASE)


def upload_results(
    *,
    name: str,
    data: bytes,
    start_year: int,
    user: User,
    size: int | None = None,
    quarter: int | None = None,
    profile: ImportProfile | None = None,
) -> ResultsImport:
    """Keep an uploaded table and start checking it. `size` is the file's own size where
    the caller read no more of it than MAX_BYTES + 1. Raises UploadError for one too big
    or empty to keep."""
    size = max(size or 0, len(data))
    if size > MAX_BYTES:
        raise UploadError(
            f"{name} is {size / 1024 / 1024:.0f} MB; the largest file perfmon takes is "
            f"{MAX_BYTES // 1024 // 1024} MB. Split it by year."
        )
    if not data.strip():
        raise UploadError(f"{name} is empty.")
    delete_expired_imports()
    upload = ResultsImport.objects.create(
        file_name=name[:255],
        content=data,
        size=len(data),
        start_year=start_year,
        uploaded_by=user,
        quarter=quarter,
        profile=profile,
    )
    _start_check(upload)
    return upload


def _start_check(upload: ResultsImport) -> None:
    """Check the upload in the request when small (`upload` then holds the outcome), else
    by a worker while its page shows progress."""
    if not in_background(upload):
        check_results_import(import_id=upload.pk)
        upload.refresh_from_db()
    else:
        from reports.tasks import check_results_import_task

        enqueue_on_commit(check_results_import_task, upload.pk)


def in_background(upload: ResultsImport) -> bool:
    """Whether a Celery worker, not the request, checks and imports this upload."""
    limit = settings.RESULTS_IMPORT_BACKGROUND_BYTES
    return limit is not None and upload.size > limit


def _claim(import_id: int, *, from_states: set[str], to_state: str) -> ResultsImport | None:
    """Move an import to `to_state` if it is in one of `from_states` (so a task delivered
    twice does its work once); None if it was not."""
    with transaction.atomic():
        upload = ResultsImport.objects.select_for_update().filter(pk=import_id).first()
        if upload is None or upload.state not in from_states:
            return None
        upload.state = to_state
        upload.save(update_fields=["state"])
        return upload


def check_results_import(*, import_id: int) -> None:
    """Check an upload: read every row, dry-run the import, and keep the preview."""
    upload = _claim(
        import_id, from_states={ResultsImport.State.QUEUED}, to_state=ResultsImport.State.CHECKING
    )
    if upload is None:
        return
    report_progress(upload, "Reading the rows", 10)
    if upload.quarter is not None:
        _check_quarter(upload)
        return
    try:
        table = read_results_file(
            name=upload.file_name, data=bytes(upload.content or b""), profile=upload.profile
        )
        preview = _table_preview(table)
        if not table.problems:
            report_progress(upload, "Working out what will change", 40)
            result = import_results(
                table=table,
                start_year=upload.start_year,
                user=upload.uploaded_by,
                source=upload.file_name,
                dry_run=True,
            )
            preview["changes"] = _result_json(result)
    except TableError as error:
        _finish(upload, state=ResultsImport.State.PROBLEMS, error=str(error))
        return
    except Exception:
        logger.exception("Checking results import %s failed", upload.pk)
        _finish(upload, state=ResultsImport.State.FAILED, error=_FAILED)
        raise
    state = ResultsImport.State.PROBLEMS if table.problems else ResultsImport.State.PREVIEWED
    _finish(upload, state=state, preview=preview)


def recheck_with_profile(
    *, upload: ResultsImport, name: str, header: list[str], roles: list[str], user: User
) -> ImportProfile:
    """Save a column mapping as an import profile and check the upload again with it.
    Raises ProfileError (nothing saved) for a mapping that cannot be used."""
    with transaction.atomic():
        profile = save_import_profile(name=name, header=header, roles=roles, user=user)
        upload.profile, upload.state, upload.error, upload.preview = (
            profile,
            ResultsImport.State.QUEUED,
            "",
            {},
        )
        upload.save(update_fields=["profile", "state", "error", "preview"])
    check_results_import(import_id=upload.pk)
    return profile


def choose_new_items(*, upload: ResultsImport, lines: Collection[int]) -> None:
    """Take the items of a checked quarterly report on `lines` as new items rather than
    their uncertain matches (and any chosen before but not now as matched again), then
    check the upload again. Raises UploadError, changing nothing, unless the upload is a
    checked quarterly report and every line is an uncertain match or was chosen before."""
    if upload.quarter is None:
        raise UploadError("Only a quarterly report's matches can be changed.")
    _check_importable(upload)
    choosable = {m["line"] for m in upload.preview.get("matches", []) if may_choose_new(m)}
    if not set(lines) <= choosable:
        raise UploadError("Only uncertain matches can be taken as new items: check again.")
    upload.new_lines = sorted(set(lines))
    upload.state, upload.preview = ResultsImport.State.QUEUED, {}
    upload.save(update_fields=["new_lines", "state", "preview"])
    _start_check(upload)


def may_choose_new(match: dict[str, Any]) -> bool:
    """Whether the team may take a previewed match's item as new: an uncertain match, or
    one taken as new already (to take it back)."""
    return bool(match["outcome"] == "uncertain" or match.get("chosen_new"))


def _check_importable(upload: ResultsImport) -> None:
    """Raises UploadError unless the upload is checked, with no problems, and not expired."""
    if upload.state != ResultsImport.State.PREVIEWED:
        raise UploadError("Only a checked file with no problems can be imported.")
    if upload.expires_at <= timezone.now() or upload.content is None:
        raise UploadError("This upload has expired: upload the file again.")


def confirm_results_import(*, upload: ResultsImport, user: User) -> None:
    """Import a checked upload, in the request when small, else by a worker. Raises
    UploadError if it is not ready to import."""
    _check_importable(upload)
    ResultsImport.objects.filter(pk=upload.pk).update(imported_by=user)
    if not in_background(upload):
        run_results_import(import_id=upload.pk)
    else:
        from reports.tasks import run_results_import_task

        enqueue_on_commit(run_results_import_task, upload.pk)


def run_results_import(*, import_id: int) -> None:
    """Write a confirmed upload: all of it in one transaction, or nothing."""
    upload = _claim(
        import_id,
        from_states={ResultsImport.State.PREVIEWED},
        to_state=ResultsImport.State.IMPORTING,
    )
    if upload is None:
        return
    report_progress(upload, "Reading the rows", 10)
    if upload.quarter is not None:
        _run_quarter(upload)
        return
    try:
        table = read_results_file(
            name=upload.file_name, data=bytes(upload.content or b""), profile=upload.profile
        )
        if table.problems:  # portfolios changed since the check
            _finish(upload, state=ResultsImport.State.PROBLEMS, preview=_table_preview(table))
            return
        report_progress(upload, "Writing the items and their results", 40)
        result = import_results(
            table=table,
            start_year=upload.start_year,
            user=upload.imported_by or upload.uploaded_by,
            source=upload.file_name,
        )
    except Exception:
        logger.exception("Results import %s failed", upload.pk)
        _finish(upload, state=ResultsImport.State.FAILED, error=_FAILED)
        raise
    _finish(upload, state=ResultsImport.State.IMPORTED, outcome=_result_json(result))


_FAILED = (
    "Something went wrong while working on this file, and nothing was imported. "
    "The error has been logged for the system's administrators."
)


def _plan(upload: ResultsImport) -> QuarterlyPlan:
    assert upload.quarter is not None
    return read_quarterly_report(
        data=bytes(upload.content or b""),
        start_year=upload.start_year,
        quarter=upload.quarter,
        as_new=set(upload.new_lines),
    )


def _check_quarter(upload: ResultsImport) -> None:
    """A quarterly report's check: its matches, with their scores, and a dry run. The
    uncertain matches are shown for the team, whose confirming takes them."""
    try:
        plan = _plan(upload)
        preview = _plan_preview(plan, upload.new_lines)
        if not plan.problems:
            result = import_quarter(
                plan=plan,
                user=upload.uploaded_by,
                source=upload.file_name,
                accept_uncertain=True,
                dry_run=True,
            )
            preview["changes"] = _result_json(result)
    except TableError as error:
        _finish(upload, state=ResultsImport.State.PROBLEMS, error=str(error))
        return
    state = ResultsImport.State.PROBLEMS if plan.problems else ResultsImport.State.PREVIEWED
    _finish(upload, state=state, preview=preview)


def _run_quarter(upload: ResultsImport) -> None:
    try:
        plan = _plan(upload)
        if plan.problems:
            _finish(
                upload,
                state=ResultsImport.State.PROBLEMS,
                preview=_plan_preview(plan, upload.new_lines),
            )
            return
        result = import_quarter(
            plan=plan,
            user=upload.imported_by or upload.uploaded_by,
            source=upload.file_name,
            accept_uncertain=True,
        )
    except Exception:
        logger.exception("Quarterly import %s failed", upload.pk)
        _finish(upload, state=ResultsImport.State.FAILED, error=_FAILED)
        raise
    _finish(upload, state=ResultsImport.State.IMPORTED, outcome=_result_json(result))


def _plan_preview(plan: QuarterlyPlan, new_lines: Collection[int] = ()) -> dict[str, Any]:
    return {
        "rows": dict(Counter(m.kind for m in plan.matches)),
        "problems": [
            {"line": p.line, "column": p.column, "reason": p.reason} for p in plan.problems
        ],
        "warnings": [
            {"line": w.line, "column": w.column, "reason": w.reason} for w in plan.warnings
        ],
        "matches": [
            {
                "line": m.item.line,
                "kind": m.kind,
                "text": m.text,
                "outcome": m.outcome,
                "reference": m.reference,
                "matched": m.matched_text,
                "score": round(m.score),
                "position": m.item.position,
                "chosen_new": m.item.line in new_lines,
            }
            for m in plan.matches
        ],
    }


def _finish(upload: ResultsImport, *, state: str, **fields: Any) -> None:
    upload.state = state
    upload.finished_at = timezone.now()
    for name, value in fields.items():
        setattr(upload, name, value)
    upload.save()
    cache.delete(_progress_key(upload))


def _table_preview(table: ParsedTable) -> dict[str, Any]:
    return {
        "rows": dict(table.counts()),
        "columns": table.columns,
        "headings": table.headings,
        "problems": [
            {"line": p.line, "column": p.column, "reason": p.reason} for p in table.problems
        ],
        "warnings": [
            {"line": w.line, "column": w.column, "reason": w.reason} for w in table.warnings
        ],
    }


def _result_json(result: ImportResult) -> dict[str, Any]:
    return {
        "created": dict(result.created),
        "updated": dict(result.updated),
        "unchanged": dict(result.unchanged),
        "no_polarity": result.no_polarity,
        "summary": result.summary(),
    }


def _progress_key(upload: ResultsImport) -> str:
    return f"reports:import-progress:{upload.token}"


def report_progress(upload: ResultsImport, step: str, percent: int) -> None:
    """Say how far a running import has got. Kept in the cache, not the row: the import
    itself runs in one transaction that no other connection can see into."""
    cache.set(_progress_key(upload), {"step": step, "percent": percent}, _PROGRESS_FOR)


def import_progress(upload: ResultsImport) -> dict[str, Any]:
    """{"step": ..., "percent": ...} for a running import."""
    return cache.get(_progress_key(upload)) or {"step": upload.get_state_display(), "percent": 0}


def delete_expired_imports() -> int:
    """Drop the files of uploads past their time; their rows and outcomes stay."""
    cutoff = timezone.now() - ResultsImport.KEEP_FOR
    return ResultsImport.objects.filter(uploaded_at__lt=cutoff, content__isnull=False).update(
        content=None
    )
