"""Writing through the API: the pages' services, their rules, versions and audit entries."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from bangfu.activities import services as activity_services
from bangfu.activities.models import Activity
from bangfu.audit.models import AuditEntry
from bangfu.needs.models import Need
from conftest import make_pairing

from .factories import make_activity, make_need, make_person

STALE = "该记录已被他人修改,您的修改未保存。请重新读取该记录,在最新内容上修改后再提交。"


def _send(client, method, url, data=None):
    return getattr(client, method)(url, data or {}, content_type="application/json")


def _activities():
    return reverse("api:activity-list")


def _activity(pk):
    return reverse("api:activity-detail", kwargs={"pk": pk})


def _need(pk, action="detail"):
    return reverse(f"api:need-{action}", kwargs={"pk": pk})


def _new_activity(w, **overrides):
    data = {
        "pairing": w.p_bj9_xizi.pk,
        "type": "demo_lesson",
        "title": "初中语文示范课",
        "start_date": "2019-11-05",
        "end_date": "2019-11-05",
        "sessions": 2,
        "helper_headcount": 2,
        "recipient_headcount": 35,
        "person_times": 37,
        "lesson_titles": "《老王》",
    }
    data.update(overrides)
    return data


def _entries(obj, action=None):
    entries = AuditEntry.objects.filter(model=obj._meta.label, object_id=str(obj.pk))
    return entries.filter(action=action) if action else entries


def _audited(obj, action, actor, **changes) -> bool:
    """An entry of ``action`` by ``actor`` recording each of ``changes``.

    A value matches as written or as the new side of a ``[before, after]`` pair.
    """

    def matches(got, wanted):
        return got == wanted or (isinstance(got, list) and len(got) == 2 and got[1] == wanted)

    return any(
        entry.actor == actor and all(matches(entry.changes.get(k), v) for k, v in changes.items())
        for entry in _entries(obj, action)
    )


# --- activities ----------------------------------------------------------------


def test_helper_records_an_activity_with_an_audit_entry(world, client_for):
    response = _send(client_for("helper"), "post", _activities(), _new_activity(world))
    assert response.status_code == 201, response.json()
    data = response.json()
    activity = Activity.objects.get(pk=data["id"])
    assert data["version"] == 1 and data["recorded_side"] == "helper"
    assert data["organiser"] == {"id": world.bj9.pk, "name": world.bj9.name}
    assert data["receivers"] == [world.xizi.pk]
    assert data["session_unit"] == "节"
    assert _audited(activity, "create", world.helper, title="初中语文示范课")


def test_a_change_needs_the_version_and_is_audited(world, client_for):
    activity = make_activity(world)
    client = client_for("helper")
    missing = _send(client, "patch", _activity(activity.pk), {"title": "改名"})
    assert missing.status_code == 400
    assert "version" in missing.json()

    response = _send(
        client, "patch", _activity(activity.pk), {"title": "改名", "version": activity.version}
    )
    assert response.status_code == 200, response.json()
    assert response.json()["title"] == "改名"
    assert response.json()["version"] == activity.version + 1
    assert _audited(activity, "update", world.helper, title=["初中数学专题讲座", "改名"])


def test_put_replaces_the_fields_it_names(world, client_for):
    activity = make_activity(world)
    data = _new_activity(world, title="整条替换", version=activity.version)
    response = _send(client_for("coordinator"), "put", _activity(activity.pk), data)
    assert response.status_code == 200, response.json()
    activity.refresh_from_db()
    assert (activity.title, activity.type, activity.person_times) == ("整条替换", "demo_lesson", 37)


def test_a_stale_version_is_refused_with_409_and_nothing_is_overwritten(world, client_for):
    activity = make_activity(world)
    read_version = activity.version
    first = _send(
        client_for("coordinator"),
        "patch",
        _activity(activity.pk),
        {"title": "协调员的修改", "version": read_version},
    )
    assert first.status_code == 200
    stale = _send(
        client_for("helper"),
        "patch",
        _activity(activity.pk),
        {"title": "过期的修改", "place": "别处", "version": read_version},
    )
    assert stale.status_code == 409
    assert stale.json() == {"detail": STALE}
    activity.refresh_from_db()
    assert (activity.title, activity.place) == ("协调员的修改", "")
    assert activity.version == read_version + 1
    assert not any("过期的修改" in str(entry.changes) for entry in _entries(activity))


def test_an_organisation_out_of_scope_is_refused_and_nothing_changes(world, client_for):
    activity = make_activity(world)
    before = _entries(activity).count()
    response = _send(
        client_for("helper"),
        "patch",
        _activity(activity.pk),
        {"organiser": world.daidai.pk, "title": "不应保存", "version": activity.version},
    )
    assert response.status_code == 400
    assert response.json() == {
        "organiser": [f"编号为 {world.daidai.pk} 的记录不存在,或不在您的权限范围内。"]
    }
    activity.refresh_from_db()
    assert (activity.organiser, activity.title) == (world.bj9, "初中数学专题讲座")
    assert activity.version == 1 and _entries(activity).count() == before


def test_recording_in_a_foreign_pairing_creates_nothing(world, client_for):
    data = _new_activity(world, pairing=world.p_nm_daidai.pk)
    response = _send(client_for("helper"), "post", _activities(), data)
    assert response.status_code == 400
    assert "pairing" in response.json()
    assert not Activity.objects.exists()


def test_a_need_of_another_pairing_is_refused_by_the_service(world, client_for):
    """Visible to the helper, but not of this activity's pairing: the service says no."""
    other = make_pairing([world.bj9], [world.ncgz], region_pairing=world.rp_sjs_nc)
    foreign_need = make_need(world, pairing=other)
    activity = make_activity(world)
    response = _send(
        client_for("helper"),
        "patch",
        _activity(activity.pk),
        {"needs": [foreign_need.pk], "version": activity.version},
    )
    assert response.status_code == 400
    assert response.json() == {"needs": ["选择一个有效的选项。"]}
    assert not activity.needs.exists()


