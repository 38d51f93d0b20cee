"""QR sign-in: opened and closed by the recording side, used on a phone without an account."""

import io

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bangfu.core import access
from bangfu.pairings.views import apply_errors
from bangfu.security.ratelimits import signin_limits

from . import rules, services
from .forms import SignInForm
from .models import Activity


def _managed_activity(request, pk):
    activity = access.get_visible_or_404(
        Activity.objects.select_related(
            "pairing", "region_pairing__helper_region"
        ).prefetch_related("pairing__parties__organisation__region"),
        request.user,
        pk=pk,
    )
    if not rules.can_edit_activity(request.user, activity):
        raise PermissionDenied
    return activity


def _toggle(request, pk, service, done_message):
    activity = _managed_activity(request, pk)
    try:
        service(activity, actor=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, done_message)
    return redirect("activities:detail", pk=activity.pk)


@login_required
@require_POST
def signin_open(request, pk):
    return _toggle(request, pk, services.open_signin, _("签到已开放,请展示二维码或短链接。"))


@login_required
@require_POST
def signin_close(request, pk):
    return _toggle(request, pk, services.close_signin, _("签到已关闭。"))


@login_required
@require_GET
def signin_qr(request, pk):
    """The QR code of the public sign-in page, as SVG, for whoever sees the activity."""
    activity = access.get_visible_or_404(Activity, request.user, pk=pk)
    if not activity.signin_open:
        raise Http404
    url = request.build_absolute_uri(
        reverse("activities:signin_public", args=[activity.signin_token])
    )
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=6, border=2, xmldecl=False)
    response = HttpResponse(out.getvalue(), content_type="image/svg+xml")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# THE ONLY PAGE WITHOUT LOGIN. Whoever holds the token of an open sign-in sees
# the activity's title and dates and may sign in; nothing else of the ledger is
# read or shown here, and a closed or unknown token looks the same (404).
@require_http_methods(["GET", "POST"])
@signin_limits
def signin_public(request, token):
    activity = (
        Activity.objects.filter(signin_token=token, signin_open=True)
        .only("pk", "title", "start_date", "end_date", "signin_open")
        .first()
    )
    if activity is None:
        return render(request, "activities/signin_closed.html", status=404)
    form = SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.sign_in(activity, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return render(
                request,
                "activities/signin_done.html",
                {"title": activity.title, "name": form.cleaned_data["name"]},
            )
    context = {
        "form": form,
        "title": activity.title,
        "start_date": activity.start_date,
        "end_date": activity.end_date,
    }
    return render(request, "activities/signin_public.html", context)
