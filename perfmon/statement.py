"""The accessibility statement the Public Sector Bodies (Websites and Mobile Applications)
(No. 2) Accessibility Regulations 2018 ask of a council's website: public, linked from every
page's footer."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_not_required
def accessibility_statement(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "perfmon/accessibility.html",
        {"contact_email": settings.ACCESSIBILITY_CONTACT_EMAIL},
    )
