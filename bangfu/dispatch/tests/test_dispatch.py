import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from bangfu.audit.models import AuditEntry
from bangfu.dispatch import figures, services
from bangfu.dispatch.models import Dispatch, DispatchAssessment, MonthlyReport

from . import factories as f


def _form(w, who, **extra):
    data = {
        "sender": w.bj9.pk,
        "person": who.pk,
        "status": "planned",
        "host": w.xizi.pk,
        "host_region": "",
        "pairing": w.p_bj9_xizi.pk,
        "role": "teacher",
        "term": "half_year",
        "start_date": "2019-09-01",
        "end_date": "",
        "subjects": "数学",
        "was_backbone": "unknown",
        "note": "",
    }
    data.update(extra)
    return data


def test_helper_records_dispatch_in_batch_two_with_computed_end_date(world, client_for):
    who = f.person(world.bj9, backbone="district")
    second = f.batch(world.bj9, number=2)
    data = _form(world, who, batch=second.pk)
    response = client_for("helper").post(reverse("dispatch:create"), data)
    assert response.status_code == 302
    d = Dispatch.objects.get()
    assert d.batch == second and str(d.batch) == "第2批"
    assert d.end_date == dt.date(2020, 2, 29)  # half a year from 1 September 2019
    assert d.host_region == world.ningcheng  # defaulted from the host school
    assert d.was_backbone is True  # from the person's backbone level
    assert d.created_by == world.helper
    assert AuditEntry.objects.filter(model="dispatch.Dispatch", action="create").count() == 1
    page = client_for("helper").get(reverse("dispatch:list"))
    assert "第2批" in page.content.decode() and "区级骨干" in page.content.decode()


def test_one_month_term_ends_the_day_before_the_same_date_next_month():
    assert services.term_end(dt.date(2019, 3, 1), "month") == dt.date(2019, 3, 31)
    assert services.term_end(dt.date(2019, 1, 31), "month") == dt.date(2019, 2, 27)
    assert services.term_end(dt.date(2019, 9, 1), "year") == dt.date(2020, 8, 31)


def test_person_of_another_organisation_is_refused_and_nothing_saved(world, client_for):
    stranger = f.person(world.xizi, name="赵老师")  # visible to the helper, but not its staff
    client = client_for("helper")  # logging in is audited too
    before = Dispatch.objects.count(), AuditEntry.objects.count()
    response = client.post(reverse("dispatch:create"), _form(world, stranger))
    assert response.status_code == 200
    assert "只能选派派出单位本单位的人员" in response.content.decode()
    assert (Dispatch.objects.count(), AuditEntry.objects.count()) == before


def test_hidden_person_is_an_invalid_choice(world, client_for):
    hidden = f.person(world.daidai, name="钱老师")
    response = client_for("helper").post(reverse("dispatch:create"), _form(world, hidden))
    assert response.status_code == 200
    assert "选择一个有效的选项" in response.content.decode()
    assert "钱老师" not in response.content.decode()
    assert not Dispatch.objects.exists()


def test_end_before_start_is_refused(world, client_for):
    who = f.person(world.bj9)
    data = _form(world, who, term="custom", start_date="2019-09-01", end_date="2019-08-01")
    response = client_for("helper").post(reverse("dispatch:create"), data)
    assert response.status_code == 200
    assert "结束日期不能早于开始日期" in response.content.decode()
    assert not Dispatch.objects.exists()


def test_custom_term_needs_an_end_date(world):
    who = f.person(world.bj9)
    with pytest.raises(services.ValidationError) as exc:
        services.create_dispatch(
            actor=world.helper,
            person=who,
            sender=world.bj9,
            host=world.xizi,
            term="custom",
            start_date=dt.date(2019, 9, 1),
            end_date=None,
            role="teacher",
        )
    assert "end_date" in exc.value.error_dict


