"""Templates, imports (upload → preview → commit → undo) and exports.

Large imports and exports run as background jobs (:mod:`.jobs`): their pages
poll the progress with htmx and can be left and opened again from the list.
"""

from __future__ import annotations

import tempfile

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bangfu.audit import services as audit
from bangfu.core import access

from . import exports, jobs, progress, services
from .columns import KINDS
from .importers import IMPORTERS
from .models import ImportJob
from .xlsx_templates import build_template

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DEFAULT_KIND = "activities"


def _kind(request, allowed) -> str:
    kind = request.GET.get("kind") or request.POST.get("kind") or DEFAULT_KIND
    if kind not in allowed:
        raise Http404
    return kind


def _job(request, pk) -> ImportJob:
    return access.get_visible_or_404(ImportJob, request.user, pk=pk)


def _import_kinds(user):
    return [(k, KINDS[k][0]) for k in IMPORTERS if services.can_import(user, k)]


def _with_progress(job: ImportJob) -> ImportJob:
    job.progress = progress.read(job.pk) if job.is_running else None
    job.undo = jobs.undo_state(job.pk) if job.status == ImportJob.Status.COMMITTED else None
    job.polling = job.is_running or bool(job.undo and job.undo.get("running"))
    return job


@login_required
@require_GET
def index(request):
    recent = ImportJob.objects.visible_to(request.user).defer("content", "preview", "errors")
    return render(
        request,
        "dataio/index.html",
        {
            "import_kinds": _import_kinds(request.user),
            "template_kinds": [(k, label) for k, (label, _c) in KINDS.items()],
            "jobs": [_with_progress(job) for job in recent[:20]],
            "exports": jobs.user_exports(request.user),
        },
    )


@login_required
@require_GET
def template(request):
    kind = _kind(request, KINDS)
    response = HttpResponse(build_template(kind), content_type=XLSX)
    name = f"{exports.TITLES[kind]}导入模板.xlsx"
    response["Content-Disposition"] = _attachment(name)
    return response


def _attachment(name: str) -> str:
    from urllib.parse import quote

    # An ASCII fallback for old clients, the Chinese name for the others (RFC 6266).
    fallback = "bangfu." + name.rsplit(".", 1)[-1]
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}"


@login_required
@require_http_methods(["GET", "POST"])
def upload(request):
    user = request.user
    kinds = _import_kinds(user)
    if not kinds:
        raise PermissionDenied
    error = ""
    if request.method == "POST":
        kind = request.POST.get("kind", "")
        upload_file = request.FILES.get("file")
        if kind not in dict(kinds):
            error = _("请选择导入的数据类型。")
        elif upload_file is None:
            error = _("请选择要上传的文件。")
        else:
            try:
                job = services.upload_workbook(
                    actor=user, kind=kind, name=upload_file.name, data=upload_file.read()
                )
            except services.ImportRefused as exc:
                error = str(exc)
            else:
                jobs.enqueue(job, "validate")
                return redirect("dataio:job", pk=job.pk)
    return render(request, "dataio/upload.html", {"import_kinds": kinds, "error": error})


@login_required
@require_GET
def job_detail(request, pk):
    job = _with_progress(_job(request, pk))
    if request.headers.get("HX-Request"):
        return render(request, "dataio/_progress.html", {"job": job})
    return render(request, "dataio/job.html", {"job": job})


@login_required
@require_GET
def preview(request, pk):
    job = _with_progress(_job(request, pk))
    if job.polling:
        return redirect("dataio:job", pk=job.pk)
    return render(
        request,
        "dataio/preview.html",
        {
            "job": job,
            "can_commit": job.status == ImportJob.Status.PREVIEWED and not job.errors,
            "can_undo": job.status == ImportJob.Status.COMMITTED,
        },
    )


@login_required
@require_POST
def commit(request, pk):
    job = _job(request, pk)
    # Claimed once: a second click (or a second tab) finds the job committing.
    if not services.claim_commit(job):
        messages.error(request, _("该导入有错误或已处理,不能导入。"))
        return redirect("dataio:preview", pk=job.pk)
    if jobs.enqueue(job, "commit"):
        return redirect("dataio:job", pk=job.pk)
    job.refresh_from_db()
    if job.status == ImportJob.Status.COMMITTED:
        messages.success(request, _("导入完成。"))
    elif job.status == ImportJob.Status.FAILED:
        messages.error(request, _("导入未完成,没有写入任何数据。请查看错误。"))
    return redirect("dataio:job", pk=job.pk)


@login_required
@require_POST
def undo(request, pk):
    job = _job(request, pk)
    try:
        queued = jobs.enqueue_undo(job, request.user)
    except services.ImportRefused as exc:
        messages.error(request, str(exc))
    else:
        if queued:
            return redirect("dataio:job", pk=job.pk)
        messages.success(request, _("已撤销该次导入。"))
    return redirect("dataio:preview", pk=job.pk)


@login_required
@require_GET
def export(request):
    kind = _kind(request, exports.EXPORTS)
    fmt = request.GET.get("format") or "xlsx"
    if fmt not in ("xlsx", "csv"):
        raise Http404
    params = request.GET.copy()
    for key in ("kind", "format"):
        params.pop(key, None)
    headers, rows, count = exports.export_rows(kind, request.user, params)
    audit.record(
        "export",
        actor=request.user,
        label=f"{exports.TITLES[kind]}.{fmt}",
        changes={"kind": kind, "format": fmt, "filters": params.dict(), "rows": count},
    )
    stamp = timezone.localdate().strftime("%Y%m%d")
    name = f"{exports.TITLES[kind]}{stamp}.{fmt}"
    if jobs.export_in_background(count):
        token = jobs.start_export(
            request.user, kind=kind, fmt=fmt, params=params, rows=count, name=name
        )
        return redirect("dataio:export_job", token=token)
    if fmt == "csv":
        response = StreamingHttpResponse(
            exports.csv_stream(headers, rows), content_type="text/csv; charset=utf-8"
        )
    else:
        target = tempfile.TemporaryFile()
        exports.write_xlsx(headers, rows, exports.TITLES[kind], target)
        target.seek(0)
        response = FileResponse(target, content_type=XLSX)
    response["Content-Disposition"] = _attachment(name)
    return response


def _export_job(request, token) -> dict:
    record = jobs.get_export(request.user, token)
    if record is None:
        raise Http404
    return record


@login_required
@require_GET
def export_job(request, token):
    """A background export's page: progress while it runs, then the download."""
    record = _export_job(request, token)
    if request.headers.get("HX-Request"):
        return render(request, "dataio/_export_progress.html", {"export": record})
    return render(request, "dataio/export_job.html", {"export": record})


@login_required
@require_GET
def export_download(request, token):
    record = _export_job(request, token)
    path = jobs.export_path(record)
    if path is None:
        raise Http404
    content_type = XLSX if record["format"] == "xlsx" else "text/csv; charset=utf-8"
    response = FileResponse(open(path, "rb"), content_type=content_type)
    response["Content-Disposition"] = _attachment(record["name"])
    return response
