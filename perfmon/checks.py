"""System checks (`manage.py check`): settings that are wrong are named at startup, never
at a person's sign-in."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core import checks
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


@register("perfmon", deploy=True)
def shared_cache(app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> list[CheckMessage]:
    """A deployment without REDIS_URL has a cache of each process's own: more than one web
    process, or a Celery worker, would not see what another kept or forgot."""
    backend = settings.CACHES["default"]["BACKEND"]
    if not backend.endswith("LocMemCache"):
        return []
    return [
        checks.Warning(
            "REDIS_URL is not set, so each process keeps its own cache.",
            hint="With more than one web process, or a Celery worker, set REDIS_URL: "
            "otherwise a change to roles or council settings reaches the other processes "
            "only after five minutes, an admin import may not find its upload between "
            "preview and confirmation, and large imports and report files have no worker. "
            "One web process and no worker may go without it.",
            id="perfmon.W001",
        )
    ]
