"""Signing in with a council account, against a real OpenID provider (tests/oidc)."""

from __future__ import annotations

import base64
import hashlib
import logging
import secrets
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import Client
from django.urls import reverse

from perfmon.models import PERFORMANCE_TEAM_GROUP, ProviderIdentity, User
from perfmon.oidc.tokens import CouncilAccountBackend
from tests.factories import PASSWORD, UserFactory
from tests.oidc.harness import (
    OTHER_CLIENT_ID,
    OTHER_CLIENT_SECRET,
    OTHER_REDIRECT_URI,
    RunningProvider,
    free_port,
    running_provider,
    sign_in_at_provider,
)

CALLBACK = "http://testserver/sign-in/council/callback/"
SIGNED_OUT = "http://testserver/sign-in/"
COUNCIL_BUTTON = "Sign in with your council account"


@pytest.fixture(scope="module")
def provider() -> Iterator[RunningProvider]:
    with running_provider(redirect_uris=[CALLBACK], logout_uris=[SIGNED_OUT]) as running:
        yield running


@pytest.fixture
def council(provider: RunningProvider, settings: Any, db: None) -> RunningProvider:
    for name, value in provider.settings().items():
        setattr(settings, name, value)
    return provider


def start(client: Client) -> str:
    response = client.get(reverse("oidc_start"))
    assert response.status_code == 302, response.content.decode()
    return str(response["Location"])


def state_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["state"][0]


def back_from_provider(client: Client, account: str) -> str:
    """Start signing in at perfmon, sign in at the provider; the callback path to visit."""
    returned = sign_in_at_provider(start(client), account=account, redirect_uri=CALLBACK)
    return returned.removeprefix("http://testserver")


def signed_in_user(client: Client) -> User | None:
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id) if user_id else None


def test_it_offers_only_passwords_without_the_variables(client: Client, db: None) -> None:
    page = client.get(reverse("login")).content.decode()
    assert COUNCIL_BUTTON not in page
    assert "Email address or username" in page
    assert client.get(reverse("oidc_start")).status_code == 404
    assert client.get(reverse("oidc_callback"), {"code": "c", "state": "s"}).status_code == 404


@pytest.mark.parametrize(
    ("variables", "named"),
    [
        ({"OIDC_ISSUER": "https://login.example.com/t/v2.0"}, "OIDC_CLIENT_ID"),
        ({"OIDC_CLIENT_ID": "perfmon", "OIDC_CLIENT_SECRET": "s"}, "OIDC_ISSUER"),
        (
            {"OIDC_ISSUER": "http://login.example.com", "OIDC_CLIENT_ID": "p"},
            "OIDC_ISSUER must use https",
        ),
        ({"OIDC_ISSUER": "login.example.com"}, "OIDC_ISSUER must be the provider's issuer URL"),
        ({"OIDC_ONLY": "yes please"}, "OIDC_ONLY is 'yes please'"),
        ({"OIDC_CREATE_USERS": "maybe"}, "OIDC_CREATE_USERS is 'maybe'"),
    ],
)
def test_it_names_the_wrong_variable_in_the_system_check(
    settings: Any, client: Client, db: None, variables: dict[str, str], named: str
) -> None:
    for name, value in variables.items():
        setattr(settings, name, value)
    with pytest.raises(SystemCheckError, match=named):
        call_command("check")
    # Never at a person's sign-in: the sign-in page is the password one.
    page = client.get(reverse("login"))
    assert page.status_code == 200
    assert COUNCIL_BUTTON not in page.content.decode()


def test_it_passes_the_system_check_when_set_up(council: RunningProvider) -> None:
    call_command("check")


def test_it_offers_the_council_account_beside_passwords(
    client: Client, council: RunningProvider
) -> None:
    page = client.get(reverse("login")).content.decode()
    assert COUNCIL_BUTTON in page
    assert "Or sign in with a perfmon password" in page


def test_it_starts_with_pkce_state_and_nonce(client: Client, council: RunningProvider) -> None:
    query = parse_qs(urlsplit(start(client)).query)
    assert query["code_challenge_method"] == ["S256"]
    assert query["response_type"] == ["code"]
    entry = client.session["oidc_states"][query["state"][0]]
    assert query["nonce"] == [entry["nonce"]]
    digest = hashlib.sha256(entry["code_verifier"].encode()).digest()
    assert query["code_challenge"] == [base64.urlsafe_b64encode(digest).decode().rstrip("=")]


def test_it_signs_in_an_existing_officer_by_email_then_by_subject(
    client: Client, council: RunningProvider, officer: User
) -> None:
    officer.email = "Alex.Officer@council.test"
    officer.save()
    response = client.get(back_from_provider(client, "existing-officer"))
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert signed_in_user(client) == officer
    officer.refresh_from_db()
    assert (officer.first_name, officer.email) == ("Alexandra", "alex.officer@council.test")
    assert not officer.is_staff  # not in the admin group
    assert ProviderIdentity.objects.get(user=officer).subject == "existing-officer"

    # Next time the subject finds them, whatever their email address is now.
    client.logout()
    officer.email = "someone.else@council.test"
    officer.save()
    client.get(back_from_provider(client, "existing-officer"))
    assert signed_in_user(client) == officer


