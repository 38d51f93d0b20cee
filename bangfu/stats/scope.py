"""Scope, period, the rows each source counts, and the figure types (see engine.py).

The public API is re-exported by bangfu.stats.engine; read its docstring.

Scope rules. A region scope counts activities whose helper region is inside it
("as helper") and those whose recipient region is inside it ("as recipient"),
each as its own role when it has rows; dispatches by sender region or host
region, visits by host region or sending region, support by donor region or
recipient region. An organisation scope counts activities it organises,
receives or whose pairing it belongs to; dispatches it sends or hosts; visits
it hosts; support it gives or receives. A pairing scope counts its own rows.
Period: activities, dispatches and visit batches by start date, support by
date, training classes by start date, projects overlapping the period, needs
raised up to the end of the period (with their present status).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from bangfu.activities.models import Activity, ActivityType
from bangfu.core import access
from bangfu.dispatch.figures import share_percent
from bangfu.dispatch.models import Dispatch, Enrolment, Trainee, TrainingClass, VisitBatch
from bangfu.lib.semester import Semester
from bangfu.needs.models import Need
from bangfu.orgs.models import Organisation
from bangfu.pairings.models import Pairing, PairingParty
from bangfu.plans.models import Project
from bangfu.regions.models import Region
from bangfu.support.models import Support

HELPER, RECIPIENT, ALL = "helper", "recipient", "all"
COUNTRY_NAME = "全国"
OPEN_NEED_STATUSES = ["open", "planned", "in_progress"]
# How the bulletins name the types (the seeds write 现场课, not 现场课/示范课).
PROSE_TYPE_NAMES = {
    ActivityType.DEMO_LESSON: "现场课",
    ActivityType.VIDEO_MEETING: "视频会议",
    ActivityType.DIAGNOSTIC_VISIT: "调研走访",
}


class ScopeNotVisible(Exception):
    """The user may not see the organisation or pairing asked for."""


def region_name(region) -> str:
    """The short name the reports use (宁城, 莫旗, 顺平): short name, else a county without 县."""
    if region is None:
        return ""
    if region.short_name:
        return region.short_name
    name = region.name
    # 顺平县 → 顺平 as the reports write it; 石景山区 and 东乡族自治县 stay whole.
    if name.endswith("县") and not name.endswith("自治县") and len(name) >= 3:
        return name[:-1]
    return name


def org_name(org) -> str:
    return (org.short_name or org.name) if org else ""


@dataclasses.dataclass(frozen=True)
class Period:
    date_from: dt.date
    date_until: dt.date

    def __post_init__(self):
        if self.date_until < self.date_from:
            raise ValueError(_("统计期间的结束日期不能早于开始日期。"))

    @property
    def label(self) -> str:
        return f"{_cn_date(self.date_from)}至{_cn_date(self.date_until)}"

    def as_params(self) -> dict:
        return {"from": self.date_from.isoformat(), "until": self.date_until.isoformat()}


def _cn_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


@dataclasses.dataclass
class Scope:
    region: Region | None = None
    organisation: Organisation | None = None
    pairing: Pairing | None = None
    user: object = None
    # The whole country: only for a user who sees every activity (or none: the command line).
    country: bool = False

    def __post_init__(self):
        given = [x for x in (self.region, self.organisation, self.pairing) if x is not None]
        if len(given) + bool(self.country) != 1:
            raise ValueError(_("请选择一个统计范围:地区、单位或结对关系之一。"))
        if self.user is None:
            return
        if self.country:
            if not access.sees_every_activity(self.user):
                raise ScopeNotVisible
            return
        # Regions are public reference data: their figures are counted only over
        # the rows the user sees. Organisations and pairings must be visible.
        if self.organisation is not None:
            visible = Organisation.objects.visible_to(self.user).filter(pk=self.organisation.pk)
        elif self.pairing is not None:
            visible = Pairing.objects.visible_to(self.user).filter(pk=self.pairing.pk)
        else:
            return
        if not visible.exists():
            raise ScopeNotVisible

    @property
    def kind(self) -> str:
        if self.country:
            return "country"
        if self.region is not None:
            return "region"
        return "organisation" if self.organisation is not None else "pairing"

    @property
    def name(self) -> str:
        """The scope's full name, as the subject of a bulletin."""
        if self.country:
            return COUNTRY_NAME
        if self.region is not None:
            return self.region.name
        if self.organisation is not None:
            return self.organisation.name
        return str(self.pairing)

    @property
    def short_name(self) -> str:
        if self.country:
            return COUNTRY_NAME
        if self.region is not None:
            return region_name(self.region)
        if self.organisation is not None:
            return org_name(self.organisation)
        return str(self.pairing)

    def as_params(self) -> dict:
        if self.country:
            return {"country": "1"}
        if self.region is not None:
            return {"region": self.region.code or self.region.name}
        if self.organisation is not None:
            return {"org": str(self.organisation.pk)}
        return {"pairing": str(self.pairing.pk)}

    def restrict(self, queryset):
        return queryset.visible_to(self.user) if self.user is not None else queryset

    # -- which rows are in scope, per source ----------------------------------

    def _subtree(self, prefix: str) -> Q:
        return self.region.subtree_q(prefix)

    def _org_pairings(self):
        return PairingParty.objects.filter(organisation=self.organisation).values("pairing_id")

    def activity_q(self, role: str) -> Q:
        if self.country:
            return Q()
        if self.region is not None:
            if role == HELPER:
                return self._subtree("helper_region__")
            if role == RECIPIENT:
                return self._subtree("recipient_region__")
            return self._subtree("helper_region__") | self._subtree("recipient_region__")
        if self.organisation is not None:
            received = Activity.receivers.through.objects.filter(
                organisation=self.organisation
            ).values("activity_id")
            return (
                Q(organiser=self.organisation)
                | Q(pk__in=received)
                | Q(pairing__in=self._org_pairings())
            )
        return Q(pairing=self.pairing)

    def either(self, org_fields, region_fields) -> Q:
        if self.country:
            return Q()
        if self.region is not None:
            q = Q(pk__in=[])
            for field in org_fields:
                q |= self._subtree(f"{field}__region__")
            for field in region_fields:
                q |= self._subtree(f"{field}__")
            return q
        if self.organisation is not None:
            q = Q(pk__in=[])
            for field in org_fields:
                q |= Q(**{field: self.organisation})
            return q
        return Q(pairing=self.pairing)


