"""Who a council account is in perfmon: found by the provider's subject, on a first
sign-in by a verified email address, or created as a viewer when the council allows it.
Name and email, and (with OIDC_ADMIN_GROUP) performance team membership, follow the
provider at each sign-in; portfolio roles stay managed in perfmon."""

from __future__ import annotations

import logging
import re
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from perfmon.models import ProviderIdentity, User
from perfmon.oidc.config import CouncilSignIn
from perfmon.services import ensure_performance_team_group

log = logging.getLogger(__name__)


class SignInRefused(Exception):
    """The person proved who they are, but perfmon will not let them in. The message is a
    sentence for them, saying whom to ask."""


def _ask_the_team() -> str:
    return f"Ask the performance team at {settings.COUNCIL_NAME}"


def verified_email(claims: dict[str, Any]) -> str:
    """The email address in `claims` if the provider vouches for it, else ''.

    `email_verified` is OpenID Connect's claim; `xms_edov` is Microsoft Entra ID's
    (the email's domain is one the tenant has verified), which Entra sends instead."""
    email = str(claims.get("email") or "").strip()
    vouched = any(
        claims.get(name) in (True, "true", "True", 1) for name in ("email_verified", "xms_edov")
    )
    return email if email and vouched else ""


def _names(claims: dict[str, Any]) -> tuple[str, str]:
    given = str(claims.get("given_name") or "").strip()
    family = str(claims.get("family_name") or "").strip()
    if given or family:
        return given[:150], family[:150]
    first, _, last = str(claims.get("name") or "").strip().rpartition(" ")
    return (first or last)[:150], (last if first else "")[:150]


def _new_username(claims: dict[str, Any], email: str) -> str:
    base = email or str(claims.get("preferred_username") or "") or f"council-{claims['sub']}"
    base = re.sub(r"[^\w.@+-]", "", base)[:140] or "council-account"
    username, number = base, 1
    while User.objects.filter(username=username).exists():
        number += 1
        username = f"{base}-{number}"
    return username


def _find_or_link(*, config: CouncilSignIn, claims: dict[str, Any]) -> tuple[User, bool]:
    """The person these claims belong to and whether they were created. Raises
    SignInRefused."""
    subject = str(claims["sub"])
    identity = (
        ProviderIdentity.objects.select_related("user")
        .filter(issuer=config.issuer, subject=subject)
        .first()
    )
    if identity is not None:
        return identity.user, False
    email = verified_email(claims)
    unverified = str(claims.get("email") or "").strip() if not email else ""
    if unverified and User.objects.filter(email__iexact=unverified).exists():
        raise SignInRefused(
            "Your council account did not confirm that its email address is yours, so "
            "perfmon cannot tell which perfmon account is yours. "
            f"{_ask_the_team()} to check your account."
        )
    user = User.objects.filter(email__iexact=email).first() if email else None
    created = False
    if user is None:
        if not config.create_users:
            raise SignInRefused(
                "You do not have a perfmon account yet. "
                f"{_ask_the_team()} to add you"
                + (f", using the email address {email}." if email else ".")
            )
        user = User(username=_new_username(claims, email), email=email)
        user.set_unusable_password()
        user.save()
        created = True
    elif user.provider_identities.filter(issuer=config.issuer).exists():
        raise SignInRefused(
            "Your email address belongs to a perfmon account linked to a different council "
            f"account. {_ask_the_team()} to check your account."
        )
    ProviderIdentity.objects.create(user=user, issuer=config.issuer, subject=subject)
    return user, created


def _keep_in_step(user: User, *, config: CouncilSignIn, claims: dict[str, Any]) -> None:
    first, last = _names(claims)
    if first or last:
        user.first_name, user.last_name = first, last
    email = verified_email(claims)
    if email and email != user.email:
        if User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists():
            log.warning("Council sign-in: %s's new email %s is another user's", user, email)
        else:
            user.email = email
    if config.admin_group:
        _keep_team_in_step(user, in_team=_in_admin_group(claims, config.admin_group))
    user.save()


def _in_admin_group(claims: dict[str, Any], admin_group: str) -> bool:
    groups = claims.get("groups")
    if groups is None and "groups" in (claims.get("_claim_names") or {}):
        # Entra ID sends a link instead of the groups when someone is in too many: treat
        # them as not in the team rather than guess (README: "Groups assigned to the
        # application" avoids this).
        log.warning("Council sign-in: groups overage for %s; not in the team", claims["sub"])
    return isinstance(groups, list) and admin_group in [str(group) for group in groups]


def _keep_team_in_step(user: User, *, in_team: bool) -> None:
    team = ensure_performance_team_group()
    if in_team:
        user.groups.add(team)
    else:
        user.groups.remove(team)
    # A superuser keeps the admin: they are the break-glass account.
    user.is_staff = in_team or user.is_superuser


def person_for_claims(*, config: CouncilSignIn, claims: dict[str, Any]) -> User:
    """The active perfmon user these verified ID token claims belong to, linked to the
    subject and brought in step with the provider. Raises SignInRefused with a sentence
    for the person."""
    try:
        with transaction.atomic():
            user, created = _find_or_link(config=config, claims=claims)
            if not user.is_active:
                raise SignInRefused(
                    f"Your perfmon account is switched off. {_ask_the_team()} if you need it again."
                )
            _keep_in_step(user, config=config, claims=claims)
            ProviderIdentity.objects.filter(issuer=config.issuer, user=user).update(
                last_signed_in_at=timezone.now()
            )
    except IntegrityError:
        # Two first sign-ins at once for one person: the other one linked them.
        log.warning("Council sign-in: concurrent first sign-in for %s", claims.get("sub"))
        raise SignInRefused("Signing in did not finish. Try again.") from None
    if created:
        log.info("Council sign-in created the account %s", user.username)
    return user
