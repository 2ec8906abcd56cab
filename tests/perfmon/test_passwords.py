"""Resetting a forgotten password by email, and changing one's password when signed in:
Django's auth views under their standard names, in the site's GOV.UK style. Reset links
expire and work once; the reset page never says whether an address belongs to anyone."""

from __future__ import annotations

import re
from datetime import timedelta

import time_machine
from axes.models import AccessAttempt
from django.conf import settings
from django.core import mail
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from perfmon.models import User
from tests.factories import PASSWORD

NEW_PASSWORD = "a brand new staple battery"
LINK = re.compile(r"^(http\S+/password-reset/\S+/)$", re.MULTILINE)


def ask_for_reset(client: Client, email: str) -> HttpResponse:
    return client.post(reverse("password_reset"), {"email": email}, follow=True)


def emailed_link() -> str:
    assert len(mail.outbox) == 1
    match = LINK.search(mail.outbox[0].body)
    assert match, mail.outbox[0].body
    return match.group(1)


def set_password(client: Client, link: str, first: str, second: str) -> HttpResponse:
    """Open the emailed link (Django moves the token to the session and redirects), then
    send the new password twice."""
    form_page = client.get(link.removeprefix(settings.SITE_URL.rstrip("/")), follow=True)
    return client.post(
        form_page.request["PATH_INFO"],
        {"new_password1": first, "new_password2": second},
        follow=True,
    )


def test_the_sign_in_page_links_to_a_password_reset_open_to_all(client: Client, db: None) -> None:
    page = client.get(reverse("login")).content.decode()
    assert f'href="{reverse("password_reset")}">Forgotten your password?</a>' in page
    response = client.get(reverse("password_reset"))
    assert response.status_code == 200
    assert "Reset your password" in response.content.decode()


def test_it_emails_a_link_on_the_site_url_to_the_address_in_any_case(
    client: Client, officer: User
) -> None:
    response = ask_for_reset(client, "ALEX@Council.Example")
    assert response.redirect_chain[-1][0] == reverse("password_reset_done")
    message = mail.outbox[0]
    assert message.to == ["alex@council.example"]
    assert message.subject == "Reset your perfmon password"
    assert emailed_link().startswith(settings.SITE_URL.rstrip("/") + "/password-reset/")
    assert "Your username is alex" in message.body
    assert "The link works once, for the next 1 hour." in message.body


def test_it_says_the_same_whether_or_not_the_address_belongs_to_anyone(
    client: Client, officer: User
) -> None:
    known = ask_for_reset(Client(), "alex@council.example")
    unknown = ask_for_reset(Client(), "nobody@council.example")
    assert known.redirect_chain == unknown.redirect_chain
    assert known.content == unknown.content
    assert "if it belongs to a perfmon account" in known.content.decode()
    assert [m.to for m in mail.outbox] == [["alex@council.example"]]


def test_it_asks_for_an_email_address_with_an_error_linking_to_the_field(
    client: Client, db: None
) -> None:
    page = ask_for_reset(client, "not an address").content.decode()
    assert "There is a problem" in page
    assert '<a href="#id_email">Enter an email address in the correct format' in page
    assert (
        '<a href="#id_email">Enter your email address</a>'
        in ask_for_reset(client, "").content.decode()
    )
    assert not mail.outbox


def test_the_link_sets_a_new_password_once(client: Client, officer: User) -> None:
    ask_for_reset(client, "alex@council.example")
    link = emailed_link()
    done = set_password(client, link, NEW_PASSWORD, NEW_PASSWORD)
    assert "Your password has been changed" in done.content.decode()
    officer.refresh_from_db()
    assert officer.check_password(NEW_PASSWORD)
    again = client.get(link.removeprefix(settings.SITE_URL.rstrip("/")), follow=True)
    assert "This link has expired or has already been used" in again.content.decode()


def test_the_link_expires(client: Client, officer: User) -> None:
    assert 0 < settings.PASSWORD_RESET_TIMEOUT <= 24 * 60 * 60
    ask_for_reset(client, "alex@council.example")
    link = emailed_link()
    later = timezone.now() + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 1)
    with time_machine.travel(later):
        page = client.get(link.removeprefix(settings.SITE_URL.rstrip("/")), follow=True)
    assert "This link has expired or has already been used" in page.content.decode()
    officer.refresh_from_db()
    assert officer.check_password(PASSWORD)


def test_new_passwords_that_differ_or_are_weak_are_refused_at_the_field(
    client: Client, officer: User
) -> None:
    ask_for_reset(client, "alex@council.example")
    link = emailed_link()
    page = set_password(client, link, NEW_PASSWORD, "something else").content.decode()
    assert '<a href="#id_new_password2">The passwords do not match' in page
    page = set_password(client, link, "12345678", "12345678").content.decode()
    assert 'href="#id_new_password2">This password is entirely numeric' in page
    officer.refresh_from_db()
    assert officer.check_password(PASSWORD)


def test_resetting_lifts_the_pause_on_signing_in(client: Client, officer: User) -> None:
    for _ in range(5):
        client.post(reverse("login"), {"username": "alex", "password": "wrong"})
    assert AccessAttempt.objects.filter(username="alex").exists()
    ask_for_reset(client, "alex@council.example")
    set_password(client, emailed_link(), NEW_PASSWORD, NEW_PASSWORD)
    assert not AccessAttempt.objects.filter(username="alex").exists()
    response = client.post(reverse("login"), {"username": "alex", "password": NEW_PASSWORD})
    assert response.status_code == 302


def test_a_signed_in_person_changes_their_password_from_the_header(
    client: Client, officer: User
) -> None:
    client.force_login(officer)
    home = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("password_change")}">Change your password</a>' in home
    wrong = client.post(
        reverse("password_change"),
        {"old_password": "nope", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    ).content.decode()
    assert '<a href="#id_old_password">Your current password is not right' in wrong
    done = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )
    assert done.redirect_chain[-1][0] == reverse("password_change_done")
    assert "Your password has been changed" in done.content.decode()
    officer.refresh_from_db()
    assert officer.check_password(NEW_PASSWORD)
    assert client.get(reverse("home")).status_code == 200  # still signed in


def test_changing_a_password_needs_a_signed_in_person(client: Client, db: None) -> None:
    for name in ("password_change", "password_change_done"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
