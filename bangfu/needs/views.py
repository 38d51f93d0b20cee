"""Needs lists (需求清单): listed by the recipient side, claimed by the helper side."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bangfu.audit import services as audit
from bangfu.core import access
from bangfu.core.forms import CONFLICT_MESSAGE, StaleEdit
from bangfu.core.listing import paginate

from . import rules, services
from .forms import NeedFilterForm, NeedForm, NeedStatusForm, recipient_pairings
from .models import Need

GET_POST = require_http_methods(["GET", "POST"])


def apply_errors(form, exc: ValidationError) -> None:
    """Show a service's ValidationError beside the form's fields."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _filter_needs(qs, form):
    form.is_valid()  # invalid filters are shown and left out; the valid ones apply
    data = form.cleaned_data
    if data.get("q"):
        qs = qs.search(data["q"])
    for field in ("pairing", "status", "category", "priority"):
        if data.get(field):
            qs = qs.filter(**{field: data[field]})
    return qs


@login_required
@require_GET
def need_list(request):
    form = NeedFilterForm(request.GET or None, user=request.user)
    needs = (
        Need.objects.visible_to(request.user)
        .select_related("pairing", "organisation", "category", "claimed_by")
        .order_by("-created_at", "-id")
    )
    if form.is_bound:
        needs = _filter_needs(needs, form)
    context = {
        "form": form,
        "page_obj": paginate(request, needs),
        "can_create": recipient_pairings(request.user).exists(),
    }
    return render(request, "needs/list.html", context)


def _get_need(request, pk):
    return access.get_visible_or_404(
        Need.objects.select_related(
            "pairing", "organisation", "category", "claimed_by", "claimed_by_user"
        ).prefetch_related("pairing__parties__organisation__region"),
        request.user,
        pk=pk,
    )


def _activity_url_name():
    # The activities app is built separately; link its pages once they exist.
    try:
        reverse("activities:detail", kwargs={"pk": 0})
    except NoReverseMatch:
        return None
    return "activities:detail"


@login_required
@require_GET
def need_detail(request, pk):
    user = request.user
    need = _get_need(request, pk)
    activities = []
    if hasattr(need, "activities"):
        from bangfu.activities.models import Activity

        activities = Activity.objects.visible_to(user).filter(needs=need).order_by("-start_date")
    can_claim = rules.can_claim_need(user, need)
    context = {
        "need": need,
        "plan_tasks": need.plan_tasks.select_related("plan").order_by(
            "-plan__academic_year", "plan__version_no", "order"
        ),
        "activities": activities,
        "activity_url": _activity_url_name(),
        "can_edit": rules.can_edit_need(user, need),
        "can_claim": can_claim and need.claimed_by_id is None,
        "can_change_status": rules.can_change_need_status(user, need),
        "next_statuses": need.next_statuses(),
        "history": audit.history(need)[:50],
    }
    return render(request, "needs/detail.html", context)


@login_required
@GET_POST
def need_create(request):
    pairings = recipient_pairings(request.user)
    if not pairings.exists():
        raise PermissionDenied
    initial = {}
    if (wanted := request.GET.get("pairing", "")).isdigit():
        initial["pairing"] = int(wanted)
    form = NeedForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            need = services.create_need(actor=request.user, **form.service_values())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("需求已列入清单。"))
            return redirect("needs:detail", pk=need.pk)
    return render(request, "needs/form.html", {"form": form, "need": None})


@login_required
@GET_POST
def need_edit(request, pk):
    need = _get_need(request, pk)
    if not rules.can_edit_need(request.user, need):
        raise PermissionDenied
    form = NeedForm(request.POST or None, user=request.user, instance=need)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_need(
                need,
                actor=request.user,
                version=form.cleaned_data["version"],
                **form.service_values(),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        except StaleEdit:
            form.add_error(None, CONFLICT_MESSAGE)
        else:
            messages.success(request, _("需求已保存。"))
            return redirect("needs:detail", pk=need.pk)
    return render(request, "needs/form.html", {"form": form, "need": need})


def _report(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


@login_required
@require_POST
def need_claim(request, pk):
    need = _get_need(request, pk)
    if not rules.can_claim_need(request.user, need):
        raise PermissionDenied
    try:
        need = services.claim_need(need, actor=request.user)
    except ValidationError as exc:
        _report(request, exc)
    else:
        messages.success(request, _("已认领该需求(认领单位:%(org)s)。") % {"org": need.claimed_by})
    return redirect("needs:detail", pk=pk)


@login_required
@require_POST
def need_status(request, pk):
    need = _get_need(request, pk)
    if not rules.can_change_need_status(request.user, need):
        raise PermissionDenied
    form = NeedStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择有效的状态。"))
        return redirect("needs:detail", pk=pk)
    try:
        services.change_need_status(need, form.cleaned_data["status"], actor=request.user)
    except ValidationError as exc:
        _report(request, exc)
    else:
        messages.success(
            request, _("状态已改为“%(status)s”。") % {"status": need.get_status_display()}
        )
    return redirect("needs:detail", pk=pk)
