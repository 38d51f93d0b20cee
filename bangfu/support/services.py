"""Writes to material and money support and its item lines.

Each function validates against what the actor may see and record, raises
``ValidationError`` keyed by form field and runs in one transaction, in which
each write leaves its audit entry (``bangfu.audit.signals``).
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bangfu.audit import services as audit
from bangfu.core.forms import save_versioned
from bangfu.orgs.models import Organisation
from bangfu.pairings.models import Pairing, RegionPairing

from . import rules
from .models import Support, SupportItem

SUPPORT_FIELDS = [
    "kind",
    "title",
    "date",
    "donor",
    "recipient",
    "recipient_region",
    "pairing",
    "region_pairing",
    "amount_yuan",
    "is_approximate",
    "beneficiaries",
    "description",
]

INVALID_CHOICE = gettext_lazy("选择一个有效的选项。")


def _add(errors: dict[str, list[str]], field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def _visible(model, actor, obj) -> bool:
    return obj is None or model.objects.visible_to(actor).filter(pk=obj.pk).exists()


def _check(values: dict, *, actor) -> dict[str, list[str]]:
    """Fill the recipient region from the recipient, then check every rule."""
    errors: dict[str, list[str]] = {}
    # A foreign id is refused as an invalid choice: its existence is never confirmed.
    for field, model in (
        ("donor", Organisation),
        ("recipient", Organisation),
        ("pairing", Pairing),
        ("region_pairing", RegionPairing),
    ):
        if not _visible(model, actor, values.get(field)):
            _add(errors, field, str(INVALID_CHOICE))
            values[field] = None
    if values.get("recipient_region") is None and values.get("recipient") is not None:
        values["recipient_region"] = values["recipient"].region
    if values.get("recipient_region") is None:
        _add(errors, "recipient_region", _("请填写受助地区，或选择受助单位。"))
    amount = values.get("amount_yuan")
    if amount is None:
        _add(errors, "amount_yuan", _("请填写金额。"))
    elif Decimal(amount) < 0:
        _add(errors, "amount_yuan", _("金额不能为负数。"))
    beneficiaries = values.get("beneficiaries")
    if beneficiaries is not None and beneficiaries < 0:
        _add(errors, "beneficiaries", _("受助人数不能为负数。"))
    if values.get("kind") == Support.Kind.STUDENT_AID and not beneficiaries:
        _add(errors, "beneficiaries", _("学生资助须填写受助人数。"))
    if values.get("donor") is not None and not errors.get("donor"):
        allowed = rules.can_record_support(
            actor,
            donor=values["donor"],
            recipient_region=values.get("recipient_region"),
            pairing=values.get("pairing"),
        )
        if not allowed:
            _add(errors, "donor", _("您无权为该单位登记帮扶记录。"))
    return errors


@audit.attributed
@transaction.atomic
def create_support(*, actor, **values) -> Support:
    values = {f: values.get(f) for f in SUPPORT_FIELDS}
    values["is_approximate"] = bool(values["is_approximate"])
    values["description"] = values["description"] or ""
    errors = _check(values, actor=actor)
    if errors:
        raise ValidationError(errors)
    support = Support.objects.create(created_by=actor, updated_by=actor, **values)
    return support


@audit.attributed
@transaction.atomic
def update_support(support: Support, *, actor, version: int | None, **values) -> Support:
    """Raises StaleEdit when someone saved since ``version``."""
    merged = {f: values.get(f, getattr(support, f)) for f in SUPPORT_FIELDS}
    merged["is_approximate"] = bool(merged["is_approximate"])
    merged["description"] = merged["description"] or ""
    errors = _check(merged, actor=actor)
    if errors:
        raise ValidationError(errors)
    for field, value in merged.items():
        setattr(support, field, value)
    support.updated_by = actor
    save_versioned(support, version, SUPPORT_FIELDS + ["updated_by", "updated_at"])
    return support


@audit.attributed
@transaction.atomic
def add_support_item(
    support: Support,
    *,
    actor,
    name: str,
    quantity: Decimal,
    unit: str,
    value_yuan: Decimal | None = None,
    is_approximate: bool = False,
) -> SupportItem:
    errors: dict[str, list[str]] = {}
    if quantity is None or quantity <= 0:
        _add(errors, "quantity", _("数量必须大于零。"))
    if value_yuan is not None and value_yuan < 0:
        _add(errors, "value_yuan", _("金额不能为负数。"))
    if errors:
        raise ValidationError(errors)
    item = SupportItem.objects.create(
        support=support,
        name=name,
        quantity=quantity,
        unit=unit,
        value_yuan=value_yuan,
        is_approximate=is_approximate,
    )
    _touch(support, actor)
    return item


@audit.attributed
@transaction.atomic
def delete_support_item(item: SupportItem, *, actor) -> None:
    support = item.support
    item.delete()
    _touch(support, actor)


def _touch(support: Support, actor) -> None:
    # The lines are part of the record: an open edit form of it is now stale.
    Support.objects.filter(pk=support.pk).update(
        updated_by=actor, updated_at=timezone.now(), version=F("version") + 1
    )
    support.version += 1


# --- deletion of a record (recycle bin) ---------------------------------------------


def can_delete_support(user, support: Support) -> bool:
    return rules.can_edit_support(user, support)


@audit.attributed
@transaction.atomic
def delete_support(support: Support, *, actor) -> Support:
    """Move the record to the recycle bin; its items stay with it."""
    support = Support.objects.select_for_update(of=("self",)).get(pk=support.pk)
    if not can_delete_support(actor, support):
        raise PermissionDenied
    support.mark_deleted(actor=actor, when=timezone.now())
    return support


@audit.attributed
@transaction.atomic
def restore_support(support: Support, *, actor) -> Support:
    support = (
        Support.objects.with_deleted()
        .select_for_update(of=("self",))
        .get(pk=support.pk, deleted_at__isnull=False)
    )
    if not can_delete_support(actor, support):
        raise PermissionDenied
    support.mark_restored()
    return support
