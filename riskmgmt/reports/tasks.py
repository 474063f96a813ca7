"""Celery tasks: thin, idempotent, by id. The work is in document.py."""

from __future__ import annotations

from celery import shared_task

from . import document


@shared_task(ignore_result=True)
def report_job_run_task(job_id: int) -> None:
    """Renders a queued report job (a queued job only: a redelivery does nothing)."""
    document.report_job_run(job_id=job_id)
