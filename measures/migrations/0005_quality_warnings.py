# Data-quality warnings on a measure's actual, and the officer's confirmation (hand-checked).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("measures", "0004_action_schemes"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalmeasureupdate",
            name="quality_warning",
            field=models.CharField(blank=True, max_length=500),
        ),
        migrations.AddField(
            model_name="historicalmeasureupdate",
            name="value_confirmed",
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name="measureupdate",
            name="quality_warning",
            field=models.CharField(blank=True, max_length=500),
        ),
        migrations.AddField(
            model_name="measureupdate",
            name="value_confirmed",
            field=models.BooleanField(default=False),
        ),
    ]
