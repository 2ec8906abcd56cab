"""Who hears what on a day, and claiming it in the database before anything is sent.

The plan reads the rules, the quarters whose deadlines are in reach, the returns, the
roles and the performance team in a fixed number of queries, however many returns and
people there are; the claim writes it in a few more.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Q

from perfmon.deadlines import Deadlines, deadlines_for
from perfmon.models import (
    PERFORMANCE_TEAM_GROUP,
    Extension,
    Portfolio,
    PortfolioRole,
    Quarter,
    Reminder,
    ReminderEmail,
    ReminderRule,
    Return,
    User,
)
from perfmon.reminders.rules import fires, reach
from perfmon.sections import sections

Audience = ReminderRule.Audience
Deadline = ReminderRule.Deadline
NOT_SUBMITTED = frozenset(Return.EDITABLE_STATES)

# Which returns each audience hears about, and what the line is called.
KINDS: dict[tuple[str, str], str] = {
    (Audience.OFFICERS, Deadline.SUBMISSION): Reminder.Kind.TO_SUBMIT,
    (Audience.OFFICERS, Deadline.APPROVAL): Reminder.Kind.TO_SUBMIT,
    (Audience.DIRECTORS, Deadline.SUBMISSION): Reminder.Kind.TO_APPROVE,
    (Audience.DIRECTORS, Deadline.APPROVAL): Reminder.Kind.TO_APPROVE,
    (Audience.TEAM, Deadline.SUBMISSION): Reminder.Kind.NOT_SUBMITTED,
    (Audience.TEAM, Deadline.APPROVAL): Reminder.Kind.NOT_APPROVED,
}


@dataclass(frozen=True)
class Planned:
    """One reminder someone is due on a day: a line of their digest."""

    recipient_id: int
    kind: str
    portfolio_id: int
    quarter_id: int
    deadline: date
    days: int


@dataclass(frozen=True)
class _Firing:
    quarter: Quarter
    audience: str
    deadline_name: str
    deadline: date
    days: int
    portfolio_id: int | None = None  # only this portfolio: its deadlines are extended


# An extension moves the approval deadline as far as the submission one; looking this far
# back for extensions finds every one whose moved deadlines can still fire.
EXTENSION_LOOKBACK = timedelta(days=366)


def _fire(
    found: dict[tuple[int, str, str, int | None], _Firing],
    rules: list[ReminderRule],
    on: date,
    quarter: Quarter,
    deadlines: Deadlines,
    portfolio_id: int | None = None,
) -> None:
    by_name: dict[str, date | None] = {
        Deadline.SUBMISSION: deadlines.submission,
        Deadline.APPROVAL: deadlines.approval,
    }
    for rule in rules:
        deadline = by_name[rule.deadline]
        if deadline is None:
            continue
        days = (on - deadline).days
        if fires(days, days=rule.days, repeat_every_days=rule.repeat_every_days):
            key = (quarter.pk, rule.audience, rule.deadline, portfolio_id)
            found[key] = _Firing(
                quarter, rule.audience, rule.deadline, deadline, days, portfolio_id
            )


def _firings(rules: list[ReminderRule], on: date) -> tuple[list[_Firing], set[tuple[int, int]]]:
    """Each (quarter, audience, deadline) that a rule reminds about on `on`, and each
    extended portfolio's own; with the (portfolio id, quarter id) pairs extended, which the
    quarter's own deadlines no longer concern. Unset deadlines never fire."""
    earliest = min(rule.days for rule in rules)
    furthest = max(reach(rule.days, rule.repeat_every_days) for rule in rules)
    window = (on - timedelta(days=furthest), on - timedelta(days=earliest))
    quarters = Quarter.objects.select_related("year").filter(
        Q(submission_deadline__range=window) | Q(approval_deadline__range=window)
    )
    found: dict[tuple[int, str, str, int | None], _Firing] = {}
    for quarter in quarters:
        plain = deadlines_for(
            submission=quarter.submission_deadline,
            approval=quarter.approval_deadline,
            extended_to=None,
        )
        _fire(found, rules, on, quarter, plain)
    extended: set[tuple[int, int]] = set()
    for extension in Extension.objects.select_related("quarter__year").filter(
        submission_deadline__gte=window[0] - EXTENSION_LOOKBACK
    ):
        quarter = extension.quarter
        extended.add((extension.portfolio_id, quarter.pk))
        moved = deadlines_for(
            submission=quarter.submission_deadline,
            approval=quarter.approval_deadline,
            extended_to=extension.submission_deadline,
        )
        _fire(found, rules, on, quarter, moved, extension.portfolio_id)
    return list(found.values()), extended


def _outstanding(audience: str, deadline_name: str, state: str | None) -> bool:
    """Whether a return in `state` (None: not started) is still outstanding for them."""
    if audience == Audience.OFFICERS:
        return state is None or state in NOT_SUBMITTED
    if audience == Audience.DIRECTORS:
        return state == Return.State.SUBMITTED
    if deadline_name == Deadline.SUBMISSION:
        return state is None or state in NOT_SUBMITTED
    return state != Return.State.APPROVED


