"""The ledger chain walked as real users: need → plan → activity → confirmation.

Every step goes through the pages; the database is only read to check the result
(and, for the sign-in and permission tests, to set up the record they start from).
"""

import datetime as dt

import pytest
from playwright.sync_api import expect

from .conftest import login, shot

pytestmark = pytest.mark.django_db(transaction=True)

NEED_TITLE = "校园文化长廊设计指导"
PLAN_TITLE = "北京九中帮扶汐子中学2024学年第一学期计划"
TASK_TITLE = "校园文化建设专题讲座"
ACTIVITY_TITLE = "校园文化建设专题讲座(第一场)"
FEEDBACK = "讲座贴合学校实际,老师们收获很大。"


def _category(name="校园文化建设"):
    # Transactional tests flush the tables, so the migration's default categories
    # may be gone: make sure the one the recipient picks exists.
    from bangfu.needs.models import NeedCategory

    return NeedCategory.objects.get_or_create(name=name)[0]


def _switch_user(page, username):
    page.context.clear_cookies()
    login(page, username)
    expect(page.locator("input[name=password]")).to_have_count(0)


def _submit(page, button="button[type=submit].primary"):
    page.locator(button).first.click()
    page.wait_for_load_state("networkidle")


def _record_activity(world, **extra):
    from bangfu.activities import services

    values = {
        "type": "lecture",
        "title": ACTIVITY_TITLE,
        "start_date": dt.date(2024, 10, 15),
        "end_date": dt.date(2024, 10, 15),
        "mode": "offline",
        "direction": "to_recipient",
        "led_by": "helper",
        "sessions": 1,
        "helper_headcount": 0,
        "recipient_headcount": 0,
        "person_times": 0,
        "backbone_count": 0,
        **extra,
    }
    return services.record_activity(actor=world.helper, pairing=world.p_bj9_xizi, **values)