def test_links_to_records_of_the_pairing_are_kept(world, client_for):
    need = make_need(world)
    leader = make_person(world, org=world.bj9, name="王老师")
    activity = make_activity(world)
    response = _send(
        client_for("helper"),
        "patch",
        _activity(activity.pk),
        {"needs": [need.pk], "leaders": [leader.pk], "version": activity.version},
    )
    assert response.status_code == 200, response.json()
    assert response.json()["needs"] == [need.pk]
    assert response.json()["leaders"] == [leader.pk]


def test_the_other_side_cannot_change_the_activity(world, client_for):
    activity = make_activity(world)
    response = _send(
        client_for("recipient"),
        "patch",
        _activity(activity.pk),
        {"title": "受援方改", "version": activity.version},
    )
    assert response.status_code == 403
    assert response.json() == {"detail": "只有填报方(本单位或其教育行政部门)可以修改该活动。"}
    assert Activity.objects.get(pk=activity.pk).title == "初中数学专题讲座"


def test_the_pairing_stays_the_one_recorded(world, client_for):
    other = make_pairing([world.bj9], [world.ncgz], region_pairing=world.rp_sjs_nc)
    activity = make_activity(world)
    response = _send(
        client_for("helper"),
        "patch",
        _activity(activity.pk),
        {"pairing": other.pk, "version": activity.version},
    )
    assert response.status_code == 400
    assert response.json() == {"pairing": ["记录后不能更换所属的结对关系或对口关系。"]}
    assert Activity.objects.get(pk=activity.pk).pairing == world.p_bj9_xizi


def test_domain_rules_answer_400_with_the_pages_messages(world, client_for):
    data = _new_activity(world, end_date="2019-11-01", person_times=3)
    response = _send(client_for("helper"), "post", _activities(), data)
    assert response.status_code == 400
    assert response.json() == {
        "end_date": ["结束日期不能早于开始日期。"],
        "person_times": ["人次不能少于人数(帮扶方人数与受援方人数之和)。"],
    }
    negative = _send(client_for("helper"), "post", _activities(), _new_activity(world, sessions=-1))
    assert negative.json() == {"sessions": ["不能为负数。"]}
    assert not Activity.objects.exists()


def test_a_locked_semester_refuses_changes(world, client_for):
    activity = make_activity(world)
    activity_services.lock_period(
        actor=world.coordinator, academic_year=2019, term=1, pairing=world.p_bj9_xizi
    )
    client = client_for("helper")
    response = _send(
        client,
        "patch",
        _activity(activity.pk),
        {"title": "锁定后修改", "version": activity.version},
    )
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": [str(activity_services.LOCKED_MESSAGE)]}
    assert Activity.objects.get(pk=activity.pk).title == "初中数学专题讲座"
    created = _send(client, "post", _activities(), _new_activity(world))
    assert created.status_code == 400
    assert Activity.objects.count() == 1


def test_the_recipient_confirms_and_rates(world, client_for):
    activity = make_activity(world)
    url = reverse("api:activity-confirm", kwargs={"pk": activity.pk})
    assert _send(client_for("helper"), "post", url, {"rating": 5}).status_code == 403
    assert _send(client_for("recipient"), "post", url, {"rating": 9}).json() == {
        "rating": ["评分须为 1–5 分。"]
    }
    response = _send(client_for("recipient"), "post", url, {"rating": 5, "feedback": "很有收获"})
    assert response.status_code == 200, response.json()
    assert response.json()["confirmation"] == "confirmed"
    assert _audited(activity, "confirm", world.recipient, rating=5, feedback="很有收获")
    again = _send(client_for("recipient"), "post", url, {"rating": 4})
    assert again.status_code == 400
    assert "non_field_errors" in again.json()


