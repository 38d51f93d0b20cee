"""Writes to region pairings, pairings, their sides and agreements.

Every function checks the domain rules, raises ``ValidationError`` keyed by
form field name (so a view can show each message beside its field) and runs in
one transaction, in which each write leaves its audit entry
(``bangfu.audit.signals``). Authorisation to call them at all is the view's job (``bangfu.core.access``); rules that depend on what the
actor may see are checked here too, so a forged id never gets through.
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
from bangfu.orgs.models import Organisation

from . import uploads
from .models import (
    Agreement,
    InvalidStatusTransition,
    Pairing,
    PairingParty,
    PairingStatusChange,
    RegionPairing,
)

INVALID_CHOICE = gettext_lazy("选择一个有效的选项。")
# Refused restore of a record that went to the recycle bin with its pairing.
PAIRING_DELETED = gettext_lazy("所属结对关系已删除：请先在回收站恢复结对关系，它的记录会随之恢复。")


def _raise(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)


def _add(errors: dict[str, list[str]], field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def _check_period(errors, start, end, end_field="end_date") -> None:
    if start and end and end < start:
        _add(errors, end_field, _("结束日期不能早于开始日期。"))


# --- region pairings -------------------------------------------------------


def _check_region_pairing(
    errors, *, actor, helper_region, recipient_region, start_date, end_date, exclude_pk=None
) -> None:
    if helper_region and recipient_region and helper_region.pk == recipient_region.pk:
        _add(errors, "recipient_region", _("帮扶方和受援方不能是同一个地区。"))
    if helper_region and not access.can_manage_region_pairing(actor, helper_region=helper_region):
        _add(errors, "helper_region", _("您只能为本辖区建立或修改对口关系。"))
    _check_period(errors, start_date, end_date)
    if helper_region and recipient_region and start_date:
        duplicates = RegionPairing.objects.filter(
            helper_region=helper_region, recipient_region=recipient_region, start_date=start_date
        ).exclude(pk=exclude_pk)
        if duplicates.exists():
            _add(errors, "start_date", _("这两个地区在该开始日期已有对口关系。"))


@audit.attributed
@transaction.atomic
def create_region_pairing(
    *,
    actor,
    helper_region,
    recipient_region,
    level: str,
    start_date: dt.date,
    end_date: dt.date | None = None,
    note: str = "",
) -> RegionPairing:
    errors: dict[str, list[str]] = {}
    _check_region_pairing(
        errors,
        actor=actor,
        helper_region=helper_region,
        recipient_region=recipient_region,
        start_date=start_date,
        end_date=end_date,
    )
    _raise(errors)
    rp = RegionPairing.objects.create(
        helper_region=helper_region,
        recipient_region=recipient_region,
        level=level,
        start_date=start_date,
        end_date=end_date,
        note=note,
        created_by=actor,
    )
    return rp


REGION_PAIRING_FIELDS = [
    "helper_region",
    "recipient_region",
    "level",
    "start_date",
    "end_date",
    "note",
]


@audit.attributed
@transaction.atomic
def update_region_pairing(
    rp: RegionPairing, *, actor, version: int | None, **values
) -> RegionPairing:
    """Save changed fields; raises StaleEdit when someone saved since ``version``."""
    errors: dict[str, list[str]] = {}
    merged = {f: values.get(f, getattr(rp, f)) for f in REGION_PAIRING_FIELDS}
    _check_region_pairing(
        errors,
        actor=actor,
        helper_region=merged["helper_region"],
        recipient_region=merged["recipient_region"],
        start_date=merged["start_date"],
        end_date=merged["end_date"],
        exclude_pk=rp.pk,
    )
    _raise(errors)
    for field, value in merged.items():
        setattr(rp, field, value)
    save_versioned(rp, version, REGION_PAIRING_FIELDS + ["updated_at"])
    return rp


# --- pairings --------------------------------------------------------------

MODE_RULES = {
    # mode: (min helpers, max helpers, min recipients, max recipients)
    Pairing.Mode.ONE_TO_ONE: (1, 1, 1, 1),
    Pairing.Mode.ENTRUSTED: (1, 1, 1, 1),
    Pairing.Mode.GROUP: (2, None, 1, 1),
    Pairing.Mode.PROGRAMME: (1, None, 1, None),
}


def _check_mode(errors, mode: str, helpers: list, recipients: list) -> None:
    rule = MODE_RULES.get(mode)
    if rule is None:
        _add(errors, "mode", INVALID_CHOICE)
        return
    h_min, h_max, r_min, r_max = rule
    label = Pairing.Mode(mode).label
    if mode in (Pairing.Mode.ONE_TO_ONE, Pairing.Mode.ENTRUSTED):
        if len(helpers) != 1:
            _add(errors, "helpers", _("“%(mode)s”须恰好有 1 个帮扶方单位。") % {"mode": label})
        if len(recipients) != 1:
            _add(errors, "recipients", _("“%(mode)s”须恰好有 1 个受援方单位。") % {"mode": label})
        return
    if len(helpers) < h_min:
        if mode == Pairing.Mode.GROUP:
            msg = _("组团式(N+1)须至少有 2 个帮扶方单位。")
        else:
            msg = _("请至少选择 1 个帮扶方单位。")
        _add(errors, "helpers", msg)
    if len(recipients) < r_min or (r_max is not None and len(recipients) > r_max):
        if mode == Pairing.Mode.GROUP:
            msg = _("组团式(N+1)须恰好有 1 个受援方单位。")
        else:
            msg = _("请至少选择 1 个受援方单位。")
        _add(errors, "recipients", msg)


def find_duplicate(helpers, recipients, start_date, end_date, exclude_pk=None) -> Pairing | None:
    """A pairing with exactly these sides whose period overlaps (ended ones included).

    One query over the pairings of the first helper, with their parties.
    """
    if not helpers or not recipients or not start_date:
        return None
    helper_ids = {o.pk for o in helpers}
    recipient_ids = {o.pk for o in recipients}
    candidates = Pairing.objects.filter(parties__organisation=next(iter(helpers)))
    if end_date is not None:
        candidates = candidates.filter(start_date__lte=end_date)
    candidates = candidates.exclude(end_date__lt=start_date).exclude(pk=exclude_pk)
    for pairing in candidates.prefetch_related("parties"):
        sides = {PairingParty.Side.HELPER: set(), PairingParty.Side.RECIPIENT: set()}
        for party in pairing.parties.all():
            sides[party.side].add(party.organisation_id)
        if (
            sides[PairingParty.Side.HELPER] == helper_ids
            and sides[PairingParty.Side.RECIPIENT] == recipient_ids
        ):
            return pairing
    return None


def _check_pairing(
    errors,
    *,
    actor,
    mode,
    helpers,
    recipients,
    start_date,
    end_date,
    region_pairing,
    parent,
    exclude_pk=None,
) -> None:
    visible = Organisation.objects.visible_to(actor)
    chosen = {o.pk for o in [*helpers, *recipients]}
    allowed = set(visible.filter(pk__in=chosen).values_list("pk", flat=True))
    for field, orgs in (("helpers", helpers), ("recipients", recipients)):
        # Same message as a missing id: never tell that a hidden organisation exists.
        if any(o.pk not in allowed for o in orgs):
            _add(errors, field, INVALID_CHOICE)
    both = {o.pk for o in helpers} & {o.pk for o in recipients}
    if both:
        names = "、".join(o.name for o in helpers if o.pk in both)
        _add(
            errors,
            "recipients",
            _("同一单位不能与自己结对(同时出现在帮扶方和受援方):%(names)s") % {"names": names},
        )
    _check_mode(errors, mode, helpers, recipients)
    _check_period(errors, start_date, end_date)
    if actor.is_school_staff and not any(o.pk == actor.organisation_id for o in helpers):
        _add(errors, "helpers", _("学校用户建立的结对须把本校列为帮扶方。"))
    if region_pairing is not None and not (
        RegionPairing.objects.visible_to(actor).filter(pk=region_pairing.pk).exists()
    ):
        _add(errors, "region_pairing", INVALID_CHOICE)
    if parent is not None:
        if parent.pk == exclude_pk or parent.mode != Pairing.Mode.PROGRAMME:
            _add(errors, "parent", _("所属结对项目须是另一个“多校结对项目”。"))
        elif not Pairing.objects.visible_to(actor).filter(pk=parent.pk).exists():
            _add(errors, "parent", INVALID_CHOICE)
    if not errors:
        duplicate = find_duplicate(helpers, recipients, start_date, end_date, exclude_pk)
        if duplicate is not None:
            _add(
                errors,
                "recipients",
                _("已有相同帮扶方和受援方、时间重叠的结对关系(%(name)s,%(start)s 起)。")
                % {"name": duplicate, "start": duplicate.start_date},
            )


def _ensure_actor_sees(pairing: Pairing, actor) -> None:
    # The actor must keep sight of what they made (a coordinator pairing two
    # schools outside their region would lose it at once).
    if not Pairing.objects.visible_to(actor).filter(pk=pairing.pk).exists():
        raise ValidationError({"helpers": [_("结对双方中至少要有一方属于您的管辖范围或本单位。")]})


@audit.attributed
@transaction.atomic
def create_pairing(
    *,
    actor,
    mode: str,
    helpers: Iterable[Organisation],
    recipients: Iterable[Organisation],
    start_date: dt.date,
    end_date: dt.date | None,
    region_pairing: RegionPairing | None = None,
    parent: Pairing | None = None,
    name: str = "",
    note: str = "",
    status: str = Pairing.Status.PROPOSED,
) -> Pairing:
    """Create the pairing, one PairingParty per organisation and its first status change."""
    helpers, recipients = list(helpers), list(recipients)
    errors: dict[str, list[str]] = {}
    _check_pairing(
        errors,
        actor=actor,
        mode=mode,
        helpers=helpers,
        recipients=recipients,
        start_date=start_date,
        end_date=end_date,
        region_pairing=region_pairing,
        parent=parent,
    )
    if status not in (Pairing.Status.PROPOSED, Pairing.Status.ACTIVE):
        _add(errors, "status", INVALID_CHOICE)
    elif status != Pairing.Status.PROPOSED and actor.is_school_staff:
        _add(errors, "status", _("学校用户建立的结对须经教育行政部门确认,状态为“拟结对”。"))
    _raise(errors)
    pairing = Pairing.objects.create(
        name=name or _pairing_name(helpers, recipients),
        mode=mode,
        status=status,
        region_pairing=region_pairing,
        parent=parent,
        start_date=start_date,
        end_date=end_date,
        note=note,
        created_by=actor,
        updated_by=actor,
    )
    # One by one, not bulk_create: each side is a write with its own audit entry.
    for side, orgs in (("helper", helpers), ("recipient", recipients)):
        for i, org in enumerate(orgs):
            PairingParty.objects.create(
                pairing=pairing, organisation=org, side=side, is_lead=i == 0
            )
    PairingStatusChange.objects.create(
        pairing=pairing, from_status="", to_status=status, changed_by=actor
    )
    _ensure_actor_sees(pairing, actor)
    return pairing


def _pairing_name(helpers, recipients) -> str:
    def names(orgs):
        shown = "、".join(o.short_name or o.name for o in orgs[:3])
        return shown + (_("等%(n)s所") % {"n": len(orgs)} if len(orgs) > 3 else "")

    return f"{names(helpers)} ↔ {names(recipients)}"[:200]


PAIRING_FIELDS = ["name", "mode", "start_date", "end_date", "region_pairing", "parent", "note"]


@audit.attributed
@transaction.atomic
def update_pairing(
    pairing: Pairing,
    *,
    actor,
    version: int | None,
    helpers: Iterable[Organisation] | None = None,
    recipients: Iterable[Organisation] | None = None,
    **values,
) -> Pairing:
    """Change fields and, when given, the organisations of each side.

    Raises StaleEdit when someone saved since ``version``. Parties that stay
    keep their contact and goals.
    """
    current = {p.organisation_id: p for p in pairing.parties.select_related("organisation")}
    old_helpers = [p.organisation for p in current.values() if p.side == "helper"]
    old_recipients = [p.organisation for p in current.values() if p.side == "recipient"]
    helpers = list(helpers) if helpers is not None else old_helpers
    recipients = list(recipients) if recipients is not None else old_recipients
    merged = {f: values.get(f, getattr(pairing, f)) for f in PAIRING_FIELDS}
    errors: dict[str, list[str]] = {}
    _check_pairing(
        errors,
        actor=actor,
        mode=merged["mode"],
        helpers=helpers,
        recipients=recipients,
        start_date=merged["start_date"],
        end_date=merged["end_date"],
        region_pairing=merged["region_pairing"],
        parent=merged["parent"],
        exclude_pk=pairing.pk,
    )
    _raise(errors)
    for field, value in merged.items():
        setattr(pairing, field, value)
    pairing.updated_by = actor
    save_versioned(pairing, version, PAIRING_FIELDS + ["updated_by", "updated_at"])

    wanted = {o.pk: "helper" for o in helpers} | {o.pk: "recipient" for o in recipients}
    PairingParty.objects.filter(pairing=pairing).exclude(organisation__in=wanted).delete()
    for org_id, side in wanted.items():
        party = current.get(org_id)
        if party is None:
            PairingParty.objects.create(pairing=pairing, organisation_id=org_id, side=side)
        elif party.side != side:
            party.side = side
            party.is_lead = False
            party.save(update_fields=["side", "is_lead", "updated_at"])
    for side, orgs in (("helper", helpers), ("recipient", recipients)):
        lead = PairingParty.objects.filter(pairing=pairing, side=side)
        if orgs and not lead.filter(is_lead=True).exists():
            for party in lead.filter(organisation=orgs[0]):
                party.is_lead = True
                party.save(update_fields=["is_lead", "updated_at"])
    _ensure_actor_sees(pairing, actor)
    return pairing


@audit.attributed
@transaction.atomic
def change_pairing_status(pairing: Pairing, new_status: str, *, actor, note: str = "") -> Pairing:
    try:
        with audit.labelled(pairing, "status", **({"note": note} if note else {})):
            pairing.set_status(new_status, actor=actor, note=note)
    except (InvalidStatusTransition, ValueError) as exc:
        message = str(exc) if isinstance(exc, InvalidStatusTransition) else INVALID_CHOICE
        raise ValidationError({"status": [message]}) from None
    return pairing


@audit.attributed
@transaction.atomic
def update_party(
    party: PairingParty, *, actor, version: int | None, contact_name: str, goals: str
) -> PairingParty:
    """One side's own contact and goals; raises StaleEdit on a stale ``version``."""
    party.contact_name = contact_name
    party.goals = goals
    party.updated_by = actor
    save_versioned(party, version, ["contact_name", "goals", "updated_by", "updated_at"])
    return party


