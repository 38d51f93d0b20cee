"""工作简报: the seeds' prose, written from computed figures only (no number is typed).

"截至2019年5月底,已完成如下工作:送教下乡方面:……承接了顺平(20)、莫旗(21)、
宁城(115)共计156名干部教师到石景山区学习" — each sentence appears only when its
figures have data; a period without any recorded work says so.
"""

from __future__ import annotations

import calendar
import dataclasses
from decimal import Decimal

from django.utils.translation import gettext as _

from bangfu.activities.models import ActivityType
from bangfu.support.models import Support

from .engine import ALL, HELPER, PROSE_TYPE_NAMES, RECIPIENT, Figures, Period, Scope, compute

EMPTY = "本期间没有记录的帮扶活动。"


@dataclasses.dataclass
class Table:
    title: str
    headers: list[str]
    rows: list[list]


@dataclasses.dataclass
class Bulletin:
    title: str
    period_line: str
    paragraphs: list[str]
    tables: list[Table]
    figures: Figures

    @property
    def text(self) -> str:
        lines = [self.title, self.period_line, ""] + self.paragraphs
        for table in self.tables:
            lines += ["", table.title, "\t".join(table.headers)]
            lines += ["\t".join(str(c) for c in row) for row in table.rows]
        return "\n".join(lines) + "\n"


def number(value) -> str:
    """Integers as written; money and shares without trailing zeros beyond two places."""
    if isinstance(value, Decimal):
        if value == value.to_integral_value():
            return str(int(value))
        return format(value.quantize(Decimal("0.01")).normalize(), "f")
    return str(value)


def yuan(value: Decimal, approx: bool) -> str:
    """44000 → 约4.4万元; 6760000 → 约676万元; 800 → 800元."""
    prefix = _("约") if approx else ""
    if value >= 10000:
        wan = (value / Decimal(10000)).quantize(Decimal("0.01")).normalize()
        return f"{prefix}{number(wan)}万元"
    return f"{prefix}{number(value)}元"


def _as_of(period: Period) -> str:
    day = period.date_until
    if day.day == calendar.monthrange(day.year, day.month)[1]:
        return f"截至{day.year}年{day.month}月底"
    return f"截至{day.year}年{day.month}月{day.day}日"


def _names(names: list[str], limit: int = 5) -> str:
    shown = "、".join(names[:limit])
    return shown + ("等" if len(names) > limit else "")


def _type_name(t: ActivityType) -> str:
    return PROSE_TYPE_NAMES.get(t, t.label)


def _activity_list(f: Figures, p: str, skip=()) -> str:
    parts = []
    for t in ActivityType:
        if t in skip:
            continue
        fig = f.get(f"{p}type.{t.value}.sessions")
        if fig and fig.value:
            parts.append(f"{_type_name(t)}{number(fig.value)}{fig.unit}")
    return ",".join(parts)


def _role_paragraphs(f: Figures, role: str) -> list[str]:
    p = f"act.{role}." if role != ALL else "act."
    out: list[str] = []
    scope = f.scope
    regions_of = f.type_regions.get(role, {})
    if not f.value(p + "total.count"):
        return out
    if role == RECIPIENT:
        helpers = sorted({rid for ids in regions_of.values() for rid in ids})
        where = _names([f.region_label(r) for r in helpers])
        out.append(
            _("接受帮扶方面:%(where)s在%(scope)s开展各类帮扶活动%(n)s次(%(list)s),")
            % {
                "where": where or _("帮扶方"),
                "scope": scope.short_name,
                "n": f.value(p + "total.count"),
                "list": _activity_list(f, p),
            }
            + _("参与%(pt)s人次,培训当地教师%(tr)s人次。")
            % {"pt": f.value(p + "total.person_times"), "tr": f.value(p + "total.trained")}
        )
        return out
    outreach = ActivityType.OUTREACH
    if f.value(f"{p}type.{outreach}.count"):
        where = _names([f.region_label(r) for r in regions_of.get(outreach, [])])
        out.append(
            _("送教下乡方面:赴%(where)s开展送教下乡%(n)s次,培训当地教师%(tr)s人次。")
            % {
                "where": where,
                "n": f.value(f"{p}type.{outreach}.count"),
                "tr": f.value(f"{p}type.{outreach}.trained"),
            }
        )
    listing = _activity_list(f, p, skip=(outreach,))
    if listing:
        place = _names(f.counterparts) if f.counterparts else ""
        lead = _("在%(place)s开展") % {"place": place} if place else _("开展")
        out.append(
            _("活动开展方面:")
            + lead
            + listing
            + _(",共参与%(pt)s人次,培训当地教师%(tr)s人次。")
            % {"pt": f.value(p + "total.person_times"), "tr": f.value(p + "total.trained")}
        )
    if scope.region is not None:
        school = []
        went = f.value(f"{p}schools.direction.to_recipient")
        hosted = f.value(f"{p}schools.direction.at_helper")
        exchange = f.value(f"{p}schools.type.student_exchange")
        if went:
            school.append(_("已有%(n)s所学校赴结对校开展了学校结对活动") % {"n": went})
        if hosted:
            school.append(_("已有%(n)s所学校接待了来自结对校的干部教师") % {"n": hosted})
        if exchange:
            school.append(_("已有%(n)s所学校开展了学生“手拉手”活动") % {"n": exchange})
        if school:
            out.append(_("学校结对与学生手拉手方面:") + ";".join(school) + "。")
    return out


