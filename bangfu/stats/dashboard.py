"""The dashboard: headline figures, target progress and charts for a scope and a period.

Every number comes from ``engine.compute`` (so each one drills down to its rows
through ``stats:rows``), the activities per month included. Chart data reaches the
page only through ``json_script``; ``static/stats/dashboard.js`` draws it (the
Content-Security-Policy allows no inline script or style).

Cost: ``compute`` (about 15–19 queries) + two for the project targets.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from bangfu.activities.models import ActivityType
from bangfu.lib.semester import academic_year, year_bounds

from . import engine, progress
from .forms import ScopeForm
from .scope import ALL, RECIPIENT, ROLE_LABELS, projects

# (figure key without the role prefix, short label); activity keys are per role.
ROLE_HEADLINES = [
    ("total.count", "帮扶活动"),
    ("total.person_times", "参与人次"),
    ("total.trained", "培训受援方教师"),
]
HEADLINES = [
    ("visits.person_times", "来访跟岗学员"),
    ("dispatch.person_times", "选派人次"),
    ("dispatch.backbone_share", "骨干教师比例"),
    ("support.total.yuan", "物资与资金帮扶"),
]
HEADLINE_UNITS = {"support.total.yuan": "元", "dispatch.backbone_share": "%"}


def default_period_params(today: dt.date) -> dict:
    """The current academic year (1 September – 31 August), as ``from`` / ``until``."""
    start, end = year_bounds(academic_year(today))
    return {"from": start.isoformat(), "until": end.isoformat()}


def _role_prefix(role: str) -> str:
    return "act." if role == ALL else f"act.{role}."


def _role_label(role: str) -> str:
    return _(ROLE_LABELS[role]) if ROLE_LABELS[role] else ""


def headlines(figures, query: str) -> list[dict]:
    """The headline cards: label, value, unit and the drill-down link (None when no rows)."""
    rows = reverse("stats:rows")
    keys = []
    for role in figures.roles:
        prefix = _role_label(role) + " " if len(figures.roles) > 1 else ""
        keys += [(_role_prefix(role) + k, prefix + _(label)) for k, label in ROLE_HEADLINES]
    keys += [(k, _(label)) for k, label in HEADLINES]
    cards = []
    for key, label in keys:
        figure = figures.get(key)
        cards.append(
            {
                "key": key,
                "label": label,
                "value": figure.value if figure else 0,
                "unit": figure.unit if figure else HEADLINE_UNITS.get(key, "人次"),
                "approx": bool(figure and figure.approx),
                "url": f"{rows}?{query}&{urlencode({'figure': key})}" if figure else None,
            }
        )
    return cards


def _months(period) -> list[dt.date]:
    day = period.date_from.replace(day=1)
    out = []
    while day <= period.date_until:
        out.append(day)
        day = (day + dt.timedelta(days=32)).replace(day=1)
    return out


def _chart(chart_id, kind, title, categories, series, unit, links=None) -> dict:
    """One chart: what dashboard.js needs, plus rows for the table under it."""
    data = {
        "kind": kind,
        "title": title,
        "categories": categories,
        "series": series,
        "unit": unit,
        "links": links or [],
    }
    rows = [(c, [s["data"][i] for s in series]) for i, c in enumerate(categories)]
    return {
        "id": chart_id,
        "data_id": f"{chart_id}-data",
        "title": title,
        "data": data,
        "headers": [s["name"] for s in series],
        "rows": rows,
    }


def month_charts(figures) -> list[dict]:
    """Activities by month and type, per role (no query: the engine counted them by month)."""
    months = _months(figures.period)
    charts = []
    for role in figures.roles:
        counts = figures.monthly.get(role) or {}
        present = {t for _m, t in counts}
        series = [
            {"name": str(t.label), "data": [counts.get((m, t.value), 0) for m in months]}
            for t in ActivityType
            if t.value in present
        ]
        title = _("各月帮扶活动（按类型）")
        chart_id = "chart-months"
        if len(figures.roles) > 1:
            title = f"{_role_label(role)} {title}"
            chart_id = f"chart-months-{role}"
        charts.append(
            _chart(
                chart_id,
                "stacked_bar",
                title,
                [f"{m.year}年{m.month}月" for m in months],
                series,
                _("次"),
            )
        )
    return charts


def region_charts(figures, query: str) -> list[dict]:
    """Person-times by counterpart region, per role (recipient regions for a helper)."""
    rows = reverse("stats:rows")
    charts = []
    for role in figures.roles:
        prefix = _role_prefix(role) + "region."
        items = [
            f for f in figures.with_prefix(prefix) if f.key.endswith(".person_times") and f.value
        ]
        if not items:
            continue
        items.sort(key=lambda f: -f.value)
        ids = [int(f.key[len(prefix) :].split(".")[0]) for f in items]
        title = _("参与人次（按帮扶地区）") if role == RECIPIENT else _("参与人次（按受援地区）")
        if len(figures.roles) > 1:
            title = f"{_role_label(role)} {title}"
        charts.append(
            _chart(
                f"chart-regions-{role}",
                "bar",
                title,
                [figures.region_label(i) for i in ids],
                [{"name": _("参与人次"), "data": [f.value for f in items]}],
                _("人次"),
                [f"{rows}?{query}&{urlencode({'figure': f.key})}" for f in items],
            )
        )
    return charts


def trend_charts(figures) -> list[dict]:
    """The 造血 index by semester: the recipient side's share of the work it leads."""
    charts = []
    for role in figures.roles:
        points = figures.trend.get(role) or []
        if not points:
            continue
        title = _("造血指数（按学期）")
        if len(figures.roles) > 1:
            title = f"{_role_label(role)} {title}"
        charts.append(
            _chart(
                f"chart-trend-{role}",
                "line",
                title,
                [p.label for p in points],
                [
                    {"name": _("受援方主导活动占比"), "data": [float(p.share) for p in points]},
                    {
                        "name": _("受援方主导活动人次占比"),
                        "data": [float(p.person_times_share) for p in points],
                    },
                ],
                "%",
            )
        )
    return charts


