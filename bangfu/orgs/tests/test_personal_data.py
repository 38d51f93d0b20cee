"""Personal data (PIPL): erasure on request, the people export, no-store, nothing in URLs."""

import csv
import datetime as dt
import io

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.urls import reverse
from openpyxl import load_workbook

from bangfu.audit.models import AuditEntry
from bangfu.lib import crypto, textnorm
from bangfu.security import pii

from .. import services
from ..models import Person
from .factories import make_person, person_post_data, valid_id_number

ID = valid_id_number()
OTHER_ID = valid_id_number("11010519800101123")
PHONE = "13812345678"
OTHER_PHONE = "13900001111"


def url(name, *args):
    return reverse(f"orgs:{name}", args=args)


def grant_export(user):
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="orgs", codename="export_personal_data")
    )


@pytest.fixture
def teacher(world):
    """A 北京九中 teacher (the helper school) with both numbers."""
    return make_person(
        world.bj9,
        "欧阳明",
        id_number=ID,
        phone=PHONE,
        position="教研组长",
        subjects="数学",
        backbone_level="city",
    )


def _row(person_pk) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM orgs_person WHERE id = %s", [person_pk])
        return [str(v) for v in cursor.fetchone()]


# --- erasure --------------------------------------------------------------------


def _ledger(world, person):
    """Every kind of ledger record that names the person."""
    from bangfu.activities.models import SignIn
    from bangfu.activities.tests.factories import record
    from bangfu.dispatch.models import Enrolment, Trainee, TrainingClass, VisitBatch
    from bangfu.dispatch.tests.factories import dispatch

    dispatch(world, who=person, was_backbone=True)
    dispatch(world, who=make_person(world.bj9, "另一位老师"))
    batch = VisitBatch.objects.create(
        host=world.bj9,
        sending_region=world.ningcheng,
        pairing=world.p_bj9_xizi,
        title="汐子中学跟岗学习",
        start_date=dt.date(2019, 4, 1),
        end_date=dt.date(2019, 4, 30),
    )
    Trainee.objects.create(batch=batch, person=make_person(world.xizi, "学员"), mentor=person)
    Trainee.objects.create(batch=batch, person=person)
    course = TrainingClass.objects.create(
        name="骨干教师培训班",
        organiser=world.bj9,
        start_date=dt.date(2019, 5, 1),
        end_date=dt.date(2019, 5, 20),
    )
    Enrolment.objects.create(training_class=course, person=person, graduated=True)
    activity = record(world)
    activity.leaders.add(person)
    SignIn.objects.create(
        activity=activity,
        name="签到老师",
        organisation_name="宁城县汐子中学",
        name_key=textnorm.fold("签到老师"),
        organisation_key=textnorm.fold("宁城县汐子中学"),
        side="recipient",
    )
    return activity


def _counts(activity):
    from bangfu.activities.models import SignIn
    from bangfu.dispatch.figures import dispatch_figures, visit_figures
    from bangfu.dispatch.models import Dispatch, Enrolment, Trainee, VisitBatch

    return {
        "dispatch": dispatch_figures(Dispatch.objects.all()),
        "visits": visit_figures(VisitBatch.objects.all()),
        "mentored": Trainee.objects.filter(mentor__isnull=False).count(),
        "enrolments": Enrolment.objects.count(),
        "graduates": Enrolment.objects.filter(graduated=True).count(),
        "leaders": activity.leaders.count(),
        "signins": SignIn.objects.filter(activity=activity).count(),
        "people": Person.objects.count(),
        "city_backbone": Person.objects.filter(backbone_level="city").count(),
    }


def test_erasure_keeps_every_ledger_count(world, client_for, teacher):
    activity = _ledger(world, teacher)
    before = _counts(activity)
    assert before["dispatch"]["backbone_people"] == 1 and before["signins"] == 1
    response = client_for("helper").post(url("person_erase", teacher.pk), {"confirm": "on"})
    assert response.status_code == 302
    assert response["Location"] == url("person_detail", teacher.pk)
    teacher.refresh_from_db()
    assert teacher.is_erased and teacher.name == services.ERASED_NAME
    assert _counts(activity) == before


