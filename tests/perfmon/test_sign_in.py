import pytest
from django.test import Client
from django.urls import reverse

from perfmon.models import User
from tests.factories import PASSWORD, UserFactory

WRONG_DETAILS = "Enter a correct email address or username and password."


def sign_in(client: Client, username: str, password: str, ip: str = "10.0.0.1") -> object:
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def test_it_asks_for_sign_in_on_every_page(client: Client, db: None) -> None:
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_it_signs_in_with_a_username(client: Client, officer: User) -> None:
    response = sign_in(client, "alex", PASSWORD)
    assert response.status_code == 302
    assert response.url == reverse("home")
    assert client.get(reverse("home")).context["user"] == officer


def test_it_signs_in_with_an_email_address_in_any_case(client: Client, officer: User) -> None:
    response = sign_in(client, "ALEX@Council.Example", PASSWORD)
    assert response.status_code == 302
    assert client.get(reverse("home")).context["user"] == officer


@pytest.mark.parametrize("username", ["alex", "nobody"])
def test_it_never_says_which_part_was_wrong(client: Client, officer: User, username: str) -> None:
    response = sign_in(client, username, "wrong password")
    assert response.status_code == 200
    assert WRONG_DETAILS in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_it_refuses_an_inactive_user_with_the_same_message(client: Client, db: None) -> None:
    UserFactory(username="gone", is_active=False)
    response = sign_in(client, "gone", PASSWORD)
    assert WRONG_DETAILS in response.content.decode()


def test_it_says_what_is_missing(client: Client, db: None) -> None:
    page = sign_in(client, "", "").content.decode()
    assert "Enter your email address or username" in page
    assert "Enter your password" in page
    assert "There is a problem" in page


def test_it_pauses_a_username_from_one_address_after_five_failures(
    client: Client, officer: User
) -> None:
    for _ in range(5):
        sign_in(client, "alex", "wrong")
    locked = sign_in(client, "alex", PASSWORD)
    assert locked.status_code == 429
    assert "Too many sign-in attempts" in locked.content.decode()
    assert "Wait 15 minutes" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_it_never_locks_out_a_whole_office_by_address(client: Client, officer: User) -> None:
    UserFactory(username="colleague")
    for _ in range(6):
        sign_in(client, "alex", "wrong")
    # A colleague at the same address still signs in, and so does alex from elsewhere.
    assert sign_in(Client(), "colleague", PASSWORD).status_code == 302
    assert sign_in(Client(), "alex", PASSWORD, ip="10.9.9.9").status_code == 302


def test_it_signs_out_with_a_post(client: Client, officer: User) -> None:
    client.force_login(officer)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302
