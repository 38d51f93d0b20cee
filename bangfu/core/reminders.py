"""The home page's reminders: what is waiting for this user to act.

Each reminder is a count and the first few records, for the sides the user
acts for (core.access.side_pairings_q); read-only accounts get none. About
two queries per reminder, whatever the number of rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from bangfu.core import access
from bangfu.lib.semester import academic_year, semester_of

SHOWN = 5
NEED_WAIT_DAYS = 30
TERM_ENDING_DAYS = 60


@dataclass
class Reminder:
    key: str
    label: str
    count: int
    url: str
    items: list[tuple[str, str]] = field(default_factory=list)  # (text, url)


def _collect(key, label, queryset, url, text, link, count=None) -> Reminder | None:
    items = list(queryset[:SHOWN])
    total = count if count is not None else (len(items) if len(items) < SHOWN else queryset.count())
    if not total:
        return None
    return Reminder(key, label, total, url, [(text(obj), link(obj)) for obj in items])


def reminders_for(user, today: dt.date) -> list[Reminder]:
    if not access.is_writer(user):
        return []
    from bangfu.activities.models import Activity, ActivityType
    from bangfu.dispatch.figures import ending_soon, hosts_without_cover
    from bangfu.dispatch.models import Dispatch
    from bangfu.needs.models import Need
    from bangfu.pairings.models import Pairing
    from bangfu.plans.models import Plan

    as_helper = access.side_pairings_q(user, "helper", prefix="pairing__")
    as_recipient = access.side_pairings_q(user, "recipient", prefix="pairing__")
    my_pairings = Pairing.objects.filter(
        access.side_pairings_q(user, "helper") | access.side_pairings_q(user, "recipient"),
        status=Pairing.Status.ACTIVE,
    )
    semester = semester_of(today)
    found: list[Reminder | None] = []

    waited = today - dt.timedelta(days=NEED_WAIT_DAYS)
    found.append(
        _collect(
            "needs",
            _("超过30天无人认领的需求"),
            Need.objects.filter(as_helper, status=Need.Status.OPEN, claimed_by__isnull=True)
            .filter(created_at__date__lt=waited)
            .select_related("pairing")
            .order_by("created_at"),
            reverse("needs:list") + "?status=open",
            lambda n: f"{n.title}({n.pairing})",
            lambda n: reverse("needs:detail", args=[n.pk]),
        )
    )
    found.append(
        _collect(
            "plans_helper",
            _("待本方确认的帮扶计划"),
            Plan.objects.filter(
                (as_helper & _unconfirmed_by("helper"))
                | (as_recipient & _unconfirmed_by("recipient")),
                status=Plan.Status.DRAFT,
            ).order_by("academic_year", "term", "id"),
            reverse("plans:list") + "?status=draft",
            lambda p: f"{p.title}({p.period_label})",
            lambda p: reverse("plans:detail", args=[p.pk]),
        )
    )
    found.append(
        _collect(
            "activities",
            _("待受援方确认的活动"),
            Activity.objects.filter(
                as_recipient, confirmation=Activity.Confirmation.PENDING
            ).order_by("start_date", "id"),
            reverse("activities:list") + "?confirmation=pending",
            lambda a: f"{a.start_date:%Y-%m-%d} {a.title}",
            lambda a: reverse("activities:detail", args=[a.pk]),
        )
    )
    found.append(
        _collect(
            "terms",
            _("60天内期满的援派"),
            ending_soon(Dispatch.objects.visible_to(user), today, TERM_ENDING_DAYS).select_related(
                "person", "host"
            ),
            reverse("dispatch:rotation"),
            lambda d: f"{d.person} · {d.host or d.host_region} · {d.end_date:%Y-%m-%d}",
            lambda d: reverse("dispatch:detail", args=[d.pk]),
        )
    )
    found.append(
        _collect(
            "gaps",
            _("援派教师已期满、尚无接替的受援学校"),
            hosts_without_cover(user, today),
            reverse("dispatch:rotation"),
            lambda o: str(o),
            lambda o: reverse("orgs:detail", args=[o.pk]),
        )
    )
    active_this_semester = Activity.objects.filter(
        pairing__isnull=False, start_date__range=(semester.start, semester.end)
    ).values("pairing_id")
    found.append(
        _collect(
            "quiet",
            _("本学期尚无活动的结对"),
            my_pairings.exclude(pk__in=active_this_semester).order_by("start_date", "id"),
            reverse("pairings:list") + "?status=active",
            lambda p: str(p),
            lambda p: reverse("pairings:detail", args=[p.pk]),
        )
    )
    from bangfu.activities.services import pairings_missing_symposium

    found.append(
        _collect(
            "symposium",
            _("本学年尚未举行协作研讨会的结对"),
            pairings_missing_symposium(my_pairings, academic_year(today)).order_by("id"),
            reverse("activities:list") + "?missing_symposium=1",
            lambda p: str(p),
            lambda p: (
                reverse("activities:create") + f"?pairing={p.pk}&type={ActivityType.SYMPOSIUM}"
            ),
        )
    )
    return [r for r in found if r is not None]


def _unconfirmed_by(side: str) -> Q:
    return Q(**{f"{side}_confirmed_at__isnull": True})
