from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path

from perfmon import views
from perfmon.forms import SignInForm

RETURN = "returns/<int:portfolio_id>/<int:year>/q<int:quarter>/"

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "sign-in/",
        login_not_required(
            auth_views.LoginView.as_view(
                authentication_form=SignInForm, redirect_authenticated_user=True
            )
        ),
        name="login",
    ),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("returns/", views.my_returns, name="my_returns"),
    path("approvals/", views.approvals, name="approvals"),
    path(RETURN, views.return_page, name="return"),
    path(f"{RETURN}decide/", views.decide_return, name="decide_return"),
    path(f"{RETURN}reopen/", views.reopen_return, name="reopen_return"),
    path("measures/", include("measures.urls")),
    path("projects/", include("projects.urls")),
    path("risks/", include("risks.urls")),
    path("reports/", include("reports.urls")),
    path("api/", include("reports.api.urls")),
    path("admin/", admin.site.urls),
]
