"""The one place audit entries are written.

Plain creates, updates and deletes of business records are recorded by the
receivers in :mod:`bangfu.audit.signals`; services call :func:`record` only for
actions that are not a write of one record (reveal, login, import, export), and
use :func:`labelled` to give a write a meaning of its own (a status change, a
confirmation) and :func:`attributed` to name who acts when there is no request.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import decimal
import functools
from contextvars import ContextVar
from typing import Any

from django.db import models, transaction

from bangfu.core.middleware import current_ip, current_user

from . import chain
from .models import AuditChainHead, AuditEntry

# Never written to the trail, whatever the model calls them.
SECRET_FIELDS = {
    "password",
    "id_number_enc",
    "phone_enc",
    "id_number_hash",
    "phone_hash",
    # The public sign-in page's key: whoever holds it may sign in to the activity.
    "signin_token",
}


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
    object_repr: str | None = None,
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
        object_repr=(
            object_repr
            if object_repr is not None
            else str(instance)[:200]
            if instance is not None
            else label[:200]
        ),
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


# Parts shown in their record's history (the relations of a record to the rows
# that belong to it and are edited on its pages).
PARTS = {
    "pairings.Pairing": ("parties", "agreements"),
    "plans.Plan": ("tasks",),
    "plans.Project": ("targets",),
    "activities.Activity": ("files",),
    "support.Support": ("items",),
    "dispatch.Dispatch": ("work_logs", "monthly_reports"),
    "dispatch.VisitBatch": ("trainees",),
    "dispatch.TrainingClass": ("enrolments",),
}


def history(instance: models.Model):
    """Entries of the record and of its current parts (PARTS), newest first.

    One query per kind of part for the parts' ids, then one for the entries.
    """
    q = models.Q(model=instance._meta.label, object_id=str(instance.pk))
    for name in PARTS.get(instance._meta.label, ()):
        related = instance._meta.get_field(name).related_model
        ids = related._base_manager.filter(**{instance._meta.get_field(name).field.name: instance})
        q |= models.Q(
            model=related._meta.label,
            object_id__in=[str(pk) for pk in ids.values_list("pk", flat=True)],
        )
    return AuditEntry.objects.filter(q)


# --- who acts, and what a write means ------------------------------------------------

_acting: ContextVar[tuple | None] = ContextVar("bangfu_audit_acting", default=None)
_labels: ContextVar[tuple] = ContextVar("bangfu_audit_labels", default=())


@contextlib.contextmanager
def acting_as(actor, *, label: str = ""):
    """Entries written inside are attributed to ``actor`` (or, without one, to ``label``)."""
    token = _acting.set((actor, label))
    try:
        yield
    finally:
        _acting.reset(token)


def attributed(func):
    """A service's entries name its ``actor`` keyword, with or without a request around it."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with acting_as(kwargs.get("actor")):
            return func(*args, **kwargs)

    return wrapper


def current_actor() -> tuple[Any, str]:
    """(user or None, label): the service's actor, else the request's user."""
    acting = _acting.get()
    if acting is not None and (acting[0] is not None or acting[1]):
        return acting
    return current_user(), ""


@contextlib.contextmanager
def labelled(instance: models.Model, action: str, **extra):
    """The entry of ``instance``'s next write inside is recorded as ``action``, with ``extra``.

    For a write that means more than its field changes: a status change, a
    confirmation, a claim. The instance may be unsaved (a lock being created).
    """
    token = _labels.set((*_labels.get(), (instance, action, extra)))
    try:
        yield
    finally:
        _labels.reset(token)


def label_of(instance: models.Model) -> tuple[str, dict] | None:
    for target, action, extra in reversed(_labels.get()):
        if target is instance or (
            type(target) is type(instance) and target.pk is not None and target.pk == instance.pk
        ):
            return action, extra
    return None
