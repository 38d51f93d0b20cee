"""This app's rows of the access matrix (see bangfu/core/tests/matrix.py).

The audit trail is the security auditor's alone: every other role, the
system and the security administrator included, gets 403.
"""

from bangfu.core.tests.matrix import Row, everyone


def _entry(w):
    from bangfu.audit.services import record

    entry = record("update", actor=w.coordinator, instance=w.bj9, changes={"note": ["", "新"]})
    return {"pk": entry.pk}


AUDITOR = everyone(403, auditor=200)

ROWS = [
    Row("audit:list", get=AUDITOR),
    Row("audit:detail", kwargs=_entry, get=AUDITOR),
    Row("audit:export", get=AUDITOR),
]
