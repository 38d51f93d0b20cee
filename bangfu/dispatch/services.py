"""Writes to dispatches (援派/支教), their batches, work logs, monthly reports and assessments.

Every function checks the domain rules, raises ``ValidationError`` keyed by
form field name and runs in one transaction, in which each write leaves its
audit entry (``bangfu.audit.signals``). Whether
the actor may call it at all is the view's job (``rules``); what depends on
what the actor may see or act for is checked here too, so a forged id never
gets through.
"""

from __future__ import annotations

import calendar
import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bangfu.audit import services as audit
from bangfu.core import access
from bangfu.core.forms import save_versioned
from bangfu.orgs.models import Organisation
from bangfu.pairings.models import Pairing

from . import rules
from .models import (
    Dispatch,
    DispatchAssessment,
    DispatchBatch,
    InvalidStatusTransition,
    MonthlyReport,
    WorkLog,
)

INVALID_CHOICE = gettext_lazy("选择一个有效的选项。")


def raise_errors(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)


def add_error(errors: dict[str, list[str]], field: str, message) -> None:
    errors.setdefault(field, []).append(str(message))


def check_period(errors, start, end, end_field: str = "end_date") -> None:
    if start and end and end < start:
        add_error(errors, end_field, _("结束日期不能早于开始日期。"))


def add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def term_end(start: dt.date, term: str) -> dt.date | None:
    """The last day of a fixed term: 一个月 from 1 March ends on 31 March."""
    months = Dispatch.TERM_MONTHS.get(term)
    if months is None or start is None:
        return None
    return add_months(start, months) - dt.timedelta(days=1)


def _acts_for(actor, org) -> bool:
    return Organisation.objects.filter(access.editable_organisations_q(actor), pk=org.pk).exists()


def _visible(model_or_qs, actor, obj) -> bool:
    qs = model_or_qs if hasattr(model_or_qs, "query") else model_or_qs.objects
    return qs.visible_to(actor).filter(pk=obj.pk).exists()


# --- batches ----------------------------------------------------------------


@audit.attributed
@transaction.atomic
def create_batch(
    *,
    actor,
    sender: Organisation,
    number: int,
    year: int,
    programme: str = "",
    destination=None,
    note: str = "",
) -> DispatchBatch:
    errors: dict[str, list[str]] = {}
    if sender is None or not _acts_for(actor, sender):
        add_error(errors, "sender", INVALID_CHOICE)
    elif DispatchBatch.objects.filter(sender=sender, programme=programme, number=number).exists():
        add_error(
            errors,
            "number",
            _("本单位“%(programme)s”已有第%(n)s批。")
            % {"programme": programme or "—", "n": number},
        )
    raise_errors(errors)
    batch = DispatchBatch.objects.create(
        sender=sender,
        number=number,
        year=year,
        programme=programme,
        destination=destination,
        note=note,
    )
    return batch


# --- dispatches -------------------------------------------------------------

DISPATCH_FIELDS = [
    "person",
    "batch",
    "sender",
    "host",
    "host_region",
    "pairing",
    "role",
    "term",
    "start_date",
    "end_date",
    "subjects",
    "was_backbone",
    "note",
]


def _prepare_dispatch(errors, actor, values: dict, instance: Dispatch | None = None) -> dict:
    """Checks the values and fills the defaults (end date from term, host region, backbone)."""
    v = dict(values)
    sender, person = v.get("sender"), v.get("person")
    if sender is None or not _acts_for(actor, sender):
        add_error(errors, "sender", INVALID_CHOICE)
        sender = None
    if person is None or not _visible(person.__class__, actor, person):
        add_error(errors, "person", INVALID_CHOICE)
    elif sender is not None and person.organisation_id != sender.pk:
        # A person of another organisation is sent by that organisation, not this one.
        add_error(errors, "person", _("只能选派派出单位本单位的人员。"))
    batch = v.get("batch")
    if batch is not None and sender is not None and batch.sender_id != sender.pk:
        add_error(errors, "batch", _("所选批次不属于派出单位。"))
    host = v.get("host")
    if host is not None and not _visible(Organisation, actor, host):
        add_error(errors, "host", INVALID_CHOICE)
        host = None
    if host is not None and sender is not None and host.pk == sender.pk:
        add_error(errors, "host", _("受援学校不能是派出单位本身。"))
    if v.get("host_region") is None:
        if host is not None:
            v["host_region"] = host.region
        else:
            add_error(errors, "host_region", _("请填写受援地区,或选择受援学校。"))
    pairing = v.get("pairing")
    if pairing is not None:
        if not _visible(Pairing, actor, pairing):
            add_error(errors, "pairing", INVALID_CHOICE)
        elif sender is not None and not pairing.parties.filter(organisation=sender).exists():
            add_error(errors, "pairing", _("所选结对关系不包括派出单位。"))
    start, term = v.get("start_date"), v.get("term")
    if term not in Dispatch.Term.values:
        add_error(errors, "term", INVALID_CHOICE)
    elif v.get("end_date") is None:
        if term == Dispatch.Term.CUSTOM:
            add_error(errors, "end_date", _("期限为“按起止日期”时请填写结束日期。"))
        else:
            v["end_date"] = term_end(start, term)
    check_period(errors, start, v.get("end_date"))
    if v.get("was_backbone") is None and person is not None:
        v["was_backbone"] = person.is_backbone
    if instance is None and v.get("status", Dispatch.Status.PLANNED) not in (
        Dispatch.Status.PLANNED,
        Dispatch.Status.ACTIVE,
    ):
        add_error(errors, "status", INVALID_CHOICE)
    return v


