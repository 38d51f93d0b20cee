"""The job runner: runs an import step now, in the request's process.

Synchronous in tests and development. In production a Redis-backed worker
(RQ or Celery) should run :func:`run` instead, so a request for tens of
thousands of rows returns at once and the job page polls the progress; the
steps themselves need no change. With ``DATAIO_IN_THREAD = True`` a step runs
in a thread of the web process (development only: nothing restarts it).

Progress written during the commit belongs to the commit's transaction, so a
poll sees it only at the end; the check step (the long one) reports as it goes.
"""

from __future__ import annotations

import threading

from django.conf import settings
from django.db import close_old_connections

from . import services
from .models import ImportJob

STEPS = {"validate": services.validate_job, "commit": services.commit_job}


def run(job_id: int, step: str) -> None:
    job = ImportJob.objects.select_related("user").get(pk=job_id)
    STEPS[step](job)


def _in_thread(job_id: int, step: str) -> None:
    try:
        run(job_id, step)
    finally:
        close_old_connections()


def enqueue(job: ImportJob, step: str) -> None:
    if getattr(settings, "DATAIO_IN_THREAD", False):
        threading.Thread(target=_in_thread, args=(job.pk, step), daemon=True).start()
    else:
        run(job.pk, step)
