"""Imports as a whole: upload, check (preview), commit in one transaction, undo."""

from __future__ import annotations

import hashlib

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bangfu.activities import rules as activity_rules
from bangfu.audit import services as audit
from bangfu.core import access

from .importers import IMPORTERS, preview_sample
from .models import ImportedRow, ImportJob
from .workbook import BadWorkbook, check_file


class ImportRefused(Exception):
    """The message is shown to the user (Chinese)."""


class _Rollback(Exception):
    pass


def can_import(user, kind: str) -> bool:
    """Importing needs the right to create what the kind holds."""
    if kind == ImportJob.Kind.ORGANISATIONS:
        return access.can_create_organisation(user) or bool(
            access.is_writer(user) and user.is_school_staff and user.organisation_id
        )
    if kind == ImportJob.Kind.ACTIVITIES:
        return activity_rules.can_create_activity(user)
    return False


def can_import_anything(user) -> bool:
    return any(can_import(user, kind) for kind in IMPORTERS)


def upload_workbook(*, actor, kind: str, name: str, data: bytes) -> ImportJob:
    """Check the file's content (zip directory only) and store it as a new job.

    Raises ImportRefused before anything is stored when the file is not a plain xlsx.
    """
    if kind not in IMPORTERS or not can_import(actor, kind):
        raise PermissionDenied
    try:
        check_file(data)
    except BadWorkbook as exc:
        raise ImportRefused(str(exc)) from None
    return ImportJob.objects.create(
        user=actor,
        kind=kind,
        file_name=name[:200],
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        content=data,
    )


def _progress(job: ImportJob):
    def report(done: int, total: int) -> None:
        # A separate UPDATE so a poll sees it (outside a transaction only; see jobs.py).
        ImportJob.objects.filter(pk=job.pk).update(processed_rows=done, total_rows=total)

    return report


def validate_job(job: ImportJob) -> ImportJob:
    """Read and check every row; store counts, errors and a preview. Writes no data."""
    job.status = ImportJob.Status.VALIDATING
    job.save(update_fields=["status"])
    importer = IMPORTERS[job.kind](job.user, bytes(job.content), progress=_progress(job))
    plan = importer.plan()
    job.refresh_from_db(fields=["processed_rows", "total_rows"])
    job.counts = plan.counts()
    job.errors = plan.errors
    job.preview = preview_sample(importer, plan)
    job.status = ImportJob.Status.PREVIEWED
    if plan.errors and not plan.rows:
        job.status = ImportJob.Status.FAILED
    job.finished_at = timezone.now()
    job.save(update_fields=["counts", "errors", "preview", "status", "finished_at"])
    return job


def commit_job(job: ImportJob) -> ImportJob:
    """Re-check every row and write them all in one transaction, or none.

    The rows are checked again because data may have changed since the preview.
    """
    if job.status != ImportJob.Status.PREVIEWED or job.errors:
        raise ImportRefused(_("该导入有错误或已处理,不能导入。"))
    job.status = ImportJob.Status.COMMITTING
    job.save(update_fields=["status"])
    importer = IMPORTERS[job.kind](job.user, bytes(job.content), progress=_progress(job))
    errors: list[dict] = []
    try:
        with transaction.atomic():
            plan = importer.plan()
            errors = plan.errors or importer.apply(plan, job)
            if errors:
                raise _Rollback
            job.counts = plan.counts()
            audit.record(
                "import",
                actor=job.user,
                instance=job,
                changes={
                    "kind": job.kind,
                    "file_name": job.file_name,
                    "sha256": job.sha256,
                    "counts": job.counts,
                },
            )
    except _Rollback:
        job.errors = errors
        job.status = ImportJob.Status.FAILED
        job.finished_at = timezone.now()
        job.save(update_fields=["errors", "status", "finished_at"])
        return job
    job.status = ImportJob.Status.COMMITTED
    job.committed_at = job.finished_at = timezone.now()
    job.content = b""  # the sha256 stays as the record of what was imported
    job.save(update_fields=["counts", "status", "committed_at", "finished_at", "content"])
    return job


@transaction.atomic
def undo_job(job: ImportJob, *, actor) -> ImportJob:
    """Delete the rows the import created and restore the ones it updated, or change nothing.

    Refused when later records point at a created row (e.g. an activity of a new school).
    """
    from django.db.models import ProtectedError

    if job.status != ImportJob.Status.COMMITTED:
        raise ImportRefused(_("只有已导入的任务可以撤销。"))
    importer = IMPORTERS[job.kind](actor, b"")
    try:
        with transaction.atomic():
            for row in job.rows.order_by("-id"):
                importer.undo(row)
    except ProtectedError:
        raise ImportRefused(
            _("导入的记录已被其他数据引用(如新单位已有活动),不能整体撤销。")
        ) from None
    job.status = ImportJob.Status.UNDONE
    job.undone_at = timezone.now()
    job.save(update_fields=["status", "undone_at"])
    audit.record(
        "delete",
        actor=actor,
        instance=job,
        changes={"undo": True, "rows": ImportedRow.objects.filter(job=job).count()},
    )
    return job
