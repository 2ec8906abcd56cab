"""The pages of signing in with a council account: start (to the provider), the provider's
answer (callback), and signing out of both perfmon and the provider."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import auth
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render, resolve_url
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.generic import View
from mozilla_django_oidc.views import OIDCAuthenticationRequestView

from perfmon.forms import SignInForm
from perfmon.models import User
from perfmon.oidc.config import (
    CouncilSignIn,
    ProviderUnreachable,
    council_sign_in,
    endpoints,
    password_sign_in_offered,
)
from perfmon.oidc.people import SignInRefused, person_for_claims
from perfmon.oidc.tokens import CALLBACK_URL_NAME, SignInFailed, claims_for_code

log = logging.getLogger(__name__)

BACKEND = "perfmon.oidc.tokens.CouncilAccountBackend"
ID_TOKEN_KEY = "oidc_id_token"
# How mozilla-django-oidc starts the flow here: code flow, PKCE with S256, state and nonce.
FLOW_SETTINGS: dict[str, Any] = {
    "OIDC_AUTHENTICATION_CALLBACK_URL": CALLBACK_URL_NAME,
    "OIDC_RP_SCOPES": "openid email profile",
    "OIDC_USE_NONCE": True,
    "OIDC_USE_PKCE": True,
    "OIDC_PKCE_CODE_CHALLENGE_METHOD": "S256",
}


@dataclass(frozen=True)
class SignInChoice:
    """What the sign-in page offers: the council account button, passwords, or both."""

    offered: bool
    passwords: bool


def sign_in_choice() -> SignInChoice:
    return SignInChoice(offered=council_sign_in() is not None, passwords=password_sign_in_offered())


def _page(request: HttpRequest, template: str, status: int, **context: Any) -> HttpResponse:
    context.setdefault("form", SignInForm(request))
    context["council_sign_in"] = sign_in_choice()
    return render(request, f"registration/{template}", context, status=status)


def unreachable(request: HttpRequest, problem: ProviderUnreachable) -> HttpResponse:
    log.warning("Council sign-in: provider unreachable: %s", problem)
    return _page(request, "council_unreachable.html", 503)


def _config_or_404() -> CouncilSignIn:
    config = council_sign_in()
    if config is None:
        raise Http404("Council sign-in is not set up.")
    return config


@method_decorator([login_not_required, never_cache], name="dispatch")
class StartCouncilSignIn(OIDCAuthenticationRequestView):
    """Sends the person to the provider with a fresh state, nonce and PKCE challenge,
    kept in their session for the callback (mozilla-django-oidc)."""

    def __init__(self, **kwargs: Any) -> None:
        # The library reads endpoints from settings here; perfmon discovers them in get().
        View.__init__(self, **kwargs)

    @staticmethod
    def get_settings(attr: str, *args: Any) -> Any:
        if attr in FLOW_SETTINGS:
            return FLOW_SETTINGS[attr]
        return OIDCAuthenticationRequestView.get_settings(attr, *args)

    def get(self, request: HttpRequest) -> HttpResponse:
        config = _config_or_404()
        try:
            self.OIDC_OP_AUTH_ENDPOINT = endpoints(config).authorization
        except ProviderUnreachable as problem:
            return unreachable(request, problem)
        self.OIDC_RP_CLIENT_ID = config.client_id
        response: HttpResponse = super().get(request)
        return response


def take_attempt(request: HttpRequest) -> dict[str, Any] | None:
    """The nonce and PKCE verifier kept for the `state` the provider sent back, removed
    from the session so that it works once; None if this browser never started it."""
    state = request.GET.get("state", "")
    attempts = request.session.get("oidc_states")
    if not state or not isinstance(attempts, dict) or state not in attempts:
        return None
    attempt = attempts.pop(state)
    request.session.modified = True
    return attempt if isinstance(attempt, dict) else None


def sign_in_with_code(
    request: HttpRequest, *, config: CouncilSignIn, attempt: dict[str, Any]
) -> tuple[User, str]:
    """The person the provider's code in `request` proves, and their ID token. Raises
    ProviderUnreachable, SignInFailed or SignInRefused."""
    claims, id_token = claims_for_code(
        request,
        config=config,
        endpoints=endpoints(config),
        code=request.GET.get("code", ""),
        code_verifier=attempt.get("code_verifier"),
        nonce=str(attempt.get("nonce") or ""),
    )
    return person_for_claims(config=config, claims=claims), id_token


@login_not_required
@never_cache
def callback(request: HttpRequest) -> HttpResponse:
    config = _config_or_404()
    attempt = take_attempt(request)
    if attempt is None or request.GET.get("error") or not request.GET.get("code"):
        log.warning("Council sign-in: callback without a matching state or with an error")
        return _page(request, "council_sign_in_failed.html", 400)
    try:
        user, id_token = sign_in_with_code(request, config=config, attempt=attempt)
    except ProviderUnreachable as problem:
        return unreachable(request, problem)
    except SignInFailed as problem:
        log.warning("Council sign-in failed: %s", problem)
        return _page(request, "council_sign_in_failed.html", 400)
    except SignInRefused as refusal:
        return _page(request, "council_refused.html", 403, reason=str(refusal))
    next_url = request.session.pop("oidc_login_next", None)
    auth.login(request, user, backend=BACKEND)
    request.session[ID_TOKEN_KEY] = id_token
    return HttpResponseRedirect(next_url or resolve_url(settings.LOGIN_REDIRECT_URL))


def provider_sign_out_url(request: HttpRequest) -> str | None:
    """Where to send someone signing out to end their provider session too: the provider's
    end_session_endpoint, when they signed in through it and it has one."""
    id_token = request.session.get(ID_TOKEN_KEY)
    config = council_sign_in()
    if not id_token or config is None:
        return None
    try:
        end_session = endpoints(config).end_session
    except ProviderUnreachable as problem:
        log.warning("Council sign-out: provider unreachable, perfmon only: %s", problem)
        return None
    if not end_session:
        return None
    query = urlencode(
        {
            "id_token_hint": id_token,
            "client_id": config.client_id,
            "post_logout_redirect_uri": request.build_absolute_uri(reverse("login")),
        }
    )
    return f"{end_session}{'&' if '?' in end_session else '?'}{query}"


class SignOutView(auth_views.LogoutView):
    """Django's sign-out, then on to the provider to end its session there too."""

    @method_decorator(csrf_protect)
    @method_decorator(never_cache)
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        provider_url = provider_sign_out_url(request)
        response: HttpResponse = super().post(request, *args, **kwargs)
        return HttpResponseRedirect(provider_url) if provider_url else response
