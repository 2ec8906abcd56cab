"""The performance team manages the frame in the admin; bad input gets a clear message
there and is refused by the database too."""

from datetime import date

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from perfmon.models import (
    Portfolio,
    PortfolioRole,
    ProviderIdentity,
    Quarter,
    ReportingYear,
    User,
)
from perfmon.services import create_reporting_year
from tests.factories import PortfolioRoleFactory


@pytest.fixture
def team(client: Client, admin_user: User) -> Client:
    client.force_login(admin_user)
    return client


def quarter_form(quarter: Quarter, submission: str, approval: str) -> dict[str, str]:
    return {"submission_deadline": submission, "approval_deadline": approval}


def test_it_adds_a_year_with_its_four_quarters(team: Client) -> None:
    response = team.post(reverse("admin:perfmon_reportingyear_add"), {"start_year": "2025/26"})
    assert response.status_code == 302
    year = ReportingYear.objects.get()
    assert year.label == "2025/26"
    assert [(q.number, q.starts_on, q.ends_on) for q in year.quarters.order_by("number")] == [
        (1, date(2025, 4, 1), date(2025, 6, 30)),
        (2, date(2025, 7, 1), date(2025, 9, 30)),
        (3, date(2025, 10, 1), date(2025, 12, 31)),
        (4, date(2026, 1, 1), date(2026, 3, 31)),
    ]


def test_it_refuses_a_year_that_overlaps_one_that_exists(team: Client) -> None:
    create_reporting_year(start_year=2025)
    response = team.post(reverse("admin:perfmon_reportingyear_add"), {"start_year": "2025-26"})
    assert response.status_code == 200
    assert "That reporting year already exists." in response.content.decode()
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportingYear.objects.create(start_year=2025)


def test_it_refuses_a_year_that_is_not_april_to_march(team: Client) -> None:
    response = team.post(reverse("admin:perfmon_reportingyear_add"), {"start_year": "2025/27"})
    assert "must run from April 2025 to March 2026, written 2025/26" in response.content.decode()
    assert not ReportingYear.objects.exists()


def test_it_sets_deadlines_and_keeps_their_history(team: Client, admin_user: User) -> None:
    quarter = create_reporting_year(start_year=2025).quarters.get(number=1)
    url = reverse("admin:perfmon_quarter_change", args=[quarter.pk])
    response = team.post(url, quarter_form(quarter, "2025-07-21", "2025-08-04"))
    assert response.status_code == 302
    quarter.refresh_from_db()
    assert quarter.submission_deadline == date(2025, 7, 21)
    latest = quarter.history.first()
    assert latest.history_user == admin_user
    history = team.get(reverse("admin:perfmon_quarter_history", args=[quarter.pk]))
    assert "Pat Performance" in history.content.decode() or "pat" in history.content.decode()


def test_it_refuses_a_deadline_before_the_quarter_ends(team: Client) -> None:
    quarter = create_reporting_year(start_year=2025).quarters.get(number=1)
    url = reverse("admin:perfmon_quarter_change", args=[quarter.pk])
    response = team.post(url, quarter_form(quarter, "2025-06-15", ""))
    assert response.status_code == 200
    assert "must be after the quarter ends on 30 June 2025" in response.content.decode()
    with pytest.raises(IntegrityError), transaction.atomic():
        Quarter.objects.filter(pk=quarter.pk).update(submission_deadline=date(2025, 6, 15))


def test_it_refuses_an_approval_deadline_before_the_submission_deadline(team: Client) -> None:
    quarter = create_reporting_year(start_year=2025).quarters.get(number=1)
    url = reverse("admin:perfmon_quarter_change", args=[quarter.pk])
    response = team.post(url, quarter_form(quarter, "2025-07-21", "2025-07-14"))
    assert response.status_code == 200
    assert "must be on or after the submission deadline (21 July 2025)" in (
        response.content.decode()
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Quarter.objects.filter(pk=quarter.pk).update(
            submission_deadline=date(2025, 7, 21), approval_deadline=date(2025, 7, 14)
        )


def test_it_refuses_a_duplicate_role(team: Client, officer: User, portfolio: Portfolio) -> None:
    response = team.post(
        reverse("admin:perfmon_portfoliorole_add"),
        {"user": officer.pk, "portfolio": portfolio.pk, "role": "officer"},
    )
    assert response.status_code == 200
    assert "already holds this role on this portfolio" in response.content.decode()
    with pytest.raises(IntegrityError), transaction.atomic():
        PortfolioRoleFactory(user=officer, portfolio=portfolio, role=PortfolioRole.Role.OFFICER)


def test_it_lets_a_person_be_officer_and_director_of_one_portfolio(
    team: Client, officer: User, portfolio: Portfolio
) -> None:
    response = team.post(
        reverse("admin:perfmon_portfoliorole_add"),
        {"user": officer.pk, "portfolio": portfolio.pk, "role": "director"},
    )
    assert response.status_code == 302
    assert officer.portfolio_roles.count() == 2


@pytest.mark.parametrize(
    "url_name",
    [
        "admin:perfmon_reportingyear_changelist",
        "admin:perfmon_quarter_changelist",
        "admin:perfmon_councilplan_changelist",
        "admin:perfmon_theme_changelist",
        "admin:perfmon_portfolio_changelist",
        "admin:perfmon_portfoliorole_changelist",
        "admin:perfmon_user_changelist",
    ],
)
def test_it_opens_every_frame_list_to_the_performance_team(team: Client, url_name: str) -> None:
    create_reporting_year(start_year=2025)
    assert team.get(reverse(url_name)).status_code == 200


def test_it_keeps_viewers_and_officers_out_of_the_admin(client: Client, officer: User) -> None:
    client.force_login(officer)
    response = client.get(reverse("admin:perfmon_portfolio_changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response.url


def test_it_adds_a_plan_with_themes_by_financial_year(team: Client) -> None:
    response = team.post(
        reverse("admin:perfmon_councilplan_add"),
        {
            "name": "Council Plan 2024 to 2028",
            "first_year": "2024/25",
            "last_year": "2027/28",
            "themes-TOTAL_FORMS": "1",
            "themes-INITIAL_FORMS": "0",
            "themes-0-name": "A Green City",
            "themes-0-position": "1",
        },
    )
    assert response.status_code == 302
    from perfmon.models import CouncilPlan, Theme

    plan = CouncilPlan.objects.get()
    assert (plan.first_year, plan.last_year) == (2024, 2027)
    assert list(Theme.objects.for_year(create_reporting_year(start_year=2026))) == [
        Theme.objects.get(name="A Green City")
    ]
    assert not Theme.objects.for_year(create_reporting_year(start_year=2028)).exists()


def test_it_shows_a_persons_council_account_and_the_separation_of_duties_setting(
    team: Client, officer: User
) -> None:
    ProviderIdentity.objects.create(
        user=officer, issuer="https://login.example.invalid/v2.0", subject="sub-4711"
    )
    page = team.get(reverse("admin:perfmon_user_change", args=[officer.pk])).content.decode()
    assert "sub-4711" in page and "https://login.example.invalid/v2.0" in page
    settings_page = team.get(reverse("admin:perfmon_councilsettings_change", args=[1]))
    assert "Whoever submits a return cannot approve it" in settings_page.content.decode()
