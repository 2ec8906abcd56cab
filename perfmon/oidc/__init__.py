"""Signing in with the council's own account through OpenID Connect (mozilla-django-oidc):
settings and discovery (config), the code exchange and token checks (tokens), who the
account is in perfmon (people) and the pages (views). README: "Council accounts"."""

from perfmon.oidc.views import sign_in_choice

__all__ = ["sign_in_choice"]
