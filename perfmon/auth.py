"""Sign-in with an email address or a username, and what django-axes counts failures under."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Q
from django.http import HttpRequest


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
        known[typed] = (person.get_username() if person else typed).lower()
    return known[typed]
