"""Named people every test can ask for: an officer, a director, the performance team,
and an outsider (a viewer with no role)."""

from __future__ import annotations

from typing import Any

import pytest

from perfmon import cached
from perfmon.models import Portfolio, PortfolioRole, User
from perfmon.services import ensure_performance_team_group
from tests.factories import PortfolioFactory, PortfolioRoleFactory, UserFactory


@pytest.fixture(autouse=True)
def _forget_cached_settings() -> None:
    """Each test's database changes are rolled back; the cached council settings and
    schemes read from them must go too."""
    cached.forget_all()


@pytest.fixture
def portfolio(db: None) -> Portfolio:
    return PortfolioFactory(name="Governance and Finance")


@pytest.fixture
def officer(portfolio: Portfolio) -> User:
    user = UserFactory(username="alex", first_name="Alex", last_name="Officer")
    PortfolioRoleFactory(user=user, portfolio=portfolio, role=PortfolioRole.Role.OFFICER)
    return user


@pytest.fixture
def director(portfolio: Portfolio) -> User:
    user = UserFactory(username="dana", first_name="Dana", last_name="Director")
    PortfolioRoleFactory(user=user, portfolio=portfolio, role=PortfolioRole.Role.DIRECTOR)
    return user


@pytest.fixture
def admin_user(db: None) -> User:
    """A member of the performance team: staff, with the group's permissions."""
    user = UserFactory(username="pat", first_name="Pat", last_name="Performance", is_staff=True)
    user.groups.add(ensure_performance_team_group())
    return user


@pytest.fixture
def outsider(db: None) -> User:
    return UserFactory(username="vic", first_name="Vic", last_name="Viewer")


@pytest.fixture
def pdf_html(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The HTML of every PDF made while the test runs, in order (the PDFs are made as
    usual): to read what a printed report says, or lay its pages out again."""
    from reports import pdf

    rendered: list[str] = []
    make_pdf = pdf.pdf_bytes

    def keep_html(html: str, **kwargs: Any) -> bytes:
        rendered.append(html)
        return make_pdf(html, **kwargs)

    monkeypatch.setattr(pdf, "pdf_bytes", keep_html)
    return rendered
