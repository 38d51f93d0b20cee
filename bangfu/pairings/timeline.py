"""The pairing's work timeline (工作时间线): every kind of ledger record, newest first.

One query per kind, each limited to the latest ``PER_KIND`` records, so the
cost does not grow with the ledger. Every kind is read through its model's
``visible_to(user)``: the timeline never shows what the user may not open.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

PER_KIND = 200


@dataclasses.dataclass(frozen=True)
class Entry:
    date: dt.date
    kind: str
    title: str
    url: str | None
    summary: str


def _url(names: str | tuple[str, ...], *args) -> str | None:
    """The first of ``names`` that resolves, else None.

    Detail pages of several apps are still being built: without one, the
    entry shows its title without a link.
    """
    for name in (names,) if isinstance(names, str) else names:
        try:
            return reverse(name, args=args)
        except NoReverseMatch:
            continue
    return None


def _day(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return timezone.localdate(value) if timezone.is_aware(value) else value.date()
    return value


def _needs(pairing, user):
    from bangfu.needs.models import Need

    rows = (
        Need.objects.visible_to(user)
        .filter(pairing=pairing)
        .select_related("category")
        .order_by("-created_at", "-id")[:PER_KIND]
    )
    for need in rows:
        yield Entry(
            _day(need.created_at),
            _("需求"),
            need.title,
            _url("needs:detail", need.pk),
            f"{need.category} · {need.get_status_display()}",
        )


def _plans(pairing, user):
    from bangfu.plans.models import Plan

    rows = Plan.objects.visible_to(user).filter(pairing=pairing).order_by("-created_at", "-id")
    for plan in rows[:PER_KIND]:
        yield Entry(
            _day(plan.created_at),
            _("帮扶计划"),
            str(plan),
            _url("plans:detail", plan.pk),
            f"{plan.period_label} · {plan.get_status_display()}",
        )


def _activities(pairing, user):
    from bangfu.activities.models import Activity

    rows = Activity.objects.visible_to(user).filter(pairing=pairing).order_by("-start_date", "-id")
    for activity in rows[:PER_KIND]:
        summary = activity.get_type_display()
        if activity.person_times:
            summary += " · " + _("%(n)d 人次") % {"n": activity.person_times}
        yield Entry(
            activity.start_date,
            _("活动"),
            activity.title,
            _url("activities:detail", activity.pk),
            summary,
        )


def _dispatches(pairing, user):
    from bangfu.dispatch.models import Dispatch

    rows = (
        Dispatch.objects.visible_to(user)
        .filter(pairing=pairing)
        .select_related("person", "host", "host_region")
        .order_by("-start_date", "-id")[:PER_KIND]
    )
    for dispatch in rows:
        yield Entry(
            dispatch.start_date,
            _("援派/支教"),
            str(dispatch),
            _url("dispatch:detail", dispatch.pk),
            f"{dispatch.get_role_display()} · {dispatch.get_term_display()} · "
            f"{dispatch.get_status_display()}",
        )


def _visit_batches(pairing, user):
    from bangfu.dispatch.models import VisitBatch

    rows = (
        VisitBatch.objects.visible_to(user)
        .filter(pairing=pairing)
        .select_related("host")
        .order_by("-start_date", "-id")[:PER_KIND]
    )
    for batch in rows:
        yield Entry(
            batch.start_date,
            _("跟岗批次"),
            batch.title,
            _url(("dispatch:visit_detail", "dispatch:batch_detail"), batch.pk),
            _("第 %(n)d 批 · 接待单位：%(host)s") % {"n": batch.number, "host": batch.host},
        )


def _training_classes(pairing, user):
    from bangfu.dispatch.models import TrainingClass

    rows = (
        TrainingClass.objects.visible_to(user)
        .filter(pairing=pairing)
        .select_related("organiser")
        .order_by("-start_date", "-id")[:PER_KIND]
    )
    for tc in rows:
        state = _("已结业") if tc.graduated else _("在训")
        yield Entry(
            tc.start_date,
            _("培训班"),
            tc.name,
            _url(("dispatch:class_detail", "dispatch:training_detail"), tc.pk),
            f"{tc.organiser} · {state}",
        )


def _support(pairing, user):
    from bangfu.support.models import Support
    from bangfu.support.money import format_amount

    rows = (
        Support.objects.visible_to(user)
        .filter(pairing=pairing)
        .select_related("donor")
        .order_by("-date", "-id")[:PER_KIND]
    )
    for support in rows:
        yield Entry(
            support.date,
            _("物资与资金帮扶"),
            support.title,
            _url("support:detail", support.pk),
            f"{support.get_kind_display()} · "
            f"{format_amount(support.amount_yuan, support.is_approximate)} · {support.donor}",
        )


def _resources(pairing, user):
    from bangfu.resources.models import SharedResource

    rows = (
        SharedResource.objects.visible_to(user)
        .filter(pairing=pairing)
        .select_related("owner")
        .order_by("-created_at", "-id")[:PER_KIND]
    )
    for resource in rows:
        yield Entry(
            _day(resource.created_at),
            _("共享资源"),
            resource.title,
            _url("resources:detail", resource.pk),
            f"{resource.get_kind_display()} · {resource.owner}",
        )


def _agreements(pairing, user):
    # Agreements and status changes belong to the pairing itself: whoever
    # sees the pairing (the caller fetched it through visible_to) sees them.
    for agreement in pairing.agreements.order_by("-signed_on", "-id")[:PER_KIND]:
        url = None
        if agreement.document:
            url = _url("pairings:agreement_document", pairing.pk, agreement.pk)
        yield Entry(
            agreement.signed_on,
            _("帮扶协议"),
            agreement.title,
            url,
            agreement.get_method_display(),
        )


def _status_changes(pairing, user):
    rows = pairing.status_changes.select_related("changed_by").order_by("-changed_at", "-id")
    for change in rows[:PER_KIND]:
        title = change.get_to_status_display()
        if change.from_status:
            title = f"{change.get_from_status_display()} → {title}"
        yield Entry(
            _day(change.changed_at),
            _("状态变更"),
            title,
            None,
            " · ".join(str(x) for x in (change.changed_by, change.note) if x),
        )


SOURCES = (
    _needs,
    _plans,
    _activities,
    _dispatches,
    _visit_batches,
    _training_classes,
    _support,
    _resources,
    _agreements,
    _status_changes,
)


def pairing_timeline(pairing, user) -> list[Entry]:
    """All kinds merged, newest first. Ten queries, whatever the number of records."""
    entries = [entry for source in SOURCES for entry in source(pairing, user)]
    # sorted() is stable: on the same day, kinds keep the order of SOURCES.
    return sorted(entries, key=lambda e: e.date, reverse=True)
