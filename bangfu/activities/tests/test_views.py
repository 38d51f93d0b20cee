import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bangfu.activities.models import Activity

from .factories import make_task, post_data, record


def _list_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_list_query_count_stays_constant_as_rows_grow(world, client_for):
    client = client_for("coordinator")
    url = reverse("activities:list")
    for i in range(3):
        record(world, title=f"讲座{i}")
    few = _list_queries(client, url)
    for i in range(27):
        record(world, title=f"示范课{i}", type="demo_lesson")
    assert _list_queries(client, url) == few


def test_list_shows_unit_and_count_badge(world, client_for):
    record(world, type="demo_lesson", sessions=12, title="示范课")
    body = client_for("helper").get(reverse("activities:list")).content.decode()
    assert "12 节" in body
    assert "填报" in body


def test_list_filters_by_semester_type_region_and_search(world, client_for):
    record(world, title="秋季讲座")
    record(
        world,
        title="春季示范课",
        type="demo_lesson",
        start_date=dt.date(2020, 3, 2),
        end_date=dt.date(2020, 3, 2),
        lesson_titles="《背影》",
    )
    client = client_for("coordinator")
    url = reverse("activities:list")

    def titles(**params):
        response = client.get(url, params)
        return {a.title for a in response.context["page_obj"]}

    assert titles(year=2019, term=1) == {"秋季讲座"}
    assert titles(year=2019, term=2) == {"春季示范课"}
    assert titles(type="demo_lesson") == {"春季示范课"}
    assert titles(region="宁城县") == {"秋季讲座", "春季示范课"}
    assert titles(region="从江县") == set()
    assert titles(region_id=world.ningcheng.pk) == {"秋季讲座", "春季示范课"}
    assert titles(region_id=world.congjiang.pk) == set()
    assert titles(q="秋季講座") == {"秋季讲座"}  # traditional script finds simplified
    assert titles(q="背影") == {"春季示范课"}


def test_outsider_sees_neither_the_list_rows_nor_the_detail(world, client_for):
    activity = record(world)
    client = client_for("outsider")
    assert not list(client.get(reverse("activities:list")).context["page_obj"])
    assert client.get(reverse("activities:detail", args=[activity.pk])).status_code == 404


def test_symposium_notice_counts_visible_pairings_without_one(world, client_for):
    body = client_for("helper").get(reverse("activities:list")).content.decode()
    assert "尚未举行协作研讨会的结对:1 个" in body
    # Each coordinator counts the pairings of their own region.
    for role in ("coordinator", "other_coordinator"):
        response = client_for(role).get(reverse("activities:list"), {"missing_symposium": 1})
        assert "尚未举行协作研讨会的结对:1 个" in response.content.decode()
        assert len(response.context["missing_pairings"]) == 1


def test_create_page_records_activity_linked_to_a_task(world, client_for):
    task = make_task(world.p_bj9_xizi)
    client = client_for("helper")
    url = reverse("activities:create") + f"?pairing={world.p_bj9_xizi.pk}"
    assert client.get(url).status_code == 200
    response = client.post(url, post_data(pairing=world.p_bj9_xizi.pk, plan_tasks=[task.pk]))
    assert response.status_code == 302
    activity = Activity.objects.get()
    assert list(activity.plan_tasks.all()) == [task]


def test_create_with_foreign_pairing_is_an_invalid_choice(world, client_for):
    response = client_for("helper").post(
        reverse("activities:create"), post_data(pairing=world.p_nm_daidai.pk)
    )
    assert response.status_code == 200
    assert response.context["form"].errors["pairing"]
    assert Activity.objects.count() == 0


def test_negative_count_gets_a_chinese_message(world, client_for):
    response = client_for("helper").post(
        reverse("activities:create"),
        post_data(pairing=world.p_bj9_xizi.pk, helper_headcount=-3),
    )
    assert response.context["form"].errors["helper_headcount"] == ["不能为负数。"]
    assert Activity.objects.count() == 0


def test_person_times_below_headcount_gets_a_message_beside_the_field(world, client_for):
    response = client_for("helper").post(
        reverse("activities:create"), post_data(pairing=world.p_bj9_xizi.pk, person_times=5)
    )
    assert "人次不能少于人数" in response.context["form"].errors["person_times"][0]
    assert Activity.objects.count() == 0


def test_stale_edit_form_saves_nothing(world, client_for):
    activity = record(world)
    client = client_for("helper")
    url = reverse("activities:edit", args=[activity.pk])
    client.post(url, post_data(title="先保存", version=1))
    response = client.post(url, post_data(title="后保存", version=1))
    assert "该记录已被他人修改" in response.content.decode()
    assert Activity.objects.get().title == "先保存"


def test_recipient_confirms_through_the_page_and_helper_gets_403(world, client_for):
    activity = record(world)
    url = reverse("activities:confirm", args=[activity.pk])
    assert client_for("helper").post(url, {"rating": 5}).status_code == 403
    response = client_for("recipient").post(url, {"rating": 4, "feedback": "很好"})
    assert response.status_code == 302
    activity.refresh_from_db()
    assert (activity.confirmation, activity.rating) == ("confirmed", 4)
    body = client_for("helper").get(reverse("activities:detail", args=[activity.pk]))
    assert "很好" in body.content.decode()


def test_confirm_without_rating_shows_message(world, client_for):
    activity = record(world)
    response = client_for("recipient").post(reverse("activities:confirm", args=[activity.pk]), {})
    assert "请选择 1–5 分的评分。" in response.content.decode()
    activity.refresh_from_db()
    assert activity.confirmation == "pending"


def test_detail_shows_counts_links_evidence_and_history(world, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from bangfu.activities import services

    from .factories import PDF_BYTES, jpeg_with_gps, make_need

    task = make_task(world.p_bj9_xizi, title="听评课指导")
    need = make_need(world.p_bj9_xizi, world.xizi, title="数学组教研")
    activity = record(world, plan_tasks=[task], needs=[need])
    services.add_evidence(activity, actor=world.helper, upload=jpeg_with_gps(), kind="photo")
    services.add_evidence(
        activity,
        actor=world.helper,
        upload=SimpleUploadedFile("总结.pdf", PDF_BYTES),
        kind="document",
    )
    body = client_for("recipient").get(reverse("activities:detail", args=[activity.pk]))
    text = body.content.decode()
    assert "听评课指导" in text and "数学组教研" in text
    assert "《离散型随机变量》" in text
    assert "总结.pdf" in text
    assert text.count("/evidence/") >= 3  # thumbnail link + img + document
    assert "提交确认" in text  # the recipient side may confirm
    assert "创建" in text  # audit history
