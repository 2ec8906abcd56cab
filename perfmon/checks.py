"""System checks (`manage.py check`): settings that are wrong are named at startup, never
at a person's sign-in."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.core.checks import CheckMessage, Error, register

from perfmon.oidc.config import setting_problems


@register("perfmon")
def council_sign_in_settings(
    app_configs: Sequence[AppConfig] | None, **kwargs: Any
) -> list[CheckMessage]:
    return [
        Error(
            f"{name} {problem}.",
            hint="See README.md, 'Council accounts'. Until this is fixed, people sign in "
            "with passwords only.",
            id="perfmon.E001",
        )
        for name, problem in setting_problems()
    ]
