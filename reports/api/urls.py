"""/api/: the open data API, its OpenAPI schema and its browsable docs.

Every view here decides access itself (OpenDataAccess), so each is marked
`login_not_required` for Django's LoginRequiredMiddleware.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.urls import URLPattern, URLResolver, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from reports.api import views
from reports.api.permissions import OpenDataAccess

app_name = "api"


class OpenDataRouter(DefaultRouter):
    include_format_suffixes = False
    APIRootView = views.OpenDataRootView


router = OpenDataRouter()
router.register("years", views.YearViewSet, basename="year")
router.register("themes", views.ThemeViewSet, basename="theme")
router.register("portfolios", views.PortfolioViewSet, basename="portfolio")
router.register("measures", views.MeasureViewSet, basename="measure")
router.register("actions", views.ActionViewSet, basename="action")
router.register("projects", views.ProjectViewSet, basename="project")
router.register("risks", views.RiskViewSet, basename="risk")

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "schema/",
        SpectacularAPIView.as_view(permission_classes=[OpenDataAccess]),
        name="schema",
    ),
    path("docs/", views.DocsView.as_view(), name="docs"),
    *router.urls,
]

for pattern in urlpatterns:
    # Each route here is a view; an include() would need its own views marked.
    if isinstance(pattern, URLPattern):
        login_not_required(pattern.callback)
