"""Plans (帮扶计划): drafted by the helper side, confirmed by both, revised as new versions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bangfu.audit import services as audit
from bangfu.core import access
from bangfu.core.forms import CONFLICT_MESSAGE, StaleEdit
from bangfu.core.listing import paginate
from bangfu.needs.views import apply_errors

from . import rules, services
from .forms import PlanFilterForm, PlanForm, formset_values, helper_pairings, task_formset
from .models import Plan

GET_POST = require_http_methods(["GET", "POST"])


def _filter_plans(qs, form):
    form.is_valid()  # invalid filters are shown and left out; the valid ones apply
    data = form.cleaned_data
    if data.get("pairing"):
        qs = qs.filter(pairing=data["pairing"])
    if data.get("academic_year"):
        qs = qs.filter(academic_year=data["academic_year"])
    term = data.get("term")
    if term == 0:
        qs = qs.filter(term__isnull=True)
    elif term:
        qs = qs.filter(term=term)
    if data.get("status"):
        qs = qs.filter(status=data["status"])
    return qs


@login_required
@require_GET
def plan_list(request):
    form = PlanFilterForm(request.GET or None, user=request.user)
    plans = Plan.objects.visible_to(request.user).select_related("pairing")
    if form.is_bound:
        plans = _filter_plans(plans, form)
    if not (form.is_bound and form.cleaned_data.get("status")):
        # Old versions are reached from their plan's page or by the status filter.
        plans = plans.current()
    plans = plans.order_by("-academic_year", "-term", "pairing_id", "-version_no", "-id")
    context = {
        "form": form,
        "page_obj": paginate(request, plans),
        "can_create": helper_pairings(request.user).exists(),
    }
    return render(request, "plans/list.html", context)


def _get_plan(request, pk):
    return access.get_visible_or_404(
        Plan.objects.select_related(
            "pairing", "previous", "helper_confirmed_by", "recipient_confirmed_by"
        ).prefetch_related("pairing__parties__organisation__region"),
        request.user,
        pk=pk,
    )


@login_required
@require_GET
def plan_detail(request, pk):
    user = request.user
    plan = _get_plan(request, pk)
    sides = rules.confirmable_sides(user, plan)
    pending = [s for s in sides if not getattr(plan, f"{s}_confirmed_at")]
    # Every version of this plan (term=None matches a whole-year plan: IS NULL).
    versions = (
        Plan.objects.visible_to(user)
        .filter(pairing=plan.pairing, academic_year=plan.academic_year, term=plan.term)
        .order_by("-version_no")
    )
    can_draft = rules.can_draft_plan(user, plan.pairing)
    context = {
        "plan": plan,
        "tasks": plan.tasks.prefetch_related("needs"),
        "versions": versions,
        "can_edit": can_draft and plan.status == Plan.Status.DRAFT,
        "can_revise": can_draft
        and plan.status == Plan.Status.CONFIRMED
        and not Plan.objects.filter(previous=plan).exists(),
        "confirm_sides": pending if plan.status == Plan.Status.DRAFT else [],
        "history": audit.history(plan)[:50],
    }
    return render(request, "plans/detail.html", context)


@login_required
@GET_POST
def plan_create(request):
    if not helper_pairings(request.user).exists():
        raise PermissionDenied
    initial = {}
    if (wanted := request.GET.get("pairing", "")).isdigit():
        initial["pairing"] = int(wanted)
    form = PlanForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.create_plan(actor=request.user, **form.service_values())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("计划已建立,请添加帮扶任务。"))
            return redirect("plans:edit", pk=plan.pk)
    return render(request, "plans/form.html", {"form": form, "plan": None})


@login_required
@GET_POST
def plan_edit(request, pk):
    plan = _get_plan(request, pk)
    if not rules.can_draft_plan(request.user, plan.pairing):
        raise PermissionDenied
    if plan.status != Plan.Status.DRAFT:
        messages.error(request, _("已确认的计划不能修改,请修订生成新版本。"))
        return redirect("plans:detail", pk=plan.pk)
    data = request.POST if request.method == "POST" else None
    form = PlanForm(data, user=request.user, instance=plan)
    tasks = task_formset(plan, data)
    if request.method == "POST" and form.is_valid() and tasks.is_valid():
        try:
            services.update_plan(
                plan,
                actor=request.user,
                version=form.cleaned_data["version"],
                tasks=formset_values(tasks),
                **form.service_values(),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        except StaleEdit:
            form.add_error(None, CONFLICT_MESSAGE)
        else:
            messages.success(request, _("计划已保存。"))
            return redirect("plans:detail", pk=plan.pk)
    return render(request, "plans/form.html", {"form": form, "tasks": tasks, "plan": plan})


def _report(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


@login_required
@require_POST
def plan_confirm(request, pk):
    plan = _get_plan(request, pk)
    if not rules.can_confirm_plan(request.user, plan):
        raise PermissionDenied
    side = request.POST.get("side") or None
    try:
        plan = services.confirm_plan(plan, actor=request.user, side=side)
    except ValidationError as exc:
        _report(request, exc)
    else:
        if plan.status == Plan.Status.CONFIRMED:
            messages.success(request, _("双方均已确认,计划生效。"))
        else:
            messages.success(request, _("已确认,等待另一方确认。"))
    return redirect("plans:detail", pk=pk)


@login_required
@require_POST
def plan_revise(request, pk):
    plan = _get_plan(request, pk)
    if not rules.can_draft_plan(request.user, plan.pairing):
        raise PermissionDenied
    try:
        revision = services.revise_plan(plan, actor=request.user)
    except ValidationError as exc:
        _report(request, exc)
        return redirect("plans:detail", pk=pk)
    messages.success(
        request,
        _("已生成第%(n)d版草稿;双方确认后将取代当前版本。") % {"n": revision.version_no},
    )
    return redirect("plans:edit", pk=revision.pk)
