from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _ensure_group(sender: AppConfig, **kwargs: Any) -> None:
    from perfmon.services import PERFORMANCE_TEAM_APPS, ensure_performance_team_group

    if sender.label in PERFORMANCE_TEAM_APPS:
        ensure_performance_team_group()
    if sender.label == "perfmon":
        # The default reminder rules, again after a test database is flushed.
        from perfmon.reminders import ensure_default_rules

        ensure_default_rules()


class PerfmonConfig(AppConfig):
    name = "perfmon"
    verbose_name = "Reporting frame"

    def ready(self) -> None:
        # Django creates each app's permissions after migrating it, so the group is
        # topped up after each of our apps.
        post_migrate.connect(_ensure_group, dispatch_uid="perfmon_team_group")
        # checks: registers the system checks (council sign-in settings). access: connects
        # the signals that forget people's cached standing when roles change, in every
        # process (a management command, a Celery worker), not only the site's.
        from perfmon import access, checks  # noqa: F401