def test_writes_need_the_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.helper)
    refused = _send(client, "post", _activities(), _new_activity(world))
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    assert not Activity.objects.exists()
    assert client.get(_activities()).status_code == 200  # reading needs no token
    client.get(reverse("api:docs") + "?script=")  # sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    accepted = client.post(
        _activities(), _new_activity(world), content_type="application/json", HTTP_X_CSRFTOKEN=token
    )
    assert accepted.status_code == 201


def test_no_hard_delete(world, client_for):
    activity = make_activity(world)
    assert client_for("helper").delete(_activity(activity.pk)).status_code == 405
    assert Activity.objects.filter(pk=activity.pk).exists()


# --- needs ---------------------------------------------------------------------------


@pytest.fixture
def category():
    from bangfu.needs.models import NeedCategory

    return NeedCategory.objects.get_or_create(name="学科教学")[0]


def test_the_recipient_lists_and_edits_a_need(world, client_for, category):
    client = client_for("recipient")
    data = {
        "pairing": world.p_bj9_xizi.pk,
        "category": category.pk,
        "title": "初中物理实验教学",
        "wished_start": "2019-09-01",
        "wished_end": "2019-12-31",
    }
    created = _send(client, "post", reverse("api:need-list"), data)
    assert created.status_code == 201, created.json()
    need = Need.objects.get(pk=created.json()["id"])
    assert need.organisation == world.xizi and need.created_by == world.recipient
    assert _audited(need, "create", world.recipient, title="初中物理实验教学")

    changed = _send(client, "patch", _need(need.pk), {"priority": "high", "version": need.version})
    assert changed.status_code == 200, changed.json()
    assert changed.json()["priority"] == "high"
    assert _audited(need, "update", world.recipient, priority=["medium", "high"])
    stale = _send(client, "patch", _need(need.pk), {"priority": "low", "version": need.version})
    assert stale.status_code == 409
    assert Need.objects.get(pk=need.pk).priority == "high"


def test_needs_are_listed_only_for_own_recipient_pairings(world, client_for, category):
    data = {"pairing": world.p_nm_daidai.pk, "category": category.pk, "title": "美术教学"}
    refused = _send(client_for("recipient"), "post", reverse("api:need-list"), data)
    assert refused.status_code == 400
    assert "pairing" in refused.json()
    helper = _send(client_for("helper"), "post", reverse("api:need-list"), data)
    assert helper.status_code == 403
    assert helper.json() == {"detail": "只有受援方可以列出需求。"}
    assert not Need.objects.exists()


def test_wished_dates_in_order(world, client_for, category):
    data = {
        "pairing": world.p_bj9_xizi.pk,
        "category": category.pk,
        "title": "家长指导",
        "wished_start": "2019-12-01",
        "wished_end": "2019-09-01",
    }
    response = _send(client_for("recipient"), "post", reverse("api:need-list"), data)
    assert response.json() == {"wished_end": ["希望完成日期不能早于希望开始日期。"]}


def test_the_helper_side_claims_and_both_move_the_status(world, client_for):
    need = make_need(world)
    assert _send(client_for("recipient"), "post", _need(need.pk, "claim")).status_code == 403
    claimed = _send(client_for("helper"), "post", _need(need.pk, "claim"))
    assert claimed.status_code == 200
    assert claimed.json()["claimed_by"] == {"id": world.bj9.pk, "name": world.bj9.name}
    twice = _send(client_for("coordinator"), "post", _need(need.pk, "claim"))
    assert twice.status_code == 400
    assert "已认领" in twice.json()["non_field_errors"][0]

    moved = _send(client_for("helper"), "post", _need(need.pk, "change-status"), {"status": "met"})
    assert moved.status_code == 200 and moved.json()["status"] == "met"
    withdraw = _send(
        client_for("helper"), "post", _need(need.pk, "change-status"), {"status": "withdrawn"}
    )
    assert withdraw.status_code == 400
    assert Need.objects.get(pk=need.pk).status == "met"
    assert _audited(need, "claim", world.helper)


def test_foreign_need_cannot_be_seen_or_claimed(world, client_for):
    need = make_need(world, pairing=world.p_nm_daidai)
    response = _send(client_for("helper"), "post", _need(need.pk, "claim"))
    assert response.status_code == 404
    assert Need.objects.get(pk=need.pk).claimed_by is None


def test_dates_in_iso_form(world, client_for):
    activity = make_activity(world, start_date=dt.date(2019, 9, 30), end_date=dt.date(2019, 10, 1))
    data = client_for("helper").get(_activity(activity.pk)).json()
    assert (data["start_date"], data["end_date"]) == ("2019-09-30", "2019-10-01")
