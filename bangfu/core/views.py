from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from bangfu.core.reminders import reminders_for
from bangfu.orgs.models import Organisation
from bangfu.pairings.models import Pairing, RegionPairing


@login_required
def home(request):
    user = request.user
    pairings = Pairing.objects.visible_to(user)
    context = {
        "region_pairing_count": RegionPairing.objects.visible_to(user).count(),
        "pairing_count": pairings.count(),
        "active_pairing_count": pairings.filter(status=Pairing.Status.ACTIVE).count(),
        "organisation_count": Organisation.objects.visible_to(user).count(),
        "recent_pairings": pairings.prefetch_related("parties__organisation").order_by(
            "-updated_at"
        )[:8],
        "reminders": reminders_for(user, timezone.localdate()),
    }
    return render(request, "core/home.html", context)


@require_GET
def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    return render(request, "500.html", status=500)
