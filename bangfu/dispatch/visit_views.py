"""Visiting batches (跟岗): trainees with an individual plan and a mentor, mentor sessions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from bangfu.audit import services as audit
from bangfu.core import access
from bangfu.core.listing import paginate
from bangfu.lib import textnorm

from . import figures, rules, visit_services
from .forms import (
    SessionForm,
    TraineeEditForm,
    TraineeForm,
    VisitBatchForm,
    VisitFilterForm,
    overlaps_year_q,
)
from .models import MentorSession, Trainee, VisitBatch
from .views import GET_POST, apply_errors, form_page


def _filter(qs, form):
    form.is_valid()
    data = form.cleaned_data
    if query := (data.get("q") or "").strip():
        # By title or by a trainee's name; a subquery keeps the trainee counts whole.
        by_trainee = Trainee.objects.filter(
            person__search_text__contains=textnorm.fold_query(query) or query
        ).values("batch_id")
        qs = qs.filter(Q(title__contains=query) | Q(pk__in=by_trainee))
    if region := data.get("sending_region"):
        qs = qs.filter(region.subtree_q("sending_region__"))
    if data.get("host"):
        qs = qs.filter(host=data["host"])
    if data.get("year") is not None:
        qs = qs.filter(overlaps_year_q(data["year"]))
    return qs


@login_required
@require_GET
def visit_list(request):
    form = VisitFilterForm(request.GET or None, user=request.user)
    batches = VisitBatch.objects.visible_to(request.user)
    if form.is_bound:
        batches = _filter(batches, form)
    rows = (
        batches.select_related("host", "sending_region", "pairing", "region_pairing")
        .annotate(trainee_count=Count("trainees", distinct=True))
        .order_by("-start_date", "-id")
    )
    context = {
        "form": form,
        "page_obj": paginate(request, rows),
        "figures": figures.visit_figures(batches),
        "can_create": rules.can_record(request.user),
    }
    return render(request, "dispatch/visit_list.html", context)


def _get_batch(request, pk):
    return access.get_visible_or_404(
        VisitBatch.objects.select_related(
            "host__region", "sending_region", "pairing", "region_pairing"
        ),
        request.user,
        pk=pk,
    )


def _manageable_batch(request, pk):
    batch = _get_batch(request, pk)
    if not rules.can_manage_visit(request.user, batch):
        raise PermissionDenied
    return batch


def session_prefix(trainee) -> str:
    return f"session{trainee.pk}"


def _detail(request, batch, *, session_form=None, session_trainee=None):
    trainees = list(
        batch.trainees.select_related("person__organisation", "mentor").prefetch_related(
            Prefetch("sessions", queryset=MentorSession.objects.order_by("date", "id"))
        )
    )
    for t in trainees:
        # Each trainee's form has its own prefix, so ids stay unique and errors land beside the right one.
        if session_trainee is not None and t.pk == session_trainee.pk:
            t.session_form = session_form
        else:
            t.session_form = SessionForm(prefix=session_prefix(t))
    context = {
        "batch": batch,
        "trainees": trainees,
        "person_times": len(trainees),
        "people": len({t.person_id for t in trainees}),
        "can_manage": rules.can_manage_visit(request.user, batch),
        "history": audit.history(batch)[:30],
    }
    return render(request, "dispatch/visit_detail.html", context)


@login_required
@require_GET
def visit_detail(request, pk):
    return _detail(request, _get_batch(request, pk))


@login_required
@GET_POST
def visit_create(request):
    if not rules.can_record(request.user):
        raise PermissionDenied
    form = VisitBatchForm(request.POST or None, user=request.user)
    return form_page(
        request,
        form,
        lambda: visit_services.create_visit_batch(actor=request.user, **form.service_values()),
        message=_("跟岗批次已保存。"),
        detail="dispatch:visit_detail",
        context={
            "title": _("新建跟岗批次"),
            "back": "dispatch:visit_list",
            "back_label": _("跟岗学习"),
        },
    )


@login_required
@GET_POST
def visit_edit(request, pk):
    batch = _manageable_batch(request, pk)
    form = VisitBatchForm(request.POST or None, user=request.user, instance=batch)
    return form_page(
        request,
        form,
        lambda: visit_services.update_visit_batch(
            batch,
            actor=request.user,
            version=form.cleaned_data["version"],
            **form.service_values(),
        ),
        message=_("跟岗批次已保存。"),
        detail="dispatch:visit_detail",
        context={
            "title": _("编辑跟岗批次"),
            "back": "dispatch:visit_list",
            "back_label": _("跟岗学习"),
            "object": batch,
            "object_url": "dispatch:visit_detail",
        },
    )


@login_required
@GET_POST
def trainee_add(request, pk):
    batch = _manageable_batch(request, pk)
    form = TraineeForm(request.POST or None, user=request.user, batch=batch)
    if request.method == "POST" and form.is_valid():
        try:
            visit_services.add_trainee(batch, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("学员已添加。"))
            return redirect("dispatch:visit_detail", pk=batch.pk)
    context = {
        "form": form,
        "title": _("添加跟岗学员"),
        "back": "dispatch:visit_list",
        "back_label": _("跟岗学习"),
        "object": batch,
        "object_url": "dispatch:visit_detail",
    }
    return render(request, "dispatch/form.html", context)


@login_required
@GET_POST
def trainee_edit(request, pk, trainee_pk):
    batch = _manageable_batch(request, pk)
    trainee = get_object_or_404(
        Trainee.objects.select_related("batch", "person"), batch=batch, pk=trainee_pk
    )
    form = TraineeEditForm(request.POST or None, trainee=trainee)
    if request.method == "POST" and form.is_valid():
        try:
            visit_services.update_trainee(trainee, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("学员信息已保存。"))
            return redirect("dispatch:visit_detail", pk=batch.pk)
    context = {
        "form": form,
        "title": _("学员:%(name)s") % {"name": trainee.person.name},
        "back": "dispatch:visit_list",
        "back_label": _("跟岗学习"),
        "object": batch,
        "object_url": "dispatch:visit_detail",
    }
    return render(request, "dispatch/form.html", context)


@login_required
@require_POST
def session_add(request, pk, trainee_pk):
    batch = _manageable_batch(request, pk)
    trainee = get_object_or_404(Trainee, batch=batch, pk=trainee_pk)
    form = SessionForm(request.POST, prefix=session_prefix(trainee))
    if form.is_valid():
        visit_services.add_mentor_session(trainee, actor=request.user, **form.cleaned_data)
        messages.success(request, _("带教记录已添加。"))
        return redirect("dispatch:visit_detail", pk=batch.pk)
    return _detail(request, batch, session_form=form, session_trainee=trainee)
