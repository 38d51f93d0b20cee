"""Soft delete and restore: gone from lists, look-ups and figures, back with the history intact."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse

from bangfu.activities import services as activity_services
from bangfu.activities.models import Activity
from bangfu.activities.tests.factories import record
from bangfu.audit.models import AuditEntry
from bangfu.core.models import DeletableModel
from bangfu.needs.models import Need
from bangfu.needs.tests.factories import make_need
from bangfu.pairings.models import Pairing
from bangfu.plans import services as plan_services
from bangfu.plans.models import Plan
from bangfu.plans.tests.factories import make_plan
from bangfu.resources.tests.factories import make_resource

FIGURE = {
    "from": "2019-09-01",
    "until": "2020-08-31",
    "figure": "act.type.lecture.sessions",
}


def _delete_url(kind, record):
    return reverse("trash:delete", kwargs={"kind": kind, "pk": record.pk})


def _restore_url(kind, record):
    return reverse("trash:restore", kwargs={"kind": kind, "pk": record.pk})


def _lecture_sessions(client, world) -> int:
    """The statistics page's figure: sessions of lectures counted for 北京九中 in 2019–2020."""
    response = client.get(reverse("stats:rows"), {"org": world.bj9.pk, **FIGURE})
    assert response.status_code == 200
    figure = response.context.get("figure")  # a type with no activity has no figure
    return figure.value if figure is not None else 0


def _listed(client, url_name, record) -> bool:
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    return record.pk in {r.pk for r in response.context["page_obj"]}


def _actions(record) -> list[str]:
    entries = AuditEntry.objects.filter(model=record._meta.label, object_id=str(record.pk))
    return list(entries.order_by("seq").values_list("action", flat=True))


def test_every_deletable_model_hides_deleted_rows_by_default():
    """Lists, figures and look-ups go through the default manager: it must leave them out."""
    for model in apps.get_models():
        if issubclass(model, DeletableModel):
            query = str(model.objects.all().query)
            assert '"deleted_at" IS NULL' in query, model._meta.label
            assert model._default_manager is model.objects, model._meta.label


def test_deleted_pairing_leaves_lists_and_figures_and_comes_back_with_its_history(
    world, client_for
):
    pairing = world.p_bj9_xizi
    activity = record(world)
    need = make_need(world)
    plan = make_plan(world)
    resource = make_resource(world)
    coordinator = client_for("coordinator")
    helper = client_for("helper")
    assert _lecture_sessions(helper, world) == 2

    # The confirmation page, then the deletion.
    page = coordinator.get(_delete_url("pairing", pairing))
    assert page.status_code == 200 and "确定删除" in page.content.decode()
    response = coordinator.post(_delete_url("pairing", pairing))
    assert response.status_code == 302 and response["Location"] == reverse("pairings:list")

    assert not Pairing.objects.filter(pk=pairing.pk).exists()
    assert Pairing.objects.with_deleted().get(pk=pairing.pk).deleted_by == world.coordinator
    assert not _listed(coordinator, "pairings:list", pairing)
    assert not _listed(helper, "activities:list", activity)
    assert not _listed(world_client := client_for("recipient"), "needs:list", need)
    assert not _listed(world_client, "plans:list", plan)
    assert _lecture_sessions(helper, world) == 0
    for url in (
        reverse("pairings:detail", args=[pairing.pk]),
        reverse("activities:detail", args=[activity.pk]),
        reverse("needs:detail", args=[need.pk]),
        reverse("resources:detail", args=[resource.pk]),
    ):
        assert helper.get(url).status_code == 404, url
    # Nothing was removed: the rows and their links stay.
    assert Activity.objects.with_deleted().get(pk=activity.pk).pairing_id == pairing.pk

    # The bin lists the pairing with what went with it, not those records one by one.
    bin_page = coordinator.get(reverse("trash:index"))
    rows = bin_page.context["rows"]
    assert [(kind.key, r.pk) for kind, r, _with in rows] == [("pairing", pairing.pk)]
    assert rows[0][2] and "1 活动" in rows[0][2]
    assert "回收站" in bin_page.content.decode()
    # Who may not delete it may not restore it either.
    assert helper.post(_restore_url("pairing", pairing)).status_code == 403
    assert client_for("other_coordinator").post(_restore_url("pairing", pairing)).status_code == 404

    response = coordinator.post(_restore_url("pairing", pairing))
    assert response.status_code == 302
    assert response["Location"] == reverse("pairings:detail", args=[pairing.pk])
    assert _listed(coordinator, "pairings:list", pairing)
    assert _listed(helper, "activities:list", activity)
    assert _listed(client_for("recipient"), "needs:list", need)
    assert _lecture_sessions(helper, world) == 2
    detail = helper.get(reverse("pairings:detail", args=[pairing.pk]))
    assert activity.title in detail.content.decode()  # the timeline is whole again

    # Every step is in the trail, nothing of the earlier history is lost.
    assert _actions(pairing) == ["create", "delete", "restore"]
    assert _actions(activity)[0] == "create"
    assert _actions(activity)[-2:] == ["delete", "restore"]
    assert _actions(need) == ["create", "delete", "restore"]
    assert coordinator.get(reverse("trash:index")).context["rows"] == []


