from datetime import date
from typing import Any

from django.conf import settings

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from perfmon import quarters
from perfmon.models import Portfolio, Quarter


def home(request: HttpRequest) -> HttpResponse:
    today: date = timezone.localdate()
    start_year, number = quarters.quarter_being_reported(today)
    context = {
        "today": today,
        "reporting_year_label": quarters.year_label(start_year),
        "reporting_quarter_number": number,
        "reporting_months": quarters.QUARTER_MONTHS[number],
        "quarter": Quarter.objects.being_reported(today).select_related("year").first(),
        "portfolios": Portfolio.objects.held_by(request.user).order_by("name"),
    }
    return render(request, "perfmon/home.html", context)


def locked_out(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict[str, Any]
) -> HttpResponse:
    """What django-axes shows once sign-ins for a username from one address are paused."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "registration/locked_out.html", {"minutes": minutes}, status=429)
