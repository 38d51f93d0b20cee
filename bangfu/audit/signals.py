"""Every write of a business record leaves one audit entry.

The receivers below are connected in ``AuditConfig.ready()`` for every model of
the ``bangfu.*`` apps except those in :data:`NOT_AUDITED` (the rule, so a new
model is covered the day it is added; ``bangfu/audit/tests/test_coverage.py``
fails until its test builder exists). They write:

- ``create`` with the new values (``[None, value]``),
- ``update`` with the changed fields (``[before, after]``; the before-state is
  read from the database in ``pre_save``, so it is what was stored, not what a
  form wrote into the instance),
- ``delete`` with the old values (``[value, None]``); a soft delete (setting
  ``deleted_at``) is a ``delete`` too, and clearing it a ``restore``,
- an ``update`` of the owning record for each change of a many-to-many link.

A service may give a write its own action with ``audit.labelled`` (a status
change, a confirmation): still one entry. Entries are written in the writer's
transaction, so a write whose entry cannot be written is rolled back with it.
Writes that bypass model signals (``bulk_create``, ``QuerySet.update``) leave no
entry here: the importers, the demo loader and the scale generator say what
they did in their own entries or write generated data only.
"""

from __future__ import annotations

import datetime as dt
import decimal
import logging
import re

from django.apps import apps
from django.core.exceptions import ObjectDoesNotExist
from django.db import connections, models
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

from bangfu.lib import idcard

from . import services as audit

logger = logging.getLogger(__name__)

# Apps ("label") and models ("app.Model") of bangfu whose writes are not recorded here.
NOT_AUDITED = {
    "audit": "the trail itself",
    "accounts": "accounts are recorded by bangfu.accounts (sign-in, password, role changes); "
    "their rows hold password hashes and change at every sign-in",
    "stats": "roll-ups: figures derived from the ledger, rewritten with it",
    "scale": "bookkeeping of generated data",
    "dataio": "import and export jobs: bookkeeping; each import, undo and export is recorded "
    "once by its own entry, and the records an import writes by their services",
}

# Written by the machinery, not by a person: never a change worth an entry.
BOOKKEEPING = {
    "version",
    "created_at",
    "updated_at",
    "updated_by",
    "search_text",
    "sort_key",
    "name_key",
    "short_key",
    "organisation_key",
}

# Full mainland ID and mobile numbers typed into free text: masked before they
# reach the trail (the numbers' own fields are never recorded at all).
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<![0-9A-Za-z])1[3-9]\d{9}(?![0-9A-Za-z])")


def audited_models() -> list[type[models.Model]]:
    """Every model of the bangfu apps whose writes are recorded, by rule."""
    out = []
    for config in apps.get_app_configs():
        if not config.name.startswith("bangfu.") or config.label in NOT_AUDITED:
            continue
        out += [m for m in config.get_models() if m._meta.label not in NOT_AUDITED]
    return out


def _fields(model, update_fields=None) -> list[models.Field]:
    out = []
    for field in model._meta.concrete_fields:
        if field.primary_key or field.name in BOOKKEEPING or field.name in audit.SECRET_FIELDS:
            continue
        if isinstance(field, models.BinaryField):
            continue
        if update_fields is not None and field.name not in update_fields:
            continue
        out.append(field)
    return out


def plain_value(field: models.Field, value):
    """A JSON value that compares equal however the instance or the database holds it."""
    if value is None:
        return None
    if isinstance(field, models.DecimalField):
        try:
            exponent = decimal.Decimal(1).scaleb(-field.decimal_places)
            return str(decimal.Decimal(value).quantize(exponent))
        except (decimal.InvalidOperation, TypeError, ValueError):
            return str(value)
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC)
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(field, models.FileField):
        return getattr(value, "name", value) or ""
    if isinstance(value, (decimal.Decimal, dt.time, dt.timedelta)):
        return str(value)
    if isinstance(value, str):
        return _scrub(value)
    return value


def _scrub(text: str) -> str:
    text = _ID_NUMBER.sub(lambda m: idcard.mask_id_number(m.group(0).upper()), text)
    return _MOBILE.sub(lambda m: idcard.mask_phone(m.group(0)), text)


def _values(instance, fields) -> dict:
    # A deferred field is not read: after a delete there is no row to read it from.
    deferred = instance.get_deferred_fields()
    return {
        f.name: plain_value(f, getattr(instance, f.attname))
        for f in fields
        if f.attname not in deferred
    }


def _repr(instance) -> str:
    try:
        return str(instance)[:200]
    except ObjectDoesNotExist:  # a related row deleted in the same cascade
        return f"{instance._meta.verbose_name} #{instance.pk}"


