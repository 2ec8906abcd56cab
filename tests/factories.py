"""factory_boy factories: deterministic sequences, the smallest valid objects."""

from __future__ import annotations

from typing import Any

import factory

from perfmon import quarters
from perfmon.models import (
    CouncilPlan,
    Portfolio,
    PortfolioRole,
    Quarter,
    ReportingYear,
    Theme,
    User,
)

PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Sequence(lambda n: f"First{n}")
    last_name = factory.Sequence(lambda n: f"Last{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@council.example")

    @factory.post_generation
    def password(obj: User, create: bool, extracted: str | None, **kwargs: Any) -> None:
        obj.set_password(extracted or PASSWORD)
        if create:
            obj.save(update_fields=["password"])


class ReportingYearFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReportingYear
        django_get_or_create = ("start_year",)

    start_year = 2024


class QuarterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Quarter
        django_get_or_create = ("year", "number")

    year = factory.SubFactory(ReportingYearFactory)
    number = 1
    starts_on = factory.LazyAttribute(
        lambda q: quarters.quarter_bounds(q.year.start_year, q.number)[0]
    )
    ends_on = factory.LazyAttribute(
        lambda q: quarters.quarter_bounds(q.year.start_year, q.number)[1]
    )


class CouncilPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CouncilPlan

    name = factory.Sequence(lambda n: f"Council Plan {n}")
    first_year = 2024
    last_year = 2027


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Theme

    plan = factory.SubFactory(CouncilPlanFactory)
    name = factory.Sequence(lambda n: f"Theme {n}")


class PortfolioFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Portfolio

    name = factory.Sequence(lambda n: f"Portfolio {n}")


class PortfolioRoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PortfolioRole

    user = factory.SubFactory(UserFactory)
    portfolio = factory.SubFactory(PortfolioFactory)
    role = PortfolioRole.Role.OFFICER


class MeasureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "measures.Measure"

    year = factory.SubFactory(ReportingYearFactory)
    reference = factory.Sequence(lambda n: f"PM{n:03d}")
    description = factory.Sequence(lambda n: f"Measure number {n}")
    portfolio = factory.SubFactory(PortfolioFactory)
    theme = factory.SubFactory(ThemeFactory)
    unit = "percentage"
    polarity = "higher"
    target = 58


class ActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "measures.Action"

    year = factory.SubFactory(ReportingYearFactory)
    reference = factory.Sequence(lambda n: f"GW {n:02d}")
    description = factory.Sequence(lambda n: f"Deliver initiative {n}")
    portfolio = factory.SubFactory(PortfolioFactory)
    theme = factory.SubFactory(ThemeFactory)
