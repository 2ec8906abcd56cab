"""State changes of the frame. Each is atomic and leaves an audit trail."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils import timezone

from perfmon import quarters, reminders
from perfmon.access import access_to
from perfmon.models import (
    PERFORMANCE_TEAM_GROUP,
    Quarter,
    ReportingYear,
    Return,
    ReturnEvent,
    User,
)
from perfmon.sections import (
    Change,
    Clash,
    Merged,
    Missing,
    SectionForm,
    StaleForm,
    sections,
)
from perfmon.tasks import enqueue_on_commit, send_reminder_email_task

# The apps whose data the performance team maintains through the admin.
PERFORMANCE_TEAM_APPS = ("perfmon", "measures", "projects", "risks", "reports")


@transaction.atomic
def create_reporting_year(
    *, start_year: int, deadlines: dict[int, tuple[date | None, date | None]] | None = None
) -> ReportingYear:
    """Create a reporting year with its four quarters.

    `deadlines` maps a quarter number to its (submission, approval) deadlines; quarters
    not in it start without deadlines, which the performance team sets in the admin.
    Raises django.db.IntegrityError if the year exists or a deadline breaks the rules.
    """
    year = ReportingYear.objects.create(start_year=start_year)
    deadlines = deadlines or {}
    for number in Quarter.Number.values:
        starts_on, ends_on = quarters.quarter_bounds(start_year, number)
        submission, approval = deadlines.get(number, (None, None))
        Quarter.objects.create(
            year=year,
            number=number,
            starts_on=starts_on,
            ends_on=ends_on,
            submission_deadline=submission,
            approval_deadline=approval,
        )
    return year


def ensure_performance_team_group() -> Group:
    """The "Performance team" group, holding every permission on the perfmon apps.

    Idempotent: run after every migration so new models' permissions join the group.
    """
    group, _ = Group.objects.get_or_create(name=PERFORMANCE_TEAM_GROUP)
    permissions = Permission.objects.filter(content_type__app_label__in=PERFORMANCE_TEAM_APPS)
    group.permissions.add(*permissions)
    return group


# Quarterly returns -------------------------------------------------------------------


class ReturnError(Exception):
    """A workflow step that cannot happen; the message is for the person who tried."""


def _locked(ret: Return) -> Return:
    """The stored return, locked for the rest of the transaction (created if new)."""
    if ret.pk is None:
        ret, _ = Return.objects.get_or_create(portfolio=ret.portfolio, quarter=ret.quarter)
    return Return.objects.with_frame().select_for_update(of=("self",)).get(pk=ret.pk)


def _move(
    ret: Return,
    *,
    to: str,
    user: User,
    action: str,
    comment: str = "",
    changes: Sequence[str] = (),
) -> ReturnEvent:
    event = ReturnEvent.objects.create(
        ret=ret,
        action=action,
        from_state=ret.state,
        to_state=to,
        user=user,
        comment=comment,
        changes=list(changes),
    )
    ret.state = to
    ret.updated_at = event.at
    ret._history_user = user
    ret.save(update_fields=["state", "updated_at"])
    # Who hears of it is claimed with the step itself; the emails go once it commits.
    for email_id in reminders.claim_event_emails(event=event):
        enqueue_on_commit(send_reminder_email_task, email_id)
    return event


def missing_from(ret: Return) -> list[Missing]:
    return [item for section in sections for item in section.missing(ret=ret)]


@dataclass(frozen=True)
class SaveResult:
    changes: list[Change]
    submitted: bool
    missing: list[Missing]
    merged: list[Merged] = field(default_factory=list)
    clashes: list[Clash] = field(default_factory=list)


@transaction.atomic
def save_return(
    *, ret: Return, user: User, forms: Sequence[SectionForm], submit: bool = False
) -> SaveResult:
    """Save the sections' updates as one change to the return, then submit it if asked,
    nothing is missing and nothing clashed (the save is kept either way).

    Saving merges field by field with what others saved since the forms were loaded:
    their changes stay, this person's are written beside them, and a field both changed
    differently keeps the other's value and comes back in `clashes`.

    Raises ReturnError, writing nothing, if the return is no longer editable by `user`
    or the forms' versions match nothing stored.
    """
    ret = _locked(ret)
    if not access_to(user, ret).can_edit:
        state = ret.get_state_display().lower()
        raise ReturnError(f"This return is {state}: it cannot be changed.")
    try:
        saved = [form.save(ret=ret, user=user) for form in forms]
    except StaleForm as error:
        raise ReturnError(
            f"This page does not match the stored return ({error}): reload it and try again."
        ) from error
    changes = [change for section in saved for change in section.changes]
    clashes = [clash for section in saved for clash in section.clashes]
    merged = [kept for section in saved for kept in section.merged]
    if changes:
        _move(
            ret,
            to=ret.state,
            user=user,
            action=ReturnEvent.Action.SAVED,
            changes=[str(change) for change in changes],
        )
    submitting = submit and not clashes
    missing = missing_from(ret) if submitting else []
    if submitting and not missing:
        _move(ret, to=Return.State.SUBMITTED, user=user, action=ReturnEvent.Action.SUBMITTED)
    return SaveResult(
        changes=changes,
        submitted=submitting and not missing,
        missing=missing,
        merged=merged,
        clashes=clashes,
    )


class StaleDecision(ReturnError):
    """The return changed after the director loaded the page they decided on."""


def _check_seen(ret: Return, seen: int | None) -> None:
    """Refuse a decision taken on a page older than the return's latest step. `seen` is
    the id of the latest trail event on the director's page (None: not asked, for callers
    that are not a person's page)."""
    if seen is None:
        return
    since = list(ret.events.filter(pk__gt=seen).select_related("user"))
    if not since and ret.events.filter(pk=seen).exists():
        return
    steps = "; ".join(
        f"{event.get_action_display().lower()} by {event.user.display_name} "
        f"at {timezone.localtime(event.at):%H:%M}"
        + (
            f" ({len(event.changes)} change{'s' if len(event.changes) != 1 else ''})"
            if event.changes
            else ""
        )
        for event in since
    )
    raise StaleDecision(
        "This return changed after you loaded it"
        + (f": {steps}" if steps else "")
        + ". Look at it again, then decide."
    )


