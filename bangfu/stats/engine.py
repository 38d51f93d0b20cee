"""The figures the reports quote, computed from the ledger for a scope and a period.

Public API (the dashboard builds on it; the names are re-exported here):

- ``Scope(region=… | organisation=… | pairing=…, user=…)``: exactly one of the
  three; with a user every queryset is first restricted by ``visible_to(user)``
  and a scope the user may not see raises :class:`ScopeNotVisible`.
- ``Period(date_from, date_until)``: inclusive; ``ValueError`` (Chinese
  message) when it ends before it starts.
- ``compute(scope, period) -> Figures``: every :class:`Figure` with its key,
  Chinese label, value, unit, approx flag and ``drill`` (the filter that
  reproduces the rows counted); ``drill_queryset(scope, period, figure.drill)``
  gives those rows and ``evaluate(rows, figure.measure)`` recomputes the value.
  ``Figures.trend[role]`` is the 造血 index by semester.

How scope and period select rows: see bangfu/stats/scope.py.
Cost: ``compute`` runs a bounded number of aggregate queries (about 15 for an
organisation, up to 19 for a region that is both helper and recipient),
whatever the number of rows.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from bangfu.activities.models import Activity, ActivityType, session_unit
from bangfu.core import access
from bangfu.dispatch.figures import dispatch_figures, share_percent, visit_figures
from bangfu.lib.semester import Semester, semester_of
from bangfu.orgs.models import Organisation
from bangfu.pairings.models import PairingParty
from bangfu.plans.models import Project
from bangfu.regions.models import Region
from bangfu.support.models import Support

from . import rollup
from .scope import (  # noqa: F401  (re-exported: the engine's public API)
    ALL,
    HELPER,
    OPEN_NEED_STATUSES,
    PROSE_TYPE_NAMES,
    RECIPIENT,
    ROLE_LABELS,
    SOURCES,
    Figure,
    Figures,
    Period,
    Scope,
    ScopeNotVisible,
    TrendPoint,
    _Builder,
    activities,
    dispatches,
    drill_queryset,
    enrolments,
    evaluate,
    needs,
    projects,
    region_name,
    support,
    training_classes,
    visit_batches,
)


def _rollup_source(scope: Scope, role: str) -> tuple[str, int] | None:
    """(roll-up role, region id) when the roll-ups answer this scope, else None (read the ledger).

    They do for the whole country and for a province or prefecture the user sees
    in full; a county, a school or a pairing is a short index range of the ledger.
    """
    if scope.country:
        return ALL, 0
    region = scope.region
    if region is None or region.level not in rollup.ROLLUP_LEVELS:
        return None
    if scope.user is not None and not access.sees_whole_region(scope.user, region):
        return None
    return role, region.pk


def _roles(scope: Scope, period: Period) -> list[str]:
    """A region is a helper, a recipient or both.

    Ledger scopes: one query. Roll-up scopes: one roll-up query for the whole
    months, and for partial months one EXISTS per role still unseen (each an
    index range: a combined OR across both sides would scan the period).
    """
    if scope.region is None:
        return [ALL]
    if _rollup_source(scope, HELPER) is None:
        helper_q, recipient_q = scope.activity_q(HELPER), scope.activity_q(RECIPIENT)
        counts = activities(scope, period).aggregate(
            h=Count("pk", filter=helper_q), r=Count("pk", filter=recipient_q)
        )
        roles = [role for role, key in ((HELPER, "h"), (RECIPIENT, "r")) if counts[key]]
        return roles or [HELPER]
    split = rollup.split(period.date_from, period.date_until)
    seen: set[str] = set()
    if split.first_month is not None:
        seen = rollup.roles_present(scope.region.pk, split.first_month, split.last_month)
    for role in (HELPER, RECIPIENT):
        if role in seen:
            continue
        for date_from, date_until in split.edges:
            if activities(scope, Period(date_from, date_until), role).exists():
                seen.add(role)
                break
    return [role for role in (HELPER, RECIPIENT) if role in seen] or [HELPER]


def _activity_rows(scope: Scope, period: Period, role: str, other: str):
    """Grouped activity rows of the scope, role and period, and where they came from.

    Returns (main, by_other, type_other, other_level): ``main`` rows are
    (month, type, direction, led_by, n, sessions, person_times, trained);
    ``by_other`` maps the other side's region to (n, person_times, trained);
    ``type_other`` is (type, other region) pairs (ledger only); ``other_level``
    is "county" when by_other is by the other side's own region, "prefecture"
    when by its prefecture (roll-ups).
    """
    source = _rollup_source(scope, role)
    if source is None:
        base = activities(scope, period, role)
        main = list(rollup.ledger_main_rows(base))
        by_other: dict = defaultdict(lambda: [0, 0, 0])
        type_other = set()
        rows = (
            base.order_by()
            .values_list("type", other)
            .annotate(n=Count("pk"), pt=Sum("person_times"), tr=Sum("recipient_headcount"))
        )
        for t, rid, n, pt, tr in rows:
            if rid is None:
                continue
            type_other.add((t, rid))
            acc = by_other[rid]
            acc[0], acc[1], acc[2] = acc[0] + n, acc[1] + (pt or 0), acc[2] + (tr or 0)
        return main, by_other, type_other, "county"
    rollup_role, region_id = source
    split = rollup.split(period.date_from, period.date_until)
    main: list = []
    by_other = defaultdict(lambda: [0, 0, 0])
    parts = []
    if split.first_month is not None:
        main += list(rollup.main_rows(rollup_role, region_id, split.first_month, split.last_month))
        parts.append(rollup.other_rows(rollup_role, region_id, split.first_month, split.last_month))
    for date_from, date_until in split.edges:
        edge = activities(scope, Period(date_from, date_until), role)
        main += list(rollup.ledger_main_rows(edge))
        parts.append(rollup.ledger_other_rows(edge, other))
    for part in parts:
        for rid, values in part.items():
            if not rid:
                continue
            acc = by_other[rid]
            for i, v in enumerate(values):
                acc[i] += v or 0
    return main, by_other, set(), "prefecture"


def _activity_figures(b: _Builder, role: str) -> list[TrendPoint]:
    """Two grouped reads (ledger or roll-ups), two for schools (ledger scopes only)."""
    scope, period = b.scope, b.period
    p = f"act.{role}." if role != ALL else "act."
    lab = (_(ROLE_LABELS[role]) + " ") if ROLE_LABELS[role] else ""
    other = "helper_region" if role == RECIPIENT else "recipient_region"

    def drill(**flt):
        return {"source": "activity", "role": role, "filter": flt}

    by_type = defaultdict(lambda: [0, 0, 0, 0])
    by_dir = defaultdict(lambda: [0, 0, 0])
    by_led = defaultdict(lambda: [0, 0])
    monthly = b.monthly.setdefault(role, defaultdict(int))
    points: dict[Semester, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    total = [0, 0, 0]
    led = Activity.LedBy
    main, by_region, type_other, other_level = _activity_rows(scope, period, role, other)
    for month, t, direction, led_by, n, s, pt, tr in main:
        if isinstance(month, dt.datetime):
            month = month.date()
        elif isinstance(month, str):
            month = dt.date.fromisoformat(month[:10])
        acc = by_type[t]
        acc[0], acc[1], acc[2], acc[3] = acc[0] + n, acc[1] + s, acc[2] + pt, acc[3] + tr
        for acc in (by_dir[direction], total):
            acc[0], acc[1], acc[2] = acc[0] + n, acc[1] + pt, acc[2] + tr
        by_led[led_by][0] += n
        by_led[led_by][1] += pt
        monthly[(month, t)] += n
        point = points[semester_of(month)]
        point[0] += n
        point[3] += pt
        if led_by == led.RECIPIENT:
            point[1] += n
            point[4] += pt
        elif led_by == led.JOINT:
            point[2] += n
    type_regions = b.type_regions.setdefault(role, defaultdict(set))
    for t, rid in type_other:
        type_regions[t].add(rid)

    b.add(p + "total.count", lab + _("活动总数"), total[0], "次", drill(), group="activities")
    for t in ActivityType:
        if t.value not in by_type:
            continue
        n, s, pt, tr = by_type[t.value]
        b.add(
            f"{p}type.{t.value}.count",
            lab + _("%(type)s(活动数)") % {"type": t.label},
            n,
            "次",
            drill(type=t.value),
            group="activities",
        )
        b.add(
            f"{p}type.{t.value}.sessions",
            lab + _("%(type)s(场次)") % {"type": t.label},
            s,
            session_unit(t.value),
            drill(type=t.value),
            ("sum", "sessions"),
            group="activities",
        )
        b.add(
            f"{p}type.{t.value}.person_times",
            lab + _("%(type)s(参与人次)") % {"type": t.label},
            pt,
            "人次",
            drill(type=t.value),
            ("sum", "person_times"),
            group="activities",
        )
        b.add(
            f"{p}type.{t.value}.trained",
            lab + _("%(type)s(培训受援方教师)") % {"type": t.label},
            tr,
            "人次",
            drill(type=t.value),
            ("sum", "recipient_headcount"),
            group="activities",
        )
    b.add(
        p + "total.person_times",
        lab + _("参与人次"),
        total[1],
        "人次",
        drill(),
        ("sum", "person_times"),
        group="direction",
    )
    b.add(
        p + "total.trained",
        lab + _("培训受援方教师"),
        total[2],
        "人次",
        drill(),
        ("sum", "recipient_headcount"),
        group="direction",
    )
    for d in Activity.Direction:
        if d.value not in by_dir:
            continue
        n, pt, tr = by_dir[d.value]
        b.add(
            f"{p}direction.{d.value}.count",
            lab + _("%(dir)s:活动数") % {"dir": d.label},
            n,
            "次",
            drill(direction=d.value),
            group="direction",
        )
        b.add(
            f"{p}direction.{d.value}.person_times",
            lab + _("%(dir)s:参与人次") % {"dir": d.label},
            pt,
            "人次",
            drill(direction=d.value),
            ("sum", "person_times"),
            group="direction",
        )
        b.add(
            f"{p}direction.{d.value}.trained",
            lab + _("%(dir)s:培训受援方教师") % {"dir": d.label},
            tr,
            "人次",
            drill(direction=d.value),
            ("sum", "recipient_headcount"),
            group="direction",
        )
    b.region_ids.update(by_region)
    prefectures = set()
    if other_level == "prefecture":
        prefectures = set(
            Region.objects.filter(pk__in=by_region, level=Region.Level.PREFECTURE).values_list(
                "pk", flat=True
            )
        )

    def region_drill(rid):
        if rid in prefectures:
            return drill(**{f"{other}__prefecture": rid})
        return drill(**{other: rid})

    for rid, (n, pt, tr) in by_region.items():
        b.add(
            f"{p}region.{rid}.count",
            ("%s", rid),
            n,
            "次",
            region_drill(rid),
            group="regions",
        )
        b.add(
            f"{p}region.{rid}.person_times",
            ("%s:参与人次", rid),
            pt,
            "人次",
            region_drill(rid),
            ("sum", "person_times"),
            group="regions",
        )
        b.add(
            f"{p}region.{rid}.trained",
            ("%s:培训受援方教师", rid),
            tr,
            "人次",
            region_drill(rid),
            ("sum", "recipient_headcount"),
            group="regions",
        )

    # Distinct schools cannot be summed from roll-ups: counted for ledger scopes only.
    schools = (
        activities(scope, period, role).order_by().filter(organiser__kind=Organisation.Kind.SCHOOL)
    )
    if _rollup_source(scope, role) is not None:
        schools = None
    for field, choices in (("direction", Activity.Direction), ("type", ActivityType)):
        if schools is None:
            break
        counts = dict(
            schools.values_list(field).annotate(n=Count("organiser", distinct=True)).order_by()
        )
        for choice in choices:
            if counts.get(choice.value):
                b.add(
                    f"{p}schools.{field}.{choice.value}",
                    lab + _("开展%(what)s的学校") % {"what": choice.label},
                    counts[choice.value],
                    "所",
                    drill(organiser__kind="school", **{field: choice.value}),
                    ("distinct", "organiser"),
                    group="schools",
                )

    rec_n, rec_pt = by_led.get(led.RECIPIENT, [0, 0])
    joint_n, joint_pt = by_led.get(led.JOINT, [0, 0])
    b.add(
        p + "capacity.recipient_led.count",
        lab + _("受援方教师主导的活动"),
        rec_n,
        "次",
        drill(led_by=led.RECIPIENT),
        group="capacity",
    )
    b.add(
        p + "capacity.joint.count",
        lab + _("双方共同主导的活动"),
        joint_n,
        "次",
        drill(led_by=led.JOINT),
        group="capacity",
    )
    b.add(
        p + "capacity.share",
        lab + _("造血指数:受援方主导活动占比"),
        share_percent(rec_n, total[0]),
        "%",
        drill(),
        ("share", None, {"led_by": led.RECIPIENT}),
        group="capacity",
    )
    b.add(
        p + "capacity.person_times_share",
        lab + _("造血指数:受援方主导活动人次占比"),
        share_percent(rec_pt, total[1]),
        "%",
        drill(),
        ("share_sum", "person_times", {"led_by": led.RECIPIENT}),
        group="capacity",
    )

    return [TrendPoint(sem, *points[sem]) for sem in sorted(points)]


def _visit_figures(b: _Builder):
    """Two queries (bangfu.dispatch.figures.visit_figures)."""
    v = visit_figures(visit_batches(b.scope, b.period))
    drill = {"source": "trainee", "filter": {}}
    b.add("visits.person_times", _("来访跟岗学员"), v["trainees"], "人次", drill, group="visits")
    b.add(
        "visits.people",
        _("来访跟岗学员(人数)"),
        v["people"],
        "名",
        drill,
        ("distinct", "person"),
        group="visits",
    )
    b.add(
        "visits.batches",
        _("来访跟岗批次"),
        v["batches"],
        "批次",
        drill,
        ("distinct", "batch"),
        group="visits",
    )
    for r in v["by_sending_region"]:
        rid = r["region_id"]
        b.region_ids.add(rid)
        flt = {"source": "trainee", "filter": {"batch__sending_region": rid}}
        b.add(
            f"visits.region.{rid}.person_times",
            ("%s:来访跟岗学员", rid),
            r["trainees"],
            "人次",
            flt,
            group="visits",
        )
        b.add(
            f"visits.region.{rid}.people",
            ("%s:来访跟岗学员(人数)", rid),
            r["people"],
            "名",
            flt,
            ("distinct", "person"),
            group="visits",
        )


def _dispatch_figures(b: _Builder):
    """One query (bangfu.dispatch.figures.dispatch_figures)."""
    d = dispatch_figures(dispatches(b.scope, b.period))
    drill = {"source": "dispatch", "filter": {}}
    g = "dispatch"
    b.add("dispatch.batches", _("选派批次"), d["batches"], "批次", drill, ("distinct", "batch"), g)
    b.add("dispatch.person_times", _("选派人次"), d["person_times"], "人次", drill, group=g)
    b.add("dispatch.people", _("选派人数"), d["people"], "名", drill, ("distinct", "person"), g)
    b.add(
        "dispatch.backbone_people",
        _("其中骨干教师"),
        d["backbone_people"],
        "名",
        {"source": "dispatch", "filter": {"was_backbone": True}},
        ("distinct", "person"),
        g,
    )
    b.add(
        "dispatch.backbone_share",
        _("骨干教师比例"),
        d["backbone_share"],
        "%",
        drill,
        ("share", "person", {"was_backbone": True}),
        g,
    )


def _class_figures(b: _Builder):
    """Two queries."""
    n = training_classes(b.scope, b.period).order_by().count()
    e = enrolments(b.scope, b.period).aggregate(
        enrolled=Count("pk"), graduated=Count("pk", filter=Q(graduated=True))
    )
    b.add(
        "classes.count",
        _("培训班"),
        n,
        "期",
        {"source": "training_class", "filter": {}},
        group="classes",
    )
    b.add(
        "classes.enrolled",
        _("培训班学员"),
        e["enrolled"],
        "名",
        {"source": "enrolment", "filter": {}},
        group="classes",
    )
    b.add(
        "classes.graduated",
        _("结业学员"),
        e["graduated"],
        "名",
        {"source": "enrolment", "filter": {"graduated": True}},
        group="classes",
    )


def _support_figures(b: _Builder):
    """One query."""
    rows = (
        support(b.scope, b.period)
        .order_by()
        .values("kind")
        .annotate(
            yuan=Sum("amount_yuan"),
            n=Count("pk"),
            # MAX over a boolean does not exist on PostgreSQL: count the approximate rows.
            approx=Count("pk", filter=Q(is_approximate=True)),
        )
    )
    total, any_approx = Decimal("0"), False
    by_kind = {r["kind"]: r for r in rows}
    for kind in Support.Kind:
        r = by_kind.get(kind.value)
        if not r:
            continue
        total += r["yuan"] or 0
        any_approx = any_approx or bool(r["approx"])
        b.add(
            f"support.{kind.value}.yuan",
            kind.label,
            r["yuan"] or Decimal("0"),
            "元",
            {"source": "support", "filter": {"kind": kind.value}},
            ("sum", "amount_yuan"),
            "support",
            approx=bool(r["approx"]),
        )
    if by_kind:
        b.add(
            "support.total.yuan",
            _("物资与资金帮扶合计"),
            total,
            "元",
            {"source": "support", "filter": {}},
            ("sum", "amount_yuan"),
            "support",
            approx=any_approx,
        )


def _need_figures(b: _Builder):
    """One query."""
    c = needs(b.scope, b.period).aggregate(
        met=Count("pk", filter=Q(status="met")),
        open=Count("pk", filter=Q(status__in=OPEN_NEED_STATUSES)),
    )
    b.add(
        "needs.met",
        _("已满足的需求"),
        c["met"],
        "项",
        {"source": "need", "filter": {"status": "met"}},
        group="needs",
    )
    b.add(
        "needs.open",
        _("尚未满足的需求"),
        c["open"],
        "项",
        {"source": "need", "filter": {"status__in": OPEN_NEED_STATUSES}},
        group="needs",
    )


def _project_figures(b: _Builder):
    """One query."""
    rows = (
        projects(b.scope, b.period)
        .order_by()
        .values("level", "recipient_region")
        .annotate(n=Count("pk"))
    )
    per_level: dict[str, int] = defaultdict(int)
    for r in rows:
        per_level[r["level"]] += r["n"]
    for level in Project.Level:
        if level.value not in per_level:
            continue
        b.add(
            f"projects.{level.value}",
            _("%(level)s项目") % {"level": level.label},
            per_level[level.value],
            "项",
            {"source": "project", "filter": {"level": level.value}},
            group="projects",
        )
        for r in sorted(rows, key=lambda r: r["recipient_region"]):
            if r["level"] != level.value:
                continue
            rid = r["recipient_region"]
            b.region_ids.add(rid)
            b.add(
                f"projects.{level.value}.region.{rid}",
                (f"%s:{level.label}项目", rid),
                r["n"],
                "项",
                {"source": "project", "filter": {"level": level.value, "recipient_region": rid}},
                group="projects",
            )


def compute(scope: Scope, period: Period) -> Figures:
    """Every figure for the scope and period. Cost: a bounded number of aggregate queries."""
    b = _Builder(scope, period)
    roles = _roles(scope, period)
    trend = {role: _activity_figures(b, role) for role in roles}
    _visit_figures(b)
    _dispatch_figures(b)
    _class_figures(b)
    _support_figures(b)
    _need_figures(b)
    _project_figures(b)
    regions = {r.pk: r for r in Region.objects.filter(pk__in=b.region_ids)}
    # Labels that name a region are filled in once the names are fetched (one query).
    items = {}
    for key, figure in b.items.items():
        if isinstance(figure.label, tuple):
            template, rid = figure.label
            label = _(template) % region_name(regions.get(rid))
            figure = dataclasses.replace(figure, label=label)
        items[key] = figure
    type_regions = {
        role: {t: sorted(ids, key=lambda i: _region_sort(regions.get(i))) for t, ids in per.items()}
        for role, per in b.type_regions.items()
    }
    monthly = {role: dict(per) for role, per in b.monthly.items()}
    return Figures(
        scope, period, roles, items, trend, regions, type_regions, _counterparts(scope), monthly
    )


def _region_sort(region):
    return (region.code or "") if region else ""


def _counterparts(scope: Scope) -> list[str]:
    """Short names of the partner organisations (one query; none for a region)."""
    if scope.region is not None or scope.country:
        return []
    if scope.organisation is not None:
        parties = PairingParty.objects.filter(
            pairing__in=PairingParty.objects.filter(organisation=scope.organisation).values(
                "pairing_id"
            )
        ).exclude(organisation=scope.organisation)
    else:
        parties = PairingParty.objects.filter(pairing=scope.pairing, side="recipient")
    names = []
    for name, short in parties.values_list("organisation__name", "organisation__short_name"):
        if (short or name) not in names:
            names.append(short or name)
    return names
