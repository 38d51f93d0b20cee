"""This app's rows of the access matrix (see bangfu/core/tests/matrix.py).

Each kind is deleted (GET: the confirmation page; POST: the deletion) on a live
record of the pairing 北京九中 ↔ 汐子中学, and restored (POST) once deleted.
"""

from bangfu.core.tests.matrix import Row, cells, everyone


def _pairing(w):
    return w.p_bj9_xizi


def _need(w):
    from bangfu.needs.tests.factories import make_need

    return make_need(w)


def _plan(w):
    from bangfu.plans.tests.factories import make_plan

    return make_plan(w)


def _activity(w):
    from bangfu.activities.tests.factories import record

    return record(w)


def _dispatch(w):
    from bangfu.dispatch.tests.factories import dispatch

    return dispatch(w)


def _support(w):
    from bangfu.support.tests.factories import make_support

    return make_support(w)


def _resource(w):
    from bangfu.resources.tests.factories import make_resource

    return make_resource(w)


# Who may delete (and restore) each kind, for a GET of the confirmation page.
BUILDERS = {
    # An active pairing: its coordinators (school staff only while it is proposed).
    "pairing": (_pairing, dict(helper=403, recipient=403, coordinator=200)),
    # The recipient side, who lists its needs (石景山's coordinator is the helper side's).
    "need": (_need, dict(helper=403, recipient=200, coordinator=403)),
    # A draft plan: the helper side, who drafts it.
    "plan": (_plan, dict(helper=200, recipient=403, coordinator=200)),
    # Recorded by the helper side: that side and its coordinator.
    "activity": (_activity, dict(helper=200, recipient=403, coordinator=200)),
    # Sent by 北京九中: the sending side.
    "dispatch": (_dispatch, dict(helper=200, recipient=403, coordinator=200)),
    # Donated by 北京九中 to 汐子中学: either side and the coordinator.
    "support": (_support, dict(helper=200, recipient=200, coordinator=200)),
    # Owned by 北京九中: its staff and coordinator.
    "resource": (_resource, dict(helper=200, recipient=403, coordinator=200)),
}


def _get(allowed):
    return cells(outsider=404, other_coordinator=404, **allowed)


def _post(allowed):
    return _get({role: 302 if status == 200 else status for role, status in allowed.items()})


def _deleted(key, build):
    from bangfu.trash.kinds import kinds

    def kwargs(w):
        record = build(w)
        # Deleted by whoever may: the coordinator, or the recipient for a need.
        actor = w.recipient if key == "need" else w.coordinator
        kinds()[key].delete(record, actor=actor)
        return {"kind": key, "pk": record.pk}

    return kwargs


ROWS = [Row("trash:index", get=everyone(200), post=everyone(405))]
for _key, (_build, _allowed) in BUILDERS.items():
    ROWS += [
        Row(
            "trash:delete",
            label=_key,
            kwargs=lambda w, key=_key, build=_build: {"kind": key, "pk": build(w).pk},
            get=_get(_allowed),
            post=_post(_allowed),
        ),
        Row(
            "trash:restore",
            label=_key,
            kwargs=_deleted(_key, _build),
            get=everyone(405),
            post=_post(_allowed),
        ),
    ]