def test_a_record_deleted_before_its_pairing_stays_deleted_when_the_pairing_returns(world):
    activity = record(world)
    activity_services.delete_activity(activity, actor=world.helper)
    from bangfu.pairings import services as pairing_services

    pairing_services.delete_pairing(world.p_bj9_xizi, actor=world.coordinator)
    pairing_services.restore_pairing(world.p_bj9_xizi, actor=world.coordinator)
    assert not Activity.objects.filter(pk=activity.pk).exists()
    activity_services.restore_activity(activity, actor=world.helper)
    assert Activity.objects.filter(pk=activity.pk).exists()


def test_a_record_deleted_with_its_pairing_is_not_restored_alone(world, client_for):
    from bangfu.pairings import services as pairing_services

    activity = record(world)
    pairing_services.delete_pairing(world.p_bj9_xizi, actor=world.coordinator)
    with pytest.raises(ValidationError) as refused:
        activity_services.restore_activity(activity, actor=world.coordinator)
    assert "请先在回收站恢复结对关系" in refused.value.messages[0]
    assert not Activity.objects.filter(pk=activity.pk).exists()


def test_activity_delete_and_restore_by_the_recording_side(world, client_for):
    activity = record(world)
    helper = client_for("helper")
    detail = helper.get(reverse("activities:detail", args=[activity.pk])).content.decode()
    assert _delete_url("activity", activity) in detail
    recipient_detail = client_for("recipient").get(reverse("activities:detail", args=[activity.pk]))
    assert _delete_url("activity", activity) not in recipient_detail.content.decode()

    assert helper.post(_delete_url("activity", activity)).status_code == 302
    assert not _listed(helper, "activities:list", activity)
    assert _lecture_sessions(helper, world) == 0
    rows = helper.get(reverse("trash:index")).context["rows"]
    assert [(kind.key, r.pk) for kind, r, _with in rows] == [("activity", activity.pk)]
    # The other side sees the pairing but may not restore what it could not delete.
    assert client_for("recipient").get(reverse("trash:index")).context["rows"] == []
    assert client_for("recipient").post(_restore_url("activity", activity)).status_code == 403

    assert helper.post(_restore_url("activity", activity)).status_code == 302
    assert _listed(helper, "activities:list", activity)
    assert _lecture_sessions(helper, world) == 2
    assert _actions(activity)[-2:] == ["delete", "restore"]


