"""The accessibility statement, and the sign-in error in GOV.UK's pattern."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from perfmon.models import User
from tests.factories import UserFactory


def test_it_publishes_the_statement_to_anyone_linked_from_every_page(
    client: Client, db: None, settings: object
) -> None:
    settings.ACCESSIBILITY_CONTACT_EMAIL = "performance@council.example"  # type: ignore[attr-defined]
    page = client.get(reverse("accessibility"))
    assert page.status_code == 200
    html = page.content.decode()
    for heading in (
        "Accessibility statement for perfmon",
        "How accessible this service is",
        "Reporting accessibility problems with this service",
        "Enforcement procedure",
        "Non-accessible content",
        "Preparation of this accessibility statement",
    ):
        assert heading in html, heading
    assert 'href="mailto:performance@council.example"' in html
    sign_in = client.get(reverse("login")).content.decode()
    assert f'<a class="govuk-footer__link" href="{reverse("accessibility")}">' in sign_in


def test_it_links_a_failed_sign_in_to_the_field_and_says_it_there(client: Client, db: None) -> None:
    UserFactory(username="ann")
    page = client.post(reverse("login"), {"username": "ann", "password": "wrong"})
    html = page.content.decode()
    message = "Enter a correct email address or username and password."
    assert f'<li><a href="#id_username">{message}</a></li>' in html
    assert '<p id="id_username_error" class="govuk-error-message">' in html
    assert "<title>Error: Sign in" in html
    assert "_auth_user_id" not in client.session
    assert not User.objects.filter(username="ann", last_login__isnull=False).exists()