# -- the rows behind each source ------------------------------------------------


def _span(period: Period, field: str = "start_date") -> dict:
    return {f"{field}__gte": period.date_from, f"{field}__lte": period.date_until}


def activities(scope: Scope, period: Period, role: str = ALL):
    qs = scope.restrict(Activity.objects.all())
    return qs.filter(scope.activity_q(role), **_span(period))


def visit_batches(scope: Scope, period: Period):
    qs = scope.restrict(VisitBatch.objects.all())
    if scope.organisation is not None:
        q = Q(host=scope.organisation)
    else:
        q = scope.either(["host"], ["sending_region"])
    return qs.filter(q, **_span(period))


def trainees(scope: Scope, period: Period, role: str = ALL):
    return Trainee.objects.filter(batch__in=visit_batches(scope, period).values("pk"))


def dispatches(scope: Scope, period: Period, role: str = ALL):
    qs = scope.restrict(Dispatch.objects.all())
    return qs.filter(scope.either(["sender", "host"], ["host_region"]), **_span(period))


def training_classes(scope: Scope, period: Period, role: str = ALL):
    qs = scope.restrict(TrainingClass.objects.all())
    return qs.filter(scope.either(["organiser"], []), **_span(period))


def enrolments(scope: Scope, period: Period, role: str = ALL):
    return Enrolment.objects.filter(training_class__in=training_classes(scope, period).values("pk"))


def support(scope: Scope, period: Period, role: str = ALL):
    qs = scope.restrict(Support.objects.all())
    return qs.filter(
        scope.either(["donor", "recipient"], ["recipient_region"]), **_span(period, "date")
    )


def needs(scope: Scope, period: Period, role: str = ALL):
    qs = scope.restrict(Need.objects.all())
    return qs.filter(
        scope.either(["organisation", "claimed_by"], []),
        created_at__date__lte=period.date_until,
    )


def projects(scope: Scope, period: Period, role: str = ALL):
    qs = scope.restrict(Project.objects.all())
    if scope.pairing is not None:
        q = Q(
            pk__in=Activity.projects.through.objects.filter(activity__pairing=scope.pairing).values(
                "project_id"
            )
        )
    else:
        q = scope.either(["owner"], ["recipient_region"])
    return qs.filter(q, start_date__lte=period.date_until, end_date__gte=period.date_from)


SOURCES = {
    "activity": activities,
    "trainee": trainees,
    "dispatch": dispatches,
    "training_class": training_classes,
    "enrolment": enrolments,
    "support": support,
    "need": needs,
    "project": projects,
}


def drill_queryset(scope: Scope, period: Period, drill: dict):
    """Exactly the rows a figure counts (its ``measure`` says how: count, sum, distinct)."""
    base = SOURCES[drill["source"]](scope, period, drill.get("role", ALL))
    return base.filter(**drill.get("filter", {})).order_by()