def pairing_map(scope, user) -> dict | None:
    """Helper → recipient lines of the scope's pairings, drawn on longitude and latitude.

    Region pairings (对口关系) with the school pairings under each; for the whole
    country they are folded to province pairs. An organisation or a pairing scope
    draws its school pairings between the schools' regions. No boundary map is
    shipped (data/NOTICE.txt in bangfu/regions): points and lines only. Two queries.
    """
    from django.db.models import Count

    from bangfu.pairings.models import Pairing, PairingParty, RegionPairing
    from bangfu.regions import geo
    from bangfu.regions.models import Region

    lines: dict[tuple[int, int], list] = {}
    if scope.region is not None or scope.country:
        pairs = RegionPairing.objects.all()
        if user is not None:
            pairs = pairs.visible_to(user)
        if scope.region is not None:
            pairs = pairs.filter(
                scope.region.subtree_q("helper_region__")
                | scope.region.subtree_q("recipient_region__")
            )
        h, r = ("helper_region", "recipient_region")
        if scope.country:
            h, r = "helper_region__province", "recipient_region__province"
        rows = (
            pairs.order_by()
            .values_list(h, r)
            .annotate(n=Count("pk", distinct=True), schools=Count("pairings", distinct=True))
        )
        for hid, rid, n, schools in rows:
            if hid and rid:
                lines[(hid, rid)] = [n, schools, None]
        if not scope.country:
            for pk, hid, rid in pairs.values_list("pk", "helper_region", "recipient_region"):
                if (hid, rid) in lines and lines[(hid, rid)][0] == 1:
                    lines[(hid, rid)][2] = reverse("pairings:region_detail", args=[pk])
    else:
        pairings = (
            PairingParty.objects.filter(organisation=scope.organisation).values("pairing_id")
            if scope.organisation is not None
            else [scope.pairing.pk]
        )
        parties = PairingParty.objects.filter(pairing__in=pairings)
        if user is not None:
            parties = parties.filter(pairing__in=Pairing.objects.visible_to(user).values("pk"))
        by_pairing: dict[int, dict[str, set]] = {}
        for pid, side, region_id in parties.values_list(
            "pairing_id", "side", "organisation__region"
        ):
            by_pairing.setdefault(pid, {"helper": set(), "recipient": set()})[side].add(region_id)
        for sides in by_pairing.values():
            for hid in sides["helper"]:
                for rid in sides["recipient"]:
                    if hid != rid:
                        lines.setdefault((hid, rid), [0, 0, None])[1] += 1
    if not lines:
        return None
    ids = {i for pair in lines for i in pair}
    regions = {
        reg.pk: reg
        for reg in Region.objects.filter(pk__in=ids).select_related(
            "county", "prefecture", "province"
        )
    }
    points, drawn, rows, links = {}, [], [], []
    for (hid, rid), (n, schools, link) in sorted(
        lines.items(), key=lambda item: (-item[1][1], -item[1][0])
    ):
        a, b = regions.get(hid), regions.get(rid)
        pa, pb = (geo.position(a) if a else None), (geo.position(b) if b else None)
        if pa is None or pb is None:
            continue
        names = (engine.region_name(a), engine.region_name(b))
        for name, pos, side in ((names[0], pa, "helper"), (names[1], pb, "recipient")):
            points.setdefault(name, {"name": name, "value": list(pos), "side": side})
        drawn.append(
            {
                "from": names[0],
                "to": names[1],
                "coords": [list(pa), list(pb)],
                "regions": n,
                "schools": schools,
            }
        )
        rows.append((f"{names[0]} → {names[1]}", [n, schools]))
        links.append(link)
    if not drawn:
        return None
    chart = _chart(
        "chart-map",
        "map",
        _("结对地图（帮扶方 → 受援方）"),
        [r[0] for r in rows],
        [
            {"name": _("对口关系"), "data": [r[1][0] for r in rows]},
            {"name": _("学校结对"), "data": [r[1][1] for r in rows]},
        ],
        _("对"),
        links,
    )
    chart["data"]["points"] = list(points.values())
    chart["data"]["lines"] = drawn
    return chart


