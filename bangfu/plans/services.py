"""Writes to plans (draft, edit with tasks, confirm by both sides, revise) and projects.

Each function checks the domain rules, raises ``ValidationError`` keyed by
form field name and runs in one transaction, in which each write leaves its
audit entry (``bangfu.audit.signals``). Whether the actor may call it at all is
the view's job (``rules``); the side rules are checked again here so a forged
request never gets through.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bangfu.audit import services as audit
from bangfu.core.forms import save_versioned
from bangfu.needs import services as need_services
from bangfu.orgs.models import Organisation
from bangfu.pairings.services import PAIRING_DELETED

from . import rules
from .models import InvalidPlanTransition, Plan, PlanTask, Project, ProjectTarget

INVALID_CHOICE = gettext_lazy("选择一个有效的选项。")
TARGET_NEEDS_UNIT = gettext_lazy("填写了目标数量,请选择单位。")
UNIT_NEEDS_TARGET = gettext_lazy("选择了单位,请填写目标数量。")
TARGET_POSITIVE = gettext_lazy("目标数量必须大于0。")


def _add(errors: dict[str, list[str]], field: str, message) -> None:
    errors.setdefault(field, []).append(str(message))


def _raise(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)


# --- plans -----------------------------------------------------------------


@dataclasses.dataclass
class TaskValues:
    """One row of the plan's task table; ``pk`` None adds a task, ``delete`` removes one."""

    title: str = ""
    order: int | None = None
    description: str = ""
    target_value: int | None = None
    target_unit: str = ""
    due_date: dt.date | None = None
    needs: list = dataclasses.field(default_factory=list)
    pk: int | None = None
    delete: bool = False


PLAN_FIELDS = ["academic_year", "term", "title", "goals"]


def _same_period(pairing, academic_year, term):
    qs = Plan.objects.filter(pairing=pairing, academic_year=academic_year)
    return qs.filter(term__isnull=True) if term is None else qs.filter(term=term)


def _check_plan(errors, *, actor, pairing, academic_year, term, exclude_pk=None) -> None:
    if pairing is None or not rules.can_draft_plan(actor, pairing):
        _add(errors, "pairing", INVALID_CHOICE)
        return
    if academic_year is not None and not 1990 <= academic_year <= 2100:
        _add(errors, "academic_year", _("请输入有效的学年(如 2019 表示 2019–2020学年)。"))
    if term not in (None, 1, 2):
        _add(errors, "term", INVALID_CHOICE)
    if academic_year is not None:
        others = _same_period(pairing, academic_year, term).exclude(pk=exclude_pk)
        if others.exists():
            _add(
                errors,
                "academic_year",
                _("该结对关系在这一学年/学期已有帮扶计划,请在原计划上修改或修订。"),
            )


@audit.attributed
@transaction.atomic
def create_plan(
    *, actor, pairing, academic_year: int, term: int | None, title: str, goals: str = ""
) -> Plan:
    errors: dict[str, list[str]] = {}
    _check_plan(errors, actor=actor, pairing=pairing, academic_year=academic_year, term=term)
    _raise(errors)
    plan = Plan.objects.create(
        pairing=pairing,
        academic_year=academic_year,
        term=term,
        title=title,
        goals=goals,
        created_by=actor,
        updated_by=actor,
    )
    return plan


def _check_tasks(errors, plan: Plan, tasks: list[TaskValues], existing: dict) -> None:
    for index, task in enumerate(tasks, start=1):
        prefix = _("第%(n)d项任务:") % {"n": index}
        if task.pk is not None and task.pk not in existing:
            _add(errors, "tasks", prefix + str(INVALID_CHOICE))
        if task.delete:
            continue
        if not task.title:
            _add(errors, "tasks", prefix + _("请填写任务名称。"))
        if task.target_value is not None and not task.target_unit:
            _add(errors, "tasks", prefix + str(TARGET_NEEDS_UNIT))
        if task.target_unit and task.target_value is None:
            _add(errors, "tasks", prefix + str(UNIT_NEEDS_TARGET))
        # Only the plan's own pairing's needs; a foreign id is "not a choice".
        if any(need.pairing_id != plan.pairing_id for need in task.needs):
            _add(errors, "tasks", prefix + str(INVALID_CHOICE))


