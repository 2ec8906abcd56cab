"""Who the council is, as data: its name in the header (COUNCIL_NAME until it is set),
its words for direction of travel, kept in the admin."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from perfmon.models import CouncilSettings, User

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
