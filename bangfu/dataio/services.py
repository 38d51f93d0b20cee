"""Imports as a whole: upload, check (preview), commit in one transaction, undo."""

from __future__ import annotations

import hashlib

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bangfu.activities import rules as activity_rules
from bangfu.audit import services as audit
from bangfu.core import access

from . import progress
from .importers import IMPORTERS, preview_sample
from .models import ImportedRow, ImportJob
from .workbook import BadWorkbook, check_file


class ImportRefused(Exception):
    """The message is shown to the user (Chinese)."""


class _Rollback(Exception):
    pass


def can_import(user, kind: str) -> bool:
    """Importing needs the right to create what the kind holds (the importer may say)."""
    importer = IMPORTERS.get(kind)
    if importer is not None and hasattr(importer, "can_import"):
        return importer.can_import(user)
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


def validate_job(job: ImportJob) -> ImportJob:
    """Read and check every row; store counts, errors and a preview. Writes no data.

    Cost: the file read (about 2 s per 100,000 rows) and a few queries per distinct name.
    """
    job.status = ImportJob.Status.VALIDATING
    job.save(update_fields=["status"])
    reporter = progress.Reporter(job.pk)
    importer = IMPORTERS[job.kind](job.user, bytes(job.content), progress=reporter)
    plan = importer.plan()
    job.counts = plan.counts()
    job.errors = plan.errors
    job.preview = preview_sample(importer, plan)
    job.status = ImportJob.Status.PREVIEWED
    if plan.errors and not plan.rows:
        job.status = ImportJob.Status.FAILED
    job.total_rows = job.processed_rows = len(plan.rows)
    job.finished_at = timezone.now()
    job.save(
        update_fields=[
            "counts",
            "errors",
            "preview",
            "status",
            "total_rows",
            "processed_rows",
            "finished_at",
        ]
    )
    return job


def claim_commit(job: ImportJob) -> bool:
    """Mark a checked job as committing, once: a second click or request gets False."""
    if job.errors:
        return False
    claimed = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.PREVIEWED).update(
        status=ImportJob.Status.COMMITTING
    )
    if claimed:
        job.status = ImportJob.Status.COMMITTING
        progress.clear(job.pk)
    return bool(claimed)


def commit_job(job: ImportJob) -> ImportJob:
    """Re-check every row and write them all in one transaction, or none.

    The rows are checked again because data may have changed since the preview.
    A job claimed by :func:`claim_commit` (the commit button) or still previewed
    may be committed. Progress is reported through :mod:`.progress`, since the
    job's own row cannot be seen by others until the transaction ends.
    """
    if job.status == ImportJob.Status.PREVIEWED and not claim_commit(job):
        raise ImportRefused(_("该导入有错误或已处理,不能导入。"))
    if job.status != ImportJob.Status.COMMITTING or job.errors:
        raise ImportRefused(_("该导入有错误或已处理,不能导入。"))
    reporter = progress.Reporter(job.pk)
    importer = IMPORTERS[job.kind](job.user, bytes(job.content), progress=reporter)
    errors: list[dict] = []
    try:
        with transaction.atomic():
            plan = importer.plan()
            reporter.phase = progress.WRITE
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
                    "size": job.size,
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
    job.total_rows = job.processed_rows = len(plan.rows)
    job.content = b""  # the sha256 stays as the record of what was imported
    job.save(
        update_fields=[
            "counts",
            "status",
            "committed_at",
            "finished_at",
            "total_rows",
            "processed_rows",
            "content",
        ]
    )
    return job


def fail_job(job_id: int, message: str) -> None:
    """A step that stopped on an unexpected error: the job shows it instead of running forever."""
    ImportJob.objects.filter(pk=job_id, status__in=ImportJob.RUNNING).update(
        status=ImportJob.Status.FAILED,
        errors=[{"sheet": "", "row": None, "column": "", "message": message}],
        finished_at=timezone.now(),
    )


@transaction.atomic
def undo_job(job: ImportJob, *, actor) -> ImportJob:
    """Delete the rows the import created and restore the ones it updated, or change nothing.

    Refused when later records point at a created row (e.g. an activity of a
    new school) or a row lies in a locked semester.
    """
    from django.db.models import ProtectedError, RestrictedError

    # Read again under a lock: two undo requests of one job take back its rows once.
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.status != ImportJob.Status.COMMITTED:
        raise ImportRefused(_("只有已导入的任务可以撤销。"))
    importer = IMPORTERS[job.kind](actor, b"")
    try:
        with transaction.atomic():
            if hasattr(importer, "undo_all"):
                importer.undo_all(job)
            else:
                for row in job.rows.order_by("-id"):
                    importer.undo(row)
    except (ProtectedError, RestrictedError):
        raise ImportRefused(
            _("导入的记录已被其他数据引用(如新单位已有活动),不能整体撤销。")
        ) from None
    except ValidationError as exc:
        raise ImportRefused(" ".join(exc.messages)) from None
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
