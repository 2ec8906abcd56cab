"""State changes of the frame. Each is atomic and leaves an audit trail."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from perfmon import quarters, reminders
from perfmon.access import access_to
from perfmon.models import (
    PERFORMANCE_TEAM_GROUP,
    Deputy,
    Extension,
    Portfolio,
    PortfolioRole,
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
from perfmon.steering import deadlines_of
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


def _record(
    ret: Return,
    *,
    to: str,
    user: User,
    action: str,
    comment: str = "",
    changes: Sequence[str] = (),
    on_behalf_of: int | None = None,
) -> ReturnEvent:
    """Write a step on the trail; who hears of it is claimed with the step itself, and
    the emails go once it commits."""
    event = ReturnEvent.objects.create(
        ret=ret,
        action=action,
        from_state=ret.state,
        to_state=to,
        user=user,
        comment=comment,
        changes=list(changes),
        on_behalf_of_id=on_behalf_of,
    )
    for email_id in reminders.claim_event_emails(event=event):
        enqueue_on_commit(send_reminder_email_task, email_id)
    return event


def _move(
    ret: Return,
    *,
    to: str,
    user: User,
    action: str,
    comment: str = "",
    changes: Sequence[str] = (),
    on_behalf_of: int | None = None,
) -> ReturnEvent:
    event = _record(
        ret,
        to=to,
        user=user,
        action=action,
        comment=comment,
        changes=changes,
        on_behalf_of=on_behalf_of,
    )
    if to == ret.state:
        # A save: the step on the trail and the items' own history say what changed; the
        # return's history keeps its moves from state to state.
        ret.updated_at = event.at
        Return.objects.filter(pk=ret.pk).update(updated_at=event.at)
        return event
    ret.state = to
    ret.updated_at = event.at
    ret._history_user = user
    ret.save(update_fields=["state", "updated_at"])
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
    if ret.pk is None and submit and not forms:
        # Submitting a return nobody has started: refused, without creating it, unless
        # it has nothing to answer.
        missing = missing_from(ret)
        if missing:
            return SaveResult(changes=[], submitted=False, missing=missing)
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
    access = access_to(user, ret)
    if not access.can_decide:
        raise ReturnError("Only a director of this portfolio can return a submitted return.")
    _check_seen(ret, seen)
    _move(
        ret,
        to=Return.State.RETURNED,
        user=user,
        action=ReturnEvent.Action.RETURNED,
        comment=comment.strip(),
        on_behalf_of=access.deputy_for,
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
        on_behalf_of=access.deputy_for,
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


# Steering the quarter: chasing, extensions and deputies --------------------------------


class SteeringError(ReturnError):
    """Refused steering step; `field` names the form field the message belongs to."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


CHASE_ACTIONS = {
    "officers": ReturnEvent.Action.CHASED,
    "directors": ReturnEvent.Action.CHASED_DIRECTORS,
}


@transaction.atomic
def chase_return(
    *, ret: Return, user: User, audience: str, note: str = "", seen: int = 0
) -> tuple[ReturnEvent, bool]:
    """Remind a return's officers (or its directors) now, with an optional note. The
    notices go through the reminders' claim-once machinery, one per person.

    `seen` is the latest chase id on the page the person chased from: a second post of
    the same page (a double click, a retry) finds the chase it made and sends nothing
    more. Returns the chase and whether it is new. Raises SteeringError, writing
    nothing, if the return is approved, the person may not chase, or directors are
    chased while nothing awaits their decision."""
    action = CHASE_ACTIONS.get(audience)
    if action is None:
        raise SteeringError("Choose whom to remind.", field="audience")
    ret = _locked(ret)
    access = access_to(user, ret)
    if ret.is_locked:
        raise SteeringError("This return is approved: there is nobody to chase.", field="audience")
    if not access.can_chase:
        raise SteeringError("Only the performance team or a director can chase this return.")
    if audience == "directors" and not access.is_team:
        raise SteeringError("Only the performance team can chase directors.", field="audience")
    if audience == "directors" and ret.state != Return.State.SUBMITTED:
        raise SteeringError(
            "Directors can only be chased for a submitted return.", field="audience"
        )
    if audience == "officers" and ret.state == Return.State.SUBMITTED:
        raise SteeringError(
            "This return is submitted: chase its directors instead.", field="audience"
        )
    earlier = ret.events.filter(action=action, pk__gt=seen, user=user).order_by("-pk").first()
    if earlier is not None:
        return earlier, False
    # A chase is a note on the trail: the return itself does not change.
    event = _record(ret, to=ret.state, user=user, action=action, comment=note.strip())
    return event, True


