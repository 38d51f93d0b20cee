"""Progress against targets: project targets and plan tasks, from the activities linked to them.

Achieved, by the target's unit, over the activities linked to the project or task:
人次 → Sum(person_times); 场/节/次/项 → Sum(sessions); 名 → Sum(recipient_headcount);
所 → distinct receiving organisations; 批次 → the number of linked activities
(dispatch batches are not linked to projects, so a batch target counts the
activities recorded for it). 元 has no measure in the ledger: "unmeasured".
Every linked activity counts, whether or not the viewer sees it: the figure is
the project's, and no row is shown.

Status: done (achieved ≥ target); overdue (period ended, not met); at risk
(achieved below 80% of the expected-by-now, i.e. behind pace by more than 20%);
on track otherwise. Expected-by-now = target × elapsed fraction of the period.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Sum
from django.utils.translation import gettext_lazy as _

from bangfu.core.models import Unit
from bangfu.plans.models import Plan, PlanTask, Project, ProjectTarget

DONE, ON_TRACK, AT_RISK, OVERDUE, UNMEASURED = (
    "done",
    "on_track",
    "at_risk",
    "overdue",
    "unmeasured",
)
STATUS_LABELS = {
    DONE: _("已完成"),
    ON_TRACK: _("进度正常"),
    AT_RISK: _("进度滞后"),
    OVERDUE: _("逾期未完成"),
    UNMEASURED: _("无法从台账统计"),
}
AT_RISK_PACE = Decimal("0.8")

_SESSION_UNITS = {Unit.SESSIONS, Unit.LESSONS, Unit.TIMES, Unit.ITEMS}


@dataclasses.dataclass
class Progress:
    kind: str  # "project" or "task"
    obj: object
    title: str
    owner: str
    target: int
    unit: str
    achieved: int | None
    start: dt.date
    end: dt.date
    today: dt.date

    @property
    def percent(self) -> Decimal:
        if self.achieved is None or not self.target:
            return Decimal("0")
        return (Decimal(self.achieved) * 100 / Decimal(self.target)).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )

    @property
    def bar(self) -> int:
        """The bar's fill for <progress>: the percentage, capped at 100."""
        return min(int(self.percent), 100)

    @property
    def remaining(self) -> int:
        return max(self.target - (self.achieved or 0), 0)

    @property
    def elapsed_fraction(self) -> Decimal:
        if self.today <= self.start:
            return Decimal("0")
        if self.today >= self.end:
            return Decimal("1")
        span = (self.end - self.start).days
        return Decimal((self.today - self.start).days) / Decimal(span) if span else Decimal("1")

    @property
    def expected(self) -> Decimal:
        return (Decimal(self.target) * self.elapsed_fraction).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )

    @property
    def status(self) -> str:
        if self.achieved is None:
            return UNMEASURED
        if self.achieved >= self.target:
            return DONE
        if self.today > self.end:
            return OVERDUE
        if Decimal(self.achieved) < self.expected * AT_RISK_PACE:
            return AT_RISK
        return ON_TRACK

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])


def _achieved(unit: str, row) -> int | None:
    if unit == Unit.PERSON_TIMES:
        return row.a_pt or 0
    if unit in _SESSION_UNITS:
        return row.a_sessions or 0
    if unit == Unit.PEOPLE:
        return row.a_heads or 0
    if unit == Unit.BATCHES:
        return row.a_count or 0
    if unit == Unit.SCHOOLS:
        return row.a_schools or 0
    return None


def _sums(prefix: str) -> dict:
    return {
        "a_pt": Sum(f"{prefix}__person_times"),
        "a_sessions": Sum(f"{prefix}__sessions"),
        "a_heads": Sum(f"{prefix}__recipient_headcount"),
        "a_count": Count(prefix, distinct=True),
    }


def project_progress(user, today: dt.date, projects=None) -> list[Progress]:
    """Targets of the projects the user sees. Two queries (sums; distinct receiving schools)."""
    projects = projects if projects is not None else Project.objects.visible_to(user)
    targets = ProjectTarget.objects.filter(project__in=projects.values("pk"))
    rows = list(
        targets.select_related("project__recipient_region")
        .annotate(**_sums("project__activities"))
        .order_by("project__start_date", "project__name", "id")
    )
    schools = (
        dict(
            targets.filter(pk__in=[r.pk for r in rows if r.unit == Unit.SCHOOLS])
            .annotate(n=Count("project__activities__receivers", distinct=True))
            .values_list("pk", "n")
        )
        if any(r.unit == Unit.SCHOOLS for r in rows)
        else {}
    )
    out = []
    for r in rows:
        r.a_schools = schools.get(r.pk, 0)
        project = r.project
        out.append(
            Progress(
                kind="project",
                obj=project,
                title=f"{project.name}:{r.description}",
                owner=str(project.recipient_region),
                target=r.target_value,
                unit=r.unit,
                achieved=_achieved(r.unit, r),
                start=project.start_date,
                end=project.end_date,
                today=today,
            )
        )
    return out


def task_progress(user, today: dt.date, plans=None) -> list[Progress]:
    """Plan tasks with a target, of the current plans the user sees. Two queries at most."""
    plans = plans if plans is not None else Plan.objects.visible_to(user).current()
    tasks = PlanTask.objects.filter(plan__in=plans.values("pk"), target_value__isnull=False)
    rows = list(
        tasks.select_related("plan__pairing")
        .annotate(**_sums("activities"))
        .order_by("plan__academic_year", "plan_id", "order", "id")
    )
    schools = (
        dict(
            tasks.filter(target_unit=Unit.SCHOOLS)
            .annotate(n=Count("activities__receivers", distinct=True))
            .values_list("pk", "n")
        )
        if any(r.target_unit == Unit.SCHOOLS for r in rows)
        else {}
    )
    out = []
    for r in rows:
        r.a_schools = schools.get(r.pk, 0)
        start, end = r.plan.period_bounds
        if r.due_date:
            end = r.due_date
        out.append(
            Progress(
                kind="task",
                obj=r,
                title=f"{r.plan.title}:{r.title}",
                owner=str(r.plan.pairing),
                target=r.target_value,
                unit=r.target_unit,
                achieved=_achieved(r.target_unit, r),
                start=start,
                end=max(end, start),
                today=today,
            )
        )
    return out
