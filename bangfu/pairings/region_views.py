"""Region pairings (对口关系): list, detail, create, edit."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from bangfu.audit import services as audit
from bangfu.core import access
from bangfu.core.forms import CONFLICT_MESSAGE, StaleEdit
from bangfu.core.listing import paginate
from bangfu.lib import textnorm
from bangfu.regions.models import Region

from . import services
from .forms import RegionPairingFilterForm, RegionPairingForm
from .models import Pairing, RegionPairing
from .views import apply_errors

GET_POST = require_http_methods(["GET", "POST"])


def _service_values(form) -> dict:
    return {f: form.cleaned_data[f] for f in RegionPairingForm.field_order}


@login_required
@require_GET
def region_pairing_list(request):
    form = RegionPairingFilterForm(request.GET or None)
    qs = (
        RegionPairing.objects.visible_to(request.user)
        .select_related("helper_region", "recipient_region")
        .order_by("-start_date", "-id")
    )
    if form.is_valid() and (query := textnorm.fold_query(form.cleaned_data["q"])):
        regions = Region.objects.filter(search_text__contains=query).values("pk")
        qs = qs.filter(helper_region__in=regions) | qs.filter(recipient_region__in=regions)
    context = {
        "form": form,
        "page_obj": paginate(request, qs),
        "can_create": access.can_manage_region_pairing(request.user),
    }
    return render(request, "pairings/region_list.html", context)


@login_required
@require_GET
def region_pairing_detail(request, pk):
    rp = access.get_visible_or_404(
        RegionPairing.objects.select_related("helper_region", "recipient_region"),
        request.user,
        pk=pk,
    )
    pairings = (
        Pairing.objects.visible_to(request.user)
        .filter(region_pairing=rp)
        .prefetch_related("parties__organisation")
        .order_by("-start_date", "-id")
    )
    context = {
        "rp": rp,
        "page_obj": paginate(request, pairings),
        "can_edit": access.can_manage_region_pairing(request.user, rp),
        "history": audit.history(rp)[:50],
    }
    return render(request, "pairings/region_detail.html", context)


@login_required
@GET_POST
def region_pairing_create(request):
    if not access.can_manage_region_pairing(request.user):
        raise PermissionDenied
    form = RegionPairingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            rp = services.create_region_pairing(actor=request.user, **_service_values(form))
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("对口关系已建立。"))
            return redirect("pairings:region_detail", pk=rp.pk)
    return render(request, "pairings/region_form.html", {"form": form, "rp": None})


@login_required
@GET_POST
def region_pairing_edit(request, pk):
    rp = access.get_visible_or_404(
        RegionPairing.objects.select_related("helper_region", "recipient_region"),
        request.user,
        pk=pk,
    )
    if not access.can_manage_region_pairing(request.user, rp):
        raise PermissionDenied
    form = RegionPairingForm(request.POST or None, instance=rp)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_region_pairing(
                rp,
                actor=request.user,
                version=form.cleaned_data["version"],
                **_service_values(form),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        except StaleEdit:
            form.add_error(None, CONFLICT_MESSAGE)
        else:
            messages.success(request, _("对口关系已保存。"))
            return redirect("pairings:region_detail", pk=rp.pk)
    return render(request, "pairings/region_form.html", {"form": form, "rp": rp})
