"""Pairings, their sides, status and agreements. Region pairings live in region_views."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bangfu.audit import services as audit
from bangfu.core import access
from bangfu.core.forms import CONFLICT_MESSAGE, StaleEdit
from bangfu.core.listing import paginate
from bangfu.lib import textnorm

from . import services
from .forms import AgreementForm, PairingFilterForm, PairingForm, PartyForm, StatusForm, org_options
from .models import Pairing, PairingParty
from .timeline import pairing_timeline

GET_POST = require_http_methods(["GET", "POST"])


def apply_errors(form, exc: ValidationError) -> None:
    """Show a service's ValidationError beside the form's fields."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _filter_pairings(qs, form, user):
    form.is_valid()  # invalid filters are shown and left out; the valid ones apply
    data = form.cleaned_data
    if query := textnorm.fold_query(data.get("q") or ""):
        qs = qs.filter(
            pk__in=PairingParty.objects.filter(organisation__search_text__contains=query).values(
                "pairing_id"
            )
        )
    if data.get("mode"):
        qs = qs.filter(mode=data["mode"])
    if data.get("status"):
        qs = qs.filter(status=data["status"])
    if region := data.get("region"):
        qs = qs.filter(
            pk__in=PairingParty.objects.filter(region.subtree_q("organisation__region__")).values(
                "pairing_id"
            )
        )
    if data.get("side") and user.organisation_id:
        qs = qs.filter(
            pk__in=PairingParty.objects.filter(
                organisation_id=user.organisation_id, side=data["side"]
            ).values("pairing_id")
        )
    if year := data.get("year"):
        qs = qs.filter(start_date__year__lte=year).filter(
            Q(end_date__isnull=True) | Q(end_date__year__gte=year)
        )
    return qs


@login_required
@require_GET
def pairing_list(request):
    form = PairingFilterForm(request.GET or None, user=request.user)
    pairings = (
        Pairing.objects.visible_to(request.user)
        .prefetch_related("parties__organisation")
        .order_by("-start_date", "-id")
    )
    if form.is_bound:
        pairings = _filter_pairings(pairings, form, request.user)
    context = {
        "form": form,
        "page_obj": paginate(request, pairings),
        "can_create": access.can_create_pairing(request.user),
    }
    return render(request, "pairings/list.html", context)


@login_required
@require_GET
def pairing_detail(request, pk):
    user = request.user
    pairing = access.get_visible_or_404(
        Pairing.objects.select_related(
            "region_pairing__helper_region", "region_pairing__recipient_region", "parent"
        ).prefetch_related("parties__organisation__region"),
        user,
        pk=pk,
    )
    parties = list(pairing.parties.all())
    sides = [
        (
            label,
            [(p, access.can_edit_party(user, p)) for p in parties if p.side == side],
        )
        for side, label in PairingParty.Side.choices
    ]
    agreements = list(pairing.agreements.all())
    trail = audit.history(pairing)
    for obj in [*parties, *agreements]:
        trail = trail | audit.history(obj)
    context = {
        "pairing": pairing,
        "sides": sides,
        "status_changes": pairing.status_changes.select_related("changed_by"),
        "children": Pairing.objects.visible_to(user)
        .filter(parent=pairing)
        .prefetch_related("parties__organisation"),
        "parent_visible": pairing.parent_id
        and Pairing.objects.visible_to(user).filter(pk=pairing.parent_id).exists(),
        "agreements": agreements,
        "history": trail[:50],
        "can_edit": access.can_edit_pairing(user, pairing),
        "can_manage_agreements": access.can_manage_agreements(user, pairing),
        "next_statuses": [(s, s.label) for s in Pairing.Status if pairing.can_transition(s)],
        "status_form": StatusForm(),
        "timeline": pairing_timeline(pairing, user),
    }
    return render(request, "pairings/detail.html", context)


@login_required
@GET_POST
def pairing_create(request):
    if not access.can_create_pairing(request.user):
        raise PermissionDenied
    form = PairingForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        values = form.service_values()
        try:
            pairing = services.create_pairing(actor=request.user, **values)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("结对关系已建立。"))
            return redirect("pairings:detail", pk=pairing.pk)
    return render(request, "pairings/form.html", {"form": form, "pairing": None})