@audit.attributed
@transaction.atomic
def update_plan(
    plan: Plan, *, actor, version: int | None, tasks: list[TaskValues], **values
) -> Plan:
    """Save a draft's fields and its task table in one go; raises StaleEdit on a stale version.

    A change withdraws both sides' confirmations: they confirmed other content.
    Newly linked open needs become planned.
    """
    errors: dict[str, list[str]] = {}
    if not rules.can_draft_plan(actor, plan.pairing):
        raise ValidationError(_("只有帮扶方可以修改帮扶计划。"))
    if plan.status != Plan.Status.DRAFT:
        raise ValidationError(_("已确认的计划不能修改,请修订生成新版本。"))
    merged = {f: values.get(f, getattr(plan, f)) for f in PLAN_FIELDS}
    moved = (merged["academic_year"], merged["term"]) != (plan.academic_year, plan.term)
    if moved and plan.previous_id:
        # Versions of one plan share its period; a new period is a new plan.
        _add(errors, "academic_year", _("修订版本不能更改学年或学期。"))
    elif moved:
        _check_plan(
            errors,
            actor=actor,
            pairing=plan.pairing,
            academic_year=merged["academic_year"],
            term=merged["term"],
            exclude_pk=plan.pk,
        )
    existing = {t.pk: t for t in plan.tasks.all()}
    _check_tasks(errors, plan, tasks, existing)
    _raise(errors)

    for field, value in merged.items():
        setattr(plan, field, value)
    plan.helper_confirmed_by = plan.helper_confirmed_at = None
    plan.recipient_confirmed_by = plan.recipient_confirmed_at = None
    plan.updated_by = actor
    save_versioned(
        plan,
        version,
        PLAN_FIELDS
        + [
            "helper_confirmed_by",
            "helper_confirmed_at",
            "recipient_confirmed_by",
            "recipient_confirmed_at",
            "updated_by",
            "updated_at",
        ],
    )
    linked = []
    position = 0
    for values_ in tasks:
        task = existing.get(values_.pk) if values_.pk else None
        if values_.delete:
            if task is not None:
                task.delete()
            continue
        position += 1
        task = task or PlanTask(plan=plan)
        task.order = values_.order or position
        task.title = values_.title
        task.description = values_.description
        task.target_value = values_.target_value
        task.target_unit = values_.target_unit
        task.due_date = values_.due_date
        task.save()
        task.needs.set(values_.needs)
        linked.extend(values_.needs)
    need_services.mark_needs_planned({n.pk: n for n in linked}.values(), actor=actor)
    return plan


def _transition(plan: Plan, new_status: str, *, actor) -> None:
    try:
        with audit.labelled(plan, "status"):
            plan.set_status(new_status, actor=actor)
    except InvalidPlanTransition as exc:
        raise ValidationError(str(exc)) from None


@audit.attributed
@transaction.atomic
def confirm_plan(plan: Plan, *, actor, side: str | None = None) -> Plan:
    """One side confirms the draft (``side`` picks one for an actor of both sides).

    When both sides have confirmed the plan is confirmed and the version it
    revises is superseded.
    """
    plan = Plan.objects.select_for_update(of=("self",)).select_related("pairing").get(pk=plan.pk)
    sides = rules.confirmable_sides(actor, plan)
    if not sides:
        raise ValidationError(_("您不能确认该计划。"))
    if plan.status != Plan.Status.DRAFT:
        raise ValidationError(_("该计划不是草稿,无需确认。"))
    if not plan.tasks.exists():
        raise ValidationError(_("计划至少要有一项任务才能确认。"))
    pending = [s for s in sides if not getattr(plan, f"{s}_confirmed_at")]
    if side:
        if side not in sides:
            raise ValidationError(_("您不能代表这一方确认。"))
        if side not in pending:
            raise ValidationError(_("这一方已经确认过了。"))
        chosen = side
    elif pending:
        chosen = pending[0]
    else:
        raise ValidationError(_("您这一方已经确认过了。"))
    setattr(plan, f"{chosen}_confirmed_by", actor)
    setattr(plan, f"{chosen}_confirmed_at", timezone.now())
    plan.updated_by = actor
    # Confirming changes the record: a form opened before must not overwrite it.
    plan.version += 1
    with audit.labelled(plan, "confirm"):
        plan.save(
            update_fields=[
                f"{chosen}_confirmed_by",
                f"{chosen}_confirmed_at",
                "updated_by",
                "version",
                "updated_at",
            ]
        )
    if plan.fully_confirmed:
        _transition(plan, Plan.Status.CONFIRMED, actor=actor)
        previous = plan.previous
        if previous is not None and previous.status == Plan.Status.CONFIRMED:
            _transition(previous, Plan.Status.SUPERSEDED, actor=actor)
    return plan


