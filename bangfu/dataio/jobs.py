"""Background jobs: import steps and large exports, on an RQ worker when Redis is configured.

With ``REDIS_URL`` set, ``BANGFU_JOB_QUEUE`` names a django-rq queue and
``manage.py rqworker default`` runs what is put on it: a workbook of
``BANGFU_JOB_MIN_BYTES`` or more is checked and committed there, an export
of ``BANGFU_JOB_MIN_EXPORT_ROWS`` rows or more is written there, and their
pages poll the progress (:mod:`.progress`). A request never waits for them.

Without Redis (tests, a fresh checkout) and for small files, a step runs in
the request. ``DATAIO_IN_THREAD = True`` runs it in a thread of the web
process instead (development only: nothing restarts it).

Export jobs live in the cache (Redis) for a day, with their files under
``MEDIA_ROOT/exports``; the worker and the web processes share both.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import close_old_connections, connection
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy

from . import progress
from .models import ImportJob

logger = logging.getLogger(__name__)

FAILED_MESSAGE = gettext_lazy(
    "处理时出现意外错误,没有写入任何数据。请稍后重试;如仍失败,请联系管理员。"
)
JOB_TIMEOUT = 3 * 3600
EXPORT_TTL = 24 * 3600
USER_EXPORTS = 20


def _release_connections() -> None:
    """A worker that runs jobs in one process (or a thread) keeps no stale connection;
    a step run inside a caller's transaction (a test) leaves it alone."""
    if not connection.in_atomic_block:
        close_old_connections()


def queue_name() -> str:
    """The RQ queue jobs go to, or "" when they run in the request."""
    return getattr(settings, "BANGFU_JOB_QUEUE", "") or ""


def _enqueue(func, *args) -> bool:
    """Put a job on the queue; False when Redis cannot be reached (the caller runs it now).

    Queued at once, not when a transaction commits: callers (views, in autocommit)
    have saved what the job reads before they call this.
    """
    import django_rq
    from redis.exceptions import RedisError

    queue = django_rq.get_queue(queue_name(), commit_mode="auto")
    try:
        queue.enqueue(func, *args, job_timeout=JOB_TIMEOUT)
    except RedisError:
        logger.warning("job queue unreachable: %s runs in the request", func.__name__)
        return False
    return True


# --- import steps ------------------------------------------------------------------------


def run(job_id: int, step: str, background: bool = True) -> None:
    """Run one step ("validate" or "commit") of an import job: what the worker calls.

    An unexpected error marks the job failed (its transaction wrote nothing), so
    the page stops polling and says so; the worker also keeps the traceback.
    """
    from . import services

    steps = {"validate": services.validate_job, "commit": services.commit_job}
    try:
        job = ImportJob.objects.select_related("user").get(pk=job_id)
        steps[step](job)
    except services.ImportRefused:
        pass  # already committed or refused: the job says so
    except Exception:
        logger.exception("import job %s: %s failed", job_id, step)
        services.fail_job(job_id, str(FAILED_MESSAGE))
        if background:
            raise
    finally:
        progress.clear(job_id)
        if background:
            _release_connections()


def in_background(job: ImportJob) -> bool:
    return bool(queue_name()) and job.size >= getattr(settings, "BANGFU_JOB_MIN_BYTES", 0)


def enqueue(job: ImportJob, step: str) -> bool:
    """Run ``step`` on the worker (True: the page polls) or now (False: it is done)."""
    if in_background(job) and _enqueue(run, job.pk, step):
        return True
    if getattr(settings, "DATAIO_IN_THREAD", False):
        threading.Thread(target=run, args=(job.pk, step), daemon=True).start()
        return True
    run(job.pk, step, background=False)
    return False


# --- undo ---------------------------------------------------------------------------------


def _undo_key(job_id) -> str:
    return f"dataio:undo:{job_id}"


def undo_state(job_id) -> dict | None:
    """``{"running": True}`` while an undo is queued or running, ``{"error": …}`` when refused."""
    return cache.get(_undo_key(job_id))


def enqueue_undo(job: ImportJob, actor) -> bool:
    """Undo on the worker (True: the page polls) or now (False: done or refused at once).

    Refusals of a queued undo are kept for the job page to show.
    """
    if in_background(job):
        cache.set(_undo_key(job.pk), {"running": True}, EXPORT_TTL)
        if _enqueue(run_undo, job.pk, actor.pk):
            return True
        cache.delete(_undo_key(job.pk))
    from . import services

    services.undo_job(job, actor=actor)
    return False


def run_undo(job_id: int, actor_id: int, background: bool = True) -> None:
    from . import services

    try:
        job = ImportJob.objects.get(pk=job_id)
        services.undo_job(job, actor=get_user_model().objects.get(pk=actor_id))
    except services.ImportRefused as exc:
        cache.set(_undo_key(job_id), {"error": str(exc)}, EXPORT_TTL)
        return
    except Exception:
        logger.exception("undo of import job %s failed", job_id)
        cache.set(_undo_key(job_id), {"error": str(FAILED_MESSAGE)}, EXPORT_TTL)
        if background:
            raise
        return
    finally:
        if background:
            _release_connections()
    cache.delete(_undo_key(job_id))


