"""Celery tasks for large annual results files: thin, they take an id and call a service."""

from __future__ import annotations

from celery import shared_task

from reports import services


@shared_task(acks_late=True)
def check_results_import_task(import_id: int) -> None:
    services.check_results_import(import_id=import_id)


@shared_task(acks_late=True)
def run_results_import_task(import_id: int) -> None:
    services.run_results_import(import_id=import_id)