def _visits(f: Figures) -> str | None:
    pt = f.value("visits.person_times")
    if not pt:
        return None
    people, batches = f.value("visits.people"), f.value("visits.batches")
    scope = f.scope
    if scope.region is not None:
        per = [fig for fig in f.with_prefix("visits.region.") if fig.key.endswith(".person_times")]
        # The seed lists the sending regions from the fewest to the most.
        per.sort(key=lambda fig: (fig.value, fig.key))
        listing = "、".join(
            f"{f.region_label(int(fig.key.split('.')[2]))}({fig.value})" for fig in per
        )
        total = (
            _("共计%(n)s名") % {"n": pt}
            if people == pt
            else _("共计%(n)s人次(%(p)s人)") % {"n": pt, "p": people}
        )
        return (
            _("对口地区教师来我区培训方面:承接了")
            + listing
            + total
            + _("干部教师到%(scope)s学习。") % {"scope": scope.name}
        )
    return _("接待%(who)s干部教师来校跟岗学习%(b)s批次,共计%(n)s人次(%(p)s人)。") % {
        "who": _names(f.counterparts) or _("对口学校"),
        "b": batches,
        "n": pt,
        "p": people,
    }


def _dispatch(f: Figures) -> str | None:
    pt = f.value("dispatch.person_times")
    if not pt:
        return None
    batches = f.value("dispatch.batches")
    text = _("选派干部、业务骨干教师") + (_("%(b)s批") % {"b": batches} if batches else "")
    text += _("%(n)s人次") % {"n": pt}
    if f.counterparts:
        text += _("前往%(where)s送教") % {"where": _names(f.counterparts)}
    if f.value("dispatch.backbone_people"):
        text += _(",其中骨干教师比例为%(s)s%%") % {"s": number(f.value("dispatch.backbone_share"))}
    return text + "。"


def _classes(f: Figures) -> str | None:
    n = f.value("classes.count")
    if not n:
        return None
    return _("举办培训班%(n)s期,学员%(e)s名,已结业%(g)s名。") % {
        "n": n,
        "e": f.value("classes.enrolled"),
        "g": f.value("classes.graduated"),
    }


def _support(f: Figures) -> str | None:
    parts = []
    for kind in Support.Kind:
        fig = f.get(f"support.{kind.value}.yuan")
        if fig and fig.value:
            parts.append(f"{kind.label}{yuan(fig.value, fig.approx)}")
    if not parts:
        return None
    total = f.get("support.total.yuan")
    return (
        _("物资与资金帮扶方面:")
        + "、".join(parts)
        + _(",合计%(t)s。") % {"t": yuan(total.value, total.approx)}
    )


def _capacity(f: Figures, role: str) -> str | None:
    p = f"act.{role}." if role != ALL else "act."
    led, joint = f.value(p + "capacity.recipient_led.count"), f.value(p + "capacity.joint.count")
    if not (led or joint):
        return None
    return _(
        "由“输血”向“造血”方面:受援方教师主导的活动%(n)s次,占%(s)s%%;双方共同主导的活动%(j)s次。"
    ) % {"n": led, "s": number(f.value(p + "capacity.share")), "j": joint}


def _needs(f: Figures) -> str | None:
    met, open_ = f.value("needs.met"), f.value("needs.open")
    if not (met or open_):
        return None
    return _("需求清单方面:已满足需求%(m)s项,尚有%(o)s项正在落实。") % {"m": met, "o": open_}