@login_required
@GET_POST
def pairing_edit(request, pk):
    pairing = access.get_visible_or_404(
        Pairing.objects.prefetch_related("parties__organisation"), request.user, pk=pk
    )
    if not access.can_edit_pairing(request.user, pairing):
        raise PermissionDenied
    form = PairingForm(request.POST or None, user=request.user, instance=pairing)
    if request.method == "POST" and form.is_valid():
        values = form.service_values()
        try:
            services.update_pairing(
                pairing, actor=request.user, version=form.cleaned_data["version"], **values
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        except StaleEdit:
            form.add_error(None, CONFLICT_MESSAGE)
        else:
            messages.success(request, _("结对关系已保存。"))
            return redirect("pairings:detail", pk=pairing.pk)
    return render(request, "pairings/form.html", {"form": form, "pairing": pairing})


@login_required
@require_POST
def pairing_status(request, pk):
    pairing = access.get_visible_or_404(
        Pairing.objects.prefetch_related("parties__organisation"), request.user, pk=pk
    )
    if not access.can_edit_pairing(request.user, pairing):
        raise PermissionDenied
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择有效的状态。"))
        return redirect("pairings:detail", pk=pairing.pk)
    try:
        services.change_pairing_status(
            pairing, form.cleaned_data["status"], actor=request.user, note=form.cleaned_data["note"]
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request, _("状态已改为“%(status)s”。") % {"status": pairing.get_status_display()}
        )
    return redirect("pairings:detail", pk=pairing.pk)


@login_required
@GET_POST
def party_edit(request, pk, party_pk):
    pairing = access.get_visible_or_404(Pairing, request.user, pk=pk)
    party = get_object_or_404(pairing.parties.select_related("organisation__region"), pk=party_pk)
    if not access.can_edit_party(request.user, party):
        raise PermissionDenied
    form = PartyForm(request.POST or None, instance=party)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_party(
                party,
                actor=request.user,
                version=form.cleaned_data["version"],
                contact_name=form.cleaned_data["contact_name"],
                goals=form.cleaned_data["goals"],
            )
        except StaleEdit:
            form.add_error(None, CONFLICT_MESSAGE)
        else:
            messages.success(request, _("已保存。"))
            return redirect("pairings:detail", pk=pairing.pk)
    return render(
        request, "pairings/party_form.html", {"form": form, "pairing": pairing, "party": party}
    )


def _pairing_for_agreements(request, pk):
    pairing = access.get_visible_or_404(
        Pairing.objects.prefetch_related("parties__organisation"), request.user, pk=pk
    )
    if not access.can_manage_agreements(request.user, pairing):
        raise PermissionDenied
    return pairing


@login_required
@GET_POST
def agreement_create(request, pk):
    pairing = _pairing_for_agreements(request, pk)
    form = AgreementForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_agreement(pairing, actor=request.user, **form.service_values())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("帮扶协议已添加。"))
            return redirect("pairings:detail", pk=pairing.pk)
    context = {"form": form, "pairing": pairing, "agreement": None}
    return render(request, "pairings/agreement_form.html", context)


@login_required
@GET_POST
def agreement_edit(request, pk, agreement_pk):
    pairing = _pairing_for_agreements(request, pk)
    agreement = get_object_or_404(pairing.agreements, pk=agreement_pk)
    form = AgreementForm(request.POST or None, request.FILES or None, instance=agreement)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_agreement(
                agreement,
                actor=request.user,
                version=form.cleaned_data["version"],
                **form.service_values(),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        except StaleEdit:
            form.add_error(None, CONFLICT_MESSAGE)
        else:
            messages.success(request, _("帮扶协议已保存。"))
            return redirect("pairings:detail", pk=pairing.pk)
    context = {"form": form, "pairing": pairing, "agreement": agreement}
    return render(request, "pairings/agreement_form.html", context)


@login_required
@require_GET
def agreement_document(request, pk, agreement_pk):
    pairing = access.get_visible_or_404(Pairing, request.user, pk=pk)
    agreement = get_object_or_404(pairing.agreements, pk=agreement_pk)
    if not agreement.document:
        raise Http404
    try:
        handle = agreement.document.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=agreement.document_name or agreement.document.name.rsplit("/", 1)[-1],
        content_type=agreement.document_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_GET
def org_options_view(request):
    """``<option>``s for the organisation pickers: the kept selection, then matches of ?q=."""
    name = request.GET.get("name", "")
    selected = request.GET.getlist(name) if name in PairingForm.ORG_FIELDS else []
    options = org_options(request.user, selected, request.GET.get("q", ""))
    return render(request, "pairings/org_options.html", {"options": options})