def test_erasure_leaves_no_plaintext_in_the_row(world, client_for, teacher):
    old_masks = [teacher.phone_masked, teacher.id_number_masked]
    old_search = [teacher.search_text, teacher.sort_key]
    client_for("helper").post(url("person_erase", teacher.pk), {"confirm": "on"})
    row = " ".join(_row(teacher.pk))
    for secret in ["欧阳明", "教研组长", ID, PHONE, *old_masks, *old_search, "ouyang"]:
        assert secret not in row, secret
    teacher.refresh_from_db()
    assert teacher.phone_enc == teacher.id_number_enc == ""
    assert teacher.phone_hash == teacher.id_number_hash == ""
    assert teacher.search_text == "" and teacher.position == ""
    # What the statistics need stays.
    assert (teacher.organisation, teacher.subjects, teacher.backbone_level) == (
        world.bj9,
        "数学",
        "city",
    )
    # Neither number finds anyone any more.
    assert not Person.objects.filter(phone_hash=crypto.lookup_hash(PHONE)).exists()
    assert not Person.objects.filter(id_number_hash=crypto.lookup_hash(ID)).exists()


def test_erasure_is_audited_without_the_erased_values(world, client_for, teacher):
    client_for("helper").post(url("person_erase", teacher.pk), {"confirm": "on"})
    entry = AuditEntry.objects.get(action="delete", model="orgs.Person", object_id=str(teacher.pk))
    assert entry.actor == world.helper
    assert set(entry.changes["erased"]) >= {"name", "phone", "id_number"}
    written = f"{entry.object_repr} {entry.changes}"
    for secret in ["欧阳明", "教研组长", ID, PHONE, teacher.phone_masked, "1381"]:
        assert secret not in written
    # The erasure itself leaves no other entry carrying the old values.
    later = AuditEntry.objects.filter(seq__gte=entry.seq)
    assert all("欧阳明" not in f"{e.object_repr} {e.changes}" for e in later)


def test_erasure_cannot_be_undone(world, client_for, teacher):
    client = client_for("helper")
    client.post(url("person_erase", teacher.pk), {"confirm": "on"})
    version = Person.objects.get(pk=teacher.pk).version
    response = client.post(url("person_erase", teacher.pk), {"confirm": "on"})
    assert response.status_code == 302
    response = client.post(
        url("person_edit", teacher.pk),
        person_post_data(teacher, name="欧阳明", phone=PHONE, version=version),
    )
    assert response.status_code == 302
    assert client.post(url("person_reveal", teacher.pk)).status_code == 403
    teacher.refresh_from_db()
    assert teacher.name == services.ERASED_NAME and teacher.phone() == ""
    with pytest.raises(services.AlreadyErased):
        services.update_person(
            teacher, actor=world.helper, expected_version=teacher.version, name="欧阳明"
        )
    with pytest.raises(services.AlreadyErased):
        services.erase_person(teacher, actor=world.helper)
    assert AuditEntry.objects.filter(action="delete", model="orgs.Person").count() == 1


def test_erasure_needs_the_confirmation(world, client_for, teacher):
    response = client_for("helper").post(url("person_erase", teacher.pk), {})
    assert response.status_code == 200
    assert "请勾选确认" in response.content.decode()
    teacher.refresh_from_db()
    assert not teacher.is_erased and teacher.name == "欧阳明"


# 欧阳明 teaches at 北京九中 (石景山区): its staff and the 石景山区 coordinator may erase.
ERASE = {
    "anonymous": 302,
    "outsider": 404,
    "helper": 200,
    "recipient": 403,
    "coordinator": 200,
    "other_coordinator": 404,
    "auditor": 403,
    "sysadmin": 403,
    "secadmin": 403,
}


@pytest.mark.parametrize("role", ERASE)
def test_erase_page_by_role(client_for, teacher, role):
    response = client_for(role).get(url("person_erase", teacher.pk))
    assert response.status_code == ERASE[role]
    if ERASE[role] == 200:
        assert "no-store" in response["Cache-Control"]


def test_coordinator_of_the_region_erases(world, client_for, teacher):
    client_for("coordinator").post(url("person_erase", teacher.pk), {"confirm": "on"})
    teacher.refresh_from_db()
    assert teacher.is_erased
    assert AuditEntry.objects.get(action="delete", model="orgs.Person").actor == world.coordinator


