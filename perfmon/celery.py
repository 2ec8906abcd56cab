"""The Celery app, configured from Django settings (REDIS_URL), and the beat schedule."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "perfmon.settings")

app = Celery("perfmon")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Every periodic job, in one place. Jobs read their deadlines from the database.
# The crontab is read in CELERY_TIMEZONE (Europe/London), so 08:00 stays 08:00 local time
# across the clock changes.
app.conf.beat_schedule = {
    "send-daily-reminders": {
        "task": "perfmon.tasks.send_daily_reminders_task",
        "schedule": crontab(hour=8, minute=0),
    },
}
