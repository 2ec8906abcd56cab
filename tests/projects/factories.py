"""Factories for projects: deterministic sequences, the smallest valid objects."""

from __future__ import annotations

from typing import Any

import factory

from projects.models import Project, ProjectUpdate
from tests.factories import PortfolioFactory, ReportingYearFactory, ThemeFactory


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    year = factory.SubFactory(ReportingYearFactory)
    reference = factory.Sequence(lambda n: f"PMP{n + 100}")
    name = factory.Sequence(lambda n: f"Project number {n}")
    portfolio = factory.SubFactory(PortfolioFactory)
    theme = factory.SubFactory(ThemeFactory)


class ProjectUpdateFactory(factory.django.DjangoModelFactory):
    """An update rated from its criteria: all on track (Green) unless told otherwise."""

    class Meta:
        model = ProjectUpdate

    project = factory.SubFactory(ProjectFactory)
    time_on_track = True
    cost_on_track = True
    scope_on_track = True
    benefits_on_track = True
    dca = "green"

    @classmethod
    def _create(cls, model_class: type[ProjectUpdate], *args: Any, **kwargs: Any) -> ProjectUpdate:
        # Rated before the first save, so the history starts with the RAG in it.
        update = model_class(*args, **kwargs)
        if update.rag_from_criteria:
            update.derive_rag()
        update.save()
        return update
