import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bangfu.dispatch import figures
from bangfu.dispatch.models import MentorSession, Trainee, VisitBatch
from bangfu.orgs.models import Person

from . import factories as f


def _batch(w, **extra):
    values = dict(
        host=w.bj9,
        sending_region=w.ningcheng,
        pairing=w.p_bj9_xizi,
        title="宁城县教师跟岗学习",
        start_date=dt.date(2019, 4, 1),
        end_date=dt.date(2019, 4, 30),
    )
    values.update(extra)
    return VisitBatch.objects.create(**values)


def test_helper_creates_batch_and_adds_trainee_with_backbone_mentor(world, client_for):
    client = client_for("helper")
    data = {
        "title": "第3批跟岗学习",
        "host": world.bj9.pk,
        "sending_region": "150429",
        "pairing": world.p_bj9_xizi.pk,
        "number": 3,
        "start_date": "2019-04-01",
        "end_date": "2019-04-30",
        "forms_of_study": "跟岗听课、师徒结对",
    }
    response = client.post(reverse("dispatch:visit_create"), data)
    assert response.status_code == 302
    batch = VisitBatch.objects.get()
    assert batch.sending_region == world.ningcheng and batch.created_by == world.helper
    mentor = f.person(world.bj9, "陈老师", backbone="city")
    trainee_person = f.person(world.xizi, "刘老师")
    response = client.post(
        reverse("dispatch:trainee_add", args=[batch.pk]),
        {"person": trainee_person.pk, "mentor": mentor.pk, "goals": "提升课堂教学"},
    )
    assert response.status_code == 302
    trainee = Trainee.objects.get()
    assert trainee.mentor == mentor and trainee.goals == "提升课堂教学"
    page = client.get(reverse("dispatch:visit_detail", args=[batch.pk])).content.decode()
    assert "陈老师" in page and "1 人次" in page


def test_trainee_created_inline_in_a_recipient_organisation(world, client_for):
    batch = _batch(world)
    response = client_for("helper").post(
        reverse("dispatch:trainee_add", args=[batch.pk]),
        {"new_name": "黄老师", "new_organisation": world.xizi.pk, "new_subjects": "语文"},
    )
    assert response.status_code == 302
    person = Person.objects.get(name="黄老师")
    assert person.organisation == world.xizi and person.subjects == "语文"
    assert Trainee.objects.get().person == person


def test_trainee_with_non_backbone_mentor_is_refused(world, client_for):
    batch = _batch(world)
    plain = f.person(world.bj9, "普通老师")
    before = Trainee.objects.count(), Person.objects.count()
    response = client_for("helper").post(
        reverse("dispatch:trainee_add", args=[batch.pk]),
        {"new_name": "黄老师", "new_organisation": world.xizi.pk, "mentor": plain.pk},
    )
    assert response.status_code == 200
    assert "导师须是骨干教师" in response.content.decode()
    # Not even the inline person was kept.
    assert (Trainee.objects.count(), Person.objects.count()) == before


def test_mentor_from_another_organisation_is_an_invalid_choice(world, client_for):
    batch = _batch(world)
    foreign = f.person(world.xizi, "外校骨干", backbone="city")
    response = client_for("helper").post(
        reverse("dispatch:trainee_add", args=[batch.pk]),
        {"person": f.person(world.xizi, "刘老师").pk, "mentor": foreign.pk},
    )
    assert response.status_code == 200
    assert "选择一个有效的选项" in response.content.decode()
    assert not Trainee.objects.exists()


def test_mentor_session_is_recorded_by_the_host(world, client_for):
    batch = _batch(world)
    trainee = Trainee.objects.create(batch=batch, person=f.person(world.xizi, "刘老师"))
    url = reverse("dispatch:session_add", args=[batch.pk, trainee.pk])
    prefix = f"session{trainee.pk}"
    data = {f"{prefix}-date": "2019-04-03", f"{prefix}-topic": "同课异构《老王》"}
    assert client_for("helper").post(url, data).status_code == 302
    assert MentorSession.objects.get().trainee == trainee
    assert client_for("recipient").post(url, data).status_code == 403


def test_pairing_where_host_is_not_the_helper_is_refused(world, client_for):
    data = {
        "title": "跟岗",
        # In the coordinator's region, but not the helper of 北京九中 ↔ 汐子中学.
        "host": world.wyxx.pk,
        "sending_region": "150429",
        "pairing": world.p_bj9_xizi.pk,
        "number": 1,
        "start_date": "2019-04-01",
        "end_date": "2019-04-30",
    }
    response = client_for("coordinator").post(reverse("dispatch:visit_create"), data)
    assert response.status_code == 200
    assert "接待单位须是所选结对关系的帮扶方" in response.content.decode()
    assert not VisitBatch.objects.exists()


def test_visit_figures_count_batches_person_times_people_by_region(world):
    b1, b2 = _batch(world), _batch(world, number=2)
    b3 = _batch(world, sending_region=world.congjiang, pairing=None, number=3)
    people = [f.person(world.xizi, f"学员{i}") for i in range(3)]
    for p in people:
        Trainee.objects.create(batch=b1, person=p)
    Trainee.objects.create(batch=b2, person=people[0])
    Trainee.objects.create(batch=b3, person=f.person(world.daidai, "从江学员"))
    totals = figures.visit_figures(VisitBatch.objects.all())
    assert (totals["batches"], totals["trainees"], totals["people"]) == (3, 5, 4)
    by_region = {
        r["region"]: (r["batches"], r["trainees"], r["people"]) for r in totals["by_sending_region"]
    }
    assert by_region == {"宁城县": (2, 4, 3), "从江县": (1, 1, 1)}


def test_visit_list_query_count_is_constant(world, client_for):
    client = client_for("coordinator")

    def make(n):
        for i in range(n):
            b = _batch(world, number=i + 1)
            Trainee.objects.create(batch=b, person=f.person(world.xizi, f"学员{n}{i}"))

    make(3)
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("dispatch:visit_list"))
    make(27)
    with CaptureQueriesContext(connection) as large:
        client.get(reverse("dispatch:visit_list"))
    assert len(large) == len(small)
