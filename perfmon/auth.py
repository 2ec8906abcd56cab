"""Signing in: with an email address or a username (only the break-glass superuser when
OIDC_ONLY is set: see perfmon.oidc); what django-axes counts failures
under (the person); and resetting a forgotten password, Django's own views with perfmon's
forms and email (their URLs, with Django's names, are in perfmon.urls)."""

from __future__ import annotations

from typing import Any

from axes.utils import reset as reset_axes_attempts
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.forms import PasswordResetForm, SetPasswordForm
from django.db.models import Q
from django.http import HttpRequest, HttpResponse

from perfmon.forms import NewPasswordForm, ResetRequestForm
from perfmon.oidc.config import password_sign_in_offered


def find_person(login: str) -> Any:
    """The user `login` names: the one with that username, else the one with that email
    address (in any case); None if nobody. A username wins over someone else's email
    address that happens to equal it."""
    login = login.strip()
    if not login:
        return None
    User = get_user_model()
    candidates = list(User.objects.filter(Q(username=login) | Q(email__iexact=login))[:2])
    return next((u for u in candidates if u.username == login), None) or (
        candidates[0] if candidates else None
    )


class EmailOrUsernameBackend(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        if not username or password is None:
            return None
        user = find_person(username)
        if user is None:
            # Hash anyway so a missing account takes as long as a wrong password.
            get_user_model()().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def user_can_authenticate(self, user: Any) -> bool:
        # With OIDC_ONLY, a password signs in only a superuser: the break-glass local admin
        # for when the council's provider is down (README, "Council accounts").
        if not password_sign_in_offered() and not getattr(user, "is_superuser", False):
            return False
        return super().user_can_authenticate(user)


def axes_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    """The name django-axes counts sign-in failures under: the person, whatever they typed.

    A username or email address of someone perfmon knows, in any case, counts under that
    person's username; anything else under what was typed, trimmed and in lower case. So
    an unknown name is throttled like a person, and the count says nothing about whether
    it exists. Worked out once per request (django-axes asks several times).
    """
    typed = str((credentials or {}).get("username") or request.POST.get("username", "")).strip()
    known: dict[str, str] = request.__dict__.setdefault("_perfmon_axes_usernames", {})
    if typed not in known:
        person = find_person(typed)
        known[typed] = _counted_as(person) if person else typed.lower()
    return known[typed]


def _counted_as(person: Any) -> str:
    return str(person.get_username()).lower()


def lift_sign_in_pause(*, user: Any) -> int:
    """Forget `user`'s failed sign-ins, from every address (they have just proved who they
    are by resetting their password from their email). Returns how many records went."""
    return int(reset_axes_attempts(username=_counted_as(user)))


def reset_link_lifetime() -> str:
    """How long a password reset link works (PASSWORD_RESET_TIMEOUT), in words."""
    seconds = int(settings.PASSWORD_RESET_TIMEOUT)
    for size, unit in ((86_400, "day"), (3_600, "hour"), (60, "minute")):
        if seconds >= size and seconds % size == 0:
            count = seconds // size
            return f"{count} {unit}{'' if count == 1 else 's'}"
    return f"{seconds} seconds"


class PasswordResetView(auth_views.PasswordResetView):
    """Django's, with perfmon's form and email. The link is built on SITE_URL, like every
    link perfmon emails; the page after says the same whether or not anyone has the
    address."""

    form_class = ResetRequestForm
    subject_template_name = "emails/password_reset_subject.txt"
    email_template_name = "emails/password_reset.txt"

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        self.extra_email_context = {
            "site_url": settings.SITE_URL.rstrip("/"),
            "council": settings.COUNCIL_NAME,
            "lifetime": reset_link_lifetime(),
        }
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's, with perfmon's form; a password reset also lifts a pause on signing in."""

    form_class = NewPasswordForm

    def form_valid(self, form: SetPasswordForm[Any]) -> HttpResponse:
        response = super().form_valid(form)
        lift_sign_in_pause(user=form.user)
        return response
