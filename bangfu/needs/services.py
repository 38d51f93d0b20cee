"""Writes to needs: list, edit, claim, move along the status transitions.

Each function checks the domain rules, raises ``ValidationError`` keyed by form
field name and runs in one transaction, in which each write leaves its audit
entry (``bangfu.audit.signals``). Whether the actor may call it at all is the view's job (``rules``); the side rules are
checked here again so a forged request never gets through.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bangfu.audit import services as audit
from bangfu.core import access
from bangfu.core.forms import save_versioned
from bangfu.pairings.services import PAIRING_DELETED

from . import rules
from .models import InvalidNeedTransition, Need, NeedCategory

INVALID_CHOICE = gettext_lazy("选择一个有效的选项。")

NEED_FIELDS = [
    "category",
    "title",
    "description",
    "subject",
    "priority",
    "wished_start",
    "wished_end",
]


def _check(errors: dict[str, list[str]], values: dict) -> None:
    start, end = values.get("wished_start"), values.get("wished_end")
    if start and end and end < start:
        errors.setdefault("wished_end", []).append(_("希望完成日期不能早于希望开始日期。"))
    category = values.get("category")
    if category is not None and not isinstance(category, NeedCategory):
        errors.setdefault("category", []).append(str(INVALID_CHOICE))


def _proposing_organisation(pairing, actor):
    """The recipient organisation the need belongs to: the actor's own, else the lead recipient."""
    recipients = [p for p in pairing.parties.all() if p.side == p.Side.RECIPIENT]
    for party in recipients:
        if party.organisation_id == actor.organisation_id:
            return party.organisation
    return recipients[0].organisation if recipients else None


@audit.attributed
@transaction.atomic
def create_need(
    *,
    actor,
    pairing,
    category: NeedCategory,
    title: str,
    description: str = "",
    subject: str = "",
    priority: str = Need.Priority.MEDIUM,
    wished_start: dt.date | None = None,
    wished_end: dt.date | None = None,
) -> Need:
    values = {
        "category": category,
        "title": title,
        "description": description,
        "subject": subject,
        "priority": priority,
        "wished_start": wished_start,
        "wished_end": wished_end,
    }
    errors: dict[str, list[str]] = {}
    organisation = None
    # A pairing the actor does not list needs for is "not a choice", never "forbidden".
    if pairing is None or not rules.can_list_need(actor, pairing):
        errors["pairing"] = [str(INVALID_CHOICE)]
    else:
        organisation = _proposing_organisation(pairing, actor)
        if organisation is None:
            errors["pairing"] = [_("该结对关系没有受援方单位。")]
    _check(errors, values)
    if errors:
        raise ValidationError(errors)
    need = Need(
        pairing=pairing, organisation=organisation, created_by=actor, updated_by=actor, **values
    )
    need.refresh_search()
    need.save()
    return need


@audit.attributed
@transaction.atomic
def update_need(need: Need, *, actor, version: int | None, **values) -> Need:
    """The recipient side edits its need; raises StaleEdit when someone saved since ``version``."""
    if not rules.can_edit_need(actor, need):
        raise ValidationError(_("只有受援方可以修改需求。"))
    merged = {f: values.get(f, getattr(need, f)) for f in NEED_FIELDS}
    errors: dict[str, list[str]] = {}
    _check(errors, merged)
    if errors:
        raise ValidationError(errors)
    for field, value in merged.items():
        setattr(need, field, value)
    need.updated_by = actor
    need.refresh_search()
    save_versioned(need, version, NEED_FIELDS + ["search_text", "updated_by", "updated_at"])
    return need


def _claiming_organisation(pairing, actor):
    helpers = [p for p in pairing.parties.all() if p.side == p.Side.HELPER]
    for party in helpers:
        if party.organisation_id == actor.organisation_id:
            return party.organisation
    lead = [p for p in helpers if p.is_lead] or helpers
    return lead[0].organisation if lead else None


