"""Every write of every audited model leaves exactly one entry, and no entry holds a secret.

``BUILDERS`` names one way to make each model listed by
``bangfu.audit.signals.audited_models()`` and a field to change: a new model of
a bangfu app fails ``test_every_audited_model_has_a_builder`` until it gets a
builder here (or a reason in ``NOT_AUDITED``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from unittest import mock

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.urls import reverse

from bangfu.audit import chain
from bangfu.audit.models import AuditEntry
from bangfu.audit.signals import NOT_AUDITED, audited_models, plain_value
from conftest import make_region

ID_NUMBER = "11010519491231002X"
PHONE = "13812345678"


def _region(w):
    return make_region("汐子镇", 4, w.ningcheng)


def _region_alias(w):
    from bangfu.regions.models import RegionAlias

    return RegionAlias.objects.create(region=w.ningcheng, name="宁城", kind="short")


def _organisation(w):
    from conftest import make_org

    return make_org("宁城县第二中学", w.ningcheng)


def _organisation_name(w):
    from bangfu.orgs.models import OrganisationName

    return OrganisationName.objects.create(organisation=w.xizi, name="汐子镇中学")


def _person(w):
    from bangfu.orgs.tests.factories import make_person

    return make_person(w.xizi, "王老师", id_number=ID_NUMBER, phone=PHONE)


def _region_pairing(w):
    from bangfu.pairings.models import RegionPairing

    return RegionPairing.objects.create(
        helper_region=w.sjs, recipient_region=w.congjiang, start_date=dt.date(2020, 1, 1)
    )


def _pairing(w):
    from conftest import make_pairing

    return make_pairing([w.wyxx], [w.ncgz], start=dt.date(2020, 9, 1))


def _party(w):
    from bangfu.pairings.models import PairingParty

    return PairingParty.objects.create(pairing=w.p_bj9_xizi, organisation=w.ncgz, side="recipient")


def _status_change(w):
    from bangfu.pairings.models import PairingStatusChange

    return PairingStatusChange.objects.create(
        pairing=w.p_bj9_xizi, from_status="proposed", to_status="active"
    )


def _agreement(w):
    from bangfu.pairings.models import Agreement

    return Agreement.objects.create(
        pairing=w.p_bj9_xizi, title="结对帮扶协议", signed_on="2019-03-01", term_start="2019-03-01"
    )


def _need_category(w):
    from bangfu.needs.models import NeedCategory

    return NeedCategory.objects.create(name="家长指导(测试)")


def _need(w):
    from bangfu.needs.tests.factories import make_need

    return make_need(w)


def _plan(w):
    from bangfu.plans.tests.factories import make_plan

    return make_plan(w, tasks=0)


def _plan_task(w):
    from bangfu.plans.models import PlanTask

    return PlanTask.objects.create(plan=_plan(w), title="送教下乡")


def _project(w):
    from bangfu.plans.models import Project

    return Project.objects.create(
        name="教师培训项目",
        owner=w.sjs_bureau,
        recipient_region=w.ningcheng,
        year=2019,
        start_date=dt.date(2019, 1, 1),
        end_date=dt.date(2019, 12, 31),
    )


def _project_target(w):
    from bangfu.plans.models import ProjectTarget

    return ProjectTarget.objects.create(
        project=_project(w), description="培训当地教师", target_value=350, unit="人次"
    )


def _activity(w):
    from bangfu.activities.models import Activity

    return Activity.objects.create(
        type="lecture",
        title="专题讲座",
        start_date=dt.date(2019, 10, 8),
        end_date=dt.date(2019, 10, 8),
        pairing=w.p_bj9_xizi,
        organiser=w.bj9,
    )


def _activity_file(w):
    from bangfu.activities.models import ActivityFile

    evidence = ActivityFile(
        activity=_activity(w),
        kind="document",
        original_name="讲稿.pdf",
        content_type="application/pdf",
        size=10,
    )
    evidence.file.save("a.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
    evidence.save()
    return evidence


def _signin(w):
    from bangfu.activities.models import SignIn

    return SignIn.objects.create(
        activity=_activity(w),
        name="张三",
        organisation_name="宁城县汐子中学",
        name_key="张三",
        organisation_key="宁城县汐子中学",
        side="recipient",
    )


def _lock(w):
    from bangfu.activities.models import LedgerLock

    return LedgerLock.objects.create(pairing=w.p_bj9_xizi, academic_year=2019, term=1)


def _dispatch_batch(w):
    from bangfu.dispatch.tests.factories import batch

    return batch(w.bj9)


def _dispatch(w):
    from bangfu.dispatch.tests.factories import dispatch

    return dispatch(w)


def _work_log(w):
    from bangfu.dispatch.models import WorkLog

    return WorkLog.objects.create(dispatch=_dispatch(w), date=dt.date(2019, 3, 5), content="听课")


def _monthly_report(w):
    from bangfu.dispatch.models import MonthlyReport

    return MonthlyReport.objects.create(
        dispatch=_dispatch(w), month=dt.date(2019, 3, 1), summary="三月小结"
    )


def _assessment(w):
    from bangfu.dispatch.models import DispatchAssessment

    return DispatchAssessment.objects.create(dispatch=_dispatch(w), grade="good")


def _visit_batch(w):
    from bangfu.dispatch.models import VisitBatch

    return VisitBatch.objects.create(
        host=w.bj9,
        sending_region=w.ningcheng,
        pairing=w.p_bj9_xizi,
        title="宁城县教师跟岗",
        start_date=dt.date(2019, 4, 1),
        end_date=dt.date(2019, 4, 30),
    )


def _trainee(w):
    from bangfu.dispatch.models import Trainee
    from bangfu.dispatch.tests.factories import person

    return Trainee.objects.create(batch=_visit_batch(w), person=person(w.xizi, "赵老师"))


def _mentor_session(w):
    from bangfu.dispatch.models import MentorSession

    return MentorSession.objects.create(trainee=_trainee(w), date=dt.date(2019, 4, 2), topic="备课")


def _training_class(w):
    from bangfu.dispatch.models import TrainingClass

    return TrainingClass.objects.create(
        name="骨干教师培训班",
        organiser=w.bj9,
        start_date=dt.date(2019, 7, 1),
        end_date=dt.date(2019, 7, 10),
    )


def _enrolment(w):
    from bangfu.dispatch.models import Enrolment
    from bangfu.dispatch.tests.factories import person

    return Enrolment.objects.create(training_class=_training_class(w), person=person(w.xizi))


def _support(w):
    from bangfu.support.tests.factories import make_support

    return make_support(w)


def _support_item(w):
    from bangfu.support.tests.factories import make_item

    return make_item(_support(w))


def _resource(w):
    from bangfu.resources.tests.factories import make_resource

    return make_resource(w)


def _report_draft(w):
    from bangfu.extract.models import ReportDraft

    return ReportDraft.objects.create(author=w.helper, title="工作简报", text="送教下乡3次。")


# label: (builder, field changed by the update, its new value as the entry shows it)
BUILDERS = {
    "regions.Region": (_region, "short_name", "汐子"),
    "regions.RegionAlias": (_region_alias, "note", "常用简称"),
    "orgs.Organisation": (_organisation, "address", "宁城县天义镇"),
    "orgs.OrganisationName": (_organisation_name, "note", "2015年更名"),
    "orgs.Person": (_person, "position", "教研组长"),
    "pairings.RegionPairing": (_region_pairing, "note", "对口支援"),
    "pairings.Pairing": (_pairing, "note", "组团式帮扶"),
    "pairings.PairingParty": (_party, "contact_name", "李主任"),
    "pairings.PairingStatusChange": (_status_change, "note", "双方签约"),
    "pairings.Agreement": (_agreement, "principles", "以强带弱、资源共享"),
    "needs.NeedCategory": (_need_category, "sort_order", 7),
    "needs.Need": (_need, "subject", "数学"),
    "plans.Plan": (_plan, "goals", "提升课堂教学"),
    "plans.PlanTask": (_plan_task, "description", "每月一次"),
    "plans.Project": (_project, "description", "市级项目"),
    "plans.ProjectTarget": (_project_target, "target_value", 450),
    "activities.Activity": (_activity, "place", "汐子中学"),
    "activities.ActivityFile": (_activity_file, "caption", "讲座讲稿"),
    "activities.SignIn": (_signin, "role", "cadre"),
    "activities.LedgerLock": (_lock, "reopen_reason", "更正人次"),
    "dispatch.DispatchBatch": (_dispatch_batch, "note", "第一批"),
    "dispatch.Dispatch": (_dispatch, "subjects", "语文"),
    "dispatch.WorkLog": (_work_log, "content", "听课两节"),
    "dispatch.MonthlyReport": (_monthly_report, "summary", "三月工作小结"),
    "dispatch.DispatchAssessment": (_assessment, "comments", "工作扎实"),
    "dispatch.VisitBatch": (_visit_batch, "forms_of_study", "跟岗听课"),
    "dispatch.Trainee": (_trainee, "goals", "提高课堂教学能力"),
    "dispatch.MentorSession": (_mentor_session, "notes", "指导教案"),
    "dispatch.TrainingClass": (_training_class, "note", "33人结业"),
    "dispatch.Enrolment": (_enrolment, "graduated", True),
    "support.Support": (_support, "amount_yuan", "50000.00"),
    "support.SupportItem": (_support_item, "unit", "只"),
    "resources.SharedResource": (_resource, "subject", "物理"),
    "extract.ReportDraft": (_report_draft, "title", "第二期简报"),
}


def _entries(instance, after_seq):
    return list(
        AuditEntry.objects.filter(
            model=instance._meta.label, object_id=str(instance.pk), seq__gt=after_seq
        ).order_by("seq")
    )


def _last_seq() -> int:
    last = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first()
    return last or 0


def test_every_audited_model_has_a_builder():
    """A new model of a bangfu app must be covered here, or excluded with a reason."""
    audited = {m._meta.label for m in audited_models()}
    missing = sorted(audited - set(BUILDERS))
    assert missing == [], (
        f"no audit coverage for {missing}: add a builder to BUILDERS in this file "
        "(and keep its secrets out of the trail), or list it in NOT_AUDITED with the reason"
    )
    assert sorted(set(BUILDERS) - audited) == []
    # The trail itself, accounts, roll-ups and job bookkeeping stay out.
    assert {"audit", "accounts", "stats", "scale", "dataio"} <= set(NOT_AUDITED)


@pytest.mark.parametrize("label", sorted(BUILDERS))
def test_create_update_delete_leave_one_entry_each(world, label):
    build, field, value = BUILDERS[label]
    model = apps.get_model(label)

    mark = _last_seq()
    instance = build(world)
    assert type(instance) is model
    [created] = _entries(instance, mark)
    assert created.action == "create"
    assert created.model == label and created.object_id == str(instance.pk)

    mark = _last_seq()
    old = plain_value(model._meta.get_field(field), getattr(instance, field))
    setattr(instance, field, value)
    instance.save()
    [updated] = _entries(instance, mark)
    assert updated.action == "update"
    assert updated.changes == {field: [old, value]}

    mark = _last_seq()
    pk = instance.pk
    instance.delete()
    instance.pk = pk
    [deleted] = _entries(instance, mark)
    assert deleted.action == "delete"
    assert deleted.changes[field] == [value, None]


def test_an_unchanged_save_writes_no_entry(world):
    mark = _last_seq()
    world.bj9.save()
    assert _entries(world.bj9, mark) == []


def test_many_to_many_links_are_recorded_on_the_owning_record(world):
    from bangfu.activities.tests.factories import make_need, make_task

    activity = _activity(world)
    need = make_need(world.p_bj9_xizi, world.xizi)
    task = make_task(world.p_bj9_xizi)

    mark = _last_seq()
    activity.needs.add(need)
    [linked] = _entries(activity, mark)
    assert (linked.action, linked.changes) == ("update", {"needs": [[], [need.pk]]})

    # From the other side of the link too: the entry is the activity's.
    mark = _last_seq()
    task.activities.add(activity)
    [linked] = _entries(activity, mark)
    assert linked.changes == {"plan_tasks": [[], [task.pk]]}

    mark = _last_seq()
    activity.needs.clear()
    [unlinked] = _entries(activity, mark)
    assert unlinked.changes == {"needs": [[need.pk], []]}


def _support_form(w, support, **overrides):
    data = {
        "kind": "goods",
        "title": support.title,
        "date": "2020-02-20",
        "donor": w.bj9.pk,
        "recipient": w.xizi.pk,
        "pairing": w.p_bj9_xizi.pk,
        "amount": "约44000元",
        "version": support.version,
    }
    return {**data, **overrides}


def test_a_service_write_is_one_entry_with_its_actor_and_address(world, client_for):
    from bangfu.support.tests.factories import make_support

    support = make_support(world)
    mark = _last_seq()
    response = client_for("helper").post(
        reverse("support:edit", kwargs={"pk": support.pk}),
        _support_form(world, support, amount="约50000元"),
    )
    assert response.status_code == 302, response.content.decode()[:500]
    [entry] = _entries(support, mark)
    assert entry.action == "update"
    assert entry.changes == {"amount_yuan": ["44000.00", "50000.00"]}
    assert entry.actor == world.helper
    assert entry.ip == "127.0.0.1"


def test_a_status_change_is_one_entry_labelled_as_such(world):
    from bangfu.pairings import services

    pairing = _pairing(world)
    pairing.status = "proposed"
    pairing.save()
    mark = _last_seq()
    services.change_pairing_status(pairing, "active", actor=world.coordinator, note="签约")
    [entry] = _entries(pairing, mark)
    assert entry.action == "status"
    assert entry.changes == {"status": ["proposed", "active"], "note": "签约"}
    assert entry.actor == world.coordinator


def test_a_write_whose_entry_fails_is_rolled_back(world, client_for):
    """The entry is written in the writer's transaction: no entry, no write."""
    from bangfu.support.models import Support
    from bangfu.support.tests.factories import make_support

    support = make_support(world)
    client = client_for("helper")
    before = AuditEntry.objects.count()
    with mock.patch.object(chain, "compute", side_effect=RuntimeError("audit store down")):
        with pytest.raises(RuntimeError):
            client.post(
                reverse("support:edit", kwargs={"pk": support.pk}),
                _support_form(world, support, title="改过的名称", amount="1元"),
            )
    support = Support.objects.get(pk=support.pk)
    assert (support.title, support.amount_yuan) == ("防疫物资捐赠", Decimal("44000.00"))
    assert AuditEntry.objects.count() == before