def test_another_organisations_record_is_not_found(world, client_for):
    activity = record(world)
    outsider = client_for("outsider")
    assert outsider.get(_delete_url("activity", activity)).status_code == 404
    assert outsider.post(_delete_url("activity", activity)).status_code == 404
    activity_services.delete_activity(activity, actor=world.helper)
    assert outsider.post(_restore_url("activity", activity)).status_code == 404
    assert (
        client_for("other_coordinator").post(_restore_url("activity", activity)).status_code == 404
    )
    assert outsider.get(reverse("trash:index")).context["rows"] == []
    # An unknown kind is not found either.
    assert client_for("helper").get("/trash/person/1/delete/").status_code == 404


def test_locked_semester_refuses_deletion(world, client_for):
    activity = record(world)
    activity_services.lock_period(
        actor=world.coordinator, academic_year=2019, term=1, pairing=world.p_bj9_xizi
    )
    assert client_for("helper").post(_delete_url("activity", activity)).status_code == 403
    response = client_for("coordinator").post(_delete_url("pairing", world.p_bj9_xizi))
    assert response.status_code == 302
    assert Pairing.objects.filter(pk=world.p_bj9_xizi.pk).exists()
    assert Activity.objects.filter(pk=activity.pk).exists()
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("已审核锁定" in m for m in messages)


def test_only_a_draft_plan_is_deleted_and_its_period_is_free_again(world, client_for):
    helper = client_for("helper")
    draft = make_plan(world)
    assert helper.post(_delete_url("plan", draft)).status_code == 302
    # A deleted plan does not hold its period: a new one may take it.
    again = plan_services.create_plan(
        actor=world.helper,
        pairing=world.p_bj9_xizi,
        academic_year=2019,
        term=1,
        title="重新起草的计划",
    )
    # …and the deleted one cannot come back on top of it.
    response = helper.post(_restore_url("plan", draft), follow=True)
    assert "已有同一版本的帮扶计划" in response.content.decode()
    assert not Plan.objects.filter(pk=draft.pk).exists()

    Plan.objects.filter(pk=again.pk).update(status=Plan.Status.CONFIRMED)
    assert helper.post(_delete_url("plan", again)).status_code == 403
    with pytest.raises(ValidationError):
        plan_services.delete_plan(Plan.objects.get(pk=again.pk), actor=world.helper)


def test_a_deleted_draft_revision_leaves_room_for_the_next(world):
    plan = make_plan(world)
    Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.CONFIRMED)
    plan.refresh_from_db()
    first = plan_services.revise_plan(plan, actor=world.helper)
    plan_services.delete_plan(first, actor=world.helper)
    second = plan_services.revise_plan(plan, actor=world.helper)
    assert second.previous_id == plan.pk and second.version_no == first.version_no
    with pytest.raises(ValidationError):
        plan_services.restore_plan(first, actor=world.helper)


def test_need_is_deleted_by_the_recipient_side(world, client_for):
    need = make_need(world)
    assert client_for("helper").post(_delete_url("need", need)).status_code == 403
    assert client_for("recipient").post(_delete_url("need", need)).status_code == 302
    assert not Need.objects.filter(pk=need.pk).exists()
    assert _actions(need) == ["create", "delete"]


def test_deleted_activities_leave_the_statistics_roll_ups(world):
    """Figures above the county are read from roll-ups: a deletion and a restore move them too."""
    from django.db.models import Sum

    from bangfu.pairings import services as pairing_services
    from bangfu.stats.models import ActivityRollup

    def country_sessions():
        rows = ActivityRollup.objects.filter(role="all", region_id=0)
        return rows.aggregate(total=Sum("sessions"))["total"] or 0

    activity = record(world)
    assert country_sessions() == 2
    activity_services.delete_activity(activity, actor=world.helper)
    assert country_sessions() == 0
    activity_services.restore_activity(activity, actor=world.helper)
    assert country_sessions() == 2
    pairing_services.delete_pairing(world.p_bj9_xizi, actor=world.coordinator)
    assert country_sessions() == 0
    pairing_services.restore_pairing(world.p_bj9_xizi, actor=world.coordinator)
    assert country_sessions() == 2
