import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bangfu.dispatch import class_services
from bangfu.dispatch.models import Enrolment, TrainingClass
from bangfu.orgs.models import Organisation

from . import factories as f


def _class(w, start=dt.date(2019, 5, 1), **extra):
    return TrainingClass.objects.create(
        name="宁城县骨干教师培训班",
        organiser=extra.pop("organiser", w.bj9),
        region_pairing=w.rp_sjs_nc,
        start_date=start,
        end_date=start + dt.timedelta(days=9),
        **extra,
    )


def test_coordinator_creates_class_at_the_college(world, client_for):
    college = Organisation.objects.create(
        name="北京教育学院石景山分院", region=world.sjs, kind="college"
    )
    data = {
        "name": "莫旗教师培训班",
        "organiser": college.pk,
        "region_pairing": world.rp_sjs_nc.pk,
        "start_date": "2019-07-01",
        "end_date": "2019-07-10",
    }
    response = client_for("coordinator").post(reverse("dispatch:class_create"), data)
    assert response.status_code == 302
    tc = TrainingClass.objects.get()
    assert tc.organiser == college and tc.created_by == world.coordinator


def test_class_graduates_everyone_but_the_excluded(world, client_for):
    tc = _class(world)
    people = [f.person(world.xizi, f"学员{i}") for i in range(3)]
    client = client_for("helper")
    for p in people:
        assert (
            client.post(reverse("dispatch:enrol", args=[tc.pk]), {"person": p.pk}).status_code
            == 302
        )
    absent = Enrolment.objects.get(person=people[2])
    response = client.post(
        reverse("dispatch:graduate", args=[tc.pk]), {"confirm": "on", "excluded": [absent.pk]}
    )
    assert response.status_code == 302
    tc.refresh_from_db()
    assert tc.graduated
    assert list(
        Enrolment.objects.filter(graduated=True)
        .values_list("person__name", flat=True)
        .order_by("person__name")
    ) == ["学员0", "学员1"]
    # Once graduated, nobody else enrols and it does not graduate again.
    response = client.post(
        reverse("dispatch:enrol", args=[tc.pk]), {"person": f.person(world.xizi, "迟到").pk}
    )
    assert response.status_code == 200 and Enrolment.objects.count() == 3


def test_class_cannot_graduate_before_its_start(world):
    tc = _class(world, start=dt.date(2030, 5, 1))
    with pytest.raises(ValidationError) as exc:
        class_services.graduate_class(tc, actor=world.helper, today=dt.date(2030, 4, 30))
    assert "开班前不能结业" in str(exc.value)
    tc.refresh_from_db()
    assert not tc.graduated


def test_empty_graduation_post_changes_nothing(world, client_for):
    tc = _class(world)
    response = client_for("helper").post(reverse("dispatch:graduate", args=[tc.pk]), {})
    assert response.status_code == 200
    assert "请勾选“确认结业”" in response.content.decode()
    tc.refresh_from_db()
    assert not tc.graduated


def test_recipient_cannot_graduate_helper_class(world, client_for):
    tc = _class(world)
    response = client_for("recipient").post(
        reverse("dispatch:graduate", args=[tc.pk]), {"confirm": "on"}
    )
    assert response.status_code == 403


def test_class_list_query_count_is_constant(world, client_for):
    client = client_for("coordinator")

    def make(n):
        for i in range(n):
            tc = _class(world)
            Enrolment.objects.create(training_class=tc, person=f.person(world.xizi, f"学员{n}{i}"))

    make(3)
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("dispatch:class_list"))
    make(27)
    with CaptureQueriesContext(connection) as large:
        client.get(reverse("dispatch:class_list"))
    assert len(large) == len(small)
