"""Celery tasks of reports: large annual results files, and report files. Thin: they take
an id and call a service."""

from __future__ import annotations

from celery import shared_task

from reports import report_files, services


@shared_task(acks_late=True)
def check_results_import_task(import_id: int) -> None:
    services.check_results_import(import_id=import_id)


@shared_task(acks_late=True)
def run_results_import_task(import_id: int) -> None:
    services.run_results_import(import_id=import_id)


@shared_task(acks_late=True)
def build_report_file_task(file_id: int) -> None:
    report_files.build_report_file(file_id=file_id)