def _parse(request):
    """(form, scope, period) as on the figures page, defaulting to the current academic year."""
    data = request.GET.copy()
    if not any(data.get(k) for k in ("from", "date_from", "until", "date_until")):
        data.update(default_period_params(dt.date.today()))
    form = ScopeForm(data, user=request.user)
    if not form.is_valid():
        return form, None, None
    try:
        scope = form.scope()
    except engine.ScopeNotVisible:
        raise Http404 from None
    return form, scope, form.cleaned_data["period"]


def build(scope, period, user, today: dt.date | None = None) -> dict:
    """Everything the dashboard shows for a scope and period (what make bench times)."""
    figures = engine.compute(scope, period)
    query = urlencode({**scope.as_params(), **period.as_params()})
    charts = [*month_charts(figures), *region_charts(figures, query), *trend_charts(figures)]
    chart = pairing_map(scope, user)
    if chart is not None:
        charts.append(chart)
    return {
        "figures": figures,
        "query": query,
        "headlines": headlines(figures, query),
        "charts": charts,
        "targets": progress.project_progress(
            user, today or dt.date.today(), projects=projects(scope, period)
        ),
    }


@login_required
@require_GET
def dashboard_page(request):
    form, scope, period = _parse(request)
    context = {"form": form, "scope": scope, "period": period}
    if scope is not None:
        context.update(build(scope, period, request.user))
    return render(request, "stats/dashboard.html", context)
