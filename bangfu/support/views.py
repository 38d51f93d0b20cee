"""Material and money support: list with totals, record, detail with item lines."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bangfu.audit import services as audit
from bangfu.core import access
from bangfu.core.forms import CONFLICT_MESSAGE, StaleEdit
from bangfu.core.listing import paginate
from bangfu.lib import semester, textnorm
from bangfu.pairings.views import apply_errors

from . import money, rules, services
from .forms import SupportFilterForm, SupportForm, SupportItemForm
from .models import Support

GET_POST = require_http_methods(["GET", "POST"])
FIRST_YEAR = 2010


def _years():
    return list(range(semester.academic_year(timezone.localdate()), FIRST_YEAR - 1, -1))


def _filter(qs, form):
    form.is_valid()  # invalid filters are shown and left out; the valid ones apply
    data = form.cleaned_data
    if data.get("kind"):
        qs = qs.filter(kind=data["kind"])
    if (year := data.get("year")) is not None:
        start, end = semester.year_bounds(year)
        qs = qs.filter(date__range=(start, end))
    if region := data.get("region"):
        qs = qs.filter(region.subtree_q("recipient_region__"))
    if query := textnorm.fold_query(data.get("donor") or ""):
        qs = qs.filter(donor__search_text__contains=query)
    return qs


def totals_by_kind(qs) -> list[dict]:
    """One query: the sum per kind (Decimal) and whether any summed row is approximate."""
    labels = dict(Support.Kind.choices)
    rows = (
        qs.order_by()
        .values("kind")
        .annotate(total=Sum("amount_yuan"), approx=Count("pk", filter=Q(is_approximate=True)))
        .order_by("kind")
    )
    return [
        {
            "kind": row["kind"],
            "label": labels.get(row["kind"], row["kind"]),
            "total": row["total"],
            "is_approximate": row["approx"] > 0,
            "display": money.format_amount(row["total"], row["approx"] > 0),
        }
        for row in rows
    ]


@login_required
@require_GET
def support_list(request):
    form = SupportFilterForm(request.GET or None, years=_years())
    rows = Support.objects.visible_to(request.user)
    if form.is_bound:
        rows = _filter(rows, form)
    context = {
        "form": form,
        "page_obj": paginate(
            request,
            rows.select_related("donor", "recipient", "recipient_region").order_by("-date", "-id"),
        ),
        "totals": totals_by_kind(rows),
        "can_create": rules.can_start_support(request.user),
    }
    return render(request, "support/list.html", context)


def _detail_qs():
    return Support.objects.select_related(
        "donor__region", "recipient", "recipient_region", "pairing", "region_pairing"
    )


def _detail_context(request, support, item_form=None):
    return {
        "support": support,
        "amount_display": money.format_amount(support.amount_yuan, support.is_approximate),
        "items": [
            (item, money.format_amount(item.value_yuan, item.is_approximate))
            for item in support.items.order_by("id")
        ],
        "can_edit": rules.can_edit_support(request.user, support),
        "item_form": item_form or SupportItemForm(),
        "history": audit.history(support)[:50],
    }


@login_required
@require_GET
def support_detail(request, pk):
    support = access.get_visible_or_404(_detail_qs(), request.user, pk=pk)
    return render(request, "support/detail.html", _detail_context(request, support))


@login_required
@GET_POST
def support_create(request):
    if not rules.can_start_support(request.user):
        raise PermissionDenied
    form = SupportForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            support = services.create_support(actor=request.user, **form.service_values())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("帮扶记录已登记。"))
            return redirect("support:detail", pk=support.pk)
    return render(request, "support/form.html", {"form": form, "support": None})


def _editable(request, pk):
    support = access.get_visible_or_404(_detail_qs(), request.user, pk=pk)
    if not rules.can_edit_support(request.user, support):
        raise PermissionDenied
    return support


@login_required
@GET_POST
def support_edit(request, pk):
    support = _editable(request, pk)
    form = SupportForm(request.POST or None, user=request.user, instance=support)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_support(
                support,
                actor=request.user,
                version=form.cleaned_data["version"],
                **form.service_values(),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        except StaleEdit:
            form.add_error(None, CONFLICT_MESSAGE)
        else:
            messages.success(request, _("帮扶记录已保存。"))
            return redirect("support:detail", pk=support.pk)
    return render(request, "support/form.html", {"form": form, "support": support})


@login_required
@require_POST
def item_add(request, pk):
    support = _editable(request, pk)
    form = SupportItemForm(request.POST)
    if form.is_valid():
        try:
            services.add_support_item(support, actor=request.user, **form.service_values())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("物资明细已添加。"))
            return redirect("support:detail", pk=support.pk)
    # The detail page again, with the item form's errors beside its fields.
    return render(request, "support/detail.html", _detail_context(request, support, form))


@login_required
@require_POST
def item_delete(request, pk, item_pk):
    support = _editable(request, pk)
    item = get_object_or_404(support.items, pk=item_pk)
    services.delete_support_item(item, actor=request.user)
    messages.success(request, _("物资明细已删除。"))
    return redirect("support:detail", pk=support.pk)
