"""Retention of the audit trail: removing entries past AUDIT_RETENTION_DAYS and
verifying what is left.

Only a prefix of the chain is ever removed (every entry before the first one
still within the retention), so what remains is one unbroken chain. The
purge point — sequence number and hash of the last removed entry — is kept
on the chain head and in the purge's own audit entry, and verification starts
from it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from . import chain
from .models import AuditChainHead, AuditEntry
from .services import record

# Below this many days the trail would not cover the six months the
# cybersecurity rules ask for (网络安全法 第二十一条); a system check refuses it.
MINIMUM_RETENTION_DAYS = 180


class PurgeRefused(Exception):
    """Nothing was removed; the message says why."""


@dataclass
class PurgeResult:
    removed: int
    cutoff: dt.datetime
    through_seq: int | None = None
    through_hash: str = ""


def _head(lock: bool = False) -> AuditChainHead:
    qs = AuditChainHead.objects.select_for_update() if lock else AuditChainHead.objects
    head, _created = qs.get_or_create(pk=1)
    return head


def verify_trail() -> tuple[chain.Finding | None, int]:
    """(first problem or None, entries checked). Reads every entry once, in chunks."""
    head = AuditChainHead.objects.filter(pk=1).first() or AuditChainHead(pk=1)
    outside = AuditEntry.objects.filter(seq__isnull=True).order_by("pk").first()
    if outside is not None:
        return chain.Finding(None, outside.pk, "entry outside the chain (no sequence number)"), 0
    entries = AuditEntry.objects.filter(seq__lte=head.seq).order_by("seq")
    count = 0
    last = None

    def counted():
        nonlocal count, last
        for entry in entries.iterator(chunk_size=2000):
            count += 1
            last = entry
            yield entry

    finding = chain.verify(counted(), start=(head.purged_seq, head.purged_hash))
    if finding is not None:
        return finding, count
    if head.seq > head.purged_seq and (
        last is None or last.seq != head.seq or last.hash != head.last_hash
    ):
        seq = last.seq if last else head.purged_seq
        return chain.Finding(seq, last.pk if last else None, "newest entries removed"), count
    if head.purged_seq:
        purge = AuditEntry.objects.filter(action=AuditEntry.Action.PURGE).order_by("-seq").first()
        recorded = purge.changes if purge is not None else {}
        if (
            recorded.get("through_seq") != head.purged_seq
            or recorded.get("through_hash") != head.purged_hash
        ):
            return (
                chain.Finding(
                    head.purged_seq, None, "purge point differs from the last recorded purge"
                ),
                count,
            )
    return None, count


def retention_days() -> int:
    return settings.AUDIT_RETENTION_DAYS


@transaction.atomic
def purge_expired(
    *, actor=None, now: dt.datetime | None = None, days: int | None = None
) -> PurgeResult:
    """Remove the entries older than the retention, record the purge point and the purge.

    Refused (PurgeRefused, nothing removed) when the retention is under
    :data:`MINIMUM_RETENTION_DAYS` or the part to be removed does not verify:
    a purge never erases the evidence of tampering.
    """
    days = retention_days() if days is None else days
    if days < MINIMUM_RETENTION_DAYS:
        raise PurgeRefused(
            f"retention of {days} days refused: at least {MINIMUM_RETENTION_DAYS} days"
        )
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    head = _head(lock=True)
    kept = AuditEntry.objects.filter(seq__isnull=False, at__gte=cutoff).order_by("seq").first()
    # Every entry before the first one kept is older than the cutoff.
    limit = kept.seq - 1 if kept is not None else head.seq
    doomed = AuditEntry.objects.filter(seq__gt=head.purged_seq, seq__lte=limit).order_by("seq")
    last = doomed.last()
    legacy = AuditEntry.objects.filter(seq__isnull=True, at__lt=cutoff)
    if last is None and not legacy.exists():
        return PurgeResult(removed=0, cutoff=cutoff)
    if last is not None:
        finding = chain.verify(
            doomed.iterator(chunk_size=2000), start=(head.purged_seq, head.purged_hash)
        )
        if finding is not None:
            raise PurgeRefused(f"the entries to remove do not verify: {finding}")
    table = connection.ops.quote_name(AuditEntry._meta.db_table)
    with connection.cursor() as cursor:
        # The trail's manager refuses deletes; this is the one place that removes entries.
        removed = 0
        if last is not None:
            cursor.execute(f"DELETE FROM {table} WHERE seq <= %s", [last.seq])  # noqa: S608
            removed += cursor.rowcount
        cursor.execute(
            f"DELETE FROM {table} WHERE seq IS NULL AND at < %s",  # noqa: S608
            [cutoff],
        )
        removed += cursor.rowcount
    result = PurgeResult(removed=removed, cutoff=cutoff)
    if last is not None:
        head.purged_seq, head.purged_hash = last.seq, last.hash
        head.save(update_fields=["purged_seq", "purged_hash"])
        result.through_seq, result.through_hash = last.seq, last.hash
    record(
        AuditEntry.Action.PURGE,
        actor=actor,
        label="manage.py purge_audit",
        changes={
            "removed": removed,
            "older_than": cutoff.isoformat(),
            "retention_days": days,
            "through_seq": head.purged_seq,
            "through_hash": head.purged_hash,
        },
    )
    return result