# --- agreements ------------------------------------------------------------

AGREEMENT_FIELDS = ["title", "signed_on", "term_start", "term_end", "principles", "method", "note"]


def _check_agreement(errors, values, document) -> tuple[str, str] | None:
    _check_period(errors, values.get("term_start"), values.get("term_end"), end_field="term_end")
    if document is None:
        return None
    try:
        return uploads.check_document(document)
    except ValidationError as exc:
        errors.setdefault("document", []).extend(exc.messages)
        return None


def _attach(agreement: Agreement, document, detected: tuple[str, str]) -> None:
    mime, ext = detected
    agreement.document_name = (getattr(document, "name", "") or f"document.{ext}")[:200]
    if mime.startswith("image/"):
        # A scanned agreement photographed on a phone carries its location in EXIF.
        from bangfu.security.uploads import clean_image

        document, mime, ext = clean_image(document)
    agreement.document_type = mime
    # The stored name takes the detected extension, whatever the upload was called.
    agreement.document.save(f"document.{ext}", document, save=False)


@audit.attributed
@transaction.atomic
def add_agreement(pairing: Pairing, *, actor, document=None, **values) -> Agreement:
    """Reads the uploaded document's first bytes to check its type before storing it."""
    errors: dict[str, list[str]] = {}
    detected = _check_agreement(errors, values, document)
    _raise(errors)
    agreement = Agreement(
        pairing=pairing,
        created_by=actor,
        **{f: v for f, v in values.items() if f in AGREEMENT_FIELDS},
    )
    if document is not None:
        _attach(agreement, document, detected)
    agreement.save()
    return agreement


