import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from bangfu.activities import services
from bangfu.activities.models import Activity, LedgerLock
from bangfu.audit.models import AuditEntry

from .factories import post_data, record


@pytest.fixture
def locked(world):
    activity = record(world)
    lock = services.lock_period(
        actor=world.coordinator, academic_year=2019, term=1, pairing=world.p_bj9_xizi
    )
    return activity, lock


def test_activity_in_locked_semester_is_locked(world, locked):
    activity, _lock = locked
    assert services.is_locked(activity)
    later = Activity(pairing=world.p_bj9_xizi, start_date=dt.date(2020, 3, 1))
    assert not services.is_locked(later)


def test_locked_activity_cannot_be_edited(world, locked, client_for):
    activity, _lock = locked
    url = reverse("activities:edit", args=[activity.pk])
    response = client_for("helper").post(
        url, post_data(title="锁定后修改", version=activity.version)
    )
    assert response.status_code == 200
    assert "台账已审核锁定" in response.content.decode()
    assert Activity.objects.get(pk=activity.pk).title == "初中数学专题讲座"


def test_no_activity_can_be_created_in_locked_semester(world, locked, client_for):
    before = Activity.objects.count()
    response = client_for("helper").post(
        reverse("activities:create"), post_data(pairing=world.p_bj9_xizi.pk, title="补录")
    )
    assert response.status_code == 200
    assert "台账已审核锁定" in response.content.decode()
    assert Activity.objects.count() == before


def test_confirmation_and_signin_are_refused_while_locked(world, locked):
    activity, _lock = locked
    with pytest.raises(ValidationError):
        services.confirm_activity(activity, actor=world.recipient, rating=5, feedback="")
    with pytest.raises(ValidationError):
        services.open_signin(activity, actor=world.helper)


def test_reopen_allows_edits_and_is_audited(world, locked, client_for):
    activity, lock = locked
    response = client_for("coordinator").post(
        reverse("activities:lock_reopen", args=[lock.pk]), {"reason": "更正人次"}
    )
    assert response.status_code == 302
    lock.refresh_from_db()
    assert not lock.is_active
    assert lock.reopened_by == world.coordinator
    assert lock.reopen_reason == "更正人次"
    assert AuditEntry.objects.filter(
        model="activities.LedgerLock", object_id=str(lock.pk), action="reopen"
    ).exists()
    services.update_activity(activity, actor=world.helper, version=activity.version, title="已更正")
    assert Activity.objects.get(pk=activity.pk).title == "已更正"


def test_reopen_needs_a_reason(world, locked, client_for):
    _activity, lock = locked
    client_for("coordinator").post(reverse("activities:lock_reopen", args=[lock.pk]), {})
    lock.refresh_from_db()
    assert lock.is_active


def test_region_lock_covers_activities_of_the_recipient_county(world):
    from conftest import make_org, make_user

    # A province-level bureau locks its whole province.
    bureau = make_org("内蒙古自治区教育厅", world.nmg, kind="bureau")
    province_coordinator = make_user("nmg_coord", "coordinator", bureau)
    activity = record(world)
    services.lock_period(actor=province_coordinator, academic_year=2019, term=1, region=world.nmg)
    assert services.is_locked(activity)


def test_moving_an_activity_into_a_locked_semester_is_refused(world):
    activity = record(world, start_date=dt.date(2020, 3, 2), end_date=dt.date(2020, 3, 2))
    services.lock_period(
        actor=world.coordinator, academic_year=2019, term=1, pairing=world.p_bj9_xizi
    )
    with pytest.raises(ValidationError):
        services.update_activity(
            activity,
            actor=world.helper,
            version=activity.version,
            start_date=dt.date(2019, 10, 8),
            end_date=dt.date(2019, 10, 8),
        )
    assert Activity.objects.get(pk=activity.pk).start_date == dt.date(2020, 3, 2)


def test_coordinator_cannot_lock_outside_its_region(world):
    with pytest.raises(ValidationError) as exc:
        services.lock_period(
            actor=world.other_coordinator, academic_year=2019, term=1, pairing=world.p_bj9_xizi
        )
    assert exc.value.message_dict["pairing"] == ["选择一个有效的选项。"]
    with pytest.raises(ValidationError):
        services.lock_period(
            actor=world.other_coordinator, academic_year=2019, term=1, region=world.sjs
        )
    assert LedgerLock.objects.count() == 0


def test_same_semester_cannot_be_locked_twice(world, locked):
    with pytest.raises(ValidationError):
        services.lock_period(
            actor=world.coordinator, academic_year=2019, term=1, pairing=world.p_bj9_xizi
        )


def test_lock_page_locks_a_semester_and_audits_it(world, client_for):
    response = client_for("coordinator").post(
        reverse("activities:locks"),
        {"academic_year": 2019, "term": 2, "pairing": world.p_bj9_xizi.pk},
    )
    assert response.status_code == 302
    lock = LedgerLock.objects.get()
    assert (lock.academic_year, lock.term, lock.locked_by) == (2019, 2, world.coordinator)
    assert AuditEntry.objects.filter(model="activities.LedgerLock", action="lock").exists()


def test_school_staff_cannot_reopen(world, locked):
    _activity, lock = locked
    with pytest.raises(PermissionDenied):
        services.reopen_period(lock, actor=world.helper, reason="想改")
