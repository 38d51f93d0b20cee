"""This app's rows of the access matrix (see bangfu/core/tests/matrix.py)."""

from bangfu.core.tests.matrix import Row, cells, everyone

from .factories import make_item, make_support

# Who may change a record donated by 北京九中 to 汐子中学 in their pairing:
# staff of either side, the 石景山 coordinator.
EDITORS = dict(
    outsider=404,
    helper=200,
    recipient=200,
    coordinator=200,
    other_coordinator=404,
    auditor=403,
)


def _as(status, base=EDITORS):
    return {k: status if v == 200 else v for k, v in base.items()}


ROWS = [
    Row("support:list", get=everyone(200), post=everyone(405)),
    Row(
        "support:create",
        get=everyone(200, auditor=403),
        post=everyone(200, auditor=403),
    ),
    Row(
        "support:detail",
        kwargs=lambda w: {"pk": make_support(w).pk},
        get=everyone(200, outsider=404, other_coordinator=404),
        post=everyone(405),
    ),
    Row(
        "support:edit",
        kwargs=lambda w: {"pk": make_support(w).pk},
        get=cells(**EDITORS),
        post=cells(**EDITORS),
    ),
    Row(
        "support:item_add",
        kwargs=lambda w: {"pk": make_support(w).pk},
        get=everyone(405),
        # An empty POST shows the detail page again with the item form's errors.
        post=cells(**EDITORS),
    ),
    Row(
        "support:item_delete",
        kwargs=lambda w: (lambda s: {"pk": s.pk, "item_pk": make_item(s).pk})(make_support(w)),
        get=everyone(405),
        post=cells(**_as(302)),
    ),
]