@audit.attributed
@transaction.atomic
def update_agreement(
    agreement: Agreement, *, actor, version: int | None, document=None, **values
) -> Agreement:
    """A new ``document`` replaces the old one; None keeps it. Raises StaleEdit on a stale version."""
    merged = {f: values.get(f, getattr(agreement, f)) for f in AGREEMENT_FIELDS}
    errors: dict[str, list[str]] = {}
    detected = _check_agreement(errors, merged, document)
    _raise(errors)
    for field, value in merged.items():
        setattr(agreement, field, value)
    fields = AGREEMENT_FIELDS + ["updated_at"]
    if document is not None:
        _attach(agreement, document, detected)
        fields += ["document", "document_name", "document_type"]
    save_versioned(agreement, version, fields)
    return agreement


# --- deletion (recycle bin) ------------------------------------------------------------


def _belongings(pairing: Pairing, *, deleted_at=None) -> list:
    """The ledger records that belong to the pairing and are hidden with it.

    Needs, plans, activities and resources shared in the pairing cannot stand
    without it (their link to it is required or protected). Dispatches, visits,
    classes and support records belong to their organisations and only name the
    pairing, so they stay. Live ones, or those deleted at ``deleted_at`` (with
    the pairing). Four queries.
    """
    from bangfu.activities.models import Activity
    from bangfu.needs.models import Need
    from bangfu.plans.models import Plan
    from bangfu.resources.models import SharedResource

    out = []
    for model in (Need, Plan, Activity, SharedResource):
        rows = model.objects.with_deleted().filter(pairing=pairing, deleted_at=deleted_at)
        out += list(rows.select_for_update(of=("self",)).order_by("pk"))
    return out


