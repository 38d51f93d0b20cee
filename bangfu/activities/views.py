"""The activity ledger: list, detail, record, edit, confirm and evidence.

Sign-in pages live in signin_views, ledger locks in lock_views.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bangfu.audit import services as audit
from bangfu.core import access
from bangfu.core.forms import CONFLICT_MESSAGE, StaleEdit
from bangfu.core.listing import paginate
from bangfu.lib import textnorm
from bangfu.lib.semester import Semester, academic_year, year_bounds, year_label
from bangfu.pairings.models import Pairing
from bangfu.pairings.views import apply_errors

from . import rules, services
from .forms import ActivityFilterForm, ActivityForm, ConfirmForm, EvidenceForm
from .models import Activity, ActivityType

GET_POST = require_http_methods(["GET", "POST"])

LIST_RELATED = (
    "pairing",
    "region_pairing__helper_region",
    "region_pairing__recipient_region",
    "organiser",
    "helper_region",
    "recipient_region",
)


def _filter_activities(qs, form):
    form.is_valid()  # invalid filters are shown and left out; the valid ones apply
    data = form.cleaned_data
    if text := (data.get("q") or "").strip():
        folded = textnorm.fold_query(text)
        qs = qs.filter(
            Q(search_text__contains=folded)
            | Q(title__icontains=text)
            | Q(lesson_titles__icontains=text)
        )
    if year := data.get("year"):
        if term := data.get("term"):
            semester = Semester(year, term)
            qs = qs.filter(start_date__range=(semester.start, semester.end))
        else:
            qs = qs.filter(start_date__range=year_bounds(year))
    for field in ("type", "confirmation", "led_by"):
        if data.get(field):
            qs = qs.filter(**{field: data[field]})
    if data.get("pairing"):
        qs = qs.filter(pairing=data["pairing"])
    if region := data.get("region"):
        qs = qs.filter(region.subtree_q("recipient_region__") | region.subtree_q("helper_region__"))
    if school := (data.get("school") or "").strip():
        if school.isdigit():
            qs = qs.filter(organiser_id=int(school))
        else:
            qs = qs.filter(organiser__search_text__contains=textnorm.fold_query(school))
    return qs


@login_required
@require_GET
def activity_list(request):
    user = request.user
    form = ActivityFilterForm(request.GET or None, user=user)
    activities = Activity.objects.visible_to(user).select_related(*LIST_RELATED)
    if form.is_bound:
        activities = _filter_activities(activities, form)
    this_year = academic_year(timezone.localdate())
    missing = services.pairings_missing_symposium(Pairing.objects.visible_to(user), this_year)
    show_missing = form.is_bound and form.cleaned_data.get("missing_symposium")
    context = {
        "form": form,
        "page_obj": paginate(request, activities),
        "can_create": rules.can_create_activity(user),
        "missing_count": missing.count(),
        "missing_pairings": missing.order_by("name")[:100] if show_missing else None,
        "this_year_label": year_label(this_year),
        "symposium": ActivityType.SYMPOSIUM,
    }
    return render(request, "activities/list.html", context)


def _get_activity(request, pk, detail=False):
    qs = Activity.objects.select_related(*LIST_RELATED).prefetch_related("pairing__parties")
    if detail:
        qs = qs.select_related("confirmed_by", "created_by").prefetch_related(
            "leaders__organisation",
            "plan_tasks__plan",
            "needs",
            "projects",
            "files",
            "receivers",
            "pairing__parties__organisation__region",
        )
    return access.get_visible_or_404(qs, request.user, pk=pk)


def _detail_context(request, activity, **forms) -> dict:
    user = request.user
    can_edit = rules.can_edit_activity(user, activity)
    can_confirm = rules.can_confirm_activity(user, activity)
    files = list(activity.files.all())
    trail = audit.history(activity)
    for evidence in files:
        trail = trail | audit.history(evidence)
    context = {
        "activity": activity,
        "can_edit": can_edit,
        "can_confirm": can_confirm and activity.can_confirm_as(Activity.Confirmation.CONFIRMED),
        "locked": services.is_locked(activity),
        "photos": [f for f in files if f.kind == "photo"],
        "documents": [f for f in files if f.kind == "document"],
        "confirm_form": forms.get("confirm_form") or ConfirmForm(),
        "evidence_form": forms.get("evidence_form") or EvidenceForm(),
        # Names of who signed in: the two sides that run the activity, not every viewer.
        "signins": list(activity.signins.all()) if (can_edit or can_confirm) else None,
        "history": trail[:50],
    }
    if activity.signin_open:
        context["signin_url"] = request.build_absolute_uri(
            reverse("activities:signin_public", args=[activity.signin_token])
        )
    return context


@login_required
@require_GET
def activity_detail(request, pk):
    activity = _get_activity(request, pk, detail=True)
    return render(request, "activities/detail.html", _detail_context(request, activity))


@login_required
@GET_POST
def activity_create(request):
    user = request.user
    if not rules.can_create_activity(user):
        raise PermissionDenied
    pairing = None
    wanted = request.GET.get("pairing", "")
    if wanted.isdigit():
        # A pairing the user cannot see is ignored, as if not asked for.
        pairing = Pairing.objects.visible_to(user).filter(pk=int(wanted)).first()
    initial = {}
    if request.GET.get("type") in ActivityType.values:
        initial["type"] = request.GET["type"]
    form = ActivityForm(request.POST or None, user=user, pairing=pairing, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            activity = services.record_activity(actor=user, **form.service_values())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("活动已记录。"))
            return redirect("activities:detail", pk=activity.pk)
    return render(request, "activities/form.html", {"form": form, "activity": None})


@login_required
@GET_POST
def activity_edit(request, pk):
    activity = _get_activity(request, pk)
    if not rules.can_edit_activity(request.user, activity):
        raise PermissionDenied
    form = ActivityForm(request.POST or None, user=request.user, instance=activity)
    if request.method == "GET" and services.is_locked(activity):
        form.add_error(None, services.LOCKED_MESSAGE)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_activity(
                activity,
                actor=request.user,
                version=form.cleaned_data["version"],
                **form.service_values(),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        except StaleEdit:
            form.add_error(None, CONFLICT_MESSAGE)
        else:
            messages.success(request, _("活动已保存。"))
            return redirect("activities:detail", pk=activity.pk)
    return render(request, "activities/form.html", {"form": form, "activity": activity})


@login_required
@require_POST
def activity_confirm(request, pk):
    activity = _get_activity(request, pk, detail=True)
    if not rules.can_confirm_activity(request.user, activity):
        raise PermissionDenied
    form = ConfirmForm(request.POST)
    if form.is_valid():
        try:
            services.confirm_activity(
                activity,
                actor=request.user,
                rating=form.cleaned_data["rating"],
                feedback=form.cleaned_data["feedback"],
                disputed=form.cleaned_data["disputed"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已提交确认与评价。"))
            return redirect("activities:detail", pk=activity.pk)
    context = _detail_context(request, activity, confirm_form=form)
    return render(request, "activities/detail.html", context)


@login_required
@require_POST
def evidence_add(request, pk):
    activity = _get_activity(request, pk, detail=True)
    if not rules.can_edit_activity(request.user, activity):
        raise PermissionDenied
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.add_evidence(
                activity,
                actor=request.user,
                upload=form.cleaned_data["file"],
                kind=form.cleaned_data["kind"],
                caption=form.cleaned_data["caption"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("材料已上传。"))
            return redirect("activities:detail", pk=activity.pk)
    context = _detail_context(request, activity, evidence_form=form)
    return render(request, "activities/detail.html", context)


@login_required
@require_GET
def evidence_file(request, pk, file_pk):
    activity = access.get_visible_or_404(Activity, request.user, pk=pk)
    evidence = get_object_or_404(activity.files, pk=file_pk)
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        # Photos show in the page; documents are only ever downloaded.
        as_attachment=evidence.kind == "document",
        filename=evidence.original_name,
        content_type=evidence.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
