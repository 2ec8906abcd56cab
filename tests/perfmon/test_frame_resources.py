"""The frame imports and exports as spreadsheets in the admin: previewed, then all or
nothing in bulk, with history carrying the importing person and the file; per-row
errors in words; permissions; cells safe to open; uploads kept in the shared cache."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from import_export.tmp_storages import CacheStorage
from tablib import Dataset

from perfmon.models import (
    CouncilPlan,
    Portfolio,
    PortfolioRole,
    Quarter,
    ReportingYear,
    Theme,
    User,
)
from perfmon.resources import (
    CouncilPlanResource,
    PortfolioResource,
    PortfolioRoleResource,
    QuarterResource,
    ReportingYearResource,
    ThemeResource,
)
from perfmon.services import create_reporting_year
from tests.factories import (
    CouncilPlanFactory,
    PortfolioFactory,
    PortfolioRoleFactory,
    ThemeFactory,
    UserFactory,
)


@pytest.fixture
def team(client: Client, admin_user: User) -> Client:
    client.force_login(admin_user)
    return client


def upload(text: str, name: str = "frame.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def preview(client: Client, model: str, text: str, name: str = "frame.csv") -> Any:
    """Step one of an admin import: the file is checked and stored; nothing is written."""
    return client.post(
        reverse(f"admin:{model.replace('.', '_')}_import"),
        {"format": "0", "resource": "0", "import_file": upload(text, name)},
    )


def confirm(client: Client, model: str, response: Any) -> Any:
    """Step two: the confirm form's hidden fields, posted back."""
    assert "confirm_form" in response.context, problems(response)
    form = response.context["confirm_form"]
    data = {name: form[name].value() for name in form.fields}
    return client.post(reverse(f"admin:{model.replace('.', '_')}_process_import"), data)


def import_through_admin(client: Client, model: str, text: str, name: str = "frame.csv") -> Any:
    response = confirm(client, model, preview(client, model, text, name))
    assert response.status_code == 302
    return response


def problems(response: Any) -> list[Any]:
    """What stopped a preview: the form's errors, rows' errors and invalid rows."""
    result = response.context.get("result")
    found: list[Any] = [response.context["form"].errors]
    if result is not None:
        found += [error.error for _, errors in result.row_errors() for error in errors]
        found += [row.error_dict for row in result.invalid_rows]
        found += [error.error for error in result.base_errors]
    return found


def errors_of(response: Any) -> dict[int, dict[str, list[str]]]:
    """The preview's invalid rows: {row number: {column: [messages]}}."""
    return {row.number: row.error_dict for row in response.context["result"].invalid_rows}