def _projects(f: Figures) -> str | None:
    from bangfu.plans.models import Project

    parts = []
    for level in Project.Level:
        fig = f.get(f"projects.{level.value}")
        if not fig:
            continue
        per = [g for g in f.with_prefix(f"projects.{level.value}.region.") if g.key.count(".") == 3]
        detail = "、".join(f"{f.region_label(int(g.key.split('.')[3]))}{g.value}项" for g in per)
        parts.append(
            _("%(level)s项目%(n)s项") % {"level": level.label, "n": fig.value}
            + (f"({detail})" if detail else "")
        )
    if not parts:
        return None
    return _("项目方面:本期间实施") + ";".join(parts) + "。"


def _tables(f: Figures) -> list[Table]:
    tables = []
    for role in f.roles:
        p = f"act.{role}." if role != ALL else "act."
        rows = []
        for t in ActivityType:
            n = f.get(f"{p}type.{t.value}.count")
            if not n:
                continue
            s = f.get(f"{p}type.{t.value}.sessions")
            rows.append(
                [
                    t.label,
                    n.value,
                    f"{s.value}{s.unit}",
                    f.value(f"{p}type.{t.value}.person_times"),
                    f.value(f"{p}type.{t.value}.trained"),
                ]
            )
        if rows:
            suffix = {HELPER: _("(作为帮扶方)"), RECIPIENT: _("(作为受援方)")}.get(role, "")
            tables.append(
                Table(
                    _("分类型活动") + suffix,
                    [_("类型"), _("活动数"), _("场次"), _("参与人次"), _("培训受援方教师(人次)")],
                    rows,
                )
            )
        rows = []
        for fig in f.with_prefix(f"{p}region."):
            if fig.key.endswith(".count"):
                base = fig.key[: -len("count")]
                rows.append(
                    [
                        fig.label,
                        fig.value,
                        f.value(base + "person_times"),
                        f.value(base + "trained"),
                    ]
                )
        if rows:
            tables.append(
                Table(
                    _("分地区活动"),
                    [_("地区"), _("活动数"), _("参与人次"), _("培训受援方教师(人次)")],
                    rows,
                )
            )
    rows = []
    for fig in f.with_prefix("visits.region."):
        if fig.key.endswith(".person_times"):
            rid = fig.key.split(".")[2]
            rows.append(
                [f.region_label(int(rid)), fig.value, f.value(f"visits.region.{rid}.people")]
            )
    if rows:
        tables.append(Table(_("来访跟岗分地区"), [_("来自地区"), _("人次"), _("人数")], rows))
    for points in f.trend.values():
        rows = [
            [pt.label, pt.activities, pt.recipient_led, pt.joint, f"{number(pt.share)}%"]
            for pt in points
        ]
        if rows and any(pt.recipient_led or pt.joint for pt in points):
            tables.append(
                Table(
                    _("造血指数(按学期)"),
                    [_("学期"), _("活动数"), _("受援方主导"), _("共同主导"), _("受援方主导占比")],
                    rows,
                )
            )
    return tables


def compose(scope: Scope, period: Period) -> Bulletin:
    """The bulletin of a scope and period. Cost: compute()'s queries, nothing more."""
    f = compute(scope, period)
    paragraphs: list[str] = []
    body: list[str] = []
    for role in f.roles:
        role_text = _role_paragraphs(f, role)
        if role_text and len(f.roles) > 1:
            role_text[0] = (_("作为帮扶方,") if role == HELPER else _("作为受援方,")) + role_text[0]
        body += role_text
    for part in (_visits(f), _dispatch(f), _classes(f), _support(f)):
        if part:
            body.append(part)
    for role in f.roles:
        if part := _capacity(f, role):
            body.append(part)
    if body:
        paragraphs.append(_as_of(period) + _(",%(scope)s已完成如下工作:") % {"scope": scope.name})
        paragraphs += body
    else:
        paragraphs.append(_(EMPTY))
    for part in (_needs(f), _projects(f)):
        if part:
            paragraphs.append(part)
    return Bulletin(
        title=_("%(scope)s教育结对帮扶工作简报") % {"scope": scope.name},
        period_line=_("统计期间:%(period)s") % {"period": period.label},
        paragraphs=paragraphs,
        tables=_tables(f),
        figures=f,
    )
