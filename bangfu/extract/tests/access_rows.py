"""This app's rows of the access matrix (see bangfu/core/tests/matrix.py)."""

from bangfu.core.tests.matrix import Row, cells, everyone


def _draft(w):
    from bangfu.extract.models import ReportDraft

    return ReportDraft.objects.create(
        author=w.helper, text="讲座21场", items={"activities": [{"count": 21, "unit": "场"}]}
    )


# A draft is seen by its author (helper) only.
OWNER = dict(
    outsider=404,
    helper=200,
    recipient=404,
    coordinator=404,
    other_coordinator=404,
)

ROWS = [
    # An empty POST shows the form again with its errors.
    Row("extract:new", get=everyone(200), post=everyone(200)),
    Row(
        "extract:review",
        kwargs=lambda w: {"pk": _draft(w).pk},
        get=cells(**OWNER),
        post=cells(**OWNER),
    ),
    Row(
        "extract:decide",
        kwargs=lambda w: {"pk": _draft(w).pk},
        get=everyone(405),
        # An empty POST sends the author back to the review page.
        post=cells(**{k: 302 if v == 200 else v for k, v in OWNER.items()}),
    ),
]