@audit.attributed
@transaction.atomic
def create_dispatch(*, actor, status: str = Dispatch.Status.PLANNED, **values) -> Dispatch:
    """Costs a handful of existence queries for the checks, then one insert and the audit entry."""
    errors: dict[str, list[str]] = {}
    v = _prepare_dispatch(errors, actor, {**values, "status": status})
    raise_errors(errors)
    dispatch = Dispatch.objects.create(
        **{f: v.get(f) for f in DISPATCH_FIELDS if f in v},
        status=status,
        created_by=actor,
        updated_by=actor,
    )
    return dispatch


@audit.attributed
@transaction.atomic
def update_dispatch(dispatch: Dispatch, *, actor, version: int | None, **values) -> Dispatch:
    """Raises StaleEdit when someone saved since ``version``."""
    merged = {f: values.get(f, getattr(dispatch, f)) for f in DISPATCH_FIELDS}
    # An emptied end date is recomputed from the term, as on creation.
    merged["end_date"] = values.get("end_date")
    merged["was_backbone"] = values.get("was_backbone")
    errors: dict[str, list[str]] = {}
    v = _prepare_dispatch(errors, actor, merged, instance=dispatch)
    raise_errors(errors)
    for field in DISPATCH_FIELDS:
        setattr(dispatch, field, v[field])
    dispatch.updated_by = actor
    save_versioned(dispatch, version, DISPATCH_FIELDS + ["updated_by", "updated_at"])
    return dispatch


@audit.attributed
@transaction.atomic
def change_dispatch_status(dispatch: Dispatch, new_status: str, *, actor) -> Dispatch:
    try:
        with audit.labelled(dispatch, "status"):
            dispatch.set_status(new_status, actor=actor)
    except InvalidStatusTransition as exc:
        raise ValidationError({"status": [str(exc)]}) from None
    return dispatch


# --- the dispatched person's work -------------------------------------------


@audit.attributed
@transaction.atomic
def add_work_log(dispatch: Dispatch, *, actor, date: dt.date, content: str) -> WorkLog:
    errors: dict[str, list[str]] = {}
    if date and not (dispatch.start_date <= date <= dispatch.end_date):
        add_error(
            errors,
            "date",
            _("日期须在派出期限(%(start)s 至 %(end)s)之内。")
            % {
                "start": dispatch.start_date,
                "end": dispatch.end_date,
            },
        )
    raise_errors(errors)
    log = WorkLog.objects.create(dispatch=dispatch, date=date, content=content)
    return log


def _duplicate_month() -> ValidationError:
    return ValidationError({"month": [_("该月的月度报告已提交,不能重复提交。")]})


@audit.attributed
@transaction.atomic
def add_monthly_report(dispatch: Dispatch, *, actor, month: dt.date, summary: str) -> MonthlyReport:
    month = month.replace(day=1)
    if MonthlyReport.objects.filter(dispatch=dispatch, month=month).exists():
        raise _duplicate_month()
    try:
        # A savepoint: a concurrent duplicate leaves the outer transaction usable.
        with transaction.atomic():
            report = MonthlyReport.objects.create(dispatch=dispatch, month=month, summary=summary)
    except IntegrityError:
        raise _duplicate_month() from None
    return report


@audit.attributed
@transaction.atomic
def assess_dispatch(
    dispatch: Dispatch, *, actor, grade: str, comments: str = "", today: dt.date | None = None
) -> DispatchAssessment:
    """The host side's end-of-term assessment: once, and only after the term."""
    today = today or timezone.localdate()
    if not rules.can_assess_dispatch(actor, dispatch):
        raise ValidationError(_("只有受援学校或其教育行政部门可以进行期满考核。"))
    if DispatchAssessment.objects.filter(dispatch=dispatch).exists():
        raise ValidationError(_("该人员已完成期满考核,不能重复考核。"))
    if dispatch.status == Dispatch.Status.WITHDRAWN:
        raise ValidationError(_("已提前结束的派出不进行期满考核。"))
    if not dispatch.term_has_ended(today):
        raise ValidationError(
            _("派出期限至 %(end)s 结束,期满后方可考核。") % {"end": dispatch.end_date}
        )
    if grade not in DispatchAssessment.Grade.values:
        raise ValidationError({"grade": [INVALID_CHOICE]})
    try:
        with transaction.atomic():
            assessment = DispatchAssessment.objects.create(
                dispatch=dispatch, grade=grade, comments=comments, assessed_by=actor
            )
    except IntegrityError:
        raise ValidationError(_("该人员已完成期满考核,不能重复考核。")) from None
    return assessment


# --- deletion (recycle bin) --------------------------------------------------------


def can_delete_dispatch(user, dispatch: Dispatch) -> bool:
    """The sending side, who records and edits the dispatch."""
    return rules.can_edit_dispatch(user, dispatch)


@audit.attributed
@transaction.atomic
def delete_dispatch(dispatch: Dispatch, *, actor) -> Dispatch:
    """Move the dispatch to the recycle bin; its logs, reports and assessment stay with it."""
    dispatch = Dispatch.objects.select_for_update(of=("self",)).get(pk=dispatch.pk)
    if not can_delete_dispatch(actor, dispatch):
        raise PermissionDenied
    dispatch.mark_deleted(actor=actor, when=timezone.now())
    return dispatch


@audit.attributed
@transaction.atomic
def restore_dispatch(dispatch: Dispatch, *, actor) -> Dispatch:
    dispatch = (
        Dispatch.objects.with_deleted()
        .select_for_update(of=("self",))
        .get(pk=dispatch.pk, deleted_at__isnull=False)
    )
    if not can_delete_dispatch(actor, dispatch):
        raise PermissionDenied
    dispatch.mark_restored()
    return dispatch
