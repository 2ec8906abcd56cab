"""Who hears of a step in a return's life. The emails are claimed in the transition's own
transaction, so a rolled-back transition leaves no email behind and a committed one
cannot lose its emails."""

from __future__ import annotations

from django.utils import timezone

from perfmon.models import PortfolioRole, ReminderEmail, ReturnEvent, User

# Submitted returns go to the portfolio's directors; every other step to its officers.
HEARD_BY: dict[str, str] = {
    ReturnEvent.Action.SUBMITTED: PortfolioRole.Role.DIRECTOR,
    ReturnEvent.Action.RETURNED: PortfolioRole.Role.OFFICER,
    ReturnEvent.Action.APPROVED: PortfolioRole.Role.OFFICER,
    ReturnEvent.Action.REOPENED: PortfolioRole.Role.OFFICER,
    ReturnEvent.Action.CHASED: PortfolioRole.Role.OFFICER,
    ReturnEvent.Action.CHASED_DIRECTORS: PortfolioRole.Role.DIRECTOR,
    ReturnEvent.Action.EXTENDED: PortfolioRole.Role.OFFICER,
}


def claim_event_emails(*, event: ReturnEvent) -> list[int]:
    """Claim one notice of `event` for each active person of the role that hears of it
    (not the person who did it), and return the ids to send once the transaction commits."""
    role = HEARD_BY.get(event.action)
    if role is None:
        return []
    recipients = (
        User.objects.filter(
            is_active=True,
            portfolio_roles__portfolio_id=event.ret.portfolio_id,
            portfolio_roles__role=role,
        )
        .exclude(email="")
        .exclude(pk=event.user_id)
        .distinct()
    )
    on_date = timezone.localdate(event.at)
    ReminderEmail.objects.bulk_create(
        [
            ReminderEmail(
                recipient=user, kind=ReminderEmail.Kind.EVENT, event=event, on_date=on_date
            )
            for user in recipients
        ],
        ignore_conflicts=True,
    )
    return list(
        ReminderEmail.objects.filter(event=event, sent_at__isnull=True).values_list("pk", flat=True)
    )