@audit.attributed
@transaction.atomic
def revise_plan(plan: Plan, *, actor) -> Plan:
    """A confirmed plan is never edited: copy it, tasks and need links, into a new draft."""
    plan = Plan.objects.select_for_update(of=("self",)).select_related("pairing").get(pk=plan.pk)
    if not rules.can_draft_plan(actor, plan.pairing):
        raise ValidationError(_("只有帮扶方可以修订帮扶计划。"))
    if plan.status == Plan.Status.DRAFT:
        raise ValidationError(_("草稿可以直接修改,无需修订。"))
    if plan.status == Plan.Status.SUPERSEDED:
        raise ValidationError(_("该版本已被取代,请在最新版本上修订。"))
    if Plan.objects.filter(previous=plan).exists():
        raise ValidationError(_("该计划已有修订中的新版本。"))
    revision = Plan.objects.create(
        pairing=plan.pairing,
        academic_year=plan.academic_year,
        term=plan.term,
        title=plan.title,
        goals=plan.goals,
        version_no=plan.version_no + 1,
        previous=plan,
        created_by=actor,
        updated_by=actor,
    )
    for task in plan.tasks.prefetch_related("needs"):
        copy = PlanTask.objects.create(
            plan=revision,
            order=task.order,
            title=task.title,
            description=task.description,
            target_value=task.target_value,
            target_unit=task.target_unit,
            due_date=task.due_date,
        )
        copy.needs.set(task.needs.all())
    return revision


# --- deletion (recycle bin) -----------------------------------------------------------


def can_delete_plan(user, plan: Plan) -> bool:
    """A draft, by the side that drafts it; a confirmed plan was agreed by both sides and stays."""
    return plan.status == Plan.Status.DRAFT and rules.can_draft_plan(user, plan.pairing)


@audit.attributed
@transaction.atomic
def delete_plan(plan: Plan, *, actor) -> Plan:
    plan = Plan.objects.select_for_update(of=("self",)).select_related("pairing").get(pk=plan.pk)
    if not rules.can_draft_plan(actor, plan.pairing):
        raise PermissionDenied
    if plan.status != Plan.Status.DRAFT:
        raise ValidationError(_("已确认的计划不能删除；如需改动，请修订生成新版本。"))
    plan.mark_deleted(actor=actor, when=timezone.now())
    return plan


@audit.attributed
@transaction.atomic
def restore_plan(plan: Plan, *, actor) -> Plan:
    """Refused when its pairing is deleted, or when a live plan took its period or revision."""
    plan = (
        Plan.objects.with_deleted()
        .select_for_update(of=("self",))
        .select_related("pairing")
        .get(pk=plan.pk, deleted_at__isnull=False)
    )
    if not rules.can_draft_plan(actor, plan.pairing):
        raise PermissionDenied
    if plan.pairing.is_deleted:
        raise ValidationError(PAIRING_DELETED)
    twins = _same_period(plan.pairing, plan.academic_year, plan.term).filter(
        version_no=plan.version_no
    )
    if plan.previous_id:
        twins = twins | Plan.objects.filter(previous_id=plan.previous_id)
    if twins.exists():
        raise ValidationError(
            _("该学年/学期已有同一版本的帮扶计划，不能恢复。请在现有计划上修改。")
        )
    plan.mark_restored()
    return plan


