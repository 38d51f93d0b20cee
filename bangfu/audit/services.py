"""The one place audit entries are written."""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

from django.db import models, transaction

from bangfu.core.middleware import current_ip

from . import chain
from .models import AuditChainHead, AuditEntry

# Never written to the trail, whatever the model calls them.
SECRET_FIELDS = {"password", "id_number_enc", "phone_enc", "id_number_hash", "phone_hash"}


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, (dt.date, dt.datetime, decimal.Decimal)):
        return str(value)
    if hasattr(value, "name") and hasattr(value, "url"):  # a FieldFile
        return value.name or ""
    return value


def snapshot(instance: models.Model) -> dict[str, Any]:
    data = {}
    for field in instance._meta.concrete_fields:
        if field.name in SECRET_FIELDS or field.name in {"search_text", "sort_key"}:
            continue
        data[field.name] = _plain(getattr(instance, field.attname))
    return data


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}


def record(
    action: str,
    *,
    actor=None,
    instance: models.Model | None = None,
    changes: dict | None = None,
    label: str = "",
) -> AuditEntry:
    actor_name = ""
    if actor is not None and getattr(actor, "is_authenticated", False):
        actor_name = actor.get_username()
    else:
        actor = None
    entry = AuditEntry(
        actor=actor,
        actor_name=actor_name or label,
        action=action,
        model=instance._meta.label if instance is not None else "",
        object_id=str(instance.pk) if instance is not None else "",
        object_repr=str(instance)[:200] if instance is not None else label[:200],
        changes=_jsonable(changes or {}),
        ip=current_ip(),
    )
    # Inside the caller's transaction: if the entry cannot be written, the
    # action it records is rolled back with it.
    with transaction.atomic():
        head, _created = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        entry.seq = head.seq + 1
        entry.prev_hash = head.last_hash
        entry.hash = chain.compute(entry)
        entry.save()
        head.seq, head.last_hash = entry.seq, entry.hash
        head.save(update_fields=["seq", "last_hash"])
    return entry


def _jsonable(value):
    """What the JSON column gives back, so the hash computed now matches a later read."""
    import json

    return json.loads(json.dumps(value, default=str))


def history(instance: models.Model):
    return AuditEntry.objects.filter(model=instance._meta.label, object_id=str(instance.pk))
