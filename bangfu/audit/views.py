"""The audit trail for the security auditor: search, an entry's changes, export.

Read-only: no page changes or removes an entry (the model refuses it too).
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Max
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from bangfu.core import access
from bangfu.core.listing import paginate
from bangfu.dataio.exports import csv_stream, write_xlsx
from bangfu.dataio.values import neutralise

from .forms import AuditFilterForm, model_name
from .models import AuditEntry
from .services import record

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHUNK = 2000


def _require_auditor(request):
    if not access.can_read_audit_trail(request.user):
        raise PermissionDenied


def _filtered(request):
    filters = AuditFilterForm(request.GET or None)
    qs = filters.filter(AuditEntry.objects.visible_to(request.user).order_by("-at", "-id"))
    return filters, qs


def _label(entry: AuditEntry) -> None:
    entry.model_name = model_name(entry.model)


@never_cache
@login_required
@require_GET
def entry_list(request):
    _require_auditor(request)
    filters, qs = _filtered(request)
    page_obj = paginate(request, qs)
    for entry in page_obj:
        _label(entry)
    query = request.GET.copy()
    for key in ("page", "format"):
        query.pop(key, None)
    return render(
        request,
        "audit/list.html",
        {"filters": filters, "page_obj": page_obj, "export_query": query.urlencode()},
    )


def _value(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def change_rows(changes) -> list[dict]:
    """One row per changed field: before → after; other details as a single value."""
    rows = []
    if not isinstance(changes, dict):
        return [{"field": "", "value": _value(changes)}]
    for field, value in changes.items():
        if isinstance(value, list) and len(value) == 2:
            rows.append({"field": field, "before": _value(value[0]), "after": _value(value[1])})
        else:
            rows.append({"field": field, "value": _value(value)})
    return rows


@never_cache
@login_required
@require_GET
def entry_detail(request, pk):
    _require_auditor(request)
    entry = access.get_visible_or_404(AuditEntry, request.user, pk=pk)
    _label(entry)
    return render(
        request,
        "audit/detail.html",
        {"entry": entry, "rows": change_rows(entry.changes)},
    )


COLUMNS = [
    (_lazy("时间"), lambda e: timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S")),
    (_lazy("序号"), lambda e: e.seq),
    (_lazy("操作人"), lambda e: e.actor_name),
    (_lazy("操作"), lambda e: e.get_action_display()),
    (_lazy("对象类型"), lambda e: e.model),
    (_lazy("对象编号"), lambda e: e.object_id),
    (_lazy("对象"), lambda e: e.object_repr),
    (_lazy("变更内容"), lambda e: json.dumps(e.changes, ensure_ascii=False) if e.changes else ""),
    (_lazy("来源地址"), lambda e: e.ip or ""),
]


def _rows(qs) -> Iterator[list]:
    for entry in qs.iterator(chunk_size=CHUNK):
        yield [neutralise(get(entry)) for _header, get in COLUMNS]


def _attachment(name: str) -> str:
    # An ASCII fallback for old clients, the Chinese name for the others (RFC 6266).
    fallback = "bangfu-audit." + name.rsplit(".", 1)[-1]
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}"


@never_cache
@login_required
@require_GET
def export(request):
    """The current filter as .csv (streamed) or .xlsx; the export is itself recorded."""
    _require_auditor(request)
    fmt = request.GET.get("format") or "xlsx"
    if fmt not in ("xlsx", "csv"):
        raise Http404
    filters, qs = _filtered(request)
    # The rows as they stand now: the export's own entry is not part of it.
    upto = AuditEntry.objects.aggregate(last=Max("pk"))["last"] or 0
    qs = qs.filter(pk__lte=upto)
    count = qs.count()
    record(
        "export",
        actor=request.user,
        label=f"审计日志.{fmt}",
        changes={
            "kind": "audit",
            "format": fmt,
            "filters": filters.active_filters(),
            "rows": count,
        },
    )
    headers = [str(header) for header, _get in COLUMNS]
    stamp = timezone.localdate().strftime("%Y%m%d")
    name = f"{_('审计日志')}{stamp}.{fmt}"
    if fmt == "csv":
        response = StreamingHttpResponse(
            csv_stream(headers, _rows(qs)), content_type="text/csv; charset=utf-8"
        )
    else:
        target = tempfile.TemporaryFile()
        write_xlsx(headers, _rows(qs), _("审计日志"), target)
        target.seek(0)
        response = FileResponse(target, content_type=XLSX)
    response["Content-Disposition"] = _attachment(name)
    return response
