"""Sign-in throttling counts the person, whatever they type (username or email address,
any case), per person and network address; an unknown name is throttled the same way,
by what was typed, and nothing says whether it exists; the locked-out page says for how
long."""

from __future__ import annotations

import re
from datetime import timedelta

import time_machine
from axes.models import AccessAttempt
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from perfmon.models import User
from tests.factories import PASSWORD, UserFactory

OFFICE = "10.0.0.1"


def sign_in(client: Client, username: str, password: str, ip: str = OFFICE) -> HttpResponse:
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def page_without(response: HttpResponse, typed: str) -> str:
    """The page with what was typed and the form's CSRF token taken out."""
    page = response.content.decode().replace(typed.strip(), "TYPED")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "CSRF", page)


def test_it_counts_a_username_and_an_email_address_as_one_person(
    client: Client, officer: User
) -> None:
    for _ in range(5):
        sign_in(client, "alex", "wrong")
    locked = sign_in(client, "alex@council.example", PASSWORD)
    assert locked.status_code == 429
    assert not signed_in(client)
    assert list(AccessAttempt.objects.values_list("username", "ip_address")) == [("alex", OFFICE)]


def test_it_counts_every_way_of_typing_the_person_together(client: Client, officer: User) -> None:
    statuses = [
        sign_in(client, typed, "wrong").status_code
        for typed in ["alex", "ALEX@Council.Example", " alex@council.example ", "Alex", "alex"]
    ]
    assert statuses == [200, 200, 200, 200, 429]  # the fifth failure pauses signing in
    assert sign_in(client, "alex", PASSWORD).status_code == 429
    assert not signed_in(client)
    attempt = AccessAttempt.objects.get()
    assert (attempt.username, attempt.failures_since_start) == ("alex", 6)


def test_it_pauses_the_person_only_from_that_address(client: Client, officer: User) -> None:
    UserFactory(username="colleague")
    for _ in range(5):
        sign_in(client, "alex@council.example", "wrong")
    assert sign_in(Client(), "colleague", PASSWORD).status_code == 302
    elsewhere = Client()
    assert sign_in(elsewhere, "ALEX@council.example", PASSWORD, ip="10.9.9.9").status_code == 302
    assert signed_in(elsewhere)


def test_it_throttles_an_unknown_name_as_it_would_a_person_and_says_nothing_more(
    client: Client, officer: User
) -> None:
    known, unknown = Client(), Client()
    for _ in range(5):
        known_failure = sign_in(known, "alex@council.example", "wrong")
        unknown_failure = sign_in(unknown, " Nobody@Council.Example", "wrong", ip="10.0.0.2")
    assert page_without(known_failure, "alex@council.example") == page_without(
        unknown_failure, " Nobody@Council.Example"
    )
    known_locked = sign_in(known, "alex@council.example", "wrong")
    unknown_locked = sign_in(unknown, "nobody@council.example", "wrong", ip="10.0.0.2")
    assert (known_locked.status_code, unknown_locked.status_code) == (429, 429)
    assert known_locked.content == unknown_locked.content
    assert AccessAttempt.objects.filter(username="nobody@council.example").exists()


def test_the_locked_out_page_says_for_how_long_and_a_try_starts_it_again(
    client: Client, officer: User
) -> None:
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for _ in range(5):
            sign_in(client, "alex", "wrong")
        clock.shift(timedelta(minutes=10))
        page = sign_in(client, "alex@council.example", PASSWORD).content.decode()
        assert "paused on this computer for 15 minutes" in page
        assert "Each try while it is paused starts the 15 minutes again" in page
        clock.shift(timedelta(minutes=14))  # 24 minutes after the first pause
        assert sign_in(client, "alex", PASSWORD).status_code == 429
        clock.shift(timedelta(minutes=16))
        assert sign_in(client, "alex@council.example", PASSWORD).status_code == 302
    assert signed_in(client)


def test_signing_in_clears_the_persons_failures_whichever_name_was_used(
    client: Client, officer: User
) -> None:
    for _ in range(4):
        sign_in(client, "alex@council.example", "wrong")
    assert sign_in(client, "alex", PASSWORD).status_code == 302
    assert not AccessAttempt.objects.exists()