@transaction.atomic
def extend_deadline(*, ret: Return, user: User, until: date, reason: str) -> ReturnEvent:
    """Give one portfolio a later submission deadline for a quarter (the approval deadline
    moves as many days). Performance team only. Raises SteeringError, writing nothing, if
    `until` is not after the deadline in force or the reason is blank."""
    if not reason.strip():
        raise SteeringError("Give the reason for the extension.", field="reason")
    ret = _locked(ret)
    access = access_to(user, ret)
    if not access.can_extend:
        raise SteeringError("Only the performance team can extend a deadline.")
    current = deadlines_of(ret.portfolio_id, ret.quarter).submission
    if current is None:
        raise SteeringError(
            "This quarter has no submission deadline yet: set it in the admin.", field="until"
        )
    if until <= current:
        raise SteeringError(
            f"The new deadline must be after the current one, {current:%-d %B %Y}.",
            field="until",
        )
    Extension.objects.update_or_create(
        portfolio_id=ret.portfolio_id,
        quarter=ret.quarter,
        defaults={"submission_deadline": until, "reason": reason.strip(), "granted_by": user},
    )
    return _record(
        ret,
        to=ret.state,
        user=user,
        action=ReturnEvent.Action.EXTENDED,
        comment=f"Submission deadline moved from {current:%-d %B %Y} to {until:%-d %B %Y}: "
        f"{reason.strip()}",
    )


def find_person(text: str) -> User | None:
    """The active user whose username or email address is `text` (any case)."""
    text = text.strip()
    if not text:
        return None
    return (
        User.objects.filter(is_active=True)
        .filter(Q(username__iexact=text) | Q(email__iexact=text))
        .first()
    )


@transaction.atomic
def name_deputy(
    *,
    user: User,
    portfolio: Portfolio,
    director: User,
    deputy: User | None,
    starts_on: date,
    ends_on: date,
) -> Deputy:
    """Name `deputy` to decide `portfolio`'s returns for `director` from `starts_on` to
    `ends_on`. A director names their own deputy; the performance team names anyone's.

    Raises SteeringError, writing nothing, when the person may not, the range ends before
    it starts, or the deputy has no account, is the director, or holds no role in the
    council (officer or director of some portfolio, or the performance team)."""
    is_director = PortfolioRole.objects.filter(
        user=director, portfolio=portfolio, role=PortfolioRole.Role.DIRECTOR
    ).exists()
    if not is_director:
        raise SteeringError(f"{director} is not a director of {portfolio}.", field="director")
    if not user.is_performance_team and user.pk != director.pk:
        raise SteeringError("Only the director or the performance team can name a deputy.")
    if deputy is None:
        raise SteeringError(
            "Nobody has an account with that username or email address.", field="deputy"
        )
    if deputy.pk == director.pk:
        raise SteeringError("A deputy must be someone other than the director.", field="deputy")
    holds_role = deputy.is_performance_team or PortfolioRole.objects.filter(user=deputy).exists()
    if not holds_role:
        raise SteeringError(
            f"{deputy} holds no role in the council: ask the performance team to give them one.",
            field="deputy",
        )
    if ends_on < starts_on:
        raise SteeringError("The cover must end on or after the day it starts.", field="ends_on")
    return Deputy.objects.create(
        portfolio=portfolio,
        director=director,
        deputy=deputy,
        starts_on=starts_on,
        ends_on=ends_on,
        named_by=user,
    )


def may_end_cover(*, user: User, cover: Deputy) -> bool:
    """Whether `user` may end or withdraw `cover`: its director, or the performance team."""
    return user.is_performance_team or user.pk == cover.director_id


@transaction.atomic
def end_cover(*, cover: Deputy, user: User) -> bool:
    """End `cover` today: the deputy decides nothing from now on. A cover that has not
    begun is withdrawn (deleted); one that has keeps the days it lasted, to yesterday.
    Both are kept in the cover's history. Returns whether it was withdrawn.

    Raises SteeringError, writing nothing, unless `user` is the cover's director or in the
    performance team, or if the cover has ended already."""
    if not may_end_cover(user=user, cover=cover):
        raise SteeringError("Only the director or the performance team can end this cover.")
    today = timezone.localdate()
    if cover.ends_on < today:
        raise SteeringError("This cover has ended already.")
    if cover.starts_on >= today:
        cover.delete()
        return True
    cover.ends_on = today - timedelta(days=1)
    cover.save(update_fields=["ends_on"])
    return False