def test_refused_erasure_changes_nothing(world, client_for, teacher):
    assert (
        client_for("recipient").post(url("person_erase", teacher.pk), {"confirm": "on"}).status_code
        == 403
    )
    with pytest.raises(PermissionDenied):
        services.erase_person(teacher, actor=world.recipient)
    teacher.refresh_from_db()
    assert not teacher.is_erased and teacher.phone() == PHONE


# --- the people export ------------------------------------------------------------


def _sheet(response) -> list[tuple]:
    content = b"".join(response.streaming_content)
    return list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))


@pytest.fixture
def partner_teacher(world):
    """A 汐子中学 teacher: the helper school's staff sees it but may not reveal it."""
    return make_person(world.xizi, "汐子老师", id_number=OTHER_ID, phone=OTHER_PHONE)


def test_export_needs_its_own_permission(world, client_for, teacher):
    for role in ("helper", "coordinator", "recipient"):
        client = client_for(role)
        assert client.get(url("person_export")).status_code == 403
        assert client.post(url("person_export"), {"format": "csv"}).status_code == 403
    assert not AuditEntry.objects.filter(action="export").exists()
    assert url("person_export") not in client_for("helper").get(url("person_list")).content.decode()


def test_export_is_masked_by_default(world, client_for, teacher, partner_teacher):
    grant_export(world.helper)
    response = client_for("helper").post(url("person_export"), {"format": "xlsx"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    rows = _sheet(response)
    assert rows[0][:2] == ("姓名", "所在单位")
    by_name = {r[0]: r for r in rows[1:]}
    assert set(by_name) == {"欧阳明", "汐子老师"}
    assert by_name["欧阳明"][6:] == (teacher.phone_masked, teacher.id_number_masked)
    flat = str(rows)
    assert PHONE not in flat and ID not in flat and OTHER_PHONE not in flat
    entry = AuditEntry.objects.get(action="export")
    assert entry.changes["kind"] == "people" and entry.changes["rows"] == 2
    assert entry.changes["full"] is False
    assert not AuditEntry.objects.filter(action="reveal").exists()


def test_full_values_only_when_asked_and_revealable(world, client_for, teacher, partner_teacher):
    grant_export(world.helper)
    response = client_for("helper").post(url("person_export"), {"format": "csv", "full": "on"})
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = {r[0]: r for r in csv.reader(io.StringIO(body))}
    # Its own school's teacher in full; the partner school's stays masked.
    assert rows["欧阳明"][6:] == [PHONE, ID]
    assert rows["汐子老师"][6:] == [partner_teacher.phone_masked, partner_teacher.id_number_masked]
    export = AuditEntry.objects.get(action="export")
    assert export.changes["full"] is True and export.changes["revealed"] == 1
    reveal = AuditEntry.objects.get(action="reveal")
    assert reveal.changes["people"] == [teacher.pk] and reveal.actor == world.helper


def test_full_values_need_the_reveal_right(world, client_for, teacher):
    # The 石景山区 coordinator may reveal 北京九中 people, not those of its partner 汐子中学.
    grant_export(world.coordinator)
    xizi = make_person(world.xizi, "宁城老师", phone=OTHER_PHONE)
    response = client_for("coordinator").post(url("person_export"), {"format": "csv", "full": "on"})
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert PHONE in body  # 北京九中 is in the coordinator's region
    assert OTHER_PHONE not in body and xizi.phone_masked in body


def test_daily_limit(world, client_for, teacher, settings):
    settings.PII_EXPORT_DAILY_LIMIT = 2
    grant_export(world.helper)
    client = client_for("helper")
    for _i in range(2):
        assert client.post(url("person_export"), {"format": "csv"}).status_code == 200
    response = client.post(url("person_export"), {"format": "csv"})
    assert response.status_code == 429
    assert "今天的人员信息导出已达上限" in response.content.decode()
    assert "Content-Disposition" not in response
    assert AuditEntry.objects.filter(action="export").count() == 2
    assert pii.exports_left(world.helper) == 0
    # Another user's exports count on their own.
    grant_export(world.coordinator)
    assert (
        client_for("coordinator").post(url("person_export"), {"format": "csv"}).status_code == 200
    )


def test_exports_count_per_day(world, client_for, teacher, settings, monkeypatch):
    settings.PII_EXPORT_DAILY_LIMIT = 1
    grant_export(world.helper)
    client_for("helper").post(url("person_export"), {"format": "csv"})
    assert pii.exports_left(world.helper) == 0
    today = pii._start_of_today()
    monkeypatch.setattr(pii, "_start_of_today", lambda: today + dt.timedelta(days=1))
    assert pii.exports_left(world.helper) == 1


def test_bad_export_form_changes_nothing(world, client_for, teacher):
    grant_export(world.helper)
    response = client_for("helper").post(url("person_export"), {"format": "pdf"})
    assert response.status_code == 200 and "请选择导出格式" in response.content.decode()
    response = client_for("helper").post(url("person_export"), {"format": "csv", "s": "gone"})
    assert "查询条件已失效" in response.content.decode()
    assert not AuditEntry.objects.filter(action="export").exists()


def test_export_follows_the_posted_search(world, client_for, teacher, partner_teacher):
    grant_export(world.helper)
    client = client_for("helper")
    searched = client.post(url("person_list"), {"number": OTHER_PHONE})
    key = searched["Location"].split("s=")[1]
    response = client.post(url("person_export"), {"format": "csv", "s": key})
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "汐子老师" in body and "欧阳明" not in body
    filters = AuditEntry.objects.get(action="export").changes["filters"]
    assert filters == {"number_lookup": True}


def test_security_admin_grants_the_export_permission(world):
    assert not pii.can_export(world.helper)
    assert pii.set_export_permission(world.helper, True, actor=world.secadmin)
    assert pii.can_export(world.helper)
    entry = AuditEntry.objects.get(action="permission", object_id=str(world.helper.pk))
    assert entry.actor == world.secadmin
    assert entry.changes == {"orgs.export_personal_data": [False, True]}
    assert not pii.set_export_permission(world.helper, True, actor=world.secadmin)
    for actor in (world.sysadmin, world.coordinator, world.helper):
        with pytest.raises(PermissionDenied):
            pii.set_export_permission(world.helper, False, actor=actor)
    pii.set_export_permission(world.helper, False, actor=world.secadmin)
    assert not pii.can_export(world.helper)


# --- nothing personal in URLs, nothing cached -------------------------------------------------


def test_search_is_posted_and_the_url_carries_only_a_key(world, client_for, teacher):
    client = client_for("helper")
    response = client.post(url("person_list"), {"q": "欧阳明"})
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith(url("person_list") + "?s=")
    assert "%E6%AC%A7" not in location and "ouyang" not in location
    page = client.get(location)
    assert [p.name for p in page.context["page_obj"]] == ["欧阳明"]
    # A name in the query string is not searched (and so never needed there).
    make_person(world.bj9, "王老师")
    names = {p.name for p in client.get(url("person_list"), {"q": "欧阳明"}).context["page_obj"]}
    assert names == {"欧阳明", "王老师"}


@pytest.mark.parametrize("number", [ID, ID.lower(), PHONE, "138 1234 5678"])
def test_number_lookup_uses_the_keyed_hash(world, client_for, teacher, number):
    make_person(world.bj9, "王老师", phone=OTHER_PHONE)
    client = client_for("helper")
    response = client.post(url("person_list"), {"number": number})
    assert number.replace(" ", "") not in response["Location"]
    page = client.get(response["Location"])
    assert [p.name for p in page.context["page_obj"]] == ["欧阳明"]
    assert number not in page.content.decode() and PHONE not in page.content.decode()
    stored = client.session["orgs_person_searches"]
    assert PHONE not in str(stored) and ID not in str(stored)


def test_bad_number_gets_a_message_and_no_search(world, client_for, teacher):
    response = client_for("helper").post(url("person_list"), {"number": "12345"})
    assert response.status_code == 200
    assert "请输入完整的身份证号码(18位)或手机号码" in response.content.decode()
    assert list(response.context["page_obj"]) == []


def test_expired_search_key_says_so(world, client_for, teacher):
    response = client_for("helper").get(url("person_list"), {"s": "unknown"})
    assert "查询条件已失效" in response.content.decode()


def test_pages_with_personal_data_are_never_stored(world, client_for, teacher):
    client = client_for("helper")
    grant_export(world.helper)
    responses = [
        client.get(url("person_list")),
        client.get(url("person_detail", teacher.pk)),
        client.post(url("person_reveal", teacher.pk)),
        client.get(url("detail", world.bj9.pk)),
        client.get(url("person_export")),
        client.post(url("person_export"), {"format": "csv"}),
        client.get(url("person_erase", teacher.pk)),
    ]
    for response in responses:
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"]
