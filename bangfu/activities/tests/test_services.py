import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from bangfu.activities import services
from bangfu.activities.models import Activity
from bangfu.audit.models import AuditEntry
from bangfu.core.forms import StaleEdit

from .factories import activity_values, make_need, make_task, record


def test_helper_records_activity_linked_to_task_and_need_of_its_pairing(world):
    task = make_task(world.p_bj9_xizi)
    need = make_need(world.p_bj9_xizi, world.xizi)
    activity = record(world, plan_tasks=[task], needs=[need])
    assert activity.recorded_side == "helper"
    assert activity.helper_region == world.sjs
    assert activity.recipient_region == world.ningcheng
    assert activity.region_pairing == world.rp_sjs_nc
    assert activity.organiser == world.bj9
    assert list(activity.receivers.all()) == [world.xizi]
    assert list(activity.plan_tasks.all()) == [task]
    assert list(activity.needs.all()) == [need]
    assert activity.created_by == world.helper
    assert activity.count_source == "reported"
    assert AuditEntry.objects.filter(
        model="activities.Activity", object_id=str(activity.pk), action="create"
    ).exists()


def test_recipient_side_may_record_too(world):
    activity = record(world, actor=world.recipient, led_by="recipient")
    assert activity.recorded_side == "recipient"
    assert activity.organiser == world.xizi


def _refused(world, field, **kwargs):
    before = Activity.objects.count()
    with pytest.raises(ValidationError) as exc:
        kwargs.setdefault("actor", world.helper)
        record(world, **kwargs)
    assert field in exc.value.message_dict
    assert Activity.objects.count() == before
    return exc.value.message_dict[field]


def test_task_or_need_of_another_pairing_is_an_invalid_choice(world):
    other_task = make_task(world.p_nm_daidai)
    other_need = make_need(world.p_nm_daidai, world.daidai)
    assert _refused(world, "plan_tasks", plan_tasks=[other_task]) == ["选择一个有效的选项。"]
    assert _refused(world, "needs", needs=[other_need]) == ["选择一个有效的选项。"]


def test_end_before_start_is_refused(world):
    messages = _refused(world, "end_date", end_date=dt.date(2019, 10, 1))
    assert "结束日期不能早于开始日期。" in messages


def test_negative_count_is_refused(world):
    assert _refused(world, "recipient_headcount", recipient_headcount=-1) == ["不能为负数。"]


def test_person_times_below_headcount_is_refused(world):
    messages = _refused(world, "person_times", person_times=10)
    assert "人次不能少于人数" in messages[0]


def test_pairing_of_another_organisation_is_an_invalid_choice(world):
    assert _refused(world, "pairing", pairing=world.p_nm_daidai) == ["选择一个有效的选项。"]


def test_auditor_may_not_record(world):
    _refused(world, "pairing", actor=world.auditor)


def test_coordinator_records_region_level_activity(world):
    activity = services.record_activity(
        actor=world.coordinator, region_pairing=world.rp_sjs_nc, **activity_values()
    )
    assert activity.pairing is None
    assert activity.helper_region == world.sjs
    assert activity.recipient_region == world.ningcheng
    assert activity.organiser == world.sjs_bureau


def test_school_staff_may_not_record_region_level_activity(world):
    before = Activity.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.record_activity(
            actor=world.helper, region_pairing=world.rp_sjs_nc, **activity_values()
        )
    assert "region_pairing" in exc.value.message_dict
    assert Activity.objects.count() == before


def test_recipient_confirms_and_rates_helper_activity(world):
    activity = record(world)
    services.confirm_activity(activity, actor=world.recipient, rating=5, feedback="很实用")
    activity.refresh_from_db()
    assert activity.confirmation == "confirmed"
    assert activity.rating == 5
    assert activity.feedback == "很实用"
    assert activity.confirmed_by == world.recipient
    assert AuditEntry.objects.filter(object_id=str(activity.pk), action="confirm").exists()


def test_helper_cannot_confirm_its_own_activity(world):
    activity = record(world)
    with pytest.raises(PermissionDenied):
        services.confirm_activity(activity, actor=world.helper, rating=5, feedback="")


def test_rating_outside_one_to_five_is_refused(world):
    activity = record(world)
    with pytest.raises(ValidationError) as exc:
        services.confirm_activity(activity, actor=world.recipient, rating=6, feedback="")
    assert exc.value.message_dict["rating"] == ["评分须为 1–5 分。"]
    activity.refresh_from_db()
    assert activity.confirmation == "pending"


def test_dispute_needs_feedback_and_can_then_be_confirmed(world):
    activity = record(world)
    with pytest.raises(ValidationError):
        services.confirm_activity(
            activity, actor=world.recipient, rating=2, feedback="", disputed=True
        )
    services.confirm_activity(
        activity, actor=world.recipient, rating=2, feedback="人数不符", disputed=True
    )
    assert activity.confirmation == "disputed"
    services.confirm_activity(activity, actor=world.recipient, rating=4, feedback="已更正")
    assert activity.confirmation == "confirmed"


def test_confirmed_activity_cannot_be_confirmed_again(world):
    activity = record(world)
    services.confirm_activity(activity, actor=world.recipient, rating=4, feedback="")
    with pytest.raises(ValidationError):
        services.confirm_activity(activity, actor=world.recipient, rating=1, feedback="")


def test_recipient_cannot_edit_helper_recorded_activity(world):
    activity = record(world)
    with pytest.raises(PermissionDenied):
        services.update_activity(
            activity, actor=world.recipient, version=activity.version, title="改"
        )


def test_update_from_stale_version_saves_nothing(world):
    activity = record(world)
    services.update_activity(activity, actor=world.helper, version=1, title="第一次修改")
    with pytest.raises(StaleEdit):
        services.update_activity(
            Activity.objects.get(pk=activity.pk), actor=world.helper, version=1, title="过期"
        )
    assert Activity.objects.get(pk=activity.pk).title == "第一次修改"


def test_update_refuses_invalid_counts_and_keeps_the_row(world):
    activity = record(world)
    with pytest.raises(ValidationError) as exc:
        services.update_activity(
            activity, actor=world.coordinator, version=activity.version, person_times=1
        )
    assert "person_times" in exc.value.message_dict
    assert Activity.objects.get(pk=activity.pk).person_times == 80


def test_pairings_missing_symposium_lists_active_pairings_without_one(world):
    from bangfu.pairings.models import Pairing

    record(world, type="symposium", start_date=dt.date(2019, 11, 1), end_date=dt.date(2019, 11, 1))
    missing = services.pairings_missing_symposium(Pairing.objects.all(), 2019)
    assert list(missing) == [world.p_nm_daidai]
    # The symposium of 2019–2020 does not count for 2020–2021.
    assert set(services.pairings_missing_symposium(Pairing.objects.all(), 2020)) == {
        world.p_bj9_xizi,
        world.p_nm_daidai,
    }