def test_need_to_plan_to_activity_to_confirmation(page, world):
    from bangfu.activities.models import Activity
    from bangfu.needs.models import Need
    from bangfu.plans.models import Plan

    pairing = world.p_bj9_xizi
    _category()

    # 1. The recipient lists a need on the pairing.
    login(page, "recipient")
    page.goto(page.base_url + "/needs/")
    page.get_by_role("link", name="提出需求").click()
    page.wait_for_load_state("networkidle")
    page.select_option("select[name=pairing]", str(pairing.pk))
    page.select_option("select[name=category]", label="校园文化建设")
    page.fill("input[name=title]", NEED_TITLE)
    page.fill("textarea[name=description]", "希望帮扶方指导校园文化长廊和展板的设计。")
    page.select_option("select[name=priority]", "high")
    shot(page, "chain-01-need-form")
    _submit(page)
    need = Need.objects.get(title=NEED_TITLE)
    assert page.url.endswith(f"/needs/{need.pk}/")
    expect(page.locator("h1")).to_contain_text(NEED_TITLE)
    expect(page.locator("h1 .badge")).to_have_text("待认领")
    assert need.organisation == world.xizi and need.status == Need.Status.OPEN
    shot(page, "chain-02-need-listed")

    # 2. The helper sees it in the needs list and claims it.
    _switch_user(page, "helper")
    page.goto(page.base_url + "/needs/")
    page.get_by_role("link", name=NEED_TITLE).click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith(f"/needs/{need.pk}/")
    page.get_by_role("button", name="认领").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("ul.messages")).to_contain_text("已认领该需求")
    expect(page.locator("main dl.props")).to_contain_text("北京市第九中学")
    expect(page.get_by_role("button", name="认领")).to_have_count(0)
    need.refresh_from_db()
    assert need.claimed_by == world.bj9 and need.claimed_by_user == world.helper
    shot(page, "chain-03-need-claimed")

    # 3. The helper drafts a plan for 2024–2025 first term with one task for the need.
    page.goto(page.base_url + "/plans/")
    page.get_by_role("link", name="新建计划").click()
    page.wait_for_load_state("networkidle")
    page.select_option("select[name=pairing]", str(pairing.pk))
    page.fill("input[name=academic_year]", "2024")
    page.select_option("select[name=term]", "1")
    page.fill("input[name=title]", PLAN_TITLE)
    page.fill("textarea[name=goals]", "完成校园文化建设指导。")
    _submit(page)
    plan = Plan.objects.get(title=PLAN_TITLE)
    assert page.url.endswith(f"/plans/{plan.pk}/edit/")
    expect(page.locator("ul.messages")).to_contain_text("计划已建立")
    page.fill("input[name=tasks-0-title]", TASK_TITLE)
    page.fill("input[name=tasks-0-target_value]", "2")
    page.select_option("select[name=tasks-0-target_unit]", "场")
    page.fill("input[name=tasks-0-due_date]", "2025-01-15")
    need_box = page.locator(f"input[name=tasks-0-needs][value='{need.pk}']")
    expect(need_box).to_have_count(1)
    need_box.check()
    shot(page, "chain-04-plan-task-form")
    _submit(page)
    assert page.url.endswith(f"/plans/{plan.pk}/")
    tasks_table = page.locator("main table.table")
    expect(tasks_table).to_contain_text(TASK_TITLE)
    expect(tasks_table).to_contain_text("2场")
    expect(tasks_table).to_contain_text(NEED_TITLE)
    expect(page.locator("main")).to_contain_text("2024–2025学年第一学期")

    # 4. Both sides confirm: the helper first, then the recipient.
    page.get_by_role("button", name="以帮扶方身份确认").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("ul.messages")).to_contain_text("等待另一方确认")
    expect(page.get_by_role("button", name="以帮扶方身份确认")).to_have_count(0)
    _switch_user(page, "recipient")
    page.goto(page.base_url + f"/plans/{plan.pk}/")
    expect(page.locator("[data-testid=confirmation]")).to_contain_text("已确认")
    page.get_by_role("button", name="以受援方身份确认").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("ul.messages")).to_contain_text("双方均已确认")
    expect(page.locator("h1 .badge")).to_have_text(str(Plan.Status.CONFIRMED.label))
    plan.refresh_from_db()
    assert plan.status == Plan.Status.CONFIRMED
    assert plan.helper_confirmed_by == world.helper
    assert plan.recipient_confirmed_by == world.recipient
    shot(page, "chain-05-plan-confirmed")
    task = plan.tasks.get()
    assert task.target_value == 2 and task.target_unit == "场"
    assert list(task.needs.all()) == [need]

    # 5. The helper records the lecture, linked to the task and the need.
    _switch_user(page, "helper")
    page.goto(page.base_url + "/activities/")
    page.get_by_role("link", name="记录活动").first.click()
    page.wait_for_load_state("networkidle")
    page.select_option("select[name=pairing]", str(pairing.pk))
    page.select_option("select[name=type]", "lecture")
    page.fill("input[name=title]", ACTIVITY_TITLE)
    page.fill("input[name=start_date]", "2024-10-15")
    page.fill("input[name=end_date]", "2024-10-15")
    page.select_option("select[name=mode]", "offline")
    page.select_option("select[name=direction]", "to_recipient")
    page.fill("input[name=place]", "宁城县汐子中学报告厅")
    page.fill("input[name=sessions]", "1")
    page.fill("input[name=helper_headcount]", "1")
    page.fill("input[name=recipient_headcount]", "30")
    page.fill("input[name=person_times]", "31")
    page.select_option("select[name=led_by]", "helper")
    page.select_option("select[name=plan_tasks]", str(task.pk))
    page.select_option("select[name=needs]", str(need.pk))
    shot(page, "chain-06-activity-form")
    _submit(page)
    activity = Activity.objects.get(title=ACTIVITY_TITLE)
    assert page.url.endswith(f"/activities/{activity.pk}/")
    expect(page.locator("ul.messages")).to_contain_text("活动已记录")
    counts = page.locator("[data-testid=counts]")
    expect(counts).to_contain_text("31")
    expect(counts).to_contain_text("填报")
    links = page.locator("main section.card", has_text="对应计划任务、需求与项目")
    expect(links).to_contain_text(TASK_TITLE)
    expect(links).to_contain_text(NEED_TITLE)
    expect(page.locator("h1 .badge")).to_have_text("待受援方确认")
    shot(page, "chain-07-activity-recorded")

    # 6. The recipient confirms it with a rating and feedback.
    _switch_user(page, "recipient")
    page.goto(page.base_url + f"/activities/{activity.pk}/")
    confirmation = page.locator("[data-testid=confirmation]")
    expect(confirmation).to_contain_text("受援方尚未确认")
    confirmation.locator("input[name=rating][value='5']").check()
    confirmation.locator("textarea[name=feedback]").fill(FEEDBACK)
    confirmation.get_by_role("button", name="提交确认").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("ul.messages")).to_contain_text("已提交确认与评价")
    expect(confirmation).to_contain_text("5 / 5")
    expect(confirmation).to_contain_text(FEEDBACK)
    expect(page.locator("h1 .badge")).to_have_text("受援方已确认")
    shot(page, "chain-08-activity-confirmed")

    # 7. The pairing's timeline shows the whole chain, each entry linked.
    page.goto(page.base_url + f"/pairings/{pairing.pk}/")
    timeline = page.locator("[data-testid=timeline]")
    need_entry = timeline.locator("li", has=page.locator(f"a[href='/needs/{need.pk}/']"))
    plan_entry = timeline.locator("li", has=page.locator(f"a[href='/plans/{plan.pk}/']"))
    activity_entry = timeline.locator(
        "li", has=page.locator(f"a[href='/activities/{activity.pk}/']")
    )
    expect(need_entry).to_contain_text(NEED_TITLE)
    expect(need_entry).to_contain_text("需求")
    expect(need_entry).to_contain_text("已纳入计划")
    expect(plan_entry).to_contain_text(PLAN_TITLE)
    expect(plan_entry).to_contain_text("2024–2025学年第一学期")
    expect(plan_entry).to_contain_text(str(Plan.Status.CONFIRMED.label))
    expect(activity_entry).to_contain_text(ACTIVITY_TITLE)
    expect(activity_entry).to_contain_text("讲座")
    expect(activity_entry).to_contain_text("31 人次")
    timeline.scroll_into_view_if_needed()
    shot(page, "chain-09-pairing-timeline")

    # From the timeline to the activity page, which shows the rating.
    activity_entry.get_by_role("link", name=ACTIVITY_TITLE).click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith(f"/activities/{activity.pk}/")
    expect(page.locator("[data-testid=confirmation]")).to_contain_text("5 / 5")

    need.refresh_from_db()
    activity.refresh_from_db()
    assert need.status == Need.Status.PLANNED
    assert need.claimed_by == world.bj9
    assert activity.confirmation == Activity.Confirmation.CONFIRMED
    assert activity.rating == 5
    assert activity.feedback == FEEDBACK
    assert activity.confirmed_by == world.recipient
    assert (activity.helper_headcount, activity.recipient_headcount) == (1, 30)
    assert activity.person_times == 31
    assert list(activity.plan_tasks.all()) == [task]
    assert list(activity.needs.all()) == [need]


