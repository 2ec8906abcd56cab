"""The Content-Security-Policy header: what it allows, on which responses, and that perfmon's
own templates need nothing more. tests/browser/test_csp.py checks Chromium agrees."""

import base64
import hashlib
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.template import Engine
from django.test import Client

from perfmon.models import User

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"
# Not served to browsers as pages: emails, and the HTML WeasyPrint turns into a PDF.
NOT_PAGES = {TEMPLATES / "emails", TEMPLATES / "reports" / "pdf.html"}


def directives(policy: str) -> dict[str, list[str]]:
    parsed = {}
    for directive in policy.split(";"):
        name, *sources = directive.split()
        parsed[name] = sources
    return parsed


def sha256(value: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(value.encode()).digest()).decode() + "'"


def test_it_enforces_a_strict_policy_on_pages(client: Client, officer: User) -> None:
    client.force_login(officer)
    response = client.get("/")

    assert response.status_code == 200
    assert "Content-Security-Policy-Report-Only" not in response.headers
    policy = directives(response.headers["Content-Security-Policy"])
    assert policy == {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "style-src-attr": [
            "'unsafe-hashes'",
            sha256("border-top: 0"),
            sha256("padding: 0;"),
            sha256("font-weight: bold;"),
        ],
        "script-src-attr": ["'unsafe-hashes'", sha256("onSelectToggleChange(event)")],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
    header = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in header
    assert "unsafe-eval" not in header


@pytest.mark.parametrize(
    ("path", "status"),
    [("/", 302), ("/sign-in/", 200), ("/no-such-page/", 404), ("/api/measures/", 403)],
)
def test_it_sends_the_policy_with_every_response(
    client: Client, db: None, path: str, status: int
) -> None:
    response = client.get(path)

    assert response.status_code == status
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]


def test_it_sends_the_policy_with_json(client: Client, admin_user: User) -> None:
    client.force_login(admin_user)

    as_json = client.get("/api/", HTTP_ACCEPT="application/json")
    assert as_json.headers["Content-Type"] == "application/json"
    assert "frame-ancestors 'none'" in as_json.headers["Content-Security-Policy"]


def form_action_with(**env: str) -> str:
    """form-action as perfmon's settings build it from these environment variables."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("OIDC_")}
    environment.update(env)
    code = (
        "from perfmon import settings; "
        "print(' '.join(settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['form-action']))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout.strip()


def test_it_lets_sign_out_forms_go_on_to_the_council_sign_in_provider() -> None:
    assert form_action_with() == "'self'"
    assert (
        form_action_with(OIDC_ISSUER="https://login.microsoftonline.com/tenant-id/v2.0")
        == "'self' https://login.microsoftonline.com"
    )
    assert form_action_with(OIDC_ISSUER="https://sso.example.gov.uk:8443/realms/council") == (
        "'self' https://sso.example.gov.uk:8443"
    )
    # Not a URL: council sign-in is off (manage.py check names it), nothing more allowed.
    assert form_action_with(OIDC_ISSUER="login.example.com") == "'self'"


@pytest.mark.parametrize(
    ("template", "attribute"),
    [
        ("simple_history/object_history_list.html", 'style="border-top: 0"'),
        ("admin/import_export/export.html", 'style="padding: 0;"'),
        ("admin/import_export/export.html", 'style="font-weight: bold;"'),
        ("admin/import_export/export.html", 'onchange="onSelectToggleChange(event)"'),
    ],
)
def test_it_allows_by_hash_only_attributes_the_admin_add_ons_still_have(
    template: str, attribute: str
) -> None:
    # When an upgrade drops one, its hash comes out of the policy.
    source = Engine.get_default().get_template(template).source
    assert attribute in source


INLINE = re.compile(
    r"""\sstyle\s*=|<style|<script(?![^>]*\ssrc=)(?![^>]*type="application/json")|\son[a-z]+\s*=""",
    re.IGNORECASE,
)


def test_it_finds_no_inline_script_or_style_in_perfmon_pages() -> None:
    pages = [
        path
        for path in TEMPLATES.rglob("*")
        if path.suffix in {".html", ".jinja"}
        and not any(path == skip or skip in path.parents for skip in NOT_PAGES)
    ]
    assert len(pages) > 20
    offenders = [
        f"{path.relative_to(ROOT)}: {match.group(0)}"
        for path in pages
        for match in INLINE.finditer(path.read_text())
    ]
    assert offenders == []
