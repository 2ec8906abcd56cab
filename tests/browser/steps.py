"""Steps that several browser tests take."""

from __future__ import annotations

from typing import Any

from tests.factories import PASSWORD


def sign_in(page: Any, base: str, username: str, password: str = PASSWORD) -> None:
    """Sign in on the sign-in page, and wait for the page it leads to."""
    page.goto(f"{base}/sign-in/")
    page.get_by_label("Email address or username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="Sign out").wait_for()


def sign_out(page: Any) -> None:
    page.get_by_role("button", name="Sign out").click()


def check_and_submit(page: Any) -> None:
    """Save, check the answers, declare them right and submit."""
    page.get_by_role("button", name="Save and check your answers").click()
    page.get_by_role("heading", name="Check your answers before submitting").wait_for()
    page.get_by_label("I have checked these answers").check()
    page.get_by_role("button", name="Submit return").click()
    page.get_by_text("Return submitted").wait_for()