def test_it_refuses_a_wrong_state(client: Client, council: RunningProvider) -> None:
    returned = back_from_provider(client, "existing-officer")
    wrong = returned.replace(state_of(returned), "not-the-state-perfmon-sent")
    response = client.get(wrong)
    assert response.status_code == 400
    assert "Signing in did not work" in response.content.decode()
    assert signed_in_user(client) is None


def test_it_refuses_a_replayed_code(
    client: Client, council: RunningProvider, officer: User, caplog: pytest.LogCaptureFixture
) -> None:
    officer.email = "alex.officer@council.test"
    officer.save()
    returned = back_from_provider(client, "existing-officer")
    attempt = client.session["oidc_states"][state_of(returned)]
    assert client.get(returned).status_code == 302
    client.logout()
    # Even with the same state, nonce and PKCE verifier back in the session, a code
    # works once: the provider refuses it the second time.
    session = client.session
    session["oidc_states"] = {state_of(returned): attempt}
    session.save()
    with caplog.at_level(logging.WARNING, logger="perfmon.oidc"):
        response = client.get(returned)
    assert response.status_code == 400
    assert signed_in_user(client) is None
    assert "refused the code" in caplog.text


def test_it_refuses_an_expired_code(
    client: Client, settings: Any, db: None, caplog: pytest.LogCaptureFixture
) -> None:
    with running_provider(
        # Long enough for the first round trip on a busy machine, short enough to wait out.
        redirect_uris=[CALLBACK],
        logout_uris=[SIGNED_OUT],
        code_ttl_seconds=3,
    ) as quick:
        for name, value in quick.settings(OIDC_CREATE_USERS="true").items():
            setattr(settings, name, value)
        # Used at once, a code from this provider works...
        assert client.get(back_from_provider(client, "existing-officer")).status_code == 302
        client.logout()
        # ...but not once it has expired.
        returned = back_from_provider(client, "stranger")
        time.sleep(4)
        with caplog.at_level(logging.WARNING, logger="perfmon.oidc"):
            response = client.get(returned)
    assert response.status_code == 400
    assert signed_in_user(client) is None
    assert "refused the code" in caplog.text
    assert not User.objects.filter(email="sam.stranger@council.test").exists()


def test_it_refuses_an_unverified_email(
    client: Client, council: RunningProvider, officer: User
) -> None:
    officer.email = "alex.officer@council.test"
    officer.save()
    response = client.get(back_from_provider(client, "unverified-officer"))
    assert response.status_code == 403
    assert "did not confirm that its email address is yours" in response.content.decode()
    assert "Ask the performance team" in response.content.decode()
    assert signed_in_user(client) is None
    assert not ProviderIdentity.objects.exists()
    officer.refresh_from_db()
    assert not officer.is_staff


def _other_client_id_token(provider: RunningProvider, *, nonce: str) -> str:
    """An ID token the same provider issued to another application of the council."""
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    query = {
        "response_type": "code",
        "client_id": OTHER_CLIENT_ID,
        "redirect_uri": OTHER_REDIRECT_URI,
        "scope": "openid email profile",
        "state": "other",
        "nonce": nonce,
        "code_challenge": challenge.decode().rstrip("="),
        "code_challenge_method": "S256",
    }
    returned = sign_in_at_provider(
        f"{provider.issuer}/auth?{urlencode(query)}",
        account="existing-officer",
        redirect_uri=OTHER_REDIRECT_URI,
    )
    tokens = requests.post(
        f"{provider.issuer}/token",
        data={
            "grant_type": "authorization_code",
            "code": parse_qs(urlsplit(returned).query)["code"][0],
            "redirect_uri": OTHER_REDIRECT_URI,
            "client_id": OTHER_CLIENT_ID,
            "client_secret": OTHER_CLIENT_SECRET,
            "code_verifier": verifier,
        },
        timeout=10,
    ).json()
    return str(tokens["id_token"])