def _write(action: str, instance, changes: dict, using: str) -> None:
    label = audit.label_of(instance)
    if label is not None:
        action, extra = label
        changes = {**changes, **extra}
    elif not changes and action == "update":
        return  # saved without a change
    if not connections[using].in_atomic_block:
        # Autocommit: the write is already stored and cannot be undone if the
        # entry fails. Services and the admin always write in a transaction.
        logger.warning("audited write outside a transaction: %s", instance._meta.label)
    actor, name = audit.current_actor()
    audit.record(
        action,
        actor=actor,
        label=name,
        instance=instance,
        changes=changes,
        object_repr=_repr(instance),
    )


def _pre_save(sender, instance, raw=False, using="default", update_fields=None, **kwargs):
    instance.__dict__.pop("_audit_before", None)
    if raw or instance.pk is None:
        return
    fields = _fields(sender, update_fields)
    if not fields:  # only bookkeeping written: nothing to compare
        instance.__dict__["_audit_before"] = {}
        return
    row = (
        sender._base_manager.db_manager(using)
        .filter(pk=instance.pk)
        .values(*[f.attname for f in fields])
        .first()
    )
    if row is not None:
        instance.__dict__["_audit_before"] = {
            f.name: plain_value(f, row[f.attname]) for f in fields
        }


def _post_save(sender, instance, created, raw=False, using="default", update_fields=None, **kw):
    if raw:
        return
    before = instance.__dict__.pop("_audit_before", None)
    after = _values(instance, _fields(sender, update_fields))
    if created or before is None:
        changes = {k: [None, v] for k, v in after.items() if v not in (None, "")}
        _write("create", instance, changes, using)
        return
    changes = {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}
    action = "update"
    if "deleted_at" in changes:
        action = "delete" if changes["deleted_at"][0] is None else "restore"
    _write(action, instance, changes, using)


def _post_delete(sender, instance, using="default", **kwargs):
    values = _values(instance, _fields(sender))
    changes = {k: [v, None] for k, v in values.items() if v not in (None, "")}
    _write("delete", instance, changes, using)


# --- many-to-many links ----------------------------------------------------------------

# Auto-created link table → the ManyToManyField it serves.
_LINKS: dict[type[models.Model], models.ManyToManyField] = {}


def _link_columns(through, field) -> tuple[str, str]:
    return (
        through._meta.get_field(field.m2m_field_name()).attname,
        through._meta.get_field(field.m2m_reverse_field_name()).attname,
    )


def _linked(through, field, sources, using) -> dict:
    source, target = _link_columns(through, field)
    out = {pk: [] for pk in sources}
    rows = through._base_manager.db_manager(using).filter(**{f"{source}__in": list(sources)})
    for source_id, target_id in rows.values_list(source, target):
        out.setdefault(source_id, []).append(target_id)
    return {pk: sorted(ids) for pk, ids in out.items()}


def _m2m_changed(sender, instance, action, reverse, model, pk_set, using="default", **kwargs):
    field = _LINKS.get(sender)
    if field is None:
        return
    pending = instance.__dict__.setdefault("_audit_links", {})
    if action.startswith("pre_"):
        if not reverse:
            sources = [instance.pk]
        elif pk_set is not None:
            sources = sorted(pk_set)
        else:
            source, target = _link_columns(sender, field)
            rows = sender._base_manager.db_manager(using).filter(**{target: instance.pk})
            sources = sorted(set(rows.values_list(source, flat=True)))
        pending[sender] = (sources, _linked(sender, field, sources, using))
        return
    sources, before = pending.pop(sender, ([], {}))
    if not sources:
        return
    after = _linked(sender, field, sources, using)
    owners = (
        {instance.pk: instance}
        if not reverse
        else field.model._base_manager.db_manager(using).in_bulk(sources)
    )
    for pk in sources:
        if before.get(pk) != after.get(pk) and pk in owners:
            change = {field.name: [before.get(pk, []), after.get(pk, [])]}
            _write("update", owners[pk], change, using)


def connect() -> None:
    for model in audited_models():
        uid = f"bangfu.audit:{model._meta.label}"
        pre_save.connect(_pre_save, sender=model, dispatch_uid=uid)
        post_save.connect(_post_save, sender=model, dispatch_uid=uid)
        post_delete.connect(_post_delete, sender=model, dispatch_uid=uid)
        for field in model._meta.local_many_to_many:
            through = field.remote_field.through
            if through._meta.auto_created:
                _LINKS[through] = field
                m2m_changed.connect(
                    _m2m_changed, sender=through, dispatch_uid=f"{uid}.{field.name}"
                )
