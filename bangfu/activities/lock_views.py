"""Ledger review: a coordinator locks a semester's ledger, and may reopen it with a reason."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from bangfu.core import access
from bangfu.core.listing import paginate
from bangfu.pairings.views import apply_errors

from . import rules, services
from .forms import LockForm, ReopenForm
from .models import LedgerLock


@login_required
@require_http_methods(["GET", "POST"])
def lock_list(request):
    user = request.user
    can_lock = rules.can_lock_anything(user)
    if request.method == "POST" and not can_lock:
        raise PermissionDenied
    form = LockForm(request.POST or None, user=user) if can_lock else None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.lock_period(
                actor=user,
                academic_year=data["academic_year"],
                term=data["term"],
                pairing=data.get("pairing"),
                region=data.get("region"),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("该学期台账已锁定。"))
            return redirect("activities:locks")
    locks = (
        LedgerLock.objects.visible_to(user)
        .select_related("pairing", "region", "locked_by", "reopened_by")
        .prefetch_related("pairing__parties__organisation__region")
    )
    page_obj = paginate(request, locks)
    context = {
        "form": form,
        "page_obj": page_obj,
        "reopen_form": ReopenForm(),
        "reopenable": {
            lock.pk
            for lock in page_obj
            if can_lock and lock.is_active and rules.can_reopen_lock(user, lock)
        },
    }
    return render(request, "activities/locks.html", context)


@login_required
@require_POST
def lock_reopen(request, pk):
    lock = access.get_visible_or_404(
        LedgerLock.objects.select_related("region").prefetch_related(
            "pairing__parties__organisation__region"
        ),
        request.user,
        pk=pk,
    )
    if not rules.can_reopen_lock(request.user, lock):
        raise PermissionDenied
    form = ReopenForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写重新开放的原因。"))
        return redirect("activities:locks")
    try:
        services.reopen_period(lock, actor=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("已重新开放:%(lock)s。") % {"lock": lock})
    return redirect("activities:locks")