# --- exports --------------------------------------------------------------------------


class ExportStatus:
    QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
    LABELS = {
        QUEUED: gettext_lazy("排队中"),
        RUNNING: gettext_lazy("正在导出"),
        DONE: gettext_lazy("已完成"),
        FAILED: gettext_lazy("未完成"),
    }


def _export_key(token: str) -> str:
    return f"dataio:export:{token}"


def _user_key(user_id) -> str:
    return f"dataio:exports:user:{user_id}"


def export_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "exports"


def export_in_background(rows: int) -> bool:
    return bool(queue_name()) and rows >= getattr(settings, "BANGFU_JOB_MIN_EXPORT_ROWS", 0)


def create_export(user, *, kind: str, fmt: str, params: QueryDict, rows: int, name: str) -> str:
    """Record an export job of ``user`` (nothing written yet); returns its token."""
    _sweep()
    token = secrets.token_urlsafe(16)
    record = {
        "token": token,
        "user_id": user.pk,
        "kind": kind,
        "format": fmt,
        "params": list(params.lists()),
        "rows": rows,
        "name": name,
        "status": ExportStatus.QUEUED,
        "created_at": timezone.now().isoformat(),
        "file": "",
    }
    cache.set(_export_key(token), record, EXPORT_TTL)
    tokens = [token, *(cache.get(_user_key(user.pk)) or [])][:USER_EXPORTS]
    cache.set(_user_key(user.pk), tokens, EXPORT_TTL)
    return token


def start_export(user, *, kind: str, fmt: str, params: QueryDict, rows: int, name: str) -> str:
    """Queue an export of what ``user`` sees; returns the token of its page."""
    token = create_export(user, kind=kind, fmt=fmt, params=params, rows=rows, name=name)
    if not _enqueue(run_export, token):
        run_export(token, background=False)
    return token


def _save(record: dict) -> None:
    cache.set(_export_key(record["token"]), record, EXPORT_TTL)


def run_export(token: str, background: bool = True) -> None:
    """Write an export file: what the worker calls. Costs what the export itself costs."""
    from . import exports

    record = cache.get(_export_key(token))
    if record is None:
        return
    record["status"] = ExportStatus.RUNNING
    _save(record)
    try:
        user = get_user_model().objects.get(pk=record["user_id"])
        params = QueryDict(mutable=True)
        for key, values in record["params"]:
            params.setlist(key, values)
        headers, rows, count = exports.export_rows(record["kind"], user, params)
        reporter = progress.Reporter(token, "export", progress.WRITE)
        directory = export_dir()
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"{token}.{record['format']}"
        exports.write_file(
            record["format"],
            headers,
            _counted(rows, count, reporter),
            exports.TITLES[record["kind"]],
            path,
        )
    except Exception:
        logger.exception("export %s failed", token)
        record["status"] = ExportStatus.FAILED
        _save(record)
        if background:
            raise
        return
    finally:
        progress.clear(token, "export")
        if background:
            _release_connections()
    record.update(status=ExportStatus.DONE, file=path.name, rows=count)
    _save(record)


def _counted(rows, total: int, reporter):
    reporter(0, total)
    for done, row in enumerate(rows, start=1):
        if done % 5000 == 0:
            reporter(done, total)
        yield row


def get_export(user, token: str) -> dict | None:
    """The user's own export job (None for anyone else's, as for a missing one)."""
    record = cache.get(_export_key(token)) if token else None
    if record is None or record["user_id"] != user.pk:
        return None
    return _shown(record)


def _shown(record: dict) -> dict:
    shown = dict(record)
    shown["status_label"] = ExportStatus.LABELS.get(record["status"], "")
    shown["running"] = record["status"] in (ExportStatus.QUEUED, ExportStatus.RUNNING)
    shown["progress"] = progress.read(record["token"], "export")
    return shown


def export_path(record: dict) -> Path | None:
    if record["status"] != ExportStatus.DONE or not record.get("file"):
        return None
    path = export_dir() / record["file"]
    return path if path.is_file() else None


def user_exports(user) -> list[dict]:
    """The user's export jobs of the last day, newest first."""
    if not (user and user.is_authenticated):
        return []
    tokens = cache.get(_user_key(user.pk)) or []
    records = cache.get_many([_export_key(t) for t in tokens])
    return [_shown(records[_export_key(t)]) for t in tokens if _export_key(t) in records]


def _sweep() -> None:
    """Remove export files older than a day (their jobs have expired too)."""
    directory = export_dir()
    if not directory.is_dir():
        return
    cutoff = time.time() - EXPORT_TTL
    for path in directory.iterdir():
        try:
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
        except OSError:
            pass
