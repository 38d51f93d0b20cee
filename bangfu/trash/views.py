"""The recycle bin (回收站): delete a business record, list what was deleted, restore it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, F
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bangfu.core import access

from .kinds import Kind, kinds

# The most recently deleted records of each kind shown in the bin.
SHOWN_PER_KIND = 100


def _kind_or_404(key: str) -> Kind:
    kind = kinds().get(key)
    if kind is None:
        raise Http404
    return kind


def _deleted(kind: Kind, user):
    """The deleted records of ``kind`` the user sees and may restore, newest first.

    One query, then the rule checked per record (a few queries each, at most
    SHOWN_PER_KIND records).
    """
    qs = kind.model.objects.with_deleted().deleted().visible_to(user)
    if kind.follows_pairing:
        # Restored with their pairing: listed under it, not on their own.
        qs = qs.exclude(pairing__deleted_at__isnull=False)
    qs = qs.select_related("deleted_by", *kind.related).prefetch_related(*kind.prefetch)
    return [r for r in qs[:SHOWN_PER_KIND] if kind.can_delete(user, r)]


def _deleted_with(pairings) -> dict[int, list[str]]:
    """Per deleted pairing, what was deleted with it: ["3 需求", …]. One query per kind."""
    out: dict[int, list[str]] = {p.pk: [] for p in pairings}
    if not out:
        return out
    for kind in kinds().values():
        if not kind.follows_pairing:
            continue
        rows = (
            kind.model.objects.with_deleted()
            .filter(pairing__in=list(out), deleted_at=F("pairing__deleted_at"))
            .values("pairing")
            .annotate(n=Count("pk"))
            .order_by("pairing")
        )
        for row in rows:
            out[row["pairing"]].append(f"{row['n']} {kind.label}")
    return out


@login_required
@require_GET
def index(request):
    rows = []
    for kind in kinds().values():
        records = _deleted(kind, request.user)
        extra = _deleted_with(records) if kind.key == "pairing" else {}
        rows += [(record.deleted_at, kind, record, extra.get(record.pk, [])) for record in records]
    rows.sort(key=lambda row: (row[0], row[2].pk), reverse=True)
    return render(
        request,
        "trash/index.html",
        {"rows": [row[1:] for row in rows], "shown_per_kind": SHOWN_PER_KIND},
    )


@login_required
@require_http_methods(["GET", "POST"])
def delete(request, kind, pk):
    kind = _kind_or_404(kind)
    record = access.get_visible_or_404(kind.model.objects.all(), request.user, pk=pk)
    if not kind.can_delete(request.user, record):
        raise PermissionDenied
    if request.method == "POST":
        try:
            kind.delete(record, actor=request.user)
        except ValidationError as exc:
            messages.error(request, "".join(exc.messages))
            return redirect(kind.detail_url(record))
        messages.success(
            request,
            _("已删除“%(name)s”，可在回收站恢复。") % {"name": record},
        )
        return redirect(kind.list_url_name)
    return render(request, "trash/confirm.html", {"kind": kind, "record": record})


@login_required
@require_POST
def restore(request, kind, pk):
    kind = _kind_or_404(kind)
    deleted = kind.model.objects.with_deleted().filter(deleted_at__isnull=False)
    record = access.get_visible_or_404(deleted, request.user, pk=pk)
    if not kind.can_delete(request.user, record):
        raise PermissionDenied
    try:
        kind.restore(record, actor=request.user)
    except ValidationError as exc:
        messages.error(request, "".join(exc.messages))
        return redirect("trash:index")
    messages.success(request, _("已恢复“%(name)s”。") % {"name": record})
    return redirect(kind.detail_url(record))
