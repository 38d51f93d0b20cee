"""How far a running import or export has got, readable by any process.

Progress lives in the cache (Redis whenever a worker runs jobs), not in the
job's row: the commit writes inside one long transaction, and a row updated
there stays invisible to the polling page until the end (on SQLite the row
cannot even be written by another connection while the commit holds the lock).
"""

from __future__ import annotations

from django.core.cache import cache

TTL = 24 * 3600
# The phases a job reports, in order; the page names them.
CHECK, WRITE = "check", "write"


def _key(kind: str, job_id) -> str:
    return f"dataio:progress:{kind}:{job_id}"


class Reporter:
    """The ``progress(done, total)`` callable importers and exports are given.

    ``phase`` is switched by the caller between the check and the write, so the
    importers need not know about phases.
    """

    def __init__(self, job_id, kind: str = "import", phase: str = CHECK):
        self.key = _key(kind, job_id)
        self.phase = phase

    def __call__(self, done: int, total: int) -> None:
        cache.set(self.key, {"phase": self.phase, "done": done, "total": total}, TTL)


def read(job_id, kind: str = "import") -> dict:
    """``{"phase", "done", "total", "percent"}``; zeros before the first report."""
    data = cache.get(_key(kind, job_id)) or {}
    done, total = int(data.get("done") or 0), int(data.get("total") or 0)
    return {
        "phase": data.get("phase") or CHECK,
        "done": done,
        "total": total,
        "percent": min(100, done * 100 // total) if total else 0,
    }


def clear(job_id, kind: str = "import") -> None:
    cache.delete(_key(kind, job_id))