def evaluate(rows, measure: tuple):
    """A figure's value recomputed over its drill-down rows (one query)."""
    kind = measure[0]
    if kind == "count":
        return rows.count()
    if kind == "sum":
        return rows.aggregate(v=Sum(measure[1]))["v"] or 0
    if kind == "distinct":
        return rows.aggregate(v=Count(measure[1], distinct=True))["v"]
    if kind == "share":  # ("share", distinct field or None, numerator filter)
        field, part = measure[1], measure[2]
        agg = Count(field, distinct=True) if field else Count("pk")
        agg_part = (
            Count(field, distinct=True, filter=Q(**part))
            if field
            else Count("pk", filter=Q(**part))
        )
        totals = rows.aggregate(whole=agg, part=agg_part)
        return share_percent(totals["part"], totals["whole"])
    if kind == "share_sum":  # ("share_sum", field, numerator filter)
        field, part = measure[1], measure[2]
        totals = rows.aggregate(whole=Sum(field), part=Sum(field, filter=Q(**part)))
        return share_percent(totals["part"] or 0, totals["whole"] or 0)
    raise ValueError(kind)


# -- figures ----------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Figure:
    key: str
    label: str
    value: int | Decimal
    unit: str
    approx: bool = False
    drill: dict = dataclasses.field(default_factory=dict)
    measure: tuple = ("count",)
    group: str = ""


@dataclasses.dataclass
class TrendPoint:
    """造血 by semester: how much of the work the recipient side's teachers led."""

    semester: Semester
    activities: int
    recipient_led: int
    joint: int
    person_times: int
    recipient_led_person_times: int

    @property
    def label(self) -> str:
        return self.semester.label

    @property
    def share(self) -> Decimal:
        return share_percent(self.recipient_led, self.activities)

    @property
    def person_times_share(self) -> Decimal:
        return share_percent(self.recipient_led_person_times, self.person_times)


GROUP_LABELS = {
    "activities": "活动",
    "direction": "人次与培训",
    "schools": "参与学校",
    "regions": "分地区",
    "capacity": "造血指数",
    "visits": "来访跟岗",
    "dispatch": "选派",
    "classes": "培训班",
    "support": "物资与资金",
    "needs": "需求",
    "projects": "项目",
}


@dataclasses.dataclass
class Figures:
    scope: Scope
    period: Period
    roles: list[str]
    items: dict[str, Figure]
    trend: dict[str, list[TrendPoint]]
    regions: dict[int, Region]
    # For the bulletin's prose: per role, the counterpart regions of each type.
    type_regions: dict = dataclasses.field(default_factory=dict)
    # The partner organisations of an organisation or pairing scope (short names).
    counterparts: list[str] = dataclasses.field(default_factory=list)
    # Per role: {(first of month, type): activities}, for the month chart.
    monthly: dict = dataclasses.field(default_factory=dict)

    def get(self, key: str) -> Figure | None:
        return self.items.get(key)

    def value(self, key: str, default=0):
        figure = self.items.get(key)
        return figure.value if figure else default

    def with_prefix(self, prefix: str) -> list[Figure]:
        return [f for k, f in self.items.items() if k.startswith(prefix)]

    def groups(self) -> list[tuple[str, list[Figure]]]:
        """Figures grouped for tables and spreadsheet sheets, in computing order."""
        grouped: dict[str, list[Figure]] = {}
        for figure in self.items.values():
            grouped.setdefault(figure.group, []).append(figure)
        return list(grouped.items())

    @property
    def is_empty(self) -> bool:
        return not any(f.value for f in self.items.values())

    def region_label(self, region_id) -> str:
        return region_name(self.regions.get(region_id))


ROLE_LABELS = {HELPER: "作为帮扶方", RECIPIENT: "作为受援方", ALL: ""}


class _Builder:
    def __init__(self, scope: Scope, period: Period):
        self.scope, self.period = scope, period
        self.items: dict[str, Figure] = {}
        self.region_ids: set[int] = set()
        self.type_regions: dict[str, dict[str, set]] = {}
        # role → {(first of month, type): activities}, for the month chart.
        self.monthly: dict[str, dict[tuple, int]] = {}

    def add(self, key, label, value, unit, drill, measure=("count",), group="", approx=False):
        self.items[key] = Figure(
            key=key,
            label=label,
            value=value if value is not None else 0,
            unit=unit,
            approx=approx,
            drill=drill,
            measure=measure,
            group=_(GROUP_LABELS.get(group, group)),
        )