def test_public_sign_in_counts_people(page, browser, world):
    from bangfu.activities.models import Activity

    activity = _record_activity(world, title="汐子中学校园文化讲座")

    login(page, "helper")
    page.goto(page.base_url + f"/activities/{activity.pk}/")
    signin = page.locator("[data-testid=signin]")
    expect(signin).to_contain_text("签到未开放")
    signin.get_by_role("button", name="开放签到").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("ul.messages")).to_contain_text("签到已开放")
    expect(signin.get_by_role("img", name="签到二维码")).to_be_visible()
    activity.refresh_from_db()
    link = signin.locator(f"a[href$='/activities/s/{activity.signin_token}/']")
    expect(link).to_have_count(1)
    public_url = link.get_attribute("href")
    shot(page, "signin-01-opened")

    # An anonymous phone opens the short link: no account, no menu.
    phone_context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 800})
    phone = phone_context.new_page()
    phone.set_default_timeout(15000)
    violations = []
    phone.on(
        "console",
        lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    try:

        def sign(name, organisation, side):
            phone.goto(public_url)
            expect(phone.locator("h1")).to_have_text("活动签到")
            expect(phone.locator(".signin-activity")).to_contain_text("汐子中学校园文化讲座")
            phone.fill("input[name=name]", name)
            phone.fill("input[name=organisation_name]", organisation)
            phone.select_option("select[name=role]", "teacher")
            phone.select_option("select[name=side]", side)
            phone.get_by_role("button", name="签到").click()
            phone.wait_for_load_state("networkidle")

        phone.goto(public_url)
        expect(phone.locator("nav.mainnav")).to_have_count(0)
        shot(phone, "signin-02-phone-form")

        sign("张晓明", "宁城县汐子中学", "recipient")
        expect(phone.locator("h1")).to_have_text("签到成功")
        expect(phone.locator("main")).to_contain_text("张晓明,您已签到")
        shot(phone, "signin-03-phone-done")

        sign("李华", "北京市第九中学", "helper")
        expect(phone.locator("h1")).to_have_text("签到成功")

        # The same person again, typed in traditional script: refused in Chinese.
        sign("張晓明", "寧城縣汐子中學", "recipient")
        expect(phone.locator("h1")).to_have_text("活动签到")
        expect(phone.locator(".field.has-error .error")).to_have_text("您已签到,无需重复签到。")
        shot(phone, "signin-04-phone-duplicate")
    finally:
        phone_context.close()
    assert violations == []

    activity.refresh_from_db()
    assert activity.signins.count() == 2
    assert activity.person_times == 2
    assert (activity.helper_headcount, activity.recipient_headcount) == (1, 1)
    assert activity.count_source == Activity.CountSource.SIGNED

    # The recording side sees the counts from the sign-ins, marked 签到, and the names.
    page.reload()
    page.wait_for_load_state("networkidle")
    person_times = page.locator("[data-testid=counts] dt:has-text('人次') + dd")
    expect(person_times).to_contain_text("2")
    expect(person_times.locator(".badge.signed")).to_have_text("签到")
    expect(signin.locator("table")).to_contain_text("张晓明")
    expect(signin.locator("table")).to_contain_text("李华")
    expect(signin.locator("table tbody tr")).to_have_count(2)
    shot(page, "signin-05-counts")


def test_recipient_cannot_edit_the_helpers_plan(page, world):
    from bangfu.plans import services
    from bangfu.plans.models import Plan

    plan = services.create_plan(
        actor=world.helper,
        pairing=world.p_bj9_xizi,
        academic_year=2024,
        term=1,
        title=PLAN_TITLE,
    )
    login(page, "recipient")
    page.goto(page.base_url + f"/plans/{plan.pk}/")
    expect(page.locator("h1")).to_contain_text(PLAN_TITLE)
    expect(page.get_by_role("link", name="修改", exact=True)).to_have_count(0)

    response = page.goto(page.base_url + f"/plans/{plan.pk}/edit/")
    assert response.status == 403
    expect(page.locator("main h1")).to_contain_text("无权访问")
    shot(page, "plan-edit-403-recipient")
    plan.refresh_from_db()
    assert plan.title == PLAN_TITLE and plan.status == Plan.Status.DRAFT
