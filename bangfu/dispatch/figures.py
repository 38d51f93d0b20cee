"""Counts the reports quote ("选派…6批31人次…骨干教师比例为72.73%") and the rotation look-ups.

Each function takes an already scoped queryset (or the user) and costs the
number of queries its docstring names, whatever the number of rows.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Max, Q

from bangfu.orgs.models import Organisation

from .models import Dispatch, Trainee


def share_percent(part: int, whole: int) -> Decimal:
    """part / whole in percent, rounded half-up to 2 places: 8 of 11 → Decimal('72.73')."""
    if not whole:
        return Decimal("0.00")
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def dispatch_figures(queryset) -> dict:
    """Batches (distinct), person-times (rows), people (distinct), backbone people and share.

    One query. A person counts as backbone when any of their dispatches in the
    queryset was made while they were a backbone teacher.
    """
    totals = queryset.order_by().aggregate(
        batches=Count("batch", distinct=True),
        person_times=Count("pk"),
        people=Count("person", distinct=True),
        backbone_people=Count("person", distinct=True, filter=Q(was_backbone=True)),
    )
    totals["backbone_share"] = share_percent(totals["backbone_people"], totals["people"])
    return totals


def visit_figures(queryset) -> dict:
    """Batches, trainees (= person-times), distinct people, and the same by sending region.

    Two queries.
    """
    trainees = Trainee.objects.filter(batch__in=queryset.order_by().values("pk"))
    totals = trainees.aggregate(trainees=Count("pk"), people=Count("person", distinct=True))
    rows = (
        queryset.order_by()
        .values("sending_region_id", "sending_region__name")
        .annotate(
            n_batches=Count("pk", distinct=True),
            n_trainees=Count("trainees", distinct=True),
            n_people=Count("trainees__person", distinct=True),
        )
        .order_by("sending_region__name")
    )
    by_region = [
        {
            "region_id": r["sending_region_id"],
            "region": r["sending_region__name"],
            "batches": r["n_batches"],
            "trainees": r["n_trainees"],
            "people": r["n_people"],
        }
        for r in rows
    ]
    totals["batches"] = sum(r["batches"] for r in by_region)
    totals["by_sending_region"] = by_region
    return totals


def ending_soon(queryset, today: dt.date, days: int = 60):
    """Active dispatches whose term ends within ``days`` from ``today`` (rotation: 轮换)."""
    return queryset.filter(
        status=Dispatch.Status.ACTIVE,
        end_date__gte=today,
        end_date__lte=today + dt.timedelta(days=days),
    ).order_by("end_date", "id")


def hosts_without_cover(user, today: dt.date):
    """Host organisations that had a dispatched person in the past year and none active or planned now.

    Hosts are taken from the dispatches the user sees. Cover is looked for
    among every dispatch: a school another sender covers needs no reminder.
    One query; each row carries ``last_end`` (the latest term end there).
    """
    year_ago = today - dt.timedelta(days=365)
    recent = (
        Dispatch.objects.visible_to(user)
        .filter(host__isnull=False, start_date__lte=today, end_date__gte=year_ago)
        .exclude(status=Dispatch.Status.PLANNED)
        .values("host_id")
    )
    covered = Dispatch.objects.filter(
        host__isnull=False, status__in=[Dispatch.Status.PLANNED, Dispatch.Status.ACTIVE]
    ).values("host_id")
    return (
        Organisation.objects.filter(pk__in=recent)
        .exclude(pk__in=covered)
        .select_related("region")
        .annotate(last_end=Max("hosted_dispatches__end_date"))
        .order_by("last_end", "id")
    )
