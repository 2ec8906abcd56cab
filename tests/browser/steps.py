"""Steps that several browser tests take."""

from __future__ import annotations

from typing import Any


def check_and_submit(page: Any) -> None:
    """Save, check the answers, declare them right and submit."""
    page.get_by_role("button", name="Save and check your answers").click()
    page.get_by_role("heading", name="Check your answers before submitting").wait_for()
    page.get_by_label("I have checked these answers").check()
    page.get_by_role("button", name="Submit return").click()
    page.get_by_text("Return submitted").wait_for()
