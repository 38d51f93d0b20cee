"""The audit trail's tamper evidence: a keyed hash (HMAC-SHA256) chain.

Each entry's hash covers its content, its sequence number and the previous
entry's hash. Altering an entry breaks its hash; inserting or removing one
breaks the sequence or the link to the previous hash. The key comes from
BANGFU_AUDIT_KEY (or is derived from SECRET_KEY), so whoever can write the
database alone cannot forge a consistent chain.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
from dataclasses import dataclass

from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


def _key() -> bytes:
    from django.conf import settings

    material = os.environ.get("BANGFU_AUDIT_KEY", "").encode() or settings.SECRET_KEY.encode()
    return HKDF(algorithm=SHA256(), length=32, salt=b"bangfu", info=b"audit-chain").derive(material)


def payload(entry) -> bytes:
    at = entry.at.astimezone(dt.UTC).isoformat(timespec="microseconds")
    data = {
        "seq": entry.seq,
        "prev": entry.prev_hash,
        "at": at,
        "actor": entry.actor_id,
        "actor_name": entry.actor_name,
        "action": entry.action,
        "model": entry.model,
        "object_id": entry.object_id,
        "object_repr": entry.object_repr,
        "changes": entry.changes,
        "ip": entry.ip or "",
    }
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def compute(entry) -> str:
    return hmac.new(_key(), payload(entry), hashlib.sha256).hexdigest()


@dataclass
class Finding:
    seq: int | None
    entry_id: int | None
    problem: str

    def __str__(self):
        return f"#{self.seq} (id {self.entry_id}): {self.problem}"


def verify(entries, start: tuple[int, str] | None = None) -> Finding | None:
    """The first broken link of the chain, or None. ``entries`` ordered by seq.

    ``start`` is (seq, hash) of the entry just before the first one: (0, "")
    for a chain never purged, the purge point after ``purge_audit``. Given,
    the first entry must follow it, so removing the oldest entries shows too.
    """
    previous_seq, previous_hash = start if start is not None else (None, None)
    for entry in entries:
        if entry.seq is None:
            return Finding(None, entry.pk, "entry outside the chain (no sequence number)")
        if previous_seq is not None and entry.seq != previous_seq + 1:
            return Finding(
                entry.seq, entry.pk, f"sequence jumps from {previous_seq}: entries removed"
            )
        if previous_hash is not None and entry.prev_hash != previous_hash:
            return Finding(
                entry.seq, entry.pk, "link to the previous entry broken: inserted or removed"
            )
        if not hmac.compare_digest(entry.hash, compute(entry)):
            return Finding(entry.seq, entry.pk, "content altered (hash mismatch)")
        previous_hash, previous_seq = entry.hash, entry.seq
    return None
