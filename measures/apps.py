from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _ensure_schemes(sender: AppConfig, **kwargs: Any) -> None:
    from measures.services import ensure_action_schemes, ensure_rating_schemes

    ensure_rating_schemes()
    ensure_action_schemes()


class MeasuresConfig(AppConfig):
    name = "measures"
    verbose_name = "Performance measures and actions"

    def ready(self) -> None:
        from measures.sections import ActionSection, MeasureSection
        from perfmon.sections import sections

        sections.register(ActionSection())
        sections.register(MeasureSection())
        # Like Django's permissions: created after migrate, and again after a test flush.
        post_migrate.connect(_ensure_schemes, sender=self, dispatch_uid="measures_schemes")
