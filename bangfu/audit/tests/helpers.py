"""Entries written as the chain would have written them at another time."""

from bangfu.audit import chain
from bangfu.audit.models import AuditChainHead, AuditEntry
from bangfu.audit.services import record
from bangfu.core.middleware import _ip


def record_at(at, action, *, actor=None, instance=None, changes=None, ip=None, label=""):
    """record(), dated ``at``, with the chain intact (the entry is the newest link)."""
    token = _ip.set(ip)
    try:
        entry = record(action, actor=actor, instance=instance, changes=changes, label=label)
    finally:
        _ip.reset(token)
    if at is None:
        return entry
    AuditEntry.objects.filter(pk=entry.pk)._raw_delete(AuditEntry.objects.db)
    entry.pk = None
    entry.at = at
    entry.hash = chain.compute(entry)
    entry.save()
    AuditChainHead.objects.filter(pk=1).update(last_hash=entry.hash)
    return entry


def fresh_chain() -> None:
    """An empty trail whose next entry starts the chain (seq 1)."""
    AuditEntry.objects.all()._raw_delete(AuditEntry.objects.db)
    AuditChainHead.objects.update_or_create(
        pk=1, defaults={"seq": 0, "last_hash": "", "purged_seq": 0, "purged_hash": ""}
    )
