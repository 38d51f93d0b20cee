import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bangfu.audit.models import AuditEntry
from bangfu.core.forms import CONFLICT_MESSAGE
from bangfu.needs.models import Need
from bangfu.needs.tests.factories import make_need
from bangfu.plans.models import InvalidPlanTransition, Plan, PlanTask

from .factories import make_plan


def task_data(plan, rows, **plan_fields):
    """POST data of the plan edit page: the plan's fields and its task table."""
    data = {
        "version": plan.version,
        "academic_year": plan.academic_year,
        "term": plan.term or "",
        "title": plan.title,
        "goals": plan.goals,
        "tasks-TOTAL_FORMS": len(rows),
        "tasks-INITIAL_FORMS": sum(1 for r in rows if r.get("id")),
        "tasks-MIN_NUM_FORMS": 0,
        "tasks-MAX_NUM_FORMS": 100,
        **plan_fields,
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"tasks-{i}-{key}"] = value
    return data


def _messages(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


def _edit(client, plan, rows, **plan_fields):
    return client.post(reverse("plans:edit", args=[plan.pk]), task_data(plan, rows, **plan_fields))


# --- the chain ---------------------------------------------------------------


def test_need_claim_plan_confirm_and_revise_chain(client_for, world):
    helper, recipient = client_for("helper"), client_for("recipient")
    need = make_need(world, title="初中数学教研指导")

    # The helper side claims the need and drafts a plan from it.
    helper.post(reverse("needs:claim", args=[need.pk]))
    response = helper.post(
        reverse("plans:create"),
        {
            "pairing": world.p_bj9_xizi.pk,
            "academic_year": 2019,
            "term": 1,
            "title": "2019–2020学年第一学期帮扶计划",
            "goals": "提升数学教学质量",
        },
    )
    plan = Plan.objects.get()
    assert response["Location"] == reverse("plans:edit", args=[plan.pk])
    assert plan.period_label == "2019–2020学年第一学期" and plan.created_by == world.helper

    response = _edit(
        helper,
        plan,
        [
            {
                "order": 1,
                "title": "送教下乡",
                "target_value": 4,
                "target_unit": "次",
                "needs": [need.pk],
            }
        ],
    )
    assert response.status_code == 302, response.context and response.context["form"].errors
    task = plan.tasks.get()
    assert list(task.needs.all()) == [need]
    need.refresh_from_db()
    assert need.status == Need.Status.PLANNED
    assert AuditEntry.objects.filter(
        model="needs.Need", object_id=str(need.pk), action="status"
    ).exists()

    # Both sides confirm.
    helper.post(reverse("plans:confirm", args=[plan.pk]))
    plan.refresh_from_db()
    assert plan.helper_confirmed_by == world.helper and plan.status == Plan.Status.DRAFT
    recipient.post(reverse("plans:confirm", args=[plan.pk]))
    plan.refresh_from_db()
    assert plan.recipient_confirmed_by == world.recipient
    assert plan.status == Plan.Status.CONFIRMED

    # A confirmed plan is revised into v2; v1 stays as it was.
    response = helper.post(reverse("plans:revise", args=[plan.pk]))
    v2 = Plan.objects.get(previous=plan)
    assert response["Location"] == reverse("plans:edit", args=[v2.pk])
    assert v2.version_no == 2 and v2.status == Plan.Status.DRAFT
    assert [(t.title, t.target_value, list(t.needs.all())) for t in v2.tasks.all()] == [
        ("送教下乡", 4, [need])
    ]
    plan.refresh_from_db()
    assert plan.status == Plan.Status.CONFIRMED

    helper.post(reverse("plans:confirm", args=[v2.pk]))
    recipient.post(reverse("plans:confirm", args=[v2.pk]))
    plan.refresh_from_db()
    v2.refresh_from_db()
    assert v2.status == Plan.Status.CONFIRMED and plan.status == Plan.Status.SUPERSEDED

    # v1 stays viewable and both are listed as versions.
    response = recipient.get(reverse("plans:detail", args=[plan.pk]))
    assert response.status_code == 200
    assert [v.version_no for v in response.context["versions"]] == [2, 1]
    assert "历史版本" in response.content.decode()
    actions = set(AuditEntry.objects.filter(model="plans.Plan").values_list("action", flat=True))
    assert actions == {"create", "confirm", "status"}
    # Editing the task table wrote the tasks, each with its own entry in the plan's history.
    assert ("plans.PlanTask", str(task.pk), "create") in {
        (e.model, e.object_id, e.action) for e in response.context["history"]
    }


# --- rights ------------------------------------------------------------------


def test_recipient_cannot_edit_plan(client_for, world):
    plan = make_plan(world)
    client = client_for("recipient")
    assert client.get(reverse("plans:edit", args=[plan.pk])).status_code == 403
    response = _edit(client, plan, [], title="受援方改的")
    assert response.status_code == 403
    assert client.post(reverse("plans:revise", args=[plan.pk])).status_code == 403
    plan.refresh_from_db()
    assert plan.title != "受援方改的" and plan.version == 1


def test_outsider_gets_404_for_a_plan(client_for, world):
    plan = make_plan(world)
    assert client_for("outsider").get(reverse("plans:detail", args=[plan.pk])).status_code == 404


def test_recipient_cannot_create_plan(client_for, world):
    assert client_for("recipient").get(reverse("plans:create")).status_code == 403


# --- bad input -----------------------------------------------------------------


def test_target_without_unit_is_refused(client_for, world):
    plan = make_plan(world, tasks=0)
    helper = client_for("helper")
    entries = AuditEntry.objects.count()
    response = _edit(helper, plan, [{"title": "培训", "target_value": 350}])
    assert response.status_code == 200
    task_form = response.context["tasks"].forms[0]
    assert "请选择单位" in str(task_form.errors["target_unit"])
    assert PlanTask.objects.count() == 0
    assert AuditEntry.objects.count() == entries


def test_foreign_need_is_an_invalid_choice(client_for, world):
    plan = make_plan(world, tasks=0)
    foreign = make_need(world, pairing=world.p_nm_daidai)
    response = _edit(client_for("helper"), plan, [{"title": "培训", "needs": [foreign.pk]}])
    assert response.status_code == 200
    assert "选择一个有效的选项" in str(response.context["tasks"].forms[0].errors["needs"])
    assert PlanTask.objects.count() == 0
    foreign.refresh_from_db()
    assert foreign.status == Need.Status.OPEN


def test_stale_plan_edit_is_refused(client_for, world):
    plan = make_plan(world, tasks=0)
    client = client_for("helper")
    stale = task_data(plan, [{"title": "先到的任务"}])
    assert client.post(reverse("plans:edit", args=[plan.pk]), stale).status_code == 302
    response = client.post(reverse("plans:edit", args=[plan.pk]), {**stale, "title": "后到的"})
    assert response.status_code == 200
    assert str(CONFLICT_MESSAGE) in str(response.context["form"].non_field_errors())
    plan.refresh_from_db()
    assert plan.title != "后到的" and plan.tasks.count() == 1


def test_confirmed_plan_is_never_edited(client_for, world):
    plan = make_plan(world, status=Plan.Status.CONFIRMED)
    client = client_for("helper")
    response = _edit(client, plan, [], title="改已确认的")
    assert response.status_code == 302
    assert any("请修订" in m for m in _messages(client.get(response["Location"])))
    plan.refresh_from_db()
    assert plan.title != "改已确认的"


def test_editing_a_draft_withdraws_both_confirmations(client_for, world):
    plan = make_plan(world)
    client_for("recipient").post(reverse("plans:confirm", args=[plan.pk]))
    plan.refresh_from_db()
    assert plan.recipient_confirmed_at is not None
    task = plan.tasks.get()
    row = {"id": task.pk, "title": "改过的任务", "target_value": 5, "target_unit": "次"}
    assert _edit(client_for("helper"), plan, [row]).status_code == 302
    plan.refresh_from_db()
    assert plan.recipient_confirmed_at is None and plan.status == Plan.Status.DRAFT


def test_second_plan_for_the_same_term_is_refused(client_for, world):
    make_plan(world)
    data = {"pairing": world.p_bj9_xizi.pk, "academic_year": 2019, "term": 1, "title": "重复"}
    response = client_for("helper").post(reverse("plans:create"), data)
    assert response.status_code == 200
    assert "已有帮扶计划" in str(response.context["form"].errors["academic_year"])
    assert Plan.objects.count() == 1


def test_plan_without_tasks_cannot_be_confirmed(client_for, world):
    plan = make_plan(world, tasks=0)
    response = client_for("helper").post(reverse("plans:confirm", args=[plan.pk]), follow=True)
    assert any("至少要有一项任务" in m for m in _messages(response))
    plan.refresh_from_db()
    assert plan.helper_confirmed_at is None


def test_side_cannot_confirm_twice(client_for, world):
    plan = make_plan(world)
    client = client_for("helper")
    client.post(reverse("plans:confirm", args=[plan.pk]))
    response = client.post(reverse("plans:confirm", args=[plan.pk]), follow=True)
    assert any("已经确认" in m for m in _messages(response))
    assert AuditEntry.objects.filter(action="confirm").count() == 1


def test_set_status_refuses_draft_to_superseded(world):
    plan = make_plan(world)
    with pytest.raises(InvalidPlanTransition, match="不能从“草稿”变为"):
        plan.set_status(Plan.Status.SUPERSEDED, actor=world.helper)


# --- list ----------------------------------------------------------------------


def test_list_hides_superseded_versions_unless_asked(client_for, world):
    old = make_plan(world, status=Plan.Status.SUPERSEDED)
    new = make_plan(world, version_no=2, previous=old)
    make_plan(world, academic_year=2020, term=None, title="2020–2021学年计划")
    client = client_for("helper")
    pks = lambda r: [p.pk for p in r.context["page_obj"]]  # noqa: E731
    assert old.pk not in pks(client.get(reverse("plans:list")))
    assert pks(client.get(reverse("plans:list"), {"status": "superseded"})) == [old.pk]
    assert pks(client.get(reverse("plans:list"), {"academic_year": 2019})) == [new.pk]
    assert len(pks(client.get(reverse("plans:list"), {"term": 0}))) == 1


def test_plan_list_query_count_does_not_grow_with_rows(client_for, world):
    client = client_for("coordinator")

    def count(n):
        PlanTask.objects.all().delete()
        Plan.objects.all().delete()
        for i in range(n):
            make_plan(world, academic_year=2000 + i, tasks=0)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("plans:list")).status_code == 200
        return len(ctx.captured_queries)

    assert count(3) == count(30)


def test_need_and_plan_pages_show_the_link_between_them(client_for, world):
    need = make_need(world, title="幼儿园游戏活动指导")
    plan = make_plan(world)
    plan.tasks.get().needs.add(need)
    client = client_for("recipient")
    need_page = client.get(reverse("needs:detail", args=[need.pk])).content.decode()
    assert "送教下乡 1" in need_page and plan.period_label in need_page
    plan_page = client.get(reverse("plans:detail", args=[plan.pk])).content.decode()
    assert "幼儿园游戏活动指导" in plan_page and "以受援方身份确认" in plan_page
    edit_page = client_for("helper").get(reverse("plans:edit", args=[plan.pk])).content.decode()
    assert 'name="tasks-0-needs"' in edit_page and "<script" not in edit_page.split("</head>")[1]