@transaction.atomic
def return_to_officers(*, ret: Return, user: User, comment: str, seen: int | None = None) -> Return:
    """Send a submitted return back to its officers with the director's comment.

    `seen` is the latest trail event on the director's page; a return that has moved on
    since is refused with StaleDecision."""
    if not comment.strip():
        raise ReturnError("Say what the officers need to change.")
    ret = _locked(ret)
    if not access_to(user, ret).can_decide:
        raise ReturnError("Only a director of this portfolio can return a submitted return.")
    _check_seen(ret, seen)
    _move(
        ret,
        to=Return.State.RETURNED,
        user=user,
        action=ReturnEvent.Action.RETURNED,
        comment=comment.strip(),
    )
    return ret


@transaction.atomic
def approve_return(
    *, ret: Return, user: User, comment: str = "", seen: int | None = None
) -> Return:
    """Approve a submitted return; its updates lock.

    `seen` is the latest trail event on the director's page; a return that has moved on
    since is refused with StaleDecision. A director who edited the return, or (where the
    council separates duties) submitted it, cannot approve it."""
    ret = _locked(ret)
    access = access_to(user, ret)
    if access.can_decide and access.edited_by_user:
        raise ReturnError("You changed this return yourself, so another director must approve it.")
    if access.can_decide and access.self_submitted:
        raise ReturnError("You submitted this return, so another director must approve it.")
    if not access.can_approve:
        raise ReturnError("Only a director of this portfolio can approve a submitted return.")
    _check_seen(ret, seen)
    _move(
        ret,
        to=Return.State.APPROVED,
        user=user,
        action=ReturnEvent.Action.APPROVED,
        comment=comment.strip(),
    )
    return ret


@transaction.atomic
def reopen_return(*, ret: Return, user: User, reason: str) -> Return:
    """Reopen an approved return for officers to change. Performance team only."""
    if not reason.strip():
        raise ReturnError("Give the reason for reopening this approved return.")
    ret = _locked(ret)
    if not access_to(user, ret).can_reopen:
        raise ReturnError("Only the performance team can reopen an approved return.")
    _move(
        ret,
        to=Return.State.REOPENED,
        user=user,
        action=ReturnEvent.Action.REOPENED,
        comment=reason.strip(),
    )
    return ret
