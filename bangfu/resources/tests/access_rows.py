"""This app's rows of the access matrix (see bangfu/core/tests/matrix.py)."""

from bangfu.core.tests.matrix import Row, cells, everyone

from .factories import make_resource

# A resource of 北京九中 shared in its pairing with 汐子中学: only the owner's
# staff and its coordinator change it.
OWNER_EDITORS = dict(
    outsider=404,
    helper=200,
    recipient=403,
    coordinator=200,
    other_coordinator=404,
    auditor=403,
)

ROWS = [
    Row("resources:list", get=everyone(200), post=everyone(405)),
    Row(
        "resources:create",
        get=everyone(200, auditor=403),
        post=everyone(200, auditor=403),
    ),
    Row(
        "resources:detail",
        kwargs=lambda w: {"pk": make_resource(w).pk},
        get=everyone(200, outsider=404, other_coordinator=404),
        post=everyone(405),
    ),
    Row(
        "resources:edit",
        kwargs=lambda w: {"pk": make_resource(w).pk},
        get=cells(**OWNER_EDITORS),
        post=cells(**OWNER_EDITORS),
    ),
    Row(
        "resources:download",
        kwargs=lambda w: {"pk": make_resource(w).pk},
        get=everyone(200, outsider=404, other_coordinator=404),
        post=everyone(405),
    ),
]