def export_csv(client: Client, model: str, resource: type, **filters: str) -> list[dict]:
    names = [f"{resource.__name__.lower()}_{name}" for name in resource().get_export_order()]
    response = client.post(
        reverse(f"admin:{model.replace('.', '_')}_export"),
        {"format": "0", "resource": "0"} | dict.fromkeys(names, "on"),
    )
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def as_csv(rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


# History, bulk --------------------------------------------------------------------------


def test_it_imports_portfolios_with_history_by_the_importer_and_the_file(
    team: Client, admin_user: User
) -> None:
    PortfolioFactory(name="Governance and Finance")
    response = preview(
        team,
        "perfmon.portfolio",
        "name,is_active\nGovernance and Finance,0\nAdults and Health,1\n",
        "portfolios.csv",
    )
    assert not Portfolio.objects.filter(name="Adults and Health").exists()  # a preview
    import_through_admin(
        team,
        "perfmon.portfolio",
        "name,is_active\nGovernance and Finance,0\nAdults and Health,1\n",
        "portfolios.csv",
    )
    assert response.status_code == 200
    new = Portfolio.objects.get(name="Adults and Health")
    changed = Portfolio.objects.get(name="Governance and Finance")
    assert not changed.is_active
    for portfolio, kind in ((new, "+"), (changed, "~")):
        record = portfolio.history.first()
        assert (record.history_type, record.history_user, record.history_change_reason) == (
            kind,
            admin_user,
            "import of portfolios.csv",
        )


def test_it_imports_a_reporting_year_with_its_four_quarters(team: Client, admin_user: User) -> None:
    import_through_admin(team, "perfmon.reportingyear", "year\n2025/26\n", "years.csv")
    year = ReportingYear.objects.get()
    assert year.start_year == 2025
    assert [(q.number, q.starts_on, q.ends_on) for q in year.quarters.order_by("number")] == [
        (1, date(2025, 4, 1), date(2025, 6, 30)),
        (2, date(2025, 7, 1), date(2025, 9, 30)),
        (3, date(2025, 10, 1), date(2025, 12, 31)),
        (4, date(2026, 1, 1), date(2026, 3, 31)),
    ]
    history = Quarter.history.filter(year=year)
    assert history.count() == 4
    assert {(h.history_user, h.history_change_reason) for h in history} == {
        (admin_user, "import of years.csv")
    }


def test_it_sets_quarter_deadlines_and_refuses_one_before_the_quarter_ends(
    team: Client,
) -> None:
    create_reporting_year(start_year=2025)
    response = preview(
        team,
        "perfmon.quarter",
        "year,quarter,submission_deadline,approval_deadline\n"
        "2025/26,1,2025-07-21,2025-08-04\n"
        "2025/26,2,2025-09-01,\n"
        "2025/26,5,2026-01-20,\n",
    )
    assert errors_of(response) == {
        2: {
            "submission_deadline": [
                "The submission deadline must be after the quarter ends on 30 September 2025."
            ]
        },
        3: {"quarter": ["No such quarter: quarters are numbered 1 to 4 and come with their year."]},
    }
    assert "confirm_form" not in response.context
    import_through_admin(
        team,
        "perfmon.quarter",
        "year,quarter,submission_deadline,approval_deadline\n2025/26,1,2025-07-21,2025-08-04\n",
    )
    quarter = Quarter.objects.get(year__start_year=2025, number=1)
    assert (quarter.submission_deadline, quarter.approval_deadline) == (
        date(2025, 7, 21),
        date(2025, 8, 4),
    )


def test_it_imports_plans_and_their_themes_by_the_plans_name(team: Client) -> None:
    import_through_admin(
        team,
        "perfmon.councilplan",
        "name,first_year,last_year\nCouncil Plan 2024-28,2024/25,2027/28\n",
    )
    plan = CouncilPlan.objects.get()
    assert (plan.first_year, plan.last_year) == (2024, 2027)
    import_through_admin(
        team,
        "perfmon.theme",
        "plan,name,position,description\n"
        "council plan 2024-28,A Green City,1,Cleaner air\n"
        "Council Plan 2024-28,A City of Growth,2,\n",
    )
    assert list(plan.themes.values_list("name", "position")) == [
        ("A Green City", 1),
        ("A City of Growth", 2),
    ]


def test_it_imports_roles_by_username_or_email(team: Client, portfolio: Portfolio) -> None:
    alex = UserFactory(username="alex", email="alex.officer@council.example")
    dana = UserFactory(username="dana")
    import_through_admin(
        team,
        "perfmon.portfoliorole",
        "user,portfolio,role\n"
        "ALEX.OFFICER@council.example,Governance and Finance,officer\n"
        "dana,governance and finance,director\n",
    )
    assert set(PortfolioRole.objects.values_list("user", "portfolio", "role")) == {
        (alex.pk, portfolio.pk, "officer"),
        (dana.pk, portfolio.pk, "director"),
    }


def test_it_does_not_import_or_export_people(team: Client) -> None:
    # Passwords and sign-in details stay out of spreadsheets.
    for name in ("import", "export"):
        with pytest.raises(NoReverseMatch):
            reverse(f"admin:perfmon_user_{name}")


# Errors, all or nothing -----------------------------------------------------------------


def test_it_names_the_row_and_cell_of_every_problem_in_words(
    team: Client, portfolio: Portfolio
) -> None:
    UserFactory(username="alex")
    response = preview(
        team,
        "perfmon.portfoliorole",
        "user,portfolio,role\n"
        "alex,Governance and Finance,officer\n"
        "nobody,Governance and Finance,officer\n"
        "alex,Streetpride,director\n"
        "alex,Governance and Finance,boss\n",
    )
    assert errors_of(response) == {
        2: {"user": ["No person with the username or email address “nobody”."]},
        3: {"portfolio": ["No portfolio called “Streetpride”."]},
        4: {"role": ["Value 'boss' is not a valid choice."]},
    }
    page = response.content.decode()
    assert "No portfolio called “Streetpride”." in page
    assert "matching query does not exist" not in page
    assert not PortfolioRole.objects.exists()


def test_it_refuses_a_plan_that_is_not_there_and_a_year_that_is_not_a_year(team: Client) -> None:
    CouncilPlanFactory(name="Council Plan 2024-28")
    response = preview(
        team, "perfmon.theme", "plan,name,position,description\nDelivery Plan,A Green City,1,\n"
    )
    assert errors_of(response) == {1: {"plan": ["No Council Plan called “Delivery Plan”."]}}
    response = preview(team, "perfmon.reportingyear", "year\n2025/27\n")
    assert errors_of(response) == {
        1: {
            "year": [
                "“2025/27” is not a financial year: it must run from April 2025 to March "
                "2026, written 2025/26."
            ]
        }
    }


def test_it_refuses_a_key_repeated_in_a_file(team: Client) -> None:
    response = preview(team, "perfmon.portfolio", "name,is_active\nHousing,1\nHousing,0\n")
    assert errors_of(response) == {
        2: {"name": ["Row 1 has the same name “Housing”: each may appear once in a file."]}
    }
    assert not Portfolio.objects.exists()


def test_it_writes_nothing_when_any_row_is_invalid(admin_user: User) -> None:
    plan = CouncilPlanFactory(name="Council Plan 2024-28")
    dataset = Dataset(
        ["Council Plan 2024-28", "A Green City", "1", ""],
        ["Council Plan 2024-28", "A City of Growth", "second", ""],
        headers=["plan", "name", "position", "description"],
    )
    result = ThemeResource().import_data(dataset, dry_run=False, user=admin_user)
    assert result.has_validation_errors()
    assert [(row.number, row.error_dict) for row in result.invalid_rows] == [
        (2, {"position": ["“second” is not a number."]})
    ]
    assert not plan.themes.exists()
    assert not Theme.history.exists()


def test_it_refuses_a_plan_ending_before_it_starts_with_the_models_words(team: Client) -> None:
    response = preview(
        team, "perfmon.councilplan", "name,first_year,last_year\nBackwards,2027/28,2024/25\n"
    )
    assert errors_of(response) == {
        1: {"__all__": ["The last year covered cannot come before the first."]}
    }
    assert not CouncilPlan.objects.exists()


# Permissions ------------------------------------------------------------------------------


def staff_with(*codenames: str) -> User:
    """A staff member holding only these permissions."""
    user = UserFactory(username="sam", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return user


def test_it_needs_the_change_permission_to_import_and_view_to_export(
    client: Client, db: None
) -> None:
    client.force_login(staff_with("view_portfolio"))
    changelist = client.get(reverse("admin:perfmon_portfolio_changelist"))
    assert changelist.status_code == 200
    assert changelist.context["has_export_permission"]
    assert not changelist.context["has_import_permission"]
    assert reverse("admin:perfmon_portfolio_import") not in changelist.content.decode()
    assert client.get(reverse("admin:perfmon_portfolio_import")).status_code == 403
    assert preview(client, "perfmon.portfolio", "name,is_active\nHousing,1\n").status_code == 403
    assert client.get(reverse("admin:perfmon_portfolio_export")).status_code == 200
    assert not Portfolio.objects.exists()


def test_it_lets_the_change_permission_import(client: Client, db: None) -> None:
    client.force_login(staff_with("view_portfolio", "change_portfolio"))
    import_through_admin(client, "perfmon.portfolio", "name,is_active\nHousing,1\n")
    assert Portfolio.objects.filter(name="Housing").exists()


def test_it_keeps_a_staff_user_without_permissions_out(client: Client, db: None) -> None:
    client.force_login(staff_with())
    for name in ("import", "export"):
        assert client.get(reverse(f"admin:perfmon_theme_{name}")).status_code == 403


def test_it_shows_the_performance_team_both_buttons(team: Client) -> None:
    page = team.get(reverse("admin:perfmon_councilplan_changelist")).content.decode()
    assert reverse("admin:perfmon_councilplan_import") in page
    assert reverse("admin:perfmon_councilplan_export") in page


# Export: safe to open, and it reads back -------------------------------------------------


@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
def test_it_escapes_formula_cells_on_export_and_reads_them_back(team: Client, start: str) -> None:
    name = f'{start}HYPERLINK("http://evil.example")'
    PortfolioFactory(name=name)
    rows = export_csv(team, "perfmon.portfolio", PortfolioResource)
    assert rows == [{"name": f"'{name}", "is_active": "1"}]
    result = PortfolioResource().import_data(Dataset().load(as_csv(rows), format="csv"))
    assert [row.import_type for row in result.rows] == ["skip"]
    assert list(Portfolio.objects.values_list("name", flat=True)) == [name]


@pytest.fixture
def frame(portfolio: Portfolio) -> None:
    year = create_reporting_year(start_year=2024)
    Quarter.objects.filter(year=year, number=1).update(
        submission_deadline=date(2024, 7, 22), approval_deadline=date(2024, 8, 5)
    )
    create_reporting_year(start_year=2025)
    plan = CouncilPlanFactory(name="Council Plan 2024-28", first_year=2024, last_year=2027)
    ThemeFactory(plan=plan, name="A Green City", position=1, description="=cleaner air")
    ThemeFactory(plan=plan, name="A City of Growth", position=2)
    PortfolioFactory(name="Adults and Health", is_active=False)
    officer = UserFactory(username="alex", email="alex@council.example")
    PortfolioRoleFactory(user=officer, portfolio=portfolio, role=PortfolioRole.Role.OFFICER)


@pytest.mark.parametrize(
    ("model", "resource"),
    [
        ("perfmon.reportingyear", ReportingYearResource),
        ("perfmon.quarter", QuarterResource),
        ("perfmon.councilplan", CouncilPlanResource),
        ("perfmon.theme", ThemeResource),
        ("perfmon.portfolio", PortfolioResource),
        ("perfmon.portfoliorole", PortfolioRoleResource),
    ],
)
def test_it_imports_its_own_export_back_unchanged(
    team: Client, frame: None, model: str, resource: type
) -> None:
    rows = export_csv(team, model, resource)
    assert rows
    response = preview(team, model, as_csv(rows))
    result = response.context["result"]
    assert not result.has_errors() and not result.has_validation_errors()
    assert [row.import_type for row in result.rows] == ["skip"] * len(rows)
    before = timezone.now()
    import_through_admin(team, model, as_csv(rows))
    history = resource._meta.model.history.filter(history_date__gte=before)
    assert not history.exists()


def test_it_exports_years_and_deadlines_as_people_write_them(team: Client, frame: None) -> None:
    rows = export_csv(team, "perfmon.quarter", QuarterResource)
    assert rows[0] == {
        "year": "2025/26",
        "quarter": "1",
        "starts_on": "2025-04-01",
        "ends_on": "2025-06-30",
        "submission_deadline": "",
        "approval_deadline": "",
    }
    assert {
        "year": "2024/25",
        "quarter": "1",
        "starts_on": "2024-04-01",
        "ends_on": "2024-06-30",
        "submission_deadline": "2024-07-22",
        "approval_deadline": "2024-08-05",
    } in rows


# The upload between preview and confirm ---------------------------------------------------


def test_it_keeps_the_upload_in_the_shared_cache_for_the_confirm_step_then_expires_it(
    team: Client,
) -> None:
    text = "name,is_active\nHousing,1\n"
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        response = preview(team, "perfmon.portfolio", text)
        name = response.context["confirm_form"]["import_file_name"].value()
        key = CacheStorage.CACHE_PREFIX + name
        assert cache.get(key) == text.encode()  # readable by whichever process confirms
        backend = caches["default"]
        if isinstance(backend, RedisCache):  # Redis keeps its own clock: ask it
            client = backend._cache.get_client(key)
            ttl = client.ttl(backend.make_and_validate_key(key))
            assert CacheStorage.CACHE_LIFETIME - 60 < ttl <= CacheStorage.CACHE_LIFETIME
        else:
            traveller.shift(CacheStorage.CACHE_LIFETIME + 1)
            assert cache.get(key) is None  # and gone a day later
    response = preview(team, "perfmon.portfolio", text)
    confirm(team, "perfmon.portfolio", response)
    assert Portfolio.objects.filter(name="Housing").exists()
    name = response.context["confirm_form"]["import_file_name"].value()
    assert cache.get(CacheStorage.CACHE_PREFIX + name) is None  # removed once imported


def test_it_uses_the_cache_storage_for_uploads(team: Client) -> None:
    from perfmon.admin import PortfolioAdmin

    assert PortfolioAdmin(Portfolio, admin_site=None).get_tmp_storage_class() is CacheStorage  # type: ignore[arg-type]


def test_it_asks_for_the_file_again_when_the_upload_has_expired(team: Client) -> None:
    response = preview(team, "perfmon.portfolio", "name,is_active\nHousing,1\n")
    cache.clear()  # as a day later
    response = confirm(team, "perfmon.portfolio", response)
    assert response.status_code == 302
    assert response.url == reverse("admin:perfmon_portfolio_import")
    page = team.get(response.url).content.decode()
    assert "The file you checked is no longer kept" in page
    assert not Portfolio.objects.exists()
