"""Organisation and people pages: parse, authorise through core.access, call the service."""

from __future__ import annotations

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bangfu.core import access
from bangfu.core.forms import CONFLICT_MESSAGE, StaleEdit
from bangfu.core.listing import paginate
from bangfu.lib import textnorm

from . import services
from .forms import (
    DUPLICATE_NAME_MESSAGE,
    OrganisationFilterForm,
    OrganisationForm,
    PersonFilterForm,
    PersonForm,
    RenameForm,
)
from .models import Organisation, Person

# How many of an organisation's people its detail page lists before linking on.
DETAIL_PEOPLE = 20
SUGGEST_LIMIT = 20


def _model_fields(form) -> dict:
    return {name: form.cleaned_data[name] for name in form._meta.fields}


# --- organisations ---------------------------------------------------------


@login_required
@require_GET
def organisation_list(request):
    filters = OrganisationFilterForm(request.GET)
    qs = filters.filter(
        Organisation.objects.visible_to(request.user).select_related("region__parent")
    )
    return render(
        request,
        "orgs/organisation_list.html",
        {
            "filters": filters,
            "page_obj": paginate(request, qs),
            "can_create": access.can_create_organisation(request.user),
        },
    )


def _visible_pairing_parties(org, user):
    if not apps.is_installed("bangfu.pairings"):
        return []
    from bangfu.pairings.models import Pairing

    return list(
        org.pairing_parties.filter(pairing__in=Pairing.objects.visible_to(user)).select_related(
            "pairing"
        )
    )


