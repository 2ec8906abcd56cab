"""Who the council is, as data: its name in the header (COUNCIL_NAME until it is set),
its words for direction of travel, kept in the admin."""

from __future__ import annotations

import base64
import hashlib
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import Client, override_settings
from PIL import Image

from perfmon.models import CouncilSettings, User
from perfmon.services import create_reporting_year

pytestmark = pytest.mark.django_db


@override_settings(COUNCIL_NAME="Anytown Borough Council")
def test_it_shows_the_default_name_on_a_fresh_install(client: Client, outsider: User) -> None:
    client.force_login(outsider)
    page = client.get("/").content.decode()
    assert '<span class="app-header__council">Anytown Borough Council</span>' in page
    assert 'data-testid="brand"' not in page


def test_it_keeps_the_councils_identity_from_the_admin(client: Client, admin_user: User) -> None:
    client.force_login(admin_user)
    CouncilSettings.current()
    form = {
        "separate_submit_and_approve": "on",
        "council_name": "Derbyshire County Council",
        "short_name": "Derbyshire",
        "brand_colour": "#00594f",
        "dot_improving": "Improving",
        "dot_same": "No change",
        "dot_deteriorating": "Declining",
        "actions_heading": "Council Plan deliverables",
        "measures_heading": "Key measures",
    }
    url = "/admin/perfmon/councilsettings/1/change/"
    refused = client.post(url, {**form, "brand_colour": "green"})
    assert "Enter a colour like #1d70b8." in refused.content.decode()
    assert client.post(url, form).status_code == 302
    council = CouncilSettings.current()
    assert council.name == "Derbyshire County Council"
    assert council.dot_words == {
        "Improving": "Improving",
        "Same": "No change",
        "Deteriorating": "Declining",
    }
    assert 'fill="#00594f"' in client.get("/").content.decode()


# The logo -----------------------------------------------------------------------------

SETTINGS_URL = "/admin/perfmon/councilsettings/1/change/"
SETTINGS_FORM = {
    "separate_submit_and_approve": "on",
    "council_name": "Anytown Borough Council",
    "dot_improving": "Improving",
    "dot_same": "Same",
    "dot_deteriorating": "Deteriorating",
    "actions_heading": "Actions",
    "measures_heading": "Measures",
}
SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40" viewBox="0 0 120 40">'
    b'<rect width="120" height="40" fill="#00594f"/></svg>'
)


def png(colour: str = "#00594f") -> bytes:
    image = io.BytesIO()
    Image.new("RGB", (120, 40), colour).save(image, format="PNG")
    return image.getvalue()


def upload(client: Client, data: bytes, name: str = "logo.png", **form: str) -> HttpResponse:
    CouncilSettings.current()
    return client.post(
        SETTINGS_URL, {**SETTINGS_FORM, **form, "logo_file": SimpleUploadedFile(name, data)}
    )


def logo_address(page: str) -> str:
    found = re.search(r'<img class="app-header__logo" src="([^"]+)"', page)
    assert found, "no logo in the header"
    return found.group(1)


def test_it_shows_the_uploaded_logo_in_every_header_and_serves_it_to_anyone(
    client: Client, admin_user: User
) -> None:
    client.force_login(admin_user)
    assert upload(client, png()).status_code == 302
    home = client.get("/").content.decode()
    address = logo_address(home)
    assert address == f"/council/logo/{hashlib.sha256(png()).hexdigest()}/"
    assert 'alt=""' in home  # the council's name, beside it, names it
    client.logout()
    sign_in = client.get("/sign-in/").content.decode()
    assert logo_address(sign_in) == address
    response = client.get(address)
    assert response.status_code == 200
    assert response.content == png()
    assert response["Content-Type"] == "image/png"
    assert "immutable" in response["Cache-Control"]
    assert response["Content-Security-Policy"].endswith("sandbox")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_it_replaces_and_removes_the_logo(client: Client, admin_user: User) -> None:
    client.force_login(admin_user)
    upload(client, png())
    first = logo_address(client.get("/").content.decode())
    assert upload(client, SVG, "logo.svg").status_code == 302
    second = logo_address(client.get("/").content.decode())
    assert second != first
    assert client.get(first).status_code == 404  # an old address shows no other logo
    assert client.get(second)["Content-Type"] == "image/svg+xml"
    assert client.post(SETTINGS_URL, {**SETTINGS_FORM, "remove_logo": "on"}).status_code == 302
    assert "app-header__logo" not in client.get("/").content.decode()
    assert client.get(second).status_code == 404
    changes = list(CouncilSettings.history.values_list("logo_type", flat=True))
    assert changes[:3] == ["", "image/svg+xml", "image/png"]  # newest first


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("logo.png", b"not an image at all", "must be a PNG, JPEG or SVG image"),
        ("logo.png", b"", "The submitted file is empty"),
        ("logo.png", b"\x89PNG\r\n\x1a\n" + b"0" * 600_000, "up to 512 KB"),
        (
            "logo.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "holds a &lt;script&gt; element",
        ),
        (
            "logo.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
            "event handler",
        ),
        (
            "logo.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/1999/xlink">'
            b'<image x:href="http://169.254.169.254/latest"/></svg>',
            "must hold everything it shows",
        ),
        (
            "logo.svg",
            b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa">]>'
            b'<svg xmlns="http://www.w3.org/2000/svg">&a;</svg>',
            "DOCTYPE or entities",
        ),
        ("logo.svg", b"<svg <<", "cannot be read"),
    ],
)
def test_it_refuses_a_file_that_cannot_be_the_logo_at_the_field(
    client: Client, admin_user: User, name: str, data: bytes, message: str
) -> None:
    client.force_login(admin_user)
    response = upload(client, data, name)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert CouncilSettings.objects.get().logo_digest == ""
    assert "app-header__logo" not in client.get("/").content.decode()


def test_it_refuses_a_new_logo_and_removing_it_at_once(client: Client, admin_user: User) -> None:
    client.force_login(admin_user)
    response = upload(client, png(), remove_logo="on")
    assert "Upload a new logo or remove the logo, not both" in response.content.decode()
    assert CouncilSettings.objects.get().logo_digest == ""


def test_it_prints_the_logo_on_a_pdf_report(
    client: Client, admin_user: User, pdf_html: list[str]
) -> None:
    client.force_login(admin_user)
    create_reporting_year(start_year=2025)
    query = {"year": 2025, "format": "pdf", "draft": "1"}
    assert b"/Subtype /Image" not in client.get("/reports/annual/", query).content
    upload(client, png("#ff0000"))
    response = client.get("/reports/annual/", query)
    assert response.content.startswith(b"%PDF")
    logo = f'src="data:image/png;base64,{base64.b64encode(png("#ff0000")).decode()}"'
    assert f'<img class="app-logo" {logo} alt="Anytown Borough Council">' in pdf_html[-1]
    assert b"/Subtype /Image" in response.content
