"""This app's rows of the access matrix (see bangfu/core/tests/matrix.py).

The objects: 北京九中 (helper) sends a teacher to 汐子中学 (recipient) in
their pairing, hosts a visiting batch from 宁城县, and organises a training
class under the 石景山区 → 宁城县 region pairing.
"""

import datetime as dt

from bangfu.core.tests.matrix import Row, cells, everyone

WRITERS = everyone(200, auditor=403)
INVISIBLE = dict(outsider=404, other_coordinator=404)
# Visible to both sides of the pairing and the 石景山 coordinator.
SEEN = everyone(200, **INVISIBLE)
# Acting for 北京九中 (sender, visit host, class organiser).
HELPER_SIDE = cells(helper=200, recipient=403, coordinator=200, auditor=403, **INVISIBLE)
# Acting for 汐子中学 (the host school); its coordinator (宁城县) has no user here.
HOST_SIDE = cells(helper=403, recipient=200, coordinator=403, auditor=403, **INVISIBLE)
# Either side of the dispatch.
EITHER_SIDE = cells(helper=200, recipient=200, coordinator=200, auditor=403, **INVISIBLE)
GET_ONLY_POST = everyone(405)


def _redirects(row_cells):
    """An empty POST that answers with a message and a redirect instead of a form."""
    return {k: 302 if v == 200 else v for k, v in row_cells.items()}


def _dispatch(w):
    from bangfu.dispatch.models import Dispatch
    from bangfu.orgs.models import Person

    person = Person.objects.create(name="李老师", organisation=w.bj9, backbone_level="city")
    return Dispatch.objects.create(
        person=person,
        sender=w.bj9,
        host=w.xizi,
        host_region=w.ningcheng,
        pairing=w.p_bj9_xizi,
        start_date=dt.date(2019, 3, 1),
        end_date=dt.date(2019, 8, 31),
        status="active",
    )


def _visit(w):
    from bangfu.dispatch.models import VisitBatch

    return VisitBatch.objects.create(
        host=w.bj9,
        sending_region=w.ningcheng,
        pairing=w.p_bj9_xizi,
        title="宁城县教师跟岗学习",
        start_date=dt.date(2019, 4, 1),
        end_date=dt.date(2019, 4, 30),
    )


def _trainee(w):
    from bangfu.dispatch.models import Trainee
    from bangfu.orgs.models import Person

    batch = _visit(w)
    person = Person.objects.create(name="王老师", organisation=w.xizi)
    return {"pk": batch.pk, "trainee_pk": Trainee.objects.create(batch=batch, person=person).pk}


def _class(w):
    from bangfu.dispatch.models import TrainingClass

    return TrainingClass.objects.create(
        name="宁城县骨干教师培训班",
        organiser=w.bj9,
        region_pairing=w.rp_sjs_nc,
        start_date=dt.date(2019, 5, 1),
        end_date=dt.date(2019, 5, 10),
    )


def _pk(make):
    return lambda w: {"pk": make(w).pk}


ROWS = [
    Row("dispatch:list", get=everyone(200)),
    Row("dispatch:create", get=WRITERS, post=WRITERS),
    Row("dispatch:detail", kwargs=_pk(_dispatch), get=SEEN),
    Row("dispatch:edit", kwargs=_pk(_dispatch), get=HELPER_SIDE, post=HELPER_SIDE),
    Row(
        "dispatch:status",
        kwargs=_pk(_dispatch),
        get=GET_ONLY_POST,
        post=_redirects(HELPER_SIDE),
    ),
    # An empty POST shows the detail page again with the errors beside the fields.
    Row("dispatch:worklog_add", kwargs=_pk(_dispatch), get=GET_ONLY_POST, post=EITHER_SIDE),
    Row("dispatch:report_add", kwargs=_pk(_dispatch), get=GET_ONLY_POST, post=EITHER_SIDE),
    Row("dispatch:assess", kwargs=_pk(_dispatch), get=HOST_SIDE, post=HOST_SIDE),
    Row("dispatch:batch_list", get=everyone(200)),
    Row("dispatch:batch_create", get=WRITERS, post=WRITERS),
    Row("dispatch:rotation", get=everyone(200)),
    Row("dispatch:visit_list", get=everyone(200)),
    Row("dispatch:visit_create", get=WRITERS, post=WRITERS),
    Row("dispatch:visit_detail", kwargs=_pk(_visit), get=SEEN),
    Row("dispatch:visit_edit", kwargs=_pk(_visit), get=HELPER_SIDE, post=HELPER_SIDE),
    Row("dispatch:trainee_add", kwargs=_pk(_visit), get=HELPER_SIDE, post=HELPER_SIDE),
    Row("dispatch:trainee_edit", kwargs=_trainee, get=HELPER_SIDE, post=HELPER_SIDE),
    Row("dispatch:session_add", kwargs=_trainee, get=GET_ONLY_POST, post=HELPER_SIDE),
    Row("dispatch:class_list", get=everyone(200)),
    Row("dispatch:class_create", get=WRITERS, post=WRITERS),
    Row("dispatch:class_detail", kwargs=_pk(_class), get=SEEN),
    Row("dispatch:class_edit", kwargs=_pk(_class), get=HELPER_SIDE, post=HELPER_SIDE),
    Row("dispatch:enrol", kwargs=_pk(_class), get=GET_ONLY_POST, post=HELPER_SIDE),
    Row("dispatch:graduate", kwargs=_pk(_class), get=GET_ONLY_POST, post=HELPER_SIDE),
]
