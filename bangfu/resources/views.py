"""Shared resources (资源共享): list, share, detail, edit and a permission-checked download."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from bangfu.audit import services as audit
from bangfu.core import access
from bangfu.core.forms import CONFLICT_MESSAGE, StaleEdit
from bangfu.core.listing import paginate
from bangfu.pairings.views import apply_errors

from . import rules, services
from .forms import ResourceFilterForm, ResourceForm
from .models import SharedResource

GET_POST = require_http_methods(["GET", "POST"])


def _filter(qs, form):
    form.is_valid()  # invalid filters are shown and left out; the valid ones apply
    data = form.cleaned_data
    if query := (data.get("q") or "").strip():
        qs = qs.filter(Q(title__icontains=query) | Q(description__icontains=query))
    if data.get("kind"):
        qs = qs.filter(kind=data["kind"])
    if subject := (data.get("subject") or "").strip():
        qs = qs.filter(subject__icontains=subject)
    if data.get("stage"):
        qs = qs.filter(stage=data["stage"])
    if data.get("pairing"):
        qs = qs.filter(pairing=data["pairing"])
    return qs


@login_required
@require_GET
def resource_list(request):
    form = ResourceFilterForm(request.GET or None, user=request.user)
    rows = SharedResource.objects.visible_to(request.user).select_related("owner", "pairing")
    if form.is_bound:
        rows = _filter(rows, form)
    context = {
        "form": form,
        "page_obj": paginate(request, rows.order_by("-created_at", "-id")),
        "can_create": rules.can_start_sharing(request.user),
    }
    return render(request, "resources/list.html", context)


def _qs():
    return SharedResource.objects.select_related("owner__region", "pairing")


@login_required
@require_GET
def resource_detail(request, pk):
    resource = access.get_visible_or_404(_qs(), request.user, pk=pk)
    context = {
        "resource": resource,
        "can_edit": rules.can_edit_resource(request.user, resource),
        "history": audit.history(resource)[:50],
    }
    return render(request, "resources/detail.html", context)


@login_required
@GET_POST
def resource_create(request):
    if not rules.can_start_sharing(request.user):
        raise PermissionDenied
    form = ResourceForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            resource = services.create_resource(actor=request.user, **form.service_values())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("资源已共享。"))
            return redirect("resources:detail", pk=resource.pk)
    return render(request, "resources/form.html", {"form": form, "resource": None})


@login_required
@GET_POST
def resource_edit(request, pk):
    resource = access.get_visible_or_404(_qs(), request.user, pk=pk)
    if not rules.can_edit_resource(request.user, resource):
        raise PermissionDenied
    form = ResourceForm(
        request.POST or None, request.FILES or None, user=request.user, instance=resource
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_resource(
                resource,
                actor=request.user,
                version=form.cleaned_data["version"],
                **form.service_values(),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        except StaleEdit:
            form.add_error(None, CONFLICT_MESSAGE)
        else:
            messages.success(request, _("资源已保存。"))
            return redirect("resources:detail", pk=resource.pk)
    return render(request, "resources/form.html", {"form": form, "resource": resource})


@login_required
@require_GET
def resource_download(request, pk):
    resource = access.get_visible_or_404(SharedResource, request.user, pk=pk)
    if not resource.file:
        raise Http404
    try:
        handle = resource.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=resource.original_name or resource.file.name.rsplit("/", 1)[-1],
        content_type=resource.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
