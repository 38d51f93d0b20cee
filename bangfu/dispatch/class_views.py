"""Training classes (培训班): enrolment and graduation (结业)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from bangfu.audit import services as audit
from bangfu.core import access
from bangfu.core.listing import paginate

from . import class_services, rules
from .forms import ClassFilterForm, EnrolForm, GraduateForm, TrainingClassForm, overlaps_year_q
from .models import TrainingClass
from .views import GET_POST, apply_errors, form_page


def _filter(qs, form):
    form.is_valid()
    data = form.cleaned_data
    if query := (data.get("q") or "").strip():
        qs = qs.filter(name__contains=query)
    if data.get("organiser"):
        qs = qs.filter(organiser=data["organiser"])
    if data.get("graduated"):
        qs = qs.filter(graduated=data["graduated"] == "yes")
    if data.get("year") is not None:
        qs = qs.filter(overlaps_year_q(data["year"]))
    return qs


@login_required
@require_GET
def class_list(request):
    form = ClassFilterForm(request.GET or None, user=request.user)
    classes = TrainingClass.objects.visible_to(request.user)
    if form.is_bound:
        classes = _filter(classes, form)
    classes = (
        classes.select_related(
            "organiser",
            "region_pairing__helper_region",
            "region_pairing__recipient_region",
            "pairing",
        )
        .annotate(
            enrolled=Count("enrolments", distinct=True),
            graduates=Count("enrolments", filter=Q(enrolments__graduated=True), distinct=True),
        )
        .order_by("-start_date", "-id")
    )
    context = {
        "form": form,
        "page_obj": paginate(request, classes),
        "can_create": rules.can_record(request.user),
    }
    return render(request, "dispatch/class_list.html", context)


def _get_class(request, pk):
    return access.get_visible_or_404(
        TrainingClass.objects.select_related(
            "organiser__region",
            "region_pairing__helper_region",
            "region_pairing__recipient_region",
            "pairing",
        ),
        request.user,
        pk=pk,
    )


def _manageable_class(request, pk):
    tc = _get_class(request, pk)
    if not rules.can_manage_class(request.user, tc):
        raise PermissionDenied
    return tc


def _detail(request, tc, *, enrol_form=None, graduate_form=None):
    can_manage = rules.can_manage_class(request.user, tc)
    enrolments = list(tc.enrolments.select_related("person__organisation"))
    context = {
        "tc": tc,
        "enrolments": enrolments,
        "graduates": sum(1 for e in enrolments if e.graduated),
        "can_manage": can_manage,
        "can_graduate": can_manage and not tc.graduated and timezone.localdate() >= tc.start_date,
        "enrol_form": (enrol_form or EnrolForm(user=request.user, training_class=tc))
        if can_manage and not tc.graduated
        else None,
        "graduate_form": graduate_form or GraduateForm(training_class=tc),
        "history": audit.history(tc)[:30],
    }
    return render(request, "dispatch/class_detail.html", context)


@login_required
@require_GET
def class_detail(request, pk):
    return _detail(request, _get_class(request, pk))


@login_required
@GET_POST
def class_create(request):
    if not rules.can_record(request.user):
        raise PermissionDenied
    form = TrainingClassForm(request.POST or None, user=request.user)
    return form_page(
        request,
        form,
        lambda: class_services.create_training_class(actor=request.user, **form.service_values()),
        message=_("培训班已保存。"),
        detail="dispatch:class_detail",
        context={
            "title": _("新建培训班"),
            "back": "dispatch:class_list",
            "back_label": _("培训班"),
        },
    )


@login_required
@GET_POST
def class_edit(request, pk):
    tc = _manageable_class(request, pk)
    form = TrainingClassForm(request.POST or None, user=request.user, instance=tc)
    return form_page(
        request,
        form,
        lambda: class_services.update_training_class(
            tc,
            actor=request.user,
            version=form.cleaned_data["version"],
            **form.service_values(),
        ),
        message=_("培训班已保存。"),
        detail="dispatch:class_detail",
        context={
            "title": _("编辑培训班"),
            "back": "dispatch:class_list",
            "back_label": _("培训班"),
            "object": tc,
            "object_url": "dispatch:class_detail",
        },
    )


@login_required
@require_POST
def enrol(request, pk):
    tc = _manageable_class(request, pk)
    form = EnrolForm(request.POST, user=request.user, training_class=tc)
    if form.is_valid():
        try:
            class_services.enrol_person(tc, actor=request.user, person=form.cleaned_data["person"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("学员已报名。"))
            return redirect("dispatch:class_detail", pk=tc.pk)
    return _detail(request, tc, enrol_form=form)


@login_required
@require_POST
def graduate(request, pk):
    tc = _manageable_class(request, pk)
    form = GraduateForm(request.POST, training_class=tc)
    if form.is_valid():
        try:
            count = class_services.graduate_class(
                tc,
                actor=request.user,
                excluded=[e.pk for e in form.cleaned_data["excluded"]],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("培训班已结业,%(n)d 名学员结业。") % {"n": count})
            return redirect("dispatch:class_detail", pk=tc.pk)
    return _detail(request, tc, graduate_form=form)
