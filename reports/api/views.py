"""The open data API's read-only views: approved results only, a fixed number of queries
per page whatever its length.

Every view checks `OpenDataAccess` (permissions.py); the URLs mark them
`login_not_required` so Django's LoginRequiredMiddleware leaves that decision to it.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.http import HttpResponseRedirect
from django.urls import reverse
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination
from rest_framework.renderers import JSONRenderer, TemplateHTMLRenderer
from rest_framework.request import Request
from rest_framework.routers import APIRootView
from rest_framework.views import APIView

from measures.models import Action, ActionUpdate, Measure, MeasureUpdate
from perfmon.models import Portfolio, ReportingYear, Return, Theme
from perfmon.models.items import Item, ItemUpdate
from projects.models import Project, ProjectUpdate
from reports.api import serializers as api
from reports.api.permissions import OpenDataAccess
from risks.models import Risk, RiskAssessment

DENIED = OpenApiResponse(OpenApiTypes.OBJECT, description="Not signed in, while the API is closed.")
NOT_FOUND = OpenApiResponse(OpenApiTypes.OBJECT, description="No such page, or no such item.")
BAD_FILTER = OpenApiResponse(OpenApiTypes.OBJECT, description="A filter's value is not valid.")


def documented(
    serializer: type[serializers.Serializer[Any]],
    filters: type[serializers.Serializer[Any]] | None = None,
) -> Any:
    """The schema of a read-only viewset: its filters and every response it may give."""
    listing = {200: serializer(many=True), 403: DENIED, 404: NOT_FOUND}
    if filters is not None:
        listing[400] = BAD_FILTER
    return extend_schema_view(
        list=extend_schema(parameters=[filters] if filters else None, responses=listing),
        retrieve=extend_schema(responses={200: serializer, 403: DENIED, 404: NOT_FOUND}),
    )


def approved(update_model: type[ItemUpdate], relation: str) -> Prefetch[Any]:
    """`relation`'s updates in approved returns only, oldest quarter first, as
    `approved_updates`."""
    updates = (
        update_model.objects.filter(ret__state=Return.State.APPROVED)
        .select_related("ret__quarter__year")
        .order_by("ret__quarter__year__start_year", "ret__quarter__number", "pk")
    )
    if update_model is ActionUpdate:
        # An action's label comes with it, in its scheme's words.
        rating = "rating"  # a name, not a literal, as the model is only known at run time
        updates = updates.select_related(rating)
    return Prefetch(relation, queryset=updates, to_attr="approved_updates")


class OpenDataSchema(AutoSchema):
    """Signing in is optional in the schema: whether anyone may read without it is the
    performance team's switch, not the API's shape."""

    def get_auth(self) -> list[dict[str, Any]]:
        return [*super().get_auth(), {}]


class OpenDataPagination(PageNumberPagination):
    """100 a page (the setting); a blank `?page=` is no page, not the first."""

    def get_page_number(self, request: Request, paginator: Any) -> Any:
        if request.query_params.get(self.page_query_param) == "":
            raise NotFound("Invalid page.")
        return super().get_page_number(request, paginator)


class OpenDataViewSet(viewsets.ReadOnlyModelViewSet[Any]):
    permission_classes = [OpenDataAccess]
    pagination_class = OpenDataPagination
    schema = OpenDataSchema()
    # Any id reaches the view, which answers a JSON 404 for one that is not a number.
    lookup_value_regex = "[^/]+"
    filter_serializer: type[serializers.Serializer[Any]] | None = None

    def filters(self) -> dict[str, Any]:
        """The validated query parameters of a list; a bad one is a 400 naming it."""
        if self.action != "list" or self.filter_serializer is None:
            return {}
        # A plain dict, not the QueryDict: DRF reads a blank value in a form as "not given",
        # where a blank filter here is a mistake to point out.
        parsed = self.filter_serializer(data=self.request.query_params.dict())
        parsed.is_valid(raise_exception=True)
        return dict(parsed.validated_data)


@documented(api.YearSerializer)
class YearViewSet(OpenDataViewSet):
    """Reporting years (financial years, April to March), newest first."""

    serializer_class = api.YearSerializer
    queryset = ReportingYear.objects.order_by("-start_year")


@documented(api.ThemeSerializer, api.YearFilterSerializer)
class ThemeViewSet(OpenDataViewSet):
    """Council Plan themes. `year` gives the themes of the plan covering that year."""

    serializer_class = api.ThemeSerializer
    filter_serializer = api.YearFilterSerializer

    def get_queryset(self) -> QuerySet[Theme]:
        themes = Theme.objects.select_related("plan").order_by(
            "-plan__first_year", "position", "pk"
        )
        chosen = self.filters()
        if "year" not in chosen:
            return themes
        year = chosen["year"]
        if year is None:
            return themes.none()
        return themes.filter(plan__first_year__lte=year, plan__last_year__gte=year)


@documented(api.PortfolioSerializer)
class PortfolioViewSet(OpenDataViewSet):
    """Cabinet portfolios, past and present."""

    serializer_class = api.PortfolioSerializer
    queryset = Portfolio.objects.order_by("name")


class ItemViewSet(OpenDataViewSet):
    """An item kind with approved quarterly updates. Items without any approved update
    are not published: until a return is approved, nothing of its items leaves perfmon."""

    filter_serializer = api.ItemFilterSerializer
    model: type[Item]
    update_model: type[ItemUpdate]
    updates = "updates"

    def get_queryset(self) -> QuerySet[Any]:
        return self.filtered(self.items())

    def items(self) -> QuerySet[Any]:
        published = self.update_model.objects.filter(
            ret__state=Return.State.APPROVED, **{self.update_model.ITEM_FIELD: OuterRef("pk")}
        )
        return (
            self.model.objects.filter(Exists(published))
            .select_related("year", "portfolio", "theme")
            .prefetch_related(approved(self.update_model, self.updates))
            .order_by("-year__start_year", "portfolio__name", "reference")
        )

    def filtered(self, items: QuerySet[Any]) -> QuerySet[Any]:
        chosen = self.filters()
        if "year" in chosen:
            year = chosen["year"]
            items = items.filter(year__start_year=year) if year is not None else items.none()
        if "theme" in chosen:
            items = items.filter(theme_id=chosen["theme"])
        if "portfolio" in chosen:
            items = items.filter(portfolio_id=chosen["portfolio"])
        if "reference" in chosen:
            items = items.filter(reference__iexact=chosen["reference"])
        return items


@documented(api.MeasureSerializer, api.ItemFilterSerializer)
class MeasureViewSet(ItemViewSet):
    """Performance measures, each with its approved quarterly values, statuses and targets.

    The direction of travel compares a quarter with the same quarter last year, through
    the measure's lineage (`previous`), using approved values only."""

    serializer_class = api.MeasureSerializer
    model, update_model = Measure, MeasureUpdate

    def items(self) -> QuerySet[Measure]:
        return (
            super()
            .items()
            .select_related("previous")
            .prefetch_related(approved(MeasureUpdate, "previous__updates"))
        )


