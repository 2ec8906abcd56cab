"""Numbers the database cannot keep (a ValueField holds values below 10^14 with 6
decimals) are refused in words wherever they are typed: the return page, the annual
results import and the admin; and the largest values it can keep break no page."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from measures.forms import ValueFormField
from measures.models import Measure, MeasureUpdate, QuarterTarget
from measures.rules import Unit
from measures.values import ValueParseError, parse_actual, parse_target
from perfmon.models import PortfolioRole, Return, User
from tests.factories import PortfolioFactory, PortfolioRoleFactory
from tests.forms_in_page import form_data
from tests.reports.test_import_results import SMALL
from tests.reports.test_summary_dataset import build_council

TOO_BIG = "Enter a number smaller than 100,000,000,000,000"
LARGEST = Decimal("99999999999999.9")


@pytest.mark.parametrize(
    "text",
    [
        "99999999999999999999",
        "£9999999999999m",
        "123456789012345",
        "100000000000000%",
        "£0.1bn x",
        "99999999999999.9999995",
        "100,000,000,000,000 per 10,000",
        "1000000000000000 days (Provisional)",
    ],
)
def test_it_refuses_in_words_an_actual_the_database_cannot_keep(text: str) -> None:
    if text == "£0.1bn x":  # not a number at all: the usual sentence
        with pytest.raises(ValueParseError, match="is not a number"):
            parse_actual(text)
        return
    with pytest.raises(ValueParseError) as error:
        parse_actual(text)
    assert str(error.value) == TOO_BIG
    with pytest.raises(ValueParseError):
        parse_target(text.replace(" (Provisional)", ""))


def test_it_keeps_the_largest_values() -> None:
    assert parse_actual("99999999999999.9").value == LARGEST
    assert parse_actual("-£99,999,999,999,999.9").value == -LARGEST
    assert parse_actual("12345678901234.567891").value == Decimal("12345678901234.567891")
    # SQLite keeps 15 significant digits: what would round up to 10^14 is too big already.
    with pytest.raises(ValueParseError, match="smaller than 100,000,000,000,000"):
        parse_actual("99999999999999.95")
    with pytest.raises(ValueParseError, match="larger than -100,000,000,000,000"):
        parse_actual("-£100000000000000")


def test_it_refuses_the_admin_number_in_words() -> None:
    field = ValueFormField(required=False)
    assert field.clean("99999999999999.9") == LARGEST
    with pytest.raises(Exception, match=TOO_BIG):
        field.clean("123456789012345")


@pytest.mark.django_db
def test_it_refuses_a_huge_actual_on_the_return_page_and_writes_nothing(client: Client) -> None:
    council = build_council()
    officer = PortfolioRoleFactory(
        portfolio=council.portfolio, role=PortfolioRole.Role.OFFICER
    ).user
    client.force_login(officer)
    url = reverse("return", args=[council.portfolio.pk, 2024, 2])
    measure = council.measures["M1"]
    data = form_data(client.get(url).content, **{f"m{measure.pk}__actual": "99999999999999999999"})
    data[f"m{measure.pk}-actual"] = "99999999999999999999"

    response = client.post(url, data)

    assert response.status_code == 400
    assert TOO_BIG in response.content.decode()
    assert not MeasureUpdate.objects.filter(ret__quarter__number=2).exists()


@pytest.mark.django_db
def test_it_reports_a_huge_value_in_the_annual_import_and_writes_nothing(
    tmp_path: Path, admin_user: User
) -> None:
    path = tmp_path / "results-2024-25.tsv"
    path.write_text(SMALL.replace("\t93.25%\t", "\t£9999999999999m\t"), encoding="utf-8")
    PortfolioFactory(name="Governance and Finance")
    out = StringIO()

    with pytest.raises(CommandError):
        call_command("import_results", str(path), "--year", "2024/25", stdout=out, stderr=out)

    assert TOO_BIG in out.getvalue()
    assert not Measure.objects.exists()
    assert not MeasureUpdate.objects.exists()


@pytest.mark.django_db
def test_it_refuses_a_huge_target_in_the_admin(client: Client, admin_user: User) -> None:
    council = build_council()
    measure = council.measures["M1"]
    client.force_login(admin_user)
    url = reverse("admin:measures_quartertarget_add")

    response = client.post(
        url, {"measure": measure.pk, "quarter_number": 2, "value": "123456789012345"}
    )

    assert response.status_code == 200
    assert TOO_BIG in response.content.decode()
    assert not QuarterTarget.objects.exists()


@pytest.mark.django_db
def test_it_shows_every_page_with_the_largest_values_stored(
    client: Client, admin_user: User
) -> None:
    council = build_council()
    units = list(Unit)
    for index, measure in enumerate(Measure.objects.order_by("pk")):
        sign = -1 if index % 2 else 1
        Measure.objects.filter(pk=measure.pk).update(
            unit=units[index % len(units)].value, target=sign * LARGEST
        )
        QuarterTarget.objects.create(measure=measure, quarter_number=4, value=-sign * LARGEST)
    MeasureUpdate.objects.update(actual=LARGEST, target=-LARGEST, missing_reason="")
    every_other = list(MeasureUpdate.objects.order_by("pk").values_list("pk", flat=True))[::2]
    MeasureUpdate.objects.filter(pk__in=every_other).update(actual=-LARGEST, target=LARGEST)
    draft = council.ret(council.portfolio, 2024, 2, Return.State.DRAFT)
    MeasureUpdate.objects.create(measure=council.measures["M1"], ret=draft, actual=LARGEST)
    client.force_login(admin_user)
    pages = [
        reverse("return", args=[council.portfolio.pk, 2024, 4]),
        reverse("return", args=[council.portfolio.pk, 2024, 2]),
        reverse("return", args=[council.other.pk, 2024, 4]),
        *(reverse("measures:measure", args=[m.pk]) for m in Measure.objects.all()),
        "/api/measures/?year=2024",
        "/api/measures/?year=2023",
        reverse("admin:measures_measureupdate_changelist"),
        reverse("admin:measures_measure_changelist"),
    ]
    for slug in ("annual", "summary", "quarterly", "trend"):
        for fmt in ("html", "xlsx"):
            page = reverse("reports:report", args=[slug])
            pages.append(f"{page}?year=2024&quarter=4&format={fmt}")

    failed = {page: client.get(page).status_code for page in pages}

    assert {page: status for page, status in failed.items() if status != 200} == {}
    assert MeasureUpdate.objects.filter(actual=LARGEST).exists()
