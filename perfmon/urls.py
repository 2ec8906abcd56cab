from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.utils.functional import lazy

from perfmon import auth, oidc, statement, views, views_steering
from perfmon.forms import ChangePasswordForm, SignInForm
from perfmon.oidc import views as oidc_views

RETURN = "returns/<int:portfolio_id>/<int:year>/q<int:quarter>/"
LINK_LIFETIME = lazy(auth.reset_link_lifetime, str)()

urlpatterns = [
    path("", views.home, name="home"),
    path("accessibility/", statement.accessibility_statement, name="accessibility"),
    path("council/logo/<str:digest>/", views.council_logo, name="council_logo"),
    path(
        "sign-in/",
        login_not_required(
            auth_views.LoginView.as_view(
                authentication_form=SignInForm,
                redirect_authenticated_user=True,
                extra_context={"council_sign_in": oidc.sign_in_choice},
            )
        ),
        name="login",
    ),
    # Council accounts (perfmon.oidc): the break-glass password page for OIDC_ONLY, the
    # provider's round trip, and a sign-out that ends the provider session too (for
    # password sign-ins it is Django's sign-out).
    path(
        "sign-in/local/",
        login_not_required(
            auth_views.LoginView.as_view(
                authentication_form=SignInForm,
                redirect_authenticated_user=True,
                template_name="registration/login_local.html",
            )
        ),
        name="login_local",
    ),
    path("sign-in/council/", oidc_views.StartCouncilSignIn.as_view(), name="oidc_start"),
    path("sign-in/council/callback/", oidc_views.callback, name="oidc_callback"),
    path("sign-out/", oidc_views.SignOutView.as_view(), name="logout"),
    # Forgotten and changed passwords: Django's views under Django's names. Resetting is
    # for people who cannot sign in; changing needs a signed-in person.
    path(
        "password-reset/",
        login_not_required(auth.PasswordResetView.as_view()),
        name="password_reset",
    ),
    path(
        "password-reset/sent/",
        login_not_required(
            auth_views.PasswordResetDoneView.as_view(extra_context={"lifetime": LINK_LIFETIME})
        ),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        login_not_required(auth.PasswordResetConfirmView.as_view()),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/complete/",
        login_not_required(auth_views.PasswordResetCompleteView.as_view()),
        name="password_reset_complete",
    ),
    path(
        "change-password/",
        auth_views.PasswordChangeView.as_view(form_class=ChangePasswordForm),
        name="password_change",
    ),
    path(
        "change-password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("returns/", views.my_returns, name="my_returns"),
    path("approvals/", views.approvals, name="approvals"),
    path("returns/overview/", views_steering.returns_overview, name="returns_overview"),
    path("returns/deputies/", views_steering.deputies, name="deputies"),
    path("returns/deputies/<int:pk>/end/", views_steering.end_cover, name="end_cover"),
    path(f"{RETURN}chase/", views_steering.chase_return, name="chase_return"),
    path(f"{RETURN}extend/", views_steering.extend_deadline, name="extend_deadline"),
    path(RETURN, views.return_page, name="return"),
    path(f"{RETURN}check/", views.check_return, name="check_return"),
    path(f"{RETURN}decide/", views.decide_return, name="decide_return"),
    path(f"{RETURN}reopen/", views.reopen_return, name="reopen_return"),
    path("measures/", include("measures.urls")),
    path("projects/", include("projects.urls")),
    path("risks/", include("risks.urls")),
    path("reports/", include("reports.urls")),
    path("api/", include("reports.api.urls")),
    path("admin/", admin.site.urls),
]
