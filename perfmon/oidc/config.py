"""The council's sign-in settings (OIDC_* environment variables, read in perfmon.settings)
and the provider's discovery document.

Settings are checked once, by `manage.py check` (perfmon.checks): a variable that is
missing or wrong is named there. At a person's sign-in a wrong setting is never an
error: council sign-in is simply off (`council_sign_in()` is None).
"""

from __future__ import annotations

import ipaddress
import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.cache import cache

log = logging.getLogger(__name__)

REQUIRED = ("OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET")
SWITCHES = ("OIDC_ONLY", "OIDC_CREATE_USERS")
OPTIONAL = ("OIDC_ADMIN_GROUP", *SWITCHES)
TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"", "0", "false", "no", "off"}
# Long enough that a sign-in rarely waits on discovery; short enough that a provider's
# moved endpoints are picked up within the hour.
DISCOVERY_CACHE_SECONDS = 60 * 60
TIMEOUT_SECONDS = 10


class ProviderUnreachable(Exception):
    """The provider did not answer, or answered with something that is not OpenID Connect."""


@dataclass(frozen=True)
class CouncilSignIn:
    issuer: str
    client_id: str
    client_secret: str
    admin_group: str
    only: bool
    create_users: bool


@dataclass(frozen=True)
class Endpoints:
    authorization: str
    token: str
    jwks: str
    end_session: str | None


def _raw(name: str) -> str:
    value: Any = getattr(settings, name, "")
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value or "").strip()


def _switch(name: str) -> bool:
    return _raw(name).lower() in TRUE_WORDS


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def issuer_problem(issuer: str) -> str | None:
    """Why `issuer` cannot be an issuer URL, or None. Plain http only on this machine."""
    parts = urlsplit(issuer)
    if parts.scheme not in {"https", "http"} or not parts.hostname:
        return "must be the provider's issuer URL, e.g. https://login.example.com/tenant/v2.0"
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        return "must use https (plain http is allowed only for 127.0.0.1 or localhost)"
    if parts.query or parts.fragment:
        return "must not have a query string or fragment"
    return None


def setting_problems() -> list[tuple[str, str]]:
    """Each OIDC_* variable that is wrong, with what is wrong. Empty when council sign-in
    is off (no OIDC_* set at all) or set up correctly."""
    problems: list[tuple[str, str]] = []
    if not any(_raw(name) for name in (*REQUIRED, "OIDC_ADMIN_GROUP")) and not any(
        _switch(name) for name in SWITCHES
    ):
        problems.extend(
            (name, f"is {_raw(name)!r}: use true or false")
            for name in SWITCHES
            if _raw(name).lower() not in TRUE_WORDS | FALSE_WORDS
        )
        return problems
    problems.extend(
        (name, "must be set for sign-in with council accounts")
        for name in REQUIRED
        if not _raw(name)
    )
    issuer = _raw("OIDC_ISSUER")
    if issuer and (problem := issuer_problem(issuer)):
        problems.append(("OIDC_ISSUER", problem))
    problems.extend(
        (name, f"is {_raw(name)!r}: use true or false")
        for name in SWITCHES
        if _raw(name).lower() not in TRUE_WORDS | FALSE_WORDS
    )
    return problems


def council_sign_in() -> CouncilSignIn | None:
    """The council's sign-in settings, or None when council sign-in is off or misconfigured
    (then sign-in is by password only, exactly as without the variables)."""
    if not _raw("OIDC_ISSUER") or setting_problems():
        return None
    return CouncilSignIn(
        issuer=_raw("OIDC_ISSUER").rstrip("/"),
        client_id=_raw("OIDC_CLIENT_ID"),
        client_secret=_raw("OIDC_CLIENT_SECRET"),
        admin_group=_raw("OIDC_ADMIN_GROUP"),
        only=_switch("OIDC_ONLY"),
        create_users=_switch("OIDC_CREATE_USERS"),
    )


def password_sign_in_offered() -> bool:
    """Whether the sign-in page offers passwords to everyone (not under OIDC_ONLY)."""
    config = council_sign_in()
    return config is None or not config.only


def _fetch_discovery(issuer: str) -> dict[str, Any]:
    url = f"{issuer}/.well-known/openid-configuration"
    try:
        response = requests.get(url, timeout=TIMEOUT_SECONDS)
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as error:
        raise ProviderUnreachable(f"{url}: {error}") from error
    if not isinstance(document, dict):
        raise ProviderUnreachable(f"{url}: not a discovery document")
    return document


def endpoints(config: CouncilSignIn) -> Endpoints:
    """The provider's endpoints from its discovery document (cached for an hour).

    Raises ProviderUnreachable when the document cannot be fetched, or when it is not
    the configured issuer's (OpenID Connect Discovery requires its issuer to match)."""
    key = f"perfmon:oidc:discovery:{config.issuer}"
    document = cache.get(key)
    if document is None:
        document = _fetch_discovery(config.issuer)
    if str(document.get("issuer", "")).rstrip("/") != config.issuer:
        raise ProviderUnreachable(
            f"the discovery document names issuer {document.get('issuer')!r}, "
            f"not OIDC_ISSUER {config.issuer!r}"
        )
    try:
        found = Endpoints(
            authorization=str(document["authorization_endpoint"]),
            token=str(document["token_endpoint"]),
            jwks=str(document["jwks_uri"]),
            end_session=document.get("end_session_endpoint") or None,
        )
    except KeyError as missing:
        raise ProviderUnreachable(f"the discovery document has no {missing}") from None
    cache.set(key, document, DISCOVERY_CACHE_SECONDS)
    return found