def test_pairing_without_the_sender_is_refused(world):
    # 石景山外语实验小学 is in the coordinator's region but not a party of 北京九中 ↔ 汐子中学.
    who = f.person(world.wyxx)
    with pytest.raises(services.ValidationError) as exc:
        services.create_dispatch(
            actor=world.coordinator,
            person=who,
            sender=world.wyxx,
            host=world.xizi,
            pairing=world.p_bj9_xizi,
            term="month",
            start_date=dt.date(2019, 9, 1),
            role="teacher",
        )
    assert "所选结对关系不包括派出单位" in str(exc.value)


def test_stale_edit_is_refused(world, client_for):
    d = f.dispatch(world)
    data = _form(world, d.person, version=d.version, note="第一次")
    client = client_for("helper")
    assert client.post(reverse("dispatch:edit", args=[d.pk]), data).status_code == 302
    response = client.post(reverse("dispatch:edit", args=[d.pk]), {**data, "note": "旧表单"})
    assert response.status_code == 200
    assert "该记录已被他人修改" in response.content.decode()
    d.refresh_from_db()
    assert d.note == "第一次"


def test_status_moves_planned_active_completed_and_not_back(world, client_for):
    d = f.dispatch(world, status="planned")
    client = client_for("helper")
    client.post(reverse("dispatch:status", args=[d.pk]), {"status": "active"})
    client.post(reverse("dispatch:status", args=[d.pk]), {"status": "completed"})
    d.refresh_from_db()
    assert d.status == "completed"
    response = client.post(
        reverse("dispatch:status", args=[d.pk]), {"status": "active"}, follow=True
    )
    assert "不能从“已期满”变为“在岗”" in response.content.decode()
    d.refresh_from_db()
    assert d.status == "completed"
    assert AuditEntry.objects.filter(action="status", object_id=str(d.pk)).count() == 2


def test_rotation_lists_term_ending_in_30_days_not_in_90(world, client_for):
    today = timezone.localdate()
    soon = f.dispatch(
        world,
        who=f.person(world.bj9, "孙老师"),
        start=today - dt.timedelta(days=150),
        end=today + dt.timedelta(days=30),
    )
    later = f.dispatch(
        world,
        who=f.person(world.bj9, "周老师"),
        start=today - dt.timedelta(days=90),
        end=today + dt.timedelta(days=90),
    )
    ending = list(figures.ending_soon(Dispatch.objects.all(), today, 60))
    assert soon in ending and later not in ending
    page = client_for("coordinator").get(reverse("dispatch:rotation")).content.decode()
    assert "孙老师" in page and "周老师" not in page
    page = (
        client_for("coordinator").get(reverse("dispatch:rotation") + "?days=120").content.decode()
    )
    assert "周老师" in page


def test_host_with_completed_dispatch_and_no_new_one_is_a_gap(world):
    today = timezone.localdate()
    f.dispatch(
        world,
        host=world.xizi,
        start=today - dt.timedelta(days=200),
        end=today - dt.timedelta(days=20),
        status="completed",
    )
    f.dispatch(
        world,
        host=world.ncgz,
        start=today - dt.timedelta(days=200),
        end=today - dt.timedelta(days=20),
        status="completed",
    )
    f.dispatch(
        world,
        host=world.ncgz,
        start=today + dt.timedelta(days=10),
        end=today + dt.timedelta(days=190),
        status="planned",
    )
    gaps = list(figures.hosts_without_cover(world.coordinator, today))
    assert gaps == [world.xizi]
    assert gaps[0].last_end == today - dt.timedelta(days=20)
    # An outsider sees none of these dispatches, so no gap either.
    assert not figures.hosts_without_cover(world.outsider, today).exists()


def test_host_assesses_after_the_term_once(world, client_for):
    d = f.dispatch(world, end=dt.date(2019, 8, 31))
    url = reverse("dispatch:assess", args=[d.pk])
    response = client_for("recipient").post(url, {"grade": "excellent", "comments": "很好"})
    assert response.status_code == 302
    assert DispatchAssessment.objects.get(dispatch=d).assessed_by == world.recipient
    response = client_for("recipient").post(url, {"grade": "good"})
    assert response.status_code == 200
    assert "不能重复考核" in response.content.decode()
    assert DispatchAssessment.objects.count() == 1


