from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _ensure_matrices(sender: AppConfig, **kwargs: Any) -> None:
    from risks.services import ensure_risk_matrices

    ensure_risk_matrices()


class RisksConfig(AppConfig):
    name = "risks"
    verbose_name = "Strategic risks"

    def ready(self) -> None:
        from perfmon.sections import sections
        from risks.sections import RiskSection

        sections.register(RiskSection())
        # Like Django's permissions: created after migrate, and again after a test flush.
        post_migrate.connect(_ensure_matrices, sender=self, dispatch_uid="risks_matrices")