@login_required
@require_GET
def organisation_detail(request, pk):
    user = request.user
    org = access.get_visible_or_404(
        Organisation.objects.select_related("region", "parent"), user, pk=pk
    )
    people = Person.objects.visible_to(user).filter(organisation=org)
    return render(
        request,
        "orgs/organisation_detail.html",
        {
            "org": org,
            "region_path": org.region.display_path(),
            "former_names": org.names.all(),
            "people": people[:DETAIL_PEOPLE],
            "people_count": people.count(),
            "parties": _visible_pairing_parties(org, user),
            "can_edit": access.can_edit_organisation(user, org),
            "can_add_person": access.can_create_person(user)
            and access.can_edit_organisation(user, org),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation_create(request):
    if not access.can_create_organisation(request.user):
        raise PermissionDenied
    form = OrganisationForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            org = services.create_organisation(actor=request.user, **_model_fields(form))
        except IntegrityError:
            # Another user registered the same name between validation and save.
            form.add_error("name", DUPLICATE_NAME_MESSAGE)
        else:
            messages.success(request, _("已登记单位“%(name)s”。") % {"name": org.name})
            return redirect("orgs:detail", pk=org.pk)
    return render(request, "orgs/organisation_form.html", {"form": form, "title": _("登记单位")})


@login_required
@require_http_methods(["GET", "POST"])
def organisation_edit(request, pk):
    org = access.get_visible_or_404(Organisation, request.user, pk=pk)
    if not access.can_edit_organisation(request.user, org):
        raise PermissionDenied
    form = OrganisationForm(request.POST or None, instance=org, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_organisation(
                org,
                actor=request.user,
                expected_version=form.cleaned_data["version"],
                **_model_fields(form),
            )
        except StaleEdit:
            form.add_error(None, CONFLICT_MESSAGE)
        except IntegrityError:
            form.add_error("name", DUPLICATE_NAME_MESSAGE)
        else:
            messages.success(request, _("已保存。"))
            return redirect("orgs:detail", pk=org.pk)
    return render(
        request,
        "orgs/organisation_form.html",
        {"form": form, "org": org, "title": _("修改单位信息")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation_rename(request, pk):
    org = access.get_visible_or_404(
        Organisation.objects.select_related("region"), request.user, pk=pk
    )
    if not access.can_edit_organisation(request.user, org):
        raise PermissionDenied
    form = RenameForm(request.POST or None, organisation=org)
    if request.method == "POST" and form.is_valid():
        old_name = org.name
        try:
            services.rename_organisation(
                org,
                form.cleaned_data["new_name"],
                actor=request.user,
                valid_until=form.cleaned_data["valid_until"],
                note=form.cleaned_data["note"],
                expected_version=form.cleaned_data["version"],
            )
        except StaleEdit:
            form.add_error(None, CONFLICT_MESSAGE)
        except IntegrityError:
            form.add_error("new_name", DUPLICATE_NAME_MESSAGE)
        else:
            messages.success(
                request,
                _("已更名为“%(new)s”;原名称“%(old)s”仍可搜索到。")
                % {"new": org.name, "old": old_name},
            )
            return redirect("orgs:detail", pk=org.pk)
    return render(request, "orgs/organisation_rename.html", {"form": form, "org": org})


@login_required
@require_GET
def organisation_suggest(request):
    """Options for a <datalist>: visible organisations matching ?q= (or ?organisation=)."""
    query = request.GET.get("q") or request.GET.get("organisation") or ""
    orgs = []
    if textnorm.fold_query(query):
        orgs = (
            Organisation.objects.visible_to(request.user)
            .search(query)
            .select_related("region")[:SUGGEST_LIMIT]
        )
    return render(request, "orgs/_suggest.html", {"orgs": orgs})


# --- people ----------------------------------------------------------------
# never_cache: these pages carry personal data (masked, and once revealed in full).


@never_cache
@login_required
@require_GET
def person_list(request):
    filters = PersonFilterForm(request.GET)
    qs = filters.filter(
        Person.objects.visible_to(request.user).select_related("organisation__region")
    )
    return render(
        request,
        "orgs/person_list.html",
        {
            "filters": filters,
            "page_obj": paginate(request, qs),
            "can_create": access.can_create_person(request.user),
        },
    )


def _person_detail(request, person, revealed=None):
    return render(
        request,
        "orgs/person_detail.html",
        {
            "person": person,
            "revealed": revealed,
            "can_edit": access.can_edit_person(request.user, person),
            "can_reveal": access.can_reveal_personal_data(request.user, person),
        },
    )


def _get_person(request, pk):
    return access.get_visible_or_404(
        Person.objects.select_related("organisation__region"), request.user, pk=pk
    )


@never_cache
@login_required
@require_GET
def person_detail(request, pk):
    return _person_detail(request, _get_person(request, pk))


@never_cache
@login_required
@require_POST
def person_reveal(request, pk):
    person = _get_person(request, pk)
    if not access.can_reveal_personal_data(request.user, person):
        raise PermissionDenied
    revealed = services.reveal_personal_data(person, actor=request.user)
    return _person_detail(request, person, revealed=revealed)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def person_create(request):
    if not access.can_create_person(request.user):
        raise PermissionDenied
    initial = {}
    org_id = request.GET.get("organisation", "")
    if org_id.isdigit():
        initial["organisation"] = int(org_id)
    form = PersonForm(request.POST or None, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        person = services.create_person(
            actor=request.user, **_model_fields(form), **form.personal_data()
        )
        messages.success(request, _("已添加人员“%(name)s”。") % {"name": person.name})
        return redirect("orgs:person_detail", pk=person.pk)
    return render(request, "orgs/person_form.html", {"form": form, "title": _("添加人员")})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def person_edit(request, pk):
    person = _get_person(request, pk)
    if not access.can_edit_person(request.user, person):
        raise PermissionDenied
    form = PersonForm(request.POST or None, instance=person, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_person(
                person,
                actor=request.user,
                expected_version=form.cleaned_data["version"],
                **_model_fields(form),
                **form.personal_data(),
            )
        except StaleEdit:
            form.add_error(None, CONFLICT_MESSAGE)
        else:
            messages.success(request, _("已保存。"))
            return redirect("orgs:person_detail", pk=person.pk)
    return render(
        request,
        "orgs/person_form.html",
        {"form": form, "person": person, "title": _("修改人员信息")},
    )