# --- projects --------------------------------------------------------------


@dataclasses.dataclass
class TargetValues:
    description: str = ""
    target_value: int | None = None
    unit: str = ""
    is_minimum: bool = True
    pk: int | None = None
    delete: bool = False


PROJECT_FIELDS = [
    "name",
    "level",
    "owner",
    "recipient_region",
    "region_pairing",
    "year",
    "start_date",
    "end_date",
    "description",
    "status",
]


def _check_project(errors, *, actor, values: dict) -> None:
    owner = values.get("owner")
    allowed = Organisation.objects.filter(rules.project_owner_q(actor))
    if owner is None or not allowed.filter(pk=owner.pk).exists():
        _add(errors, "owner", INVALID_CHOICE)
    start, end = values.get("start_date"), values.get("end_date")
    if start and end and end < start:
        _add(errors, "end_date", _("结束日期不能早于开始日期。"))
    year = values.get("year")
    if year is not None and not 1990 <= year <= 2100:
        _add(errors, "year", _("请输入有效的年度。"))
    rp, region = values.get("region_pairing"), values.get("recipient_region")
    if rp is not None and region is not None and rp.recipient_region_id != region.pk:
        _add(errors, "region_pairing", _("所属对口关系的受援方应是该项目的受援地区。"))


def _check_targets(errors, targets: list[TargetValues], existing: dict) -> None:
    for index, target in enumerate(targets, start=1):
        prefix = _("第%(n)d项指标:") % {"n": index}
        if target.pk is not None and target.pk not in existing:
            _add(errors, "targets", prefix + str(INVALID_CHOICE))
        if target.delete:
            continue
        if not target.description:
            _add(errors, "targets", prefix + _("请填写指标内容。"))
        if target.target_value is None or target.target_value <= 0:
            _add(errors, "targets", prefix + str(TARGET_POSITIVE))
        if not target.unit:
            _add(errors, "targets", prefix + str(TARGET_NEEDS_UNIT))


def _save_targets(project: Project, targets: list[TargetValues], existing: dict) -> None:
    for values in targets:
        target = existing.get(values.pk) if values.pk else None
        if values.delete:
            if target is not None:
                target.delete()
            continue
        target = target or ProjectTarget(project=project)
        target.description = values.description
        target.target_value = values.target_value
        target.unit = values.unit
        target.is_minimum = values.is_minimum
        target.save()


@audit.attributed
@transaction.atomic
def create_project(*, actor, targets: list[TargetValues], **values) -> Project:
    errors: dict[str, list[str]] = {}
    if not rules.can_create_project(actor):
        raise ValidationError(_("只有教育行政部门协调员和平台管理员可以建立项目。"))
    _check_project(errors, actor=actor, values=values)
    _check_targets(errors, targets, {})
    _raise(errors)
    project = Project.objects.create(
        created_by=actor,
        updated_by=actor,
        **{f: values.get(f) for f in PROJECT_FIELDS if f in values},
    )
    _save_targets(project, targets, {})
    return project


@audit.attributed
@transaction.atomic
def update_project(
    project: Project, *, actor, version: int | None, targets: list[TargetValues], **values
) -> Project:
    """Raises StaleEdit when someone saved since ``version``."""
    if not rules.can_edit_project(actor, project):
        raise ValidationError(_("您不能修改该项目。"))
    merged = {f: values.get(f, getattr(project, f)) for f in PROJECT_FIELDS}
    errors: dict[str, list[str]] = {}
    _check_project(errors, actor=actor, values=merged)
    existing = {t.pk: t for t in project.targets.all()}
    _check_targets(errors, targets, existing)
    _raise(errors)
    for field, value in merged.items():
        setattr(project, field, value)
    project.updated_by = actor
    save_versioned(project, version, PROJECT_FIELDS + ["updated_by", "updated_at"])
    _save_targets(project, targets, existing)
    return project