@audit.attributed
@transaction.atomic
def claim_need(need: Need, *, actor) -> Need:
    """认领: the helper side takes the need up. Locks the row so two helpers cannot both win."""
    # of=("self",): PostgreSQL refuses to lock the nullable side of an outer join.
    need = Need.objects.select_for_update(of=("self",)).select_related("claimed_by").get(pk=need.pk)
    if not rules.can_claim_need(actor, need):
        raise ValidationError(_("只有帮扶方可以认领需求。"))
    organisation = _claiming_organisation(need.pairing, actor)
    if organisation is None:
        raise ValidationError(_("该结对关系没有帮扶方单位。"))
    if need.status in (Need.Status.MET, Need.Status.WITHDRAWN):
        raise ValidationError(
            _("“%(status)s”的需求不能认领。") % {"status": need.get_status_display()}
        )
    if need.claimed_by_id == organisation.pk:
        raise ValidationError(_("本单位已认领该需求。"))
    if need.claimed_by_id is not None:
        raise ValidationError(_("该需求已由%(org)s认领,不能重复认领。") % {"org": need.claimed_by})
    need.claimed_by = organisation
    need.claimed_at = timezone.now()
    need.claimed_by_user = actor
    need.updated_by = actor
    with audit.labelled(need, "claim"):
        need.save(
            update_fields=[
                "claimed_by",
                "claimed_at",
                "claimed_by_user",
                "updated_by",
                "updated_at",
            ]
        )
    return need


# Withdrawing a need, or reopening a withdrawn one, is the recipient's own decision.
RECIPIENT_ONLY = {Need.Status.WITHDRAWN}


def _set_status(need: Need, new_status: str, *, actor) -> None:
    try:
        with audit.labelled(need, "status"):
            need.set_status(new_status, actor=actor)
    except InvalidNeedTransition as exc:
        raise ValidationError(str(exc)) from None


@audit.attributed
@transaction.atomic
def change_need_status(need: Need, new_status: str, *, actor) -> Need:
    if new_status not in Need.Status.values:
        raise ValidationError(_("请选择有效的状态。"))
    if not rules.can_change_need_status(actor, need):
        raise ValidationError(_("您不能变更该需求的状态。"))
    touches_withdrawal = new_status in RECIPIENT_ONLY or need.status in RECIPIENT_ONLY
    if touches_withdrawal and not access.can_act_for_side(actor, need.pairing, "recipient"):
        raise ValidationError(_("只有受援方可以撤回需求或重新开放已撤回的需求。"))
    _set_status(need, new_status, actor=actor)
    return need


def mark_needs_planned(needs: Iterable[Need], *, actor) -> list[Need]:
    """Open needs that a plan task now answers become planned; call inside the plan's transaction."""
    moved = []
    for need in needs:
        if need.status == Need.Status.OPEN:
            _set_status(need, Need.Status.PLANNED, actor=actor)
            moved.append(need)
    return moved


# --- deletion (recycle bin) --------------------------------------------------------


def can_delete_need(user, need: Need) -> bool:
    """The recipient side, who lists and edits its needs."""
    return rules.can_edit_need(user, need)


@audit.attributed
@transaction.atomic
def delete_need(need: Need, *, actor) -> Need:
    need = Need.objects.select_for_update(of=("self",)).get(pk=need.pk)
    if not can_delete_need(actor, need):
        raise PermissionDenied
    need.mark_deleted(actor=actor, when=timezone.now())
    return need


@audit.attributed
@transaction.atomic
def restore_need(need: Need, *, actor) -> Need:
    need = (
        Need.objects.with_deleted()
        .select_for_update(of=("self",))
        .get(pk=need.pk, deleted_at__isnull=False)
    )
    if not can_delete_need(actor, need):
        raise PermissionDenied
    if need.pairing.is_deleted:
        raise ValidationError(PAIRING_DELETED)
    need.mark_restored()
    return need
