"""Turning the provider's one-time code into the person's verified ID token claims, with
mozilla-django-oidc's token request and signature check, and the checks it leaves to us
(who issued the token and for which client)."""

from __future__ import annotations

import logging
from typing import Any

import jwt
import requests
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest
from django.urls import reverse
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from perfmon.oidc.config import TIMEOUT_SECONDS, CouncilSignIn, Endpoints, ProviderUnreachable

log = logging.getLogger(__name__)

CALLBACK_URL_NAME = "oidc_callback"
# Entra ID, Google, Okta and Keycloak all sign ID tokens with RS256 unless told otherwise.
SIGNING_ALGORITHM = "RS256"


class SignInFailed(Exception):
    """The provider's answer cannot be trusted or used: the code was refused (used before,
    expired, or for another client) or the ID token failed a check. The message is for
    the log; people see a general page."""


class CouncilAccountBackend(OIDCAuthenticationBackend):
    """Loads a person signed in through the council's provider at each request. Signing in
    itself is done by perfmon.oidc.views with `claims_for_code`, never through
    `authenticate()`, so a refused council sign-in is not a failed password to django-axes
    (which would pause everyone behind the office's address)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # mozilla-django-oidc reads endpoints from settings here; perfmon finds them by
        # discovery when someone signs in (for_sign_in).
        self.UserModel = get_user_model()
        self.OIDC_RP_SIGN_ALGO = SIGNING_ALGORITHM
        self.OIDC_RP_IDP_SIGN_KEY = None

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> None:
        return None

    def get_user(self, user_id: Any) -> Any:
        # Django's, which drops the session of someone since switched off; the library's
        # would keep them signed in.
        return ModelBackend.get_user(self, user_id)

    @classmethod
    def for_sign_in(
        cls, request: HttpRequest, config: CouncilSignIn, endpoints: Endpoints
    ) -> CouncilAccountBackend:
        backend = cls()
        backend.request = request
        backend.OIDC_OP_TOKEN_ENDPOINT = endpoints.token
        backend.OIDC_OP_JWKS_ENDPOINT = endpoints.jwks
        backend.OIDC_OP_USER_ENDPOINT = None
        backend.OIDC_RP_CLIENT_ID = config.client_id
        backend.OIDC_RP_CLIENT_SECRET = config.client_secret
        return backend

    @staticmethod
    def get_settings(attr: str, *args: Any) -> Any:
        if attr == "OIDC_TIMEOUT":
            return TIMEOUT_SECONDS
        return OIDCAuthenticationBackend.get_settings(attr, *args)


def _expect(condition: bool, problem: str) -> None:
    if not condition:
        raise SignInFailed(problem)


def check_claims(claims: dict[str, Any], *, config: CouncilSignIn) -> None:
    """The checks OpenID Connect asks of a client that mozilla-django-oidc does not make:
    the token was issued by our provider, to us. (Signature, nonce and expiry are checked
    before this.) Raises SignInFailed."""
    _expect(str(claims.get("iss", "")).rstrip("/") == config.issuer, "issuer does not match")
    audience = claims.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    _expect(config.client_id in audiences, "the ID token is for another client")
    if len(audiences) > 1 or "azp" in claims:
        _expect(claims.get("azp") == config.client_id, "authorised party is another client")
    _expect(bool(claims.get("sub")), "no subject")
    _expect("exp" in claims, "no expiry")


def claims_for_code(
    request: HttpRequest,
    *,
    config: CouncilSignIn,
    endpoints: Endpoints,
    code: str,
    code_verifier: str | None,
    nonce: str,
) -> tuple[dict[str, Any], str]:
    """Exchange `code` (with the PKCE verifier) for tokens and return the ID token's
    verified claims and the raw ID token.

    Raises ProviderUnreachable when the provider does not answer and SignInFailed when
    it refuses the code or the token fails a check."""
    backend = CouncilAccountBackend.for_sign_in(request, config, endpoints)
    payload = {
        "client_id": config.client_id,
        "client_secret": config.client_secret,
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": request.build_absolute_uri(reverse(CALLBACK_URL_NAME)),
    }
    if code_verifier:
        payload["code_verifier"] = code_verifier
    try:
        tokens = backend.get_token(payload)
    except requests.HTTPError as error:
        raise SignInFailed(f"the provider refused the code: {error}") from error
    except (requests.RequestException, ValueError) as error:
        raise ProviderUnreachable(f"token endpoint: {error}") from error
    id_token = tokens.get("id_token") if isinstance(tokens, dict) else None
    _expect(isinstance(id_token, str), "no ID token in the provider's answer")
    try:
        claims = backend.verify_token(id_token, nonce=nonce)
    except requests.RequestException as error:
        raise ProviderUnreachable(f"keys endpoint: {error}") from error
    except (SuspiciousOperation, jwt.PyJWTError, KeyError, ValueError) as error:
        raise SignInFailed(f"the ID token failed a check: {error}") from error
    check_claims(claims, config=config)
    return claims, str(id_token)