@documented(api.ActionSerializer, api.ItemFilterSerializer)
class ActionViewSet(ItemViewSet):
    """Council Plan actions, each with its approved quarterly status."""

    serializer_class = api.ActionSerializer
    model, update_model = Action, ActionUpdate


@documented(api.ProjectSerializer, api.ItemFilterSerializer)
class ProjectViewSet(ItemViewSet):
    """Priority projects, each with its approved RAG and delivery confidence (DCA) per
    quarter."""

    serializer_class = api.ProjectSerializer
    model, update_model = Project, ProjectUpdate


@documented(api.RiskSerializer, api.ItemFilterSerializer)
class RiskViewSet(ItemViewSet):
    """Strategic risks, each with its approved scores and levels per quarter."""

    serializer_class = api.RiskSerializer
    model, update_model = Risk, RiskAssessment
    updates = "assessments"


class DocsPageRenderer(TemplateHTMLRenderer):
    """/api/ in a browser: the GOV.UK page of the open data API (its endpoints, and its
    schema drawn by Swagger UI), or why it may not be read."""

    template_name = "reports/api_docs.html"
    exception_template_names = ["reports/api_refused.html"]

    def get_template_context(self, data: Any, renderer_context: Any) -> dict[str, Any]:
        # The page's own names: DRF's would merge the links into the template's context.
        return {"data": data}


class OpenDataRootView(APIRootView):
    """perfmon's open data: approved quarterly results, read-only. Each list is paginated
    (100 a page) and filtered by query parameters; the OpenAPI schema is at /api/schema/."""

    permission_classes = [OpenDataAccess]
    renderer_classes = [JSONRenderer, DocsPageRenderer]


class DocsView(APIView):
    """The docs are the API's root page in a browser (/api/): its endpoints, and its schema
    drawn by Swagger UI, which perfmon serves itself (frontend/build.mjs)."""

    permission_classes = [OpenDataAccess]
    schema = None

    def get(self, request: Request) -> HttpResponseRedirect:
        return HttpResponseRedirect(reverse("api:api-root"))
