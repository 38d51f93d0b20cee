import datetime as dt

from django.utils import timezone

from bangfu.activities.models import Activity
from bangfu.core.reminders import reminders_for
from bangfu.needs.models import Need, NeedCategory

TODAY = dt.date(2024, 10, 15)


def _keys(user):
    return {r.key: r for r in reminders_for(user, TODAY)}


def _need(world, days_old):
    need = Need.objects.create(
        pairing=world.p_bj9_xizi,
        organisation=world.xizi,
        category=NeedCategory.objects.first(),
        title=f"需求{days_old}",
    )
    Need.objects.filter(pk=need.pk).update(
        created_at=timezone.make_aware(dt.datetime.combine(TODAY, dt.time(9)))
        - dt.timedelta(days=days_old)
    )
    return need


def _activity(world, day, type_="lecture", confirmation="pending"):
    return Activity.objects.create(
        type=type_,
        title=f"活动{day}",
        start_date=day,
        end_date=day,
        pairing=world.p_bj9_xizi,
        organiser=world.bj9,
        confirmation=confirmation,
    )


def test_helper_is_reminded_of_needs_waiting_over_thirty_days(world):
    _need(world, 45)
    _need(world, 10)
    reminders = _keys(world.helper)
    assert reminders["needs"].count == 1 and reminders["needs"].items[0][0].startswith("需求45")
    # The recipient listed them; answering is the helper's job.
    assert "needs" not in _keys(world.recipient)


def test_recipient_is_reminded_of_activities_to_confirm(world):
    _activity(world, TODAY - dt.timedelta(days=3))
    _activity(world, TODAY - dt.timedelta(days=2), confirmation="confirmed")
    assert _keys(world.recipient)["activities"].count == 1
    assert "activities" not in _keys(world.helper)


def test_quiet_pairings_and_missing_symposium(world):
    reminders = _keys(world.helper)
    assert reminders["quiet"].count == 1 and reminders["symposium"].count == 1
    _activity(world, TODAY - dt.timedelta(days=5), type_="symposium")
    reminders = _keys(world.helper)
    assert "quiet" not in reminders and "symposium" not in reminders


def test_auditor_and_outsider_get_no_reminders(world):
    _need(world, 45)
    assert reminders_for(world.auditor, TODAY) == []
    assert reminders_for(world.outsider, TODAY) == []


def test_home_page_lists_reminders_with_constant_queries(
    client_for, world, django_assert_max_num_queries
):
    for i in range(3):
        _need(world, 40 + i)
    client = client_for("helper")
    client.get("/")
    with django_assert_max_num_queries(40):
        response = client.get("/")
    assert "待办提醒" in response.content.decode()
