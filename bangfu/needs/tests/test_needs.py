import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bangfu.audit.models import AuditEntry
from bangfu.core import access
from bangfu.core.forms import CONFLICT_MESSAGE
from bangfu.needs import rules
from bangfu.needs.models import InvalidNeedTransition, Need
from bangfu.pairings.models import Pairing
from conftest import ROLES, make_org, make_pairing, make_user

from .factories import category, make_need


def _create_data(world, **extra):
    return {
        "pairing": world.p_bj9_xizi.pk,
        "category": category().pk,
        "title": "初中数学课堂教学指导",
        "subject": "数学",
        "priority": "high",
        "wished_start": "2019-09-01",
        "wished_end": "2019-12-31",
        **extra,
    }


def _messages(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


# --- listing a need ----------------------------------------------------------


def test_recipient_lists_need_with_audit_entry(client_for, world):
    response = client_for("recipient").post(reverse("needs:create"), _create_data(world))
    need = Need.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("needs:detail", kwargs={"pk": need.pk})
    assert need.organisation == world.xizi
    assert need.created_by == world.recipient and need.updated_by == world.recipient
    assert need.status == Need.Status.OPEN
    entry = AuditEntry.objects.get(model="needs.Need", object_id=str(need.pk))
    assert entry.action == "create" and entry.actor == world.recipient


def test_create_preselects_pairing_from_query(client_for, world):
    url = reverse("needs:create") + f"?pairing={world.p_bj9_xizi.pk}"
    response = client_for("recipient").get(url)
    assert response.context["form"]["pairing"].value() == world.p_bj9_xizi.pk


def test_helper_cannot_list_need_for_recipient(client_for, world):
    client = client_for("helper")
    assert client.get(reverse("needs:create")).status_code == 403
    assert client.post(reverse("needs:create"), _create_data(world)).status_code == 403
    assert Need.objects.count() == 0


def test_foreign_pairing_is_an_invalid_choice(client_for, world):
    data = _create_data(world, pairing=world.p_nm_daidai.pk)
    response = client_for("recipient").post(reverse("needs:create"), data)
    assert response.status_code == 200
    assert "选择一个有效的选项" in str(response.context["form"].errors["pairing"])
    assert Need.objects.count() == 0


def test_wished_dates_out_of_order_are_refused(client_for, world):
    data = _create_data(world, wished_start="2019-12-31", wished_end="2019-09-01")
    response = client_for("recipient").post(reverse("needs:create"), data)
    assert response.status_code == 200
    assert "不能早于" in str(response.context["form"].errors["wished_end"])
    assert Need.objects.count() == 0 and AuditEntry.objects.filter(model="needs.Need").count() == 0


def test_outsider_gets_404_for_a_need(client_for, world):
    need = make_need(world)
    assert client_for("outsider").get(reverse("needs:detail", args=[need.pk])).status_code == 404
    assert client_for("outsider").get(reverse("needs:detail", args=[99999])).status_code == 404


# --- editing -----------------------------------------------------------------


def test_recipient_edits_need_and_stale_form_is_refused(client_for, world):
    need = make_need(world)
    url = reverse("needs:edit", args=[need.pk])
    client = client_for("recipient")
    data = {k: v for k, v in _create_data(world).items() if k != "pairing"}
    response = client.post(url, {**data, "title": "英语听说教学", "version": need.version})
    assert response.status_code == 302
    need.refresh_from_db()
    assert need.title == "英语听说教学" and need.version == 2
    # A form opened at version 1 is now stale: nothing is saved.
    response = client.post(url, {**data, "title": "覆盖", "version": 1})
    assert response.status_code == 200
    assert str(CONFLICT_MESSAGE) in str(response.context["form"].non_field_errors())
    need.refresh_from_db()
    assert need.title == "英语听说教学"
    assert AuditEntry.objects.filter(model="needs.Need", action="update").count() == 1


def test_helper_cannot_edit_need(client_for, world):
    need = make_need(world)
    response = client_for("helper").post(
        reverse("needs:edit", args=[need.pk]), {"title": "x", "version": 1}
    )
    assert response.status_code == 403


# --- claiming ----------------------------------------------------------------


def test_helper_claims_need(client_for, world):
    need = make_need(world)
    response = client_for("helper").post(reverse("needs:claim", args=[need.pk]))
    assert response.status_code == 302
    need.refresh_from_db()
    assert need.claimed_by == world.bj9 and need.claimed_by_user == world.helper
    assert need.claimed_at is not None
    assert AuditEntry.objects.filter(action="claim", object_id=str(need.pk)).exists()


def test_recipient_cannot_claim_need(client_for, world):
    need = make_need(world)
    assert client_for("recipient").post(reverse("needs:claim", args=[need.pk])).status_code == 403
    need.refresh_from_db()
    assert need.claimed_by is None


def test_claimed_need_cannot_be_claimed_by_another_helper(client_for, world):
    group = make_pairing([world.bj9, world.wyxx], [world.xizi], mode="group")
    need = make_need(world, pairing=group)
    client_for("helper").post(reverse("needs:claim", args=[need.pk]))
    other = make_user("wyxx", "school_staff", world.wyxx)
    client = client_for("anonymous")
    client.force_login(other)
    response = client.post(reverse("needs:claim", args=[need.pk]), follow=True)
    assert any("已由" in m and "不能重复认领" in m for m in _messages(response))
    need.refresh_from_db()
    assert need.claimed_by == world.bj9
    assert AuditEntry.objects.filter(action="claim").count() == 1


# --- status ------------------------------------------------------------------


def test_set_status_refuses_a_transition_with_a_chinese_message(world):
    need = make_need(world, status=Need.Status.MET)
    with pytest.raises(InvalidNeedTransition, match="不能从“已满足”变为“已撤回”"):
        need.set_status(Need.Status.WITHDRAWN, actor=world.recipient)


def test_recipient_withdraws_need_and_helper_cannot(client_for, world):
    need = make_need(world)
    url = reverse("needs:status", args=[need.pk])
    response = client_for("helper").post(url, {"status": "withdrawn"}, follow=True)
    assert any("只有受援方" in m for m in _messages(response))
    need.refresh_from_db()
    assert need.status == Need.Status.OPEN
    client_for("recipient").post(url, {"status": "withdrawn"})
    need.refresh_from_db()
    assert need.status == Need.Status.WITHDRAWN
    entry = AuditEntry.objects.get(action="status", object_id=str(need.pk))
    assert entry.changes == {"status": ["open", "withdrawn"]}


def test_invalid_transition_is_reported_and_not_saved(client_for, world):
    need = make_need(world, status=Need.Status.MET)
    response = client_for("recipient").post(
        reverse("needs:status", args=[need.pk]), {"status": "open"}, follow=True
    )
    assert any("不能从" in m for m in _messages(response))
    need.refresh_from_db()
    assert need.status == Need.Status.MET


# --- list ----------------------------------------------------------------------


def test_list_filters_and_searches_in_any_script(client_for, world):
    make_need(world, title="数学教研", priority="high")
    make_need(world, title="幼儿游戏活动", priority="low")
    make_need(world, pairing=world.p_nm_daidai, title="数学课堂")
    client = client_for("recipient")
    titles = lambda r: [n.title for n in r.context["page_obj"]]  # noqa: E731
    assert titles(client.get(reverse("needs:list"), {"q": "數學"})) == ["数学教研"]
    assert titles(client.get(reverse("needs:list"), {"q": "shuxue"})) == ["数学教研"]
    assert titles(client.get(reverse("needs:list"), {"priority": "low"})) == ["幼儿游戏活动"]
    assert len(titles(client.get(reverse("needs:list")))) == 2  # never the other pairing's


def test_need_list_query_count_does_not_grow_with_rows(client_for, world):
    client = client_for("coordinator")

    def count(n):
        Need.objects.all().delete()
        for i in range(n):
            make_need(world, title=f"需求{i}")
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("needs:list")).status_code == 200
        return len(ctx.captured_queries)

    assert count(3) == count(30)


# --- rules -------------------------------------------------------------------


@pytest.mark.parametrize("role", [r for r in ROLES if r != "anonymous"])
@pytest.mark.parametrize("side", ["helper", "recipient"])
def test_side_pairings_q_agrees_with_can_act_for_side(world, role, side):
    user = getattr(world, role)
    make_org("无关学校", world.ningcheng)
    in_query = set(
        Pairing.objects.filter(rules.side_pairings_q(user, side)).values_list("pk", flat=True)
    )
    by_rule = {p.pk for p in Pairing.objects.all() if access.can_act_for_side(user, p, side)}
    assert in_query == by_rule
