"""This app's rows of the access matrix (see bangfu/core/tests/matrix.py).

Only coordinators and school staff use the business endpoints: anonymous
requests and the separation-of-duties roles (auditor, sysadmin, secadmin)
get 403 on every one. Scope follows the pages: the records hang off
北京九中 ↔ 汐子中学, which the outsider and the 南明区 coordinator cannot
see (404 on details, empty lists).
DRF checks the role before the method, so a business user's wrong method is
405 whatever the record, and a refused role's is 403.
"""

from bangfu.core.tests.matrix import LOGIN, Row, cells

from .factories import (
    make_activity,
    make_dispatch,
    make_need,
    make_person,
    make_plan,
    make_support,
)

BUSINESS = ("outsider", "helper", "recipient", "coordinator", "other_coordinator")


def api(default, anonymous=403, **business):
    """Cells of an API row: ``default`` for the business roles unless named, 403 for
    anonymous; cells() gives the separation-of-duties roles their 403."""
    return cells(anonymous=anonymous, **{**{role: default for role in BUSINESS}, **business})


SEEN = api(200, outsider=404, other_coordinator=404)
WRONG_METHOD = api(405)


def _pk(factory):
    return lambda w: {"pk": factory(w).pk}


READ_ONLY = [
    ("api:region", lambda w: {"pk": w.ningcheng.pk}, api(200)),
    ("api:organisation", lambda w: {"pk": w.xizi.pk}, SEEN),
    ("api:person", _pk(make_person), SEEN),
    ("api:pairing", lambda w: {"pk": w.p_bj9_xizi.pk}, SEEN),
    ("api:plan", _pk(make_plan), SEEN),
    ("api:dispatch", _pk(make_dispatch), SEEN),
    ("api:support", _pk(make_support), SEEN),
]

ROWS = []
for _name, _kwargs, _detail in READ_ONLY:
    ROWS += [
        Row(f"{_name}-list", get=api(200), post=WRONG_METHOD),
        Row(
            f"{_name}-detail",
            kwargs=_kwargs,
            get=_detail,
            post=WRONG_METHOD,
            put=WRONG_METHOD,
            patch=WRONG_METHOD,
            delete=WRONG_METHOD,
        ),
    ]

# The activity is recorded by 北京九中 (helper side): it and its coordinator
# change it (an empty change is refused as incomplete: 400); 汐子中学 confirms it.
RECORDING_SIDE = api(400, outsider=404, recipient=403, other_coordinator=404)
RECIPIENT_SIDE = api(403, outsider=404, recipient=400, other_coordinator=404)
ROWS += [
    Row("api:activity-list", get=api(200), post=api(400)),
    Row(
        "api:activity-detail",
        kwargs=_pk(make_activity),
        get=SEEN,
        post=WRONG_METHOD,
        put=RECORDING_SIDE,
        patch=RECORDING_SIDE,
        delete=WRONG_METHOD,
    ),
    Row("api:activity-confirm", kwargs=_pk(make_activity), get=WRONG_METHOD, post=RECIPIENT_SIDE),
]

# The need is 汐子中学's (recipient side): only it lists and edits needs;
# 北京九中 and its coordinator claim it (200: the claim happens, rolled back).
ROWS += [
    Row("api:need-list", get=api(200), post=api(403, recipient=400)),
    Row(
        "api:need-detail",
        kwargs=_pk(make_need),
        get=SEEN,
        post=WRONG_METHOD,
        put=RECIPIENT_SIDE,
        patch=RECIPIENT_SIDE,
        delete=WRONG_METHOD,
    ),
    Row(
        "api:need-claim",
        kwargs=_pk(make_need),
        get=WRONG_METHOD,
        post=api(200, outsider=404, recipient=403, other_coordinator=404),
    ),
    Row(
        "api:need-change-status",
        kwargs=_pk(make_need),
        get=WRONG_METHOD,
        post=api(400, outsider=404, other_coordinator=404),
    ),
]

# Documentation: every business user; anonymous visitors are sent to the login page.
DOCS = api(200, anonymous=LOGIN)
ROWS += [Row("api:schema", get=DOCS), Row("api:docs", get=DOCS)]