def test_it_refuses_a_token_for_another_client(
    client: Client,
    council: RunningProvider,
    officer: User,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    officer.email = "alex.officer@council.test"
    officer.save()
    state = state_of(start(client))
    nonce = client.session["oidc_states"][state]["nonce"]
    # Genuinely signed by the provider, for this sign-in's nonce, but for another client.
    id_token = _other_client_id_token(council, nonce=nonce)

    def substituted(backend: CouncilAccountBackend, payload: dict[str, str]) -> dict[str, str]:
        return {"id_token": id_token, "access_token": "unused", "token_type": "Bearer"}

    monkeypatch.setattr(CouncilAccountBackend, "get_token", substituted)
    with caplog.at_level(logging.WARNING, logger="perfmon.oidc"):
        response = client.get(reverse("oidc_callback"), {"code": "stolen", "state": state})
    assert response.status_code == 400
    assert signed_in_user(client) is None
    assert "for another client" in caplog.text


def test_it_says_when_the_provider_cannot_be_reached(
    client: Client, settings: Any, council: RunningProvider
) -> None:
    settings.OIDC_ISSUER = f"http://127.0.0.1:{free_port()}"
    response = client.get(reverse("oidc_start"))
    page = response.content.decode()
    assert response.status_code == 503
    assert "sign-in service is not answering" in page
    assert "Sign in with a perfmon password instead" in page

    settings.OIDC_ONLY = "true"
    page = client.get(reverse("oidc_start")).content.decode()
    assert "sign-in service is not answering" in page
    assert 'name="password"' not in page


def test_it_says_when_the_provider_goes_down_during_sign_in(
    client: Client, council: RunningProvider, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    returned = back_from_provider(client, "existing-officer")

    def down(backend: CouncilAccountBackend, payload: dict[str, str]) -> dict[str, str]:
        raise requests.ConnectionError("connection refused")

    monkeypatch.setattr(CouncilAccountBackend, "get_token", down)
    response = client.get(returned)
    assert response.status_code == 503
    assert "sign-in service is not answering" in response.content.decode()
    assert signed_in_user(client) is None


def test_it_refuses_someone_not_added_when_creation_is_off(
    client: Client, council: RunningProvider
) -> None:
    response = client.get(back_from_provider(client, "stranger"))
    assert response.status_code == 403
    assert (
        "You do not have a perfmon account yet. Ask the performance team at "
        in response.content.decode()
    )
    assert not User.objects.filter(email="sam.stranger@council.test").exists()


def test_it_creates_a_viewer_when_creation_is_on(
    client: Client, council: RunningProvider, settings: Any
) -> None:
    settings.OIDC_CREATE_USERS = "true"
    client.get(back_from_provider(client, "stranger"))
    person = User.objects.get(email="sam.stranger@council.test")
    assert signed_in_user(client) == person
    assert (person.get_full_name(), person.is_staff) == ("Sam Stranger", False)
    assert not person.has_usable_password()


def test_it_keeps_the_performance_team_in_step_with_the_admin_group(
    client: Client, council: RunningProvider, settings: Any, officer: User
) -> None:
    settings.OIDC_CREATE_USERS = "true"
    client.get(back_from_provider(client, "new-admin"))
    person = User.objects.get(email="nia.admin@council.test")
    assert person.is_staff
    assert person.groups.filter(name=PERFORMANCE_TEAM_GROUP).exists()

    # Made team by hand but not in the group at the provider: taken out at sign-in.
    client.logout()
    officer.email = "alex.officer@council.test"
    officer.is_staff = True
    officer.save()
    client.get(back_from_provider(client, "existing-officer"))
    officer.refresh_from_db()
    assert not officer.is_staff


def test_it_ends_the_provider_session_on_sign_out(client: Client, council: RunningProvider) -> None:
    officer = UserFactory(username="alex", email="alex.officer@council.test")
    client.get(back_from_provider(client, "existing-officer"))
    assert signed_in_user(client) == officer
    response = client.post(reverse("logout"))
    location = urlsplit(response["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == (
        f"{council.issuer}/session/end"
    )
    query = parse_qs(location.query)
    assert query["post_logout_redirect_uri"] == [SIGNED_OUT]
    assert query["id_token_hint"]
    assert signed_in_user(client) is None


def test_it_signs_out_password_users_as_before(
    client: Client, council: RunningProvider, officer: User
) -> None:
    client.force_login(officer, backend="perfmon.auth.EmailOrUsernameBackend")
    response = client.post(reverse("logout"))
    assert response["Location"] == reverse("login")


def test_it_keeps_passwords_for_the_break_glass_superuser_only_when_oidc_only(
    client: Client, council: RunningProvider, settings: Any, officer: User
) -> None:
    settings.OIDC_ONLY = "true"
    page = client.get(reverse("login")).content.decode()
    assert COUNCIL_BUTTON in page
    assert 'name="password"' not in page
    refused = client.post(reverse("login_local"), {"username": "alex", "password": PASSWORD})
    assert "Enter a correct email address or username and password" in refused.content.decode()
    UserFactory(username="breakglass", is_superuser=True, is_staff=True)
    signed_in = client.post(
        reverse("login_local"), {"username": "breakglass", "password": PASSWORD}
    )
    assert signed_in.status_code == 302
    assert signed_in_user(client) == User.objects.get(username="breakglass")


def test_it_ends_the_session_of_someone_switched_off(
    client: Client, council: RunningProvider, officer: User
) -> None:
    officer.email = "alex.officer@council.test"
    officer.save()
    client.get(back_from_provider(client, "existing-officer"))
    assert client.get(reverse("home")).status_code == 200
    officer.is_active = False
    officer.save()
    assert client.get(reverse("home")).status_code == 302

    response = client.get(back_from_provider(client, "existing-officer"))
    assert response.status_code == 403
    assert "Your perfmon account is switched off." in response.content.decode()
