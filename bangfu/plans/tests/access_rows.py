"""This app's rows of the access matrix (see bangfu/core/tests/matrix.py).

The plan is a draft of 北京九中 ↔ 汐子中学: the helper side (北京九中, 石景山区教委)
drafts and revises it, both sides confirm it. The project belongs to
石景山区教委 and is assigned to 宁城县.
"""

from bangfu.core.tests.matrix import Row, cells, everyone

from .factories import make_plan, make_project

SEE = dict(outsider=404, other_coordinator=404)
HELPER_SIDE = dict(
    outsider=404,
    helper=200,
    recipient=403,
    coordinator=200,
    other_coordinator=404,
    auditor=403,
)
EITHER_SIDE_POST = dict(
    outsider=404,
    helper=302,
    recipient=302,
    coordinator=302,
    other_coordinator=404,
    auditor=403,
)
PROJECT_EDIT = dict(
    outsider=404,
    helper=403,
    recipient=403,
    coordinator=200,
    other_coordinator=404,
    auditor=403,
)


def _plan(w):
    return {"pk": make_plan(w).pk}


def _project(w):
    return {"pk": make_project(w).pk}


ROWS = [
    Row("plans:list", get=everyone(200)),
    # Whoever acts for some pairing's helper side (南明区教育局 for 南明小学).
    Row(
        "plans:create",
        get=everyone(403, helper=200, coordinator=200, other_coordinator=200),
        post=everyone(403, helper=200, coordinator=200, other_coordinator=200),
    ),
    Row("plans:detail", kwargs=_plan, get=everyone(200, **SEE)),
    Row("plans:edit", kwargs=_plan, get=cells(**HELPER_SIDE), post=cells(**HELPER_SIDE)),
    Row("plans:confirm", kwargs=_plan, get=everyone(405), post=cells(**EITHER_SIDE_POST)),
    # A permitted empty POST on a draft is sent back with "草稿可以直接修改".
    Row(
        "plans:revise",
        kwargs=_plan,
        get=everyone(405),
        post=cells(**{k: 302 if v == 200 else v for k, v in HELPER_SIDE.items()}),
    ),
    Row("plans:project_list", get=everyone(200)),
    Row(
        "plans:project_create",
        get=everyone(403, coordinator=200, other_coordinator=200),
        post=everyone(403, coordinator=200, other_coordinator=200),
    ),
    Row("plans:project_detail", kwargs=_project, get=everyone(200, **SEE)),
    Row(
        "plans:project_edit",
        kwargs=_project,
        get=cells(**PROJECT_EDIT),
        post=cells(**PROJECT_EDIT),
    ),
]