def test_a_delete_whose_entry_fails_is_rolled_back(world):
    from bangfu.support.models import SupportItem
    from bangfu.support.services import delete_support_item
    from bangfu.support.tests.factories import make_item, make_support

    item = make_item(make_support(world))
    with mock.patch.object(chain, "compute", side_effect=RuntimeError("audit store down")):
        with pytest.raises(RuntimeError):
            delete_support_item(item, actor=world.helper)
    assert SupportItem.objects.filter(pk=item.pk).exists()


def test_no_entry_holds_a_password_session_key_or_full_personal_number(world, client_for):
    """A run that touches people: created, edited, revealed, typed into free text, signed in."""
    from django.contrib.sessions.models import Session

    from bangfu.orgs import services as orgs
    from bangfu.orgs.tests.factories import make_person

    person = make_person(world.xizi, "王老师", id_number=ID_NUMBER, phone=PHONE)
    orgs.update_person(
        person,
        actor=world.recipient,
        expected_version=person.version,
        id_number="110105194912310037",
        phone="13900001111",
        position="教研组长",
    )
    orgs.reveal_personal_data(person, actor=world.recipient)
    # Numbers typed into free text are masked too.
    orgs.update_organisation(
        world.xizi,
        actor=world.recipient,
        expected_version=world.xizi.version,
        note=f"联系人 王老师 {PHONE},身份证 {ID_NUMBER}",
    )
    client = client_for("recipient")
    client.post(reverse("accounts:password_change"), {})
    world.recipient.set_password("pw-Secret-98765")
    world.recipient.save()

    secrets = [
        ID_NUMBER,
        "110105194912310037",
        PHONE,
        "13900001111",
        "pw-Secret-98765",
        "pw-Test-1234",
        world.recipient.password,
        *Session.objects.values_list("session_key", flat=True),
    ]
    assert AuditEntry.objects.filter(model="orgs.Person").exists()
    for entry in AuditEntry.objects.all():
        text = f"{entry.changes} {entry.object_repr} {entry.actor_name}"
        for secret in secrets:
            assert secret not in text, (entry.action, entry.model, text)
        for name in ("password", "id_number_enc", "phone_enc", "id_number_hash", "phone_hash"):
            assert name not in entry.changes, (entry.action, entry.model)
    masked = AuditEntry.objects.get(
        model="orgs.Organisation", object_id=str(world.xizi.pk), action="update"
    )
    assert "138****5678" in masked.changes["note"][1]
