"""How long the return page takes for a 150-item portfolio (100 measures, 50 actions), mid
cycle (every item answered in a saved draft, last quarter's return approved), and saving
it with one changed actual, beside the home page and a trivial signed-in page on the same
server (in-process), as ratios. The issue's targets: the page within 3x the home page, the
save within 4x. Prints; asserts nothing about time.

Each run times the home page and the step in turn, so a busy machine slows both alike.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from measures.models import ActionUpdate, MeasureUpdate
from perfmon.models import PortfolioRole, Return
from perfmon.services import create_reporting_year
from tests.factories import (
    ActionFactory,
    MeasureFactory,
    PortfolioFactory,
    PortfolioRoleFactory,
    UserFactory,
)
from tests.forms_in_page import form_data

RUNS = 31
FORM_ENCODED = "application/x-www-form-urlencoded"


def timed(step: Callable[[], HttpResponse], status: int) -> float:
    started = time.perf_counter()
    assert step().status_code == status
    return (time.perf_counter() - started) * 1000


def beside_home(
    client: Client, step: Callable[[], HttpResponse], status: int
) -> tuple[float, float, float]:
    """Medians (ms) of the home page, of a plain page and of `step`, timed in turn.

    The home page now says what is waiting for the person (their returns and how far
    along each is), so it is no longer the trivial page the targets were set against; the
    accessibility statement, signed in, is: the site's frame and nothing else."""
    home, plain = reverse("home"), reverse("accessibility")
    homes, plains, steps = [], [], []
    for _ in range(RUNS):
        homes.append(timed(lambda: client.get(home), 200))
        plains.append(timed(lambda: client.get(plain), 200))
        steps.append(timed(step, status))
    return statistics.median(homes), statistics.median(plains), statistics.median(steps)


@pytest.mark.django_db
def test_return_page_and_save_for_150_items() -> None:
    portfolio = PortfolioFactory()
    quarter = create_reporting_year(start_year=2026).quarters.get(number=2)
    measures = [MeasureFactory(portfolio=portfolio, year=quarter.year) for _ in range(100)]
    actions = [ActionFactory(portfolio=portfolio, year=quarter.year) for _ in range(50)]
    # Last quarter, approved: each row shows it.
    last = Return.objects.create(
        portfolio=portfolio, quarter=quarter.year.quarters.get(number=1), state="approved"
    )
    MeasureUpdate.objects.bulk_create(
        MeasureUpdate(measure=m, ret=last, actual=Decimal(40 + n % 50))
        for n, m in enumerate(measures)
    )
    ActionUpdate.objects.bulk_create(
        ActionUpdate(action=a, ret=last, status="on_track") for a in actions
    )
    officer = UserFactory()
    PortfolioRoleFactory(user=officer, portfolio=portfolio, role=PortfolioRole.Role.OFFICER)
    client = Client()
    client.force_login(officer)
    page = reverse("return", args=[portfolio.pk, 2026, 2])
    # This quarter: every item answered and saved as a draft, through the page.
    data = form_data(client.get(page).content)
    for n, measure in enumerate(measures):
        data[f"m{measure.pk}-actual"] = str(41 + n % 50)
    for action in actions:
        data[f"a{action.pk}-status"] = "on_track"
    saved = client.post(page, urlencode(data), content_type=FORM_ENCODED)
    assert saved.status_code == 302, saved.status_code
    client.get(page)  # warm up

    home, plain, shown = beside_home(client, lambda: client.get(page), 200)
    print(
        f"\nreturn page, 150 items: median {shown:.1f} ms; home page {home:.1f} ms, "
        f"ratio {shown / home:.1f}x; plain page {plain:.1f} ms, ratio {shown / plain:.1f}x "
        f"(target 3x; {RUNS} runs each)"
    )

    counter = iter(range(10**6))

    def save() -> HttpResponse:
        # What a browser posts: the page as loaded, with one actual changed.
        data = form_data(client.get(page).content)
        loaded = time.perf_counter()
        # A change near last quarter's value (raising no data-quality warning).
        data[f"m{measures[0].pk}-actual"] = f"{45 + next(counter) % 3}.5"
        # As a browser posts a form without files: urlencoded, not multipart.
        response = client.post(page, urlencode(data), content_type=FORM_ENCODED)
        save.seconds.append(time.perf_counter() - loaded)  # type: ignore[attr-defined]
        return response

    save.seconds = []  # type: ignore[attr-defined]
    home, plain, _ = beside_home(client, save, 302)
    saved = statistics.median(save.seconds) * 1000  # type: ignore[attr-defined]
    print(
        f"saving it with one changed actual: median {saved:.1f} ms; home page {home:.1f} ms, "
        f"ratio {saved / home:.1f}x; plain page {plain:.1f} ms, ratio {saved / plain:.1f}x "
        f"(target 4x; {RUNS} runs each)"
    )
