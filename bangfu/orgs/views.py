"""Organisation and people pages: parse, authorise through core.access, call the service."""

from __future__ import annotations

import secrets
import tempfile

from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.http import FileResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bangfu.core import access
from bangfu.core.forms import CONFLICT_MESSAGE, StaleEdit
from bangfu.core.listing import paginate
from bangfu.lib import textnorm
from bangfu.security import pii

from . import services
from .forms import (
    DUPLICATE_NAME_MESSAGE,
    OrganisationFilterForm,
    OrganisationForm,
    PersonEraseForm,
    PersonExportForm,
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


@never_cache  # lists the organisation's people by name
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
# Searches are POSTed and kept in the session under a random key, so names and
# numbers never appear in a URL (browser history, server logs, Referer).

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SEARCHES = "orgs_person_searches"
KEEP_SEARCHES = 10
SEARCH_EXPIRED = gettext_lazy("查询条件已失效,请重新查询。")


def _store_search(request, stored: dict) -> str:
    key = secrets.token_urlsafe(9)
    searches = dict(request.session.get(SEARCHES) or {})
    searches[key] = stored
    while len(searches) > KEEP_SEARCHES:  # oldest first: dicts keep insertion order
        searches.pop(next(iter(searches)))
    request.session[SEARCHES] = searches
    return key


def _stored_search(request, key: str) -> dict | None:
    return (request.session.get(SEARCHES) or {}).get(key) if key else None


def _public_filters(query) -> dict:
    return {k: query.get(k, "") for k in PersonFilterForm.PUBLIC_FIELDS if query.get(k)}


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def person_list(request):
    """GET: filters from a stored search (?s=) or the public filters; POST: a new search."""
    key = ""
    if request.method == "POST":
        filters = PersonFilterForm(request.POST)
        if filters.is_valid():
            key = _store_search(request, filters.to_store())
            return redirect(f"{reverse('orgs:person_list')}?s={key}")
    else:
        key = request.GET.get("s", "")
        stored = _stored_search(request, key)
        if key and stored is None:
            messages.info(request, SEARCH_EXPIRED)
            key = ""
        filters = (
            PersonFilterForm.from_store(stored)
            if stored
            else PersonFilterForm(_public_filters(request.GET))
        )
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
            "can_export": pii.can_export(request.user),
            "search_key": key,
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
            "can_erase": access.can_erase_person(request.user, person),
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
    if person.is_erased or not access.can_reveal_personal_data(request.user, person):
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
    if person.is_erased:
        messages.info(request, _("该人员的个人信息已删除,不能再修改。"))
        return redirect("orgs:person_detail", pk=person.pk)
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
        except services.AlreadyErased:
            messages.info(request, _("该人员的个人信息已删除,不能再修改。"))
            return redirect("orgs:person_detail", pk=person.pk)
        else:
            messages.success(request, _("已保存。"))
            return redirect("orgs:person_detail", pk=person.pk)
    return render(
        request,
        "orgs/person_form.html",
        {"form": form, "person": person, "title": _("修改人员信息")},
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def person_erase(request, pk):
    """Erasure on request: a confirmation page, then the irreversible erasure."""
    person = _get_person(request, pk)
    if person.is_erased:
        messages.info(request, _("该人员的个人信息已删除。"))
        return redirect("orgs:person_detail", pk=person.pk)
    if not access.can_erase_person(request.user, person):
        raise PermissionDenied
    form = PersonEraseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.erase_person(person, actor=request.user)
        except services.AlreadyErased:
            messages.info(request, _("该人员的个人信息已删除。"))
        else:
            messages.success(
                request,
                _("已删除该人员的个人信息;相关的援派、跟岗、培训和活动记录仍保留并计入统计。"),
            )
        return redirect("orgs:person_detail", pk=person.pk)
    return render(request, "orgs/person_erase.html", {"person": person, "form": form})


def _search_summary(stored: dict | None) -> dict:
    """The export's filters for the audit entry: which were used, never a name or number."""
    if not stored:
        return {}
    data = stored.get("data") or {}
    summary = {k: data[k] for k in PersonFilterForm.PUBLIC_FIELDS if data.get(k)}
    if (data.get("q") or "").strip():
        summary["name_search"] = True
    if stored.get("number_hash"):
        summary["number_lookup"] = True
    return summary


def _attachment(name: str) -> str:
    from urllib.parse import quote

    # An ASCII fallback for old clients, the Chinese name for the others (RFC 6266).
    fallback = "bangfu." + name.rsplit(".", 1)[-1]
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}"


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def person_export(request):
    """People with their numbers as xlsx or csv: permission, daily limit, audit (security.pii)."""
    from bangfu.dataio import exports

    user = request.user
    if not pii.can_export(user):
        raise PermissionDenied
    form = PersonExportForm(
        request.POST if request.method == "POST" else None,
        initial={"s": request.GET.get("s", "")},
        can_full=pii.may_export_full(user),
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        key = form.cleaned_data["s"]
        stored = _stored_search(request, key)
        full = form.cleaned_data.get("full", False)
        fmt = form.cleaned_data["format"]
        if key and stored is None:
            form.add_error(None, str(SEARCH_EXPIRED))
        else:
            headers, rows, count, revealed = exports.people_export(user, stored, full=full)
            try:
                pii.record_export(
                    user,
                    fmt=fmt,
                    rows=count,
                    full=full,
                    revealed_ids=revealed,
                    filters=_search_summary(stored),
                )
            except pii.LimitReached as exc:
                form.add_error(None, str(exc))
                status = 429
            else:
                name = f"{exports.TITLES['people']}{timezone.localdate():%Y%m%d}.{fmt}"
                if fmt == "csv":
                    response = StreamingHttpResponse(
                        exports.csv_stream(headers, rows), content_type="text/csv; charset=utf-8"
                    )
                else:
                    target = tempfile.TemporaryFile()
                    exports.write_xlsx(headers, rows, exports.TITLES["people"], target)
                    target.seek(0)
                    response = FileResponse(target, content_type=XLSX)
                response["Content-Disposition"] = _attachment(name)
                return response
    key = form["s"].value() or ""
    return render(
        request,
        "orgs/person_export.html",
        {
            "form": form,
            "search_key": key,
            "filtered": bool(_stored_search(request, key)),
            "left": pii.exports_left(user),
            "limit": settings.PII_EXPORT_DAILY_LIMIT,
        },
        status=status,
    )
