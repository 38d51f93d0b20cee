"""This app's rows of the access matrix (see bangfu/core/tests/matrix.py).

The need belongs to 北京九中 ↔ 汐子中学: 汐子中学 (recipient) lists and edits
it, 北京九中 and its coordinator (石景山区教委) claim it.
"""

from bangfu.core.tests.matrix import Row, cells, everyone

from .factories import make_need

SEE = dict(outsider=404, other_coordinator=404)
RECIPIENT_SIDE = dict(
    outsider=404,
    helper=403,
    recipient=200,
    coordinator=403,
    other_coordinator=404,
    auditor=403,
)
HELPER_SIDE = dict(
    outsider=404,
    helper=302,
    recipient=403,
    coordinator=302,
    other_coordinator=404,
    auditor=403,
)
EITHER_SIDE = dict(
    outsider=404,
    helper=302,
    recipient=302,
    coordinator=302,
    other_coordinator=404,
    auditor=403,
)


def _need(w):
    return {"pk": make_need(w).pk}


ROWS = [
    Row("needs:list", get=everyone(200)),
    # Only users who act for some pairing's recipient side may list a need.
    Row(
        "needs:create",
        get=everyone(403, recipient=200),
        post=everyone(403, recipient=200),
    ),
    Row("needs:detail", kwargs=_need, get=everyone(200, **SEE)),
    Row("needs:edit", kwargs=_need, get=cells(**RECIPIENT_SIDE), post=cells(**RECIPIENT_SIDE)),
    Row("needs:claim", kwargs=_need, get=everyone(405), post=cells(**HELPER_SIDE)),
    Row("needs:status", kwargs=_need, get=everyone(405), post=cells(**EITHER_SIDE)),
]
