"""The council's logo moves from a file on the web server's disk (which no page showed) to
the database, where every web process and worker finds it."""

import hashlib
from typing import Any

from django.core.files.storage import default_storage
from django.db import migrations, models

from perfmon import logo


def copy_uploaded_logo(apps: Any, schema_editor: Any) -> None:
    """Keep a logo uploaded before, if its file is still there and perfmon can show it."""
    council_settings = apps.get_model("perfmon", "CouncilSettings")
    for council in council_settings.objects.exclude(logo=""):
        try:
            with default_storage.open(council.logo.name) as file:
                data = file.read()
            media_type = logo.logo_type(data)
        except (OSError, logo.LogoRefused):
            continue  # gone, or not an image perfmon shows: upload it again in the admin
        council.logo_image = data
        council.logo_type = media_type
        council.logo_digest = hashlib.sha256(data).hexdigest()
        council.save(update_fields=["logo_image", "logo_type", "logo_digest"])


class Migration(migrations.Migration):
    dependencies = [
        ("perfmon", "0008_council_identity"),
    ]

    operations = [
        migrations.AddField(
            model_name="councilsettings",
            name="logo_digest",
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name="councilsettings",
            name="logo_image",
            field=models.BinaryField(blank=True, default=b""),
        ),
        migrations.AddField(
            model_name="councilsettings",
            name="logo_type",
            field=models.CharField(blank=True, editable=False, max_length=20),
        ),
        migrations.AddField(
            model_name="historicalcouncilsettings",
            name="logo_digest",
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name="historicalcouncilsettings",
            name="logo_type",
            field=models.CharField(blank=True, editable=False, max_length=20),
        ),
        migrations.RunPython(copy_uploaded_logo, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name="councilsettings",
            name="logo",
        ),
        migrations.RemoveField(
            model_name="historicalcouncilsettings",
            name="logo",
        ),
    ]
