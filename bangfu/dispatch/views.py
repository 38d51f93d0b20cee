"""Dispatches (援派/支教), their batches, work, assessment and rotation.

Visiting batches live in visit_views, training classes in class_views.
"""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bangfu.audit import services as audit
from bangfu.core import access
from bangfu.core.forms import CONFLICT_MESSAGE, StaleEdit
from bangfu.core.listing import paginate
from bangfu.lib import textnorm

from . import figures, rules, services
from .forms import (
    AssessmentForm,
    BatchForm,
    DispatchFilterForm,
    DispatchForm,
    MonthlyReportForm,
    StatusForm,
    WorkLogForm,
    overlaps_year_q,
    visible_batches,
)
from .models import Dispatch, DispatchAssessment

GET_POST = require_http_methods(["GET", "POST"])

LIST_RELATED = ("person__organisation", "batch", "sender", "host", "host_region")


def apply_errors(form, exc: ValidationError) -> None:
    """Show a service's ValidationError beside the form's fields (or at the top)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def form_page(request, form, save, *, message, detail, context):
    """A create/edit page: on a valid POST save through the service (its
    ValidationError and StaleEdit go on the form) and go to the record's page;
    otherwise show the form again. ``save`` returns the saved record."""
    if request.method == "POST" and form.is_valid():
        try:
            record = save()
        except ValidationError as exc:
            apply_errors(form, exc)
        except StaleEdit:
            form.add_error(None, CONFLICT_MESSAGE)
        else:
            messages.success(request, message)
            return redirect(detail, pk=record.pk)
    return render(request, "dispatch/form.html", {"form": form, **context})


def _filter(qs, form):
    form.is_valid()  # invalid filters are shown and left out; the valid ones apply
    data = form.cleaned_data
    if query := textnorm.fold_query(data.get("q") or ""):
        qs = qs.filter(person__search_text__contains=query)
    if data.get("status"):
        qs = qs.filter(status=data["status"])
    if data.get("batch"):
        qs = qs.filter(batch=data["batch"])
    if data.get("sender"):
        qs = qs.filter(sender=data["sender"])
    if region := data.get("host_region"):
        qs = qs.filter(region.subtree_q("host_region__") | region.subtree_q("host__region__"))
    if data.get("year") is not None:
        qs = qs.filter(overlaps_year_q(data["year"]))
    return qs


@login_required
@require_GET
def dispatch_list(request):
    form = DispatchFilterForm(request.GET or None, user=request.user)
    dispatches = Dispatch.objects.visible_to(request.user).select_related(*LIST_RELATED)
    if form.is_bound:
        dispatches = _filter(dispatches, form)
    context = {
        "form": form,
        "page_obj": paginate(request, dispatches.order_by("-start_date", "-id")),
        "figures": figures.dispatch_figures(dispatches),
        "can_create": rules.can_record(request.user),
    }
    return render(request, "dispatch/list.html", context)


def _get_dispatch(request, pk):
    return access.get_visible_or_404(
        Dispatch.objects.select_related(
            "person__organisation",
            "batch",
            "sender__region",
            "host__region",
            "host_region",
            "pairing",
        ),
        request.user,
        pk=pk,
    )


def _detail(request, dispatch, *, log_form=None, report_form=None, status=200):
    user = request.user
    assessment = DispatchAssessment.objects.filter(dispatch=dispatch).first()
    can_log = rules.can_log_dispatch(user, dispatch)
    today = timezone.localdate()
    context = {
        "dispatch": dispatch,
        "logs": dispatch.work_logs.all()[:100],
        "reports": dispatch.monthly_reports.all(),
        "assessment": assessment,
        "can_edit": rules.can_edit_dispatch(user, dispatch),
        "can_log": can_log,
        "can_assess": assessment is None
        and dispatch.status != Dispatch.Status.WITHDRAWN
        and rules.can_assess_dispatch(user, dispatch),
        "term_ended": dispatch.term_has_ended(today),
        "next_statuses": [(s, s.label) for s in Dispatch.Status if dispatch.can_transition(s)],
        "log_form": log_form or WorkLogForm(initial={"date": today}),
        "report_form": report_form or MonthlyReportForm(initial={"month": today.replace(day=1)}),
        "history": audit.history(dispatch)[:30],
    }
    return render(request, "dispatch/detail.html", context, status=status)


@login_required
@require_GET
def dispatch_detail(request, pk):
    return _detail(request, _get_dispatch(request, pk))


@login_required
@GET_POST
def dispatch_create(request):
    if not rules.can_record(request.user):
        raise PermissionDenied
    form = DispatchForm(request.POST or None, user=request.user)
    return form_page(
        request,
        form,
        lambda: services.create_dispatch(actor=request.user, **form.service_values()),
        message=_("派出记录已保存。"),
        detail="dispatch:detail",
        context={"title": _("登记派出"), "back": "dispatch:list", "back_label": _("援派/支教")},
    )


@login_required
@GET_POST
def dispatch_edit(request, pk):
    dispatch = _get_dispatch(request, pk)
    if not rules.can_edit_dispatch(request.user, dispatch):
        raise PermissionDenied
    form = DispatchForm(request.POST or None, user=request.user, instance=dispatch)
    return form_page(
        request,
        form,
        lambda: services.update_dispatch(
            dispatch,
            actor=request.user,
            version=form.cleaned_data["version"],
            **form.service_values(),
        ),
        message=_("派出记录已保存。"),
        detail="dispatch:detail",
        context={
            "title": _("编辑派出记录"),
            "back": "dispatch:list",
            "back_label": _("援派/支教"),
            "object": dispatch,
            "object_url": "dispatch:detail",
        },
    )


@login_required
@require_POST
def dispatch_status(request, pk):
    dispatch = _get_dispatch(request, pk)
    if not rules.can_edit_dispatch(request.user, dispatch):
        raise PermissionDenied
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择有效的状态。"))
        return redirect("dispatch:detail", pk=dispatch.pk)
    try:
        services.change_dispatch_status(dispatch, form.cleaned_data["status"], actor=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request, _("状态已改为“%(status)s”。") % {"status": dispatch.get_status_display()}
        )
    return redirect("dispatch:detail", pk=dispatch.pk)


def _dispatch_for_logging(request, pk):
    dispatch = _get_dispatch(request, pk)
    if not rules.can_log_dispatch(request.user, dispatch):
        raise PermissionDenied
    return dispatch


@login_required
@require_POST
def worklog_add(request, pk):
    dispatch = _dispatch_for_logging(request, pk)
    form = WorkLogForm(request.POST)
    if form.is_valid():
        try:
            services.add_work_log(dispatch, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("工作日志已添加。"))
            return redirect("dispatch:detail", pk=dispatch.pk)
    return _detail(request, dispatch, log_form=form)


@login_required
@require_POST
def report_add(request, pk):
    dispatch = _dispatch_for_logging(request, pk)
    form = MonthlyReportForm(request.POST)
    if form.is_valid():
        try:
            services.add_monthly_report(dispatch, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("月度报告已提交。"))
            return redirect("dispatch:detail", pk=dispatch.pk)
    return _detail(request, dispatch, report_form=form)


@login_required
@GET_POST
def dispatch_assess(request, pk):
    dispatch = _get_dispatch(request, pk)
    if not rules.can_assess_dispatch(request.user, dispatch):
        raise PermissionDenied
    form = AssessmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.assess_dispatch(dispatch, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("期满考核已保存。"))
            return redirect("dispatch:detail", pk=dispatch.pk)
    context = {
        "form": form,
        "dispatch": dispatch,
        "term_ended": dispatch.term_has_ended(timezone.localdate()),
        "assessment": DispatchAssessment.objects.filter(dispatch=dispatch).first(),
    }
    return render(request, "dispatch/assess.html", context)


@login_required
@require_GET
def batch_list(request):
    batches = visible_batches(request.user).select_related("destination")
    if query := (request.GET.get("q") or "").strip():
        batches = batches.filter(programme__contains=query)
    context = {
        "page_obj": paginate(request, batches.order_by("-year", "sender__name", "number")),
        "can_create": rules.can_record(request.user),
        "q": request.GET.get("q", ""),
    }
    return render(request, "dispatch/batch_list.html", context)


@login_required
@GET_POST
def batch_create(request):
    if not rules.can_record(request.user):
        raise PermissionDenied
    form = BatchForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.create_batch(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("批次已建立。"))
            return redirect("dispatch:batch_list")
    context = {
        "form": form,
        "title": _("新建选派批次"),
        "back": "dispatch:batch_list",
        "back_label": _("选派批次"),
    }
    return render(request, "dispatch/form.html", context)


def _days(request, default: int = 60) -> int:
    try:
        days = int(request.GET.get("days", default))
    except ValueError:
        return default
    return min(max(days, 1), 730)


@login_required
@require_GET
def rotation(request):
    today = timezone.localdate()
    days = _days(request)
    visible = Dispatch.objects.visible_to(request.user).select_related(*LIST_RELATED)
    context = {
        "days": days,
        "today": today,
        "until": today + dt.timedelta(days=days),
        "ending": figures.ending_soon(visible, today, days)[:200],
        "gaps": figures.hosts_without_cover(request.user, today)[:200],
    }
    return render(request, "dispatch/rotation.html", context)
