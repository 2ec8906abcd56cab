"""Signing in with a council account in Chromium, through a real OpenID provider
(tests/oidc/provider.mjs) on loopback."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest

from perfmon.models import PERFORMANCE_TEAM_GROUP, PortfolioRole, ProviderIdentity, User
from tests.browser.conftest import screenshot
from tests.factories import PortfolioFactory, PortfolioRoleFactory, UserFactory
from tests.oidc.harness import RunningProvider, running_provider

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def provider(live_server: Any) -> Iterator[RunningProvider]:
    with running_provider(
        redirect_uris=[f"{live_server.url}/sign-in/council/callback/"],
        logout_uris=[f"{live_server.url}/sign-in/"],
    ) as running:
        yield running


@pytest.fixture
def council(provider: RunningProvider, settings: Any, transactional_db: None) -> RunningProvider:
    for name, value in provider.settings().items():
        setattr(settings, name, value)
    policy = getattr(settings, "CONTENT_SECURITY_POLICY", None)
    if policy:
        # Signing out redirects a form post to the provider: the Content-Security-Policy's
        # form-action allows the issuer's origin, worked out in settings from OIDC_ISSUER
        # when the site starts; here the issuer is set after that.
        policy = copy.deepcopy(policy)
        policy["DIRECTIVES"]["form-action"] = [
            *policy["DIRECTIVES"].get("form-action", []),
            provider.issuer,
        ]
        settings.CONTENT_SECURITY_POLICY = policy
    return provider


def sign_in_with_council_account(page: Any, live_server: Any, account: str) -> None:
    page.goto(f"{live_server.url}/")
    assert "/sign-in/" in page.url
    page.get_by_role("button", name="Sign in with your council account").click()
    # The provider's own sign-in page.
    page.locator("input[name=login]").fill(account)
    page.locator("input[name=password]").fill("council-password")
    page.get_by_role("button", name="Sign-in").click()


def test_it_signs_a_new_member_of_the_admin_group_in_as_performance_team(
    page: Any, live_server: Any, council: RunningProvider, settings: Any
) -> None:
    settings.OIDC_CREATE_USERS = "true"
    sign_in_with_council_account(page, live_server, "new-admin")

    page.get_by_role("heading", name="Your portfolios").wait_for()
    assert page.url == f"{live_server.url}/"
    assert "Nia Admin" in page.locator(".app-account__name").inner_text()
    page.get_by_role("link", name="Admin", exact=True).click()
    page.get_by_role("heading", name="Performance team").wait_for()
    screenshot(page, "oidc-new-admin")

    person = User.objects.get(email="nia.admin@council.test")
    assert person.is_staff and not person.has_usable_password()
    assert list(person.groups.values_list("name", flat=True)) == [PERFORMANCE_TEAM_GROUP]
    assert ProviderIdentity.objects.get(user=person).subject == "new-admin"


def test_it_signs_an_existing_officer_in_to_their_portfolios_and_out_of_both(
    page: Any, live_server: Any, council: RunningProvider
) -> None:
    officer = UserFactory(
        username="alex", first_name="Alex", last_name="Officer", email="alex.officer@council.test"
    )
    portfolio = PortfolioFactory(name="Governance and Finance")
    PortfolioRoleFactory(user=officer, portfolio=portfolio, role=PortfolioRole.Role.OFFICER)

    page.goto(f"{live_server.url}/sign-in/")
    screenshot(page, "oidc-sign-in-page")
    sign_in_with_council_account(page, live_server, "existing-officer")

    page.get_by_role("heading", name="Your portfolios").wait_for()
    table = page.get_by_role("table").inner_text()
    assert "Governance and Finance" in table
    assert "Officer" in table
    assert "Alexandra Officer" in page.locator(".app-account__name").inner_text()
    screenshot(page, "oidc-existing-officer")
    officer.refresh_from_db()
    assert officer.first_name == "Alexandra"
    assert PortfolioRole.objects.filter(user=officer, portfolio=portfolio).exists()
    assert not officer.is_staff

    # Signing out ends the provider's session too, then comes back to perfmon.
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("button", name="Yes, sign me out").click()
    page.get_by_role("heading", name="Sign in to perfmon").wait_for()
    assert page.url.startswith(f"{live_server.url}/sign-in/")
    # The provider asks who is signing in again: its session ended.
    page.get_by_role("button", name="Sign in with your council account").click()
    page.locator("input[name=login]").wait_for()


def test_it_refuses_someone_the_team_has_not_added_when_creation_is_off(
    page: Any, live_server: Any, council: RunningProvider
) -> None:
    sign_in_with_council_account(page, live_server, "stranger")

    page.get_by_role("heading", name="You cannot sign in to perfmon yet").wait_for()
    refusal = page.locator("#refusal").inner_text()
    assert refusal.startswith("You do not have a perfmon account yet.")
    assert "Ask the performance team at" in refusal
    assert "sam.stranger@council.test" in refusal
    screenshot(page, "oidc-refused")
    assert not User.objects.filter(email="sam.stranger@council.test").exists()