def can_delete_pairing(user, pairing: Pairing) -> bool:
    return access.can_edit_pairing(user, pairing)


@audit.attributed
@transaction.atomic
def delete_pairing(pairing: Pairing, *, actor) -> Pairing:
    """Move the pairing to the recycle bin with its needs, plans, activities and resources.

    Refused while an activity of it lies in an approved (locked) semester: the
    locked figures must not change. Nothing is removed; every mark is audited.
    """
    from bangfu.activities.services import any_locked

    pairing = Pairing.objects.select_for_update(of=("self",)).get(pk=pairing.pk)
    if not can_delete_pairing(actor, pairing):
        raise PermissionDenied
    belongings = _belongings(pairing)
    if any_locked([r for r in belongings if r._meta.label == "activities.Activity"]):
        raise ValidationError(
            _(
                "该结对关系有活动属于已审核锁定的学期，不能删除。如需删除，请先联系教育行政部门重新开放。"
            )
        )
    when = timezone.now()
    pairing.mark_deleted(actor=actor, when=when)
    for record in belongings:
        record.mark_deleted(actor=actor, when=when)
    return pairing


@audit.attributed
@transaction.atomic
def restore_pairing(pairing: Pairing, *, actor) -> Pairing:
    """Bring the pairing back with the records deleted together with it (not those deleted before)."""
    from bangfu.activities.services import any_locked

    pairing = (
        Pairing.objects.with_deleted()
        .select_for_update(of=("self",))
        .get(pk=pairing.pk, deleted_at__isnull=False)
    )
    if not can_delete_pairing(actor, pairing):
        raise PermissionDenied
    parties = list(pairing.parties.select_related("organisation"))
    duplicate = find_duplicate(
        [p.organisation for p in parties if p.side == PairingParty.Side.HELPER],
        [p.organisation for p in parties if p.side == PairingParty.Side.RECIPIENT],
        pairing.start_date,
        pairing.end_date,
        exclude_pk=pairing.pk,
    )
    if duplicate is not None:
        raise ValidationError(
            _("已有相同帮扶方和受援方、时间重叠的结对关系（%(name)s），不能恢复。")
            % {"name": duplicate}
        )
    belongings = _belongings(pairing, deleted_at=pairing.deleted_at)
    if any_locked([r for r in belongings if r._meta.label == "activities.Activity"]):
        raise ValidationError(
            _(
                "该结对关系有活动属于删除后已审核锁定的学期，不能恢复。请先联系教育行政部门重新开放。"
            )
        )
    pairing.mark_restored()
    for record in belongings:
        record.mark_restored()
    return pairing
