"""Figures, drill-downs, progress and bulletins: parse the scope and period, compute, render."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from bangfu.core.listing import paginate

from . import engine, progress
from .bulletin import compose
from .docx import write_docx
from .forms import ScopeForm
from .xlsx import write_xlsx

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _parse(request):
    """(form, scope, period); scope and period are None when the form is not valid.

    An organisation or pairing the user may not see answers 404.
    """
    form = ScopeForm(request.GET, user=request.user)
    if not form.is_valid():
        return form, None, None
    try:
        scope = form.scope()
    except engine.ScopeNotVisible:
        raise Http404 from None
    return form, scope, form.cleaned_data["period"]


def _query(scope, period) -> str:
    return urlencode({**scope.as_params(), **period.as_params()})


@login_required
@require_GET
def figures_page(request):
    form, scope, period = _parse(request)
    context = {"form": form, "scope": scope, "period": period}
    if scope is not None:
        figures = engine.compute(scope, period)
        context.update(figures=figures, groups=figures.groups(), query=_query(scope, period))
    return render(request, "stats/figures.html", context)


# How each source's rows are listed: related rows to fetch, the detail page, the columns.
ROW_SOURCES = {
    "activity": (
        ("organiser", "recipient_region"),
        lambda r: reverse("activities:detail", args=[r.pk]),
        lambda r: [
            r.start_date,
            r.get_type_display(),
            r.title,
            r.organiser,
            r.sessions,
            r.person_times,
            r.recipient_headcount,
            r.get_led_by_display(),
        ],
        ["日期", "类型", "名称", "组织单位", "场次", "人次", "受援方人数", "主导方"],
    ),
    "trainee": (
        ("person", "batch__sending_region", "batch__host"),
        lambda r: reverse("dispatch:visit_detail", args=[r.batch_id]),
        lambda r: [
            r.batch.start_date,
            r.person,
            r.batch.title,
            r.batch.sending_region,
            r.batch.host,
        ],
        ["开始日期", "学员", "批次", "来自地区", "接待单位"],
    ),
    "dispatch": (
        ("person", "batch", "sender", "host"),
        lambda r: reverse("dispatch:detail", args=[r.pk]),
        lambda r: [
            r.start_date,
            r.person,
            r.batch or "—",
            r.sender,
            r.host or r.host_region,
            _("是") if r.was_backbone else "",
        ],
        ["开始日期", "人员", "批次", "派出单位", "受援学校", "骨干教师"],
    ),
    "training_class": (
        ("organiser",),
        lambda r: reverse("dispatch:class_detail", args=[r.pk]),
        lambda r: [r.start_date, r.name, r.organiser],
        ["开班日期", "名称", "承办单位"],
    ),
    "enrolment": (
        ("person", "training_class"),
        lambda r: reverse("dispatch:class_detail", args=[r.training_class_id]),
        lambda r: [
            r.training_class.start_date,
            r.person,
            r.training_class,
            _("是") if r.graduated else "",
        ],
        ["开班日期", "学员", "培训班", "结业"],
    ),
    "support": (
        ("donor", "recipient_region"),
        lambda r: reverse("support:detail", args=[r.pk]),
        lambda r: [
            r.date,
            r.get_kind_display(),
            r.title,
            r.donor,
            f"{'约' if r.is_approximate else ''}{r.amount_yuan}",
        ],
        ["日期", "类型", "名称", "提供单位", "金额(元)"],
    ),
    "need": (
        ("organisation", "category"),
        lambda r: reverse("needs:detail", args=[r.pk]),
        lambda r: [
            r.created_at.date(),
            r.category,
            r.title,
            r.organisation,
            r.get_status_display(),
        ],
        ["提出日期", "类别", "需求", "提出单位", "状态"],
    ),
    "project": (
        ("recipient_region", "owner"),
        lambda r: reverse("plans:project_detail", args=[r.pk]),
        lambda r: [r.start_date, r.get_level_display(), r.name, r.recipient_region, r.owner],
        ["开始日期", "级别", "项目名称", "受援地区", "负责单位"],
    ),
}


@login_required
@require_GET
def rows_page(request):
    form, scope, period = _parse(request)
    context = {"form": form, "scope": scope, "period": period}
    key = request.GET.get("figure", "")
    if scope is not None:
        figures = engine.compute(scope, period)
        figure = figures.get(key)
        context["query"] = _query(scope, period)
        if figure is None:
            context["message"] = _("请从统计页面选择一个指标查看明细。")
        else:
            related, link, columns, headers = ROW_SOURCES[figure.drill["source"]]
            rows = engine.drill_queryset(scope, period, figure.drill)
            ordering = "-created_at" if figure.drill["source"] == "need" else "pk"
            page = paginate(request, rows.select_related(*related).order_by(ordering))
            context.update(
                figure=figure,
                page_obj=page,
                headers=[_(h) for h in headers],
                rows=[(link(r), columns(r)) for r in page],
            )
    return render(request, "stats/rows.html", context)


@login_required
@require_GET
def progress_page(request):
    today = dt.date.today()
    context = {
        "projects": progress.project_progress(request.user, today),
        "tasks": progress.task_progress(request.user, today),
        "today": today,
    }
    return render(request, "stats/progress.html", context)


@login_required
@require_GET
def bulletin_page(request):
    form, scope, period = _parse(request)
    context = {"form": form, "scope": scope, "period": period}
    if scope is not None:
        context.update(bulletin=compose(scope, period), query=_query(scope, period))
    return render(request, "stats/bulletin.html", context)


def _download(request, writer, content_type, ext):
    form, scope, period = _parse(request)
    if scope is None:
        return redirect(f"{reverse('stats:bulletin')}?{request.GET.urlencode()}")
    data = writer(compose(scope, period))
    response = HttpResponse(data, content_type=content_type)
    name = f"bulletin-{period.date_from:%Y%m%d}-{period.date_until:%Y%m%d}.{ext}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_GET
def bulletin_docx(request):
    return _download(request, write_docx, DOCX, "docx")


@login_required
@require_GET
def bulletin_xlsx(request):
    return _download(request, write_xlsx, XLSX, "xlsx")
