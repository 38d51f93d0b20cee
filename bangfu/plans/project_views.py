"""Projects with quantified targets (项目/任务指标), assigned to recipient regions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from bangfu.audit import services as audit
from bangfu.core import access
from bangfu.core.forms import CONFLICT_MESSAGE, StaleEdit
from bangfu.core.listing import paginate
from bangfu.needs.views import apply_errors

from . import rules, services
from .forms import ProjectFilterForm, ProjectForm, formset_values, target_formset
from .models import Project

GET_POST = require_http_methods(["GET", "POST"])


def _filter_projects(qs, form):
    form.is_valid()  # invalid filters are shown and left out; the valid ones apply
    data = form.cleaned_data
    if data.get("q"):
        qs = qs.filter(name__icontains=data["q"].strip())
    for field in ("year", "level", "status"):
        if data.get(field):
            qs = qs.filter(**{field: data[field]})
    if region := data.get("region"):
        qs = qs.filter(region.subtree_q("recipient_region__"))
    return qs


def region_counts(projects):
    """Projects per recipient region, as the reports put it (宁城 7, 称多 8): one query."""
    rows = (
        projects.order_by()
        .values("recipient_region_id", "recipient_region__name", "recipient_region__short_name")
        .annotate(count=Count("id"))
        .order_by("recipient_region__name")
    )
    return [
        {
            "name": r["recipient_region__short_name"] or r["recipient_region__name"],
            "count": r["count"],
        }
        for r in rows
    ]


@login_required
@require_GET
def project_list(request):
    form = ProjectFilterForm(request.GET or None)
    projects = Project.objects.visible_to(request.user)
    if form.is_bound:
        projects = _filter_projects(projects, form)
    context = {
        "form": form,
        "counts": region_counts(projects),
        "page_obj": paginate(
            request,
            projects.select_related("owner", "recipient_region")
            .annotate(target_count=Count("targets"))
            .order_by("-year", "recipient_region__code", "name", "id"),
        ),
        "can_create": rules.can_create_project(request.user),
    }
    return render(request, "plans/project_list.html", context)


def _get_project(request, pk):
    return access.get_visible_or_404(
        Project.objects.select_related(
            "owner__region", "recipient_region", "region_pairing__helper_region"
        ),
        request.user,
        pk=pk,
    )


@login_required
@require_GET
def project_detail(request, pk):
    user = request.user
    project = _get_project(request, pk)
    activities = []
    if hasattr(project, "activities"):
        from bangfu.activities.models import Activity

        activities = (
            Activity.objects.visible_to(user).filter(projects=project).order_by("-start_date")
        )
    context = {
        "project": project,
        "targets": project.targets.all(),
        "activities": activities,
        "can_edit": rules.can_edit_project(user, project),
        "history": audit.history(project)[:50],
    }
    return render(request, "plans/project_detail.html", context)


@login_required
@GET_POST
def project_create(request):
    if not rules.can_create_project(request.user):
        raise PermissionDenied
    data = request.POST if request.method == "POST" else None
    form = ProjectForm(data, user=request.user)
    targets = target_formset(None, data)
    if request.method == "POST" and form.is_valid() and targets.is_valid():
        try:
            project = services.create_project(
                actor=request.user, targets=formset_values(targets), **form.service_values()
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("项目已建立。"))
            return redirect("plans:project_detail", pk=project.pk)
    context = {"form": form, "targets": targets, "project": None}
    return render(request, "plans/project_form.html", context)


@login_required
@GET_POST
def project_edit(request, pk):
    project = _get_project(request, pk)
    if not rules.can_edit_project(request.user, project):
        raise PermissionDenied
    data = request.POST if request.method == "POST" else None
    form = ProjectForm(data, user=request.user, instance=project)
    targets = target_formset(project, data)
    if request.method == "POST" and form.is_valid() and targets.is_valid():
        try:
            services.update_project(
                project,
                actor=request.user,
                version=form.cleaned_data["version"],
                targets=formset_values(targets),
                **form.service_values(),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        except StaleEdit:
            form.add_error(None, CONFLICT_MESSAGE)
        else:
            messages.success(request, _("项目已保存。"))
            return redirect("plans:project_detail", pk=project.pk)
    context = {"form": form, "targets": targets, "project": project}
    return render(request, "plans/project_form.html", context)
