"""The Celery app, configured from Django settings (REDIS_URL), and the beat schedule."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "perfmon.settings")

app = Celery("perfmon")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Every periodic job, in one place. Jobs read their deadlines from the database.
app.conf.beat_schedule = {}