def test_sender_cannot_assess(world, client_for):
    d = f.dispatch(world)
    url = reverse("dispatch:assess", args=[d.pk])
    assert client_for("helper").get(url).status_code == 403
    assert client_for("helper").post(url, {"grade": "excellent"}).status_code == 403
    assert not DispatchAssessment.objects.exists()


def test_assessment_before_the_term_ends_is_refused(world, client_for):
    today = timezone.localdate()
    d = f.dispatch(world, start=today - dt.timedelta(days=10), end=today + dt.timedelta(days=30))
    response = client_for("recipient").post(
        reverse("dispatch:assess", args=[d.pk]), {"grade": "excellent"}
    )
    assert response.status_code == 200
    assert "期满后方可考核" in response.content.decode()
    assert not DispatchAssessment.objects.exists()


def test_duplicate_monthly_report_is_refused(world, client_for):
    d = f.dispatch(world)
    url = reverse("dispatch:report_add", args=[d.pk])
    data = {"report-month": "2019-04", "report-summary": "听课 12 节"}
    assert client_for("helper").post(url, data).status_code == 302
    response = client_for("recipient").post(url, {**data, "report-summary": "重复"})
    assert response.status_code == 200
    assert "该月的月度报告已提交" in response.content.decode()
    assert MonthlyReport.objects.get().month == dt.date(2019, 4, 1)


def test_both_sides_log_work_but_auditor_cannot(world, client_for):
    d = f.dispatch(world)
    url = reverse("dispatch:worklog_add", args=[d.pk])
    data = {"log-date": "2019-04-02", "log-content": "上示范课《老王》"}
    assert client_for("helper").post(url, data).status_code == 302
    assert client_for("recipient").post(url, data).status_code == 302
    assert client_for("auditor").post(url, data).status_code == 403
    assert d.work_logs.count() == 2
    bad = {"log-date": "2020-04-02", "log-content": "期外"}
    response = client_for("helper").post(url, bad)
    assert "日期须在派出期限" in response.content.decode()
    assert d.work_logs.count() == 2


def test_dispatch_list_filters_by_status_and_academic_year(world, client_for):
    f.dispatch(
        world,
        who=f.person(world.bj9, "吴老师"),
        start=dt.date(2019, 9, 1),
        end=dt.date(2020, 1, 31),
        status="active",
    )
    f.dispatch(
        world,
        who=f.person(world.bj9, "郑老师"),
        start=dt.date(2017, 9, 1),
        end=dt.date(2018, 1, 31),
        status="completed",
    )
    client = client_for("coordinator")
    page = client.get(reverse("dispatch:list"), {"year": 2019}).content.decode()
    assert "吴老师" in page and "郑老师" not in page
    page = client.get(reverse("dispatch:list"), {"status": "completed"}).content.decode()
    assert "郑老师" in page and "吴老师" not in page
    page = client.get(reverse("dispatch:list"), {"q": "wu"}).content.decode()
    assert "吴老师" in page and "郑老师" not in page


@pytest.mark.parametrize("url_name", ["dispatch:list", "dispatch:rotation"])
def test_dispatch_pages_query_count_is_constant(world, client_for, url_name):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for("coordinator")
    today = timezone.localdate()

    def make(n):
        b = f.batch(world.bj9, number=n + 10)
        for i in range(n):
            f.dispatch(
                world,
                who=f.person(world.bj9, f"老师{n}{i}", backbone="city"),
                batch=b,
                start=today - dt.timedelta(days=100),
                end=today + dt.timedelta(days=20),
            )

    make(3)
    with CaptureQueriesContext(connection) as small:
        client.get(reverse(url_name))
    make(27)
    with CaptureQueriesContext(connection) as large:
        client.get(reverse(url_name))
    assert len(large) == len(small)