def _expected_returns(
    portfolios: list[Portfolio], firings: list[_Firing], states: dict[tuple[int, int], str]
) -> dict[int, list[int]]:
    """By quarter id, the active portfolios expected to make a return: those with one
    started, and those with items that year in any registered section (one query per
    section and year in reach, whatever the number of portfolios)."""
    with_items: dict[int, set[int]] = defaultdict(set)
    years = {firing.quarter.year_id: firing.quarter.year for firing in firings}
    for year_id, year in years.items():
        with_items[year_id] |= set(sections.item_counts(portfolios=portfolios, year=year))
    expected: dict[int, list[int]] = {}
    for firing in firings:
        quarter = firing.quarter
        expected[quarter.pk] = [
            p.pk
            for p in portfolios
            if p.pk in with_items[quarter.year_id] or (p.pk, quarter.pk) in states
        ]
    return expected


def performance_team() -> list[int]:
    """Ids of the active members of the performance team who have an email address."""
    return list(
        User.objects.filter(is_active=True)
        .exclude(email="")
        .filter(Q(is_superuser=True) | Q(groups__name=PERFORMANCE_TEAM_GROUP))
        .values_list("pk", flat=True)
        .distinct()
    )


def plan_reminders(*, on: date) -> list[Planned]:
    """Every reminder due on `on`, for active people with an email address, about the
    returns expected of active portfolios (started, or with items that year) that are
    not approved, in quarters whose deadline is set."""
    rules = list(ReminderRule.objects.filter(is_active=True))
    if not rules:
        return []
    firings, extended = _firings(rules, on)
    if not firings:
        return []
    quarter_ids = {firing.quarter.pk for firing in firings}
    states = {
        (portfolio_id, quarter_id): state
        for portfolio_id, quarter_id, state in Return.objects.filter(
            quarter_id__in=quarter_ids
        ).values_list("portfolio_id", "quarter_id", "state")
    }
    people: dict[tuple[int, str], list[int]] = defaultdict(list)
    for portfolio_id, role, user_id in (
        PortfolioRole.objects.filter(user__is_active=True, portfolio__is_active=True)
        .exclude(user__email="")
        .values_list("portfolio_id", "role", "user_id")
    ):
        audience = Audience.OFFICERS if role == PortfolioRole.Role.OFFICER else Audience.DIRECTORS
        people[(portfolio_id, audience)].append(user_id)
    portfolios = list(Portfolio.objects.filter(is_active=True).only("pk"))
    expected = _expected_returns(portfolios, firings, states)
    team = performance_team() if any(f.audience == Audience.TEAM for f in firings) else []

    planned: dict[tuple[int, str, int, int], Planned] = {}
    for firing in firings:
        kind = KINDS[(firing.audience, firing.deadline_name)]
        for portfolio_id in expected[firing.quarter.pk]:
            if firing.portfolio_id is not None and portfolio_id != firing.portfolio_id:
                continue
            if firing.portfolio_id is None and (portfolio_id, firing.quarter.pk) in extended:
                continue
            state = states.get((portfolio_id, firing.quarter.pk))
            if not _outstanding(firing.audience, firing.deadline_name, state):
                continue
            if firing.audience == Audience.TEAM:
                recipients = team
            else:
                recipients = people.get((portfolio_id, firing.audience), [])
            for user_id in recipients:
                key = (user_id, kind, portfolio_id, firing.quarter.pk)
                planned.setdefault(
                    key,
                    Planned(
                        recipient_id=user_id,
                        kind=kind,
                        portfolio_id=portfolio_id,
                        quarter_id=firing.quarter.pk,
                        deadline=firing.deadline,
                        days=firing.days,
                    ),
                )
    return list(planned.values())


@transaction.atomic
def claim_reminders(*, on: date, planned: list[Planned]) -> list[int]:
    """Write each person's digest for `on` and its lines, unless already there.

    Safe to run any number of times, at once from several workers: the unique
    constraints keep one digest per person per day and one line per reminder. Lines are
    not added to a digest that has already gone. Returns the ids of the digests for `on`
    that are not sent yet (including ones claimed earlier and never sent).
    """
    recipients = sorted({p.recipient_id for p in planned})
    ReminderEmail.objects.bulk_create(
        [
            ReminderEmail(recipient_id=r, kind=ReminderEmail.Kind.DIGEST, on_date=on)
            for r in recipients
        ],
        ignore_conflicts=True,
    )
    open_emails = dict(
        ReminderEmail.objects.filter(
            kind=ReminderEmail.Kind.DIGEST,
            on_date=on,
            recipient_id__in=recipients,
            sent_at__isnull=True,
            failed_at__isnull=True,
        ).values_list("recipient_id", "pk")
    )
    Reminder.objects.bulk_create(
        [
            Reminder(
                email_id=open_emails[p.recipient_id],
                recipient_id=p.recipient_id,
                kind=p.kind,
                portfolio_id=p.portfolio_id,
                quarter_id=p.quarter_id,
                on_date=on,
                deadline=p.deadline,
                days=p.days,
            )
            for p in planned
            if p.recipient_id in open_emails
        ],
        ignore_conflicts=True,
    )
    return unsent_digests(on=on)


def unsent_digests(*, on: date) -> list[int]:
    """Ids of the digests for `on` that have lines and are neither sent nor given up."""
    return list(
        ReminderEmail.objects.filter(
            kind=ReminderEmail.Kind.DIGEST,
            on_date=on,
            sent_at__isnull=True,
            failed_at__isnull=True,
            reminders__isnull=False,
        )
        .distinct()
        .order_by("pk")
        .values_list("pk", flat=True)
    )
