import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from bangfu.activities import services
from bangfu.activities.models import Activity, SignIn

from .factories import record


@pytest.fixture
def open_activity(world):
    activity = record(world)
    services.open_signin(activity, actor=world.helper)
    return activity


def _sign(client, activity, name, org, side="recipient", role="teacher"):
    url = reverse("activities:signin_public", args=[activity.signin_token])
    return client.post(url, {"name": name, "organisation_name": org, "role": role, "side": side})


def test_counts_come_from_signins(world, open_activity, client):
    assert _sign(client, open_activity, "李老师", "北京九中", side="helper").status_code == 200
    _sign(client, open_activity, "王老师", "汐子中学")
    _sign(client, open_activity, "赵老师", "汐子中学")
    open_activity.refresh_from_db()
    assert open_activity.person_times == 3
    assert open_activity.helper_headcount == 1
    assert open_activity.recipient_headcount == 2
    assert open_activity.count_source == Activity.CountSource.SIGNED


def test_signin_success_page_says_so_without_login(open_activity, client):
    response = _sign(client, open_activity, "王老师", "汐子中学")
    assert response.status_code == 200
    assert "签到成功" in response.content.decode()


def test_public_page_shows_title_and_date_only(world, open_activity, client):
    response = client.get(reverse("activities:signin_public", args=[open_activity.signin_token]))
    body = response.content.decode()
    assert response.status_code == 200
    assert open_activity.title in body
    assert "2019-10-08" in body
    for secret in ("汐子", "北京市第九中学", "《离散型随机变量》", "活动台账"):
        assert secret not in body


def test_duplicate_signin_in_traditional_script_is_refused(world, open_activity, client):
    _sign(client, open_activity, "张三", "汐子中学")
    response = _sign(client, open_activity, "張 三", "汐子中學")
    assert response.status_code == 200
    assert "您已签到,无需重复签到。" in response.content.decode()
    assert SignIn.objects.count() == 1
    open_activity.refresh_from_db()
    assert open_activity.person_times == 1


def test_same_name_at_another_school_is_another_person(world, open_activity):
    services.sign_in(open_activity, "张三", "汐子中学", "teacher", "recipient")
    services.sign_in(open_activity, "张三", "宁城县高级中学", "teacher", "recipient")
    assert SignIn.objects.count() == 2


def test_closed_signin_is_refused(world, open_activity, client):
    services.close_signin(open_activity, actor=world.helper)
    response = _sign(client, open_activity, "王老师", "汐子中学")
    assert response.status_code == 404
    assert "签到未开放" in response.content.decode()
    assert SignIn.objects.count() == 0
    with pytest.raises(ValidationError):
        services.sign_in(open_activity, "王老师", "汐子中学", "teacher", "recipient")


def test_unknown_token_is_a_404_page(client, world):
    response = client.get(reverse("activities:signin_public", args=["nope"]))
    assert response.status_code == 404
    assert "签到未开放" in response.content.decode()


def test_typed_counts_after_signin_are_marked_reported(world, open_activity):
    services.sign_in(open_activity, "王老师", "汐子中学", "teacher", "recipient")
    open_activity.refresh_from_db()
    services.update_activity(
        open_activity,
        actor=world.helper,
        version=open_activity.version,
        person_times=50,
        recipient_headcount=30,
        helper_headcount=2,
    )
    open_activity.refresh_from_db()
    assert open_activity.count_source == Activity.CountSource.REPORTED
    assert open_activity.person_times == 50


def test_qr_code_is_an_svg_of_the_public_url(world, open_activity, client_for):
    response = client_for("recipient").get(reverse("activities:signin_qr", args=[open_activity.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert response.content.lstrip().startswith(b"<svg")


def test_detail_shows_qr_and_short_link_when_open(world, open_activity, client_for):
    body = (
        client_for("helper")
        .get(reverse("activities:detail", args=[open_activity.pk]))
        .content.decode()
    )
    assert reverse("activities:signin_qr", args=[open_activity.pk]) in body
    assert f"/activities/s/{open_activity.signin_token}/" in body


def test_recipient_cannot_open_signin_of_helper_activity(world, client_for):
    activity = record(world)
    response = client_for("recipient").post(reverse("activities:signin_open", args=[activity.pk]))
    assert response.status_code == 403
    activity.refresh_from_db()
    assert not activity.signin_open
