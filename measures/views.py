from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from measures.models import Action, Measure


def measure_page(request: HttpRequest, pk: int) -> HttpResponse:
    measure = get_object_or_404(Measure, pk=pk)
    return render(request, "measures/measure.html", {"measure": measure})


def action_page(request: HttpRequest, pk: int) -> HttpResponse:
    action = get_object_or_404(Action, pk=pk)
    return render(request, "measures/measure.html", {"measure": action})
