import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bangfu.audit.models import AuditEntry
from bangfu.core.forms import CONFLICT_MESSAGE
from bangfu.lib import textnorm

from ..models import Organisation, OrganisationName
from .factories import org_post_data

# Expected status of GET pages on 北京市第九中学 (the helper's school) by role.
DETAIL = {
    "anonymous": 302,
    "outsider": 404,
    "helper": 200,
    "recipient": 200,
    "coordinator": 200,
    "other_coordinator": 404,
    # The separation-of-duties roles see no business data.
    "auditor": 403,
    "sysadmin": 403,
    "secadmin": 403,
}
EDIT = {**DETAIL, "recipient": 403, "auditor": 403}


def url(name, *args):
    return reverse(f"orgs:{name}", args=args)


@pytest.mark.parametrize("role", DETAIL)
def test_organisation_detail_by_role(world, client_for, role):
    response = client_for(role).get(url("detail", world.bj9.pk))
    assert response.status_code == DETAIL[role]
    if role == "anonymous":
        assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("role", EDIT)
@pytest.mark.parametrize("name", ["edit", "rename"])
def test_organisation_edit_and_rename_pages_by_role(world, client_for, role, name):
    assert client_for(role).get(url(name, world.bj9.pk)).status_code == EDIT[role]


def test_missing_organisation_answers_404(client_for):
    assert client_for("coordinator").get(url("detail", 999999)).status_code == 404


def test_recipient_staff_cannot_edit_helper_school(world, client_for):
    response = client_for("recipient").post(
        url("edit", world.bj9.pk), org_post_data(world.bj9, address="改了")
    )
    assert response.status_code == 403
    world.bj9.refresh_from_db()
    assert world.bj9.address == ""


def test_helper_staff_edits_own_school_and_leaves_audit_entry(world, client_for):
    response = client_for("helper").post(
        url("edit", world.bj9.pk), org_post_data(world.bj9, address="石景山区古城大街")
    )
    assert response.status_code == 302
    world.bj9.refresh_from_db()
    assert world.bj9.address == "石景山区古城大街" and world.bj9.version == 2
    entry = AuditEntry.objects.get(
        model="orgs.Organisation", action="update", object_id=str(world.bj9.pk)
    )
    assert entry.actor == world.helper
    assert entry.changes["address"] == ["", "石景山区古城大街"]


def test_second_save_from_the_same_version_is_refused(world, client_for):
    first, second = client_for("helper"), client_for("coordinator")
    for client in (first, second):
        page = client.get(url("edit", world.bj9.pk)).content.decode()
        assert re.search(r'name="version" value="1"', page)
    assert (
        first.post(url("edit", world.bj9.pk), org_post_data(world.bj9, address="甲")).status_code
        == 302
    )
    response = second.post(url("edit", world.bj9.pk), org_post_data(world.bj9, address="乙"))
    assert response.status_code == 200
    assert str(CONFLICT_MESSAGE) in response.content.decode()
    world.bj9.refresh_from_db()
    assert world.bj9.address == "甲" and world.bj9.version == 2


@pytest.mark.parametrize(
    "role,status", [("anonymous", 302), ("helper", 403), ("auditor", 403), ("coordinator", 200)]
)
def test_create_page_by_role(client_for, role, status):
    assert client_for(role).get(url("create")).status_code == status


def test_coordinator_registers_school_in_partner_region(world, client_for):
    response = client_for("coordinator").post(
        url("create"), org_post_data(name="宁城县天义小学", region="宁城县")
    )
    org = Organisation.objects.get(name="宁城县天义小学")
    assert response.status_code == 302 and response["Location"] == url("detail", org.pk)
    assert org.region == world.ningcheng and org.created_by == world.coordinator
    assert AuditEntry.objects.filter(action="create", object_id=str(org.pk)).exists()


def test_coordinator_cannot_edit_school_of_partner_region(world, client_for):
    # 宁城县 is a partner region: visible, and open for registering, but not the coordinator's own.
    assert client_for("coordinator").get(url("edit", world.xizi.pk)).status_code == 403


def test_coordinator_cannot_register_school_in_unrelated_region(world, client_for):
    response = client_for("coordinator").post(
        url("create"), org_post_data(name="从江县新小学", region="从江县")
    )
    assert response.status_code == 200
    assert "您无权在该地区登记单位" in response.content.decode()
    assert not Organisation.objects.filter(name="从江县新小学").exists()


def test_duplicate_name_in_region_is_shown_beside_name(world, client_for):
    count = Organisation.objects.count()
    response = client_for("coordinator").post(
        url("create"), org_post_data(name="北京市第九中学", region="110107")
    )
    assert response.status_code == 200
    assert "name" in response.context["form"].errors
    assert "该地区已有同名单位" in response.context["form"].errors["name"][0]
    assert Organisation.objects.count() == count


def test_wrong_values_are_shown_beside_fields(client_for):
    response = client_for("coordinator").post(
        url("create"),
        org_post_data(name="", kind="bureau", stage="primary", region="不存在的地方"),
    )
    errors = response.context["form"].errors
    assert set(errors) >= {"name", "stage", "region"}
    assert "请填写单位名称" in errors["name"][0]
    assert "只有学校填写学段" in errors["stage"][0]


@pytest.mark.parametrize("query", ["寧城", "ningcheng", "nc", "汐子"])
def test_search_ignores_script_and_accepts_pinyin(world, client_for, query):
    response = client_for("coordinator").get(url("list"), {"q": query})
    names = [o.name for o in response.context["page_obj"]]
    assert "宁城县汐子中学" in names
    assert "北京市第九中学" not in names


def test_list_filters_by_kind_stage_and_region(world, client_for):
    client = client_for("coordinator")
    by_kind = client.get(url("list"), {"kind": "bureau"}).context["page_obj"]
    assert {o.kind for o in by_kind} == {"bureau"}
    by_stage = client.get(url("list"), {"stage": "senior"}).context["page_obj"]
    assert [o.name for o in by_stage] == ["宁城县高级中学"]
    by_region = client.get(url("list"), {"region": "宁城"}).context["page_obj"]
    assert {o.region_id for o in by_region} == {world.ningcheng.pk}
    by_id = client.get(url("list"), {"region_id": world.sjs.pk}).context["page_obj"]
    assert {o.region_id for o in by_id} == {world.sjs.pk}


def test_list_shows_only_visible_organisations_sorted_by_pinyin(world, client_for):
    names = [o.name for o in client_for("outsider").get(url("list")).context["page_obj"]]
    assert "北京市第九中学" not in names
    assert names == sorted(names, key=textnorm.sort_key)
    assert "从江县第一中学" in names


def _list_queries(client, path):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx.captured_queries)


def test_organisation_list_query_count_does_not_grow_with_rows(world, client_for):
    from conftest import make_org

    client = client_for("coordinator")
    for i in range(3):
        make_org(f"宁城县测试学校{i}", world.ningcheng)
    few = _list_queries(client, url("list"))
    for i in range(3, 30):
        make_org(f"宁城县测试学校{i}", world.ningcheng)
    assert _list_queries(client, url("list")) == few


def test_rename_view_keeps_old_name_searchable(world, client_for):
    client = client_for("recipient")
    response = client.post(
        url("rename", world.xizi.pk),
        {"new_name": "宁城县汐子镇中学", "valid_until": "2020-08-31", "version": 1},
    )
    assert response.status_code == 302
    assert OrganisationName.objects.filter(organisation=world.xizi, name="宁城县汐子中学").exists()
    for query in ("宁城县汐子中学", "汐子镇中学"):
        names = [o.name for o in client.get(url("list"), {"q": query}).context["page_obj"]]
        assert names == ["宁城县汐子镇中学"], query
    detail = client.get(url("detail", world.xizi.pk)).content.decode()
    assert "曾用名" in detail and "宁城县汐子中学" in detail


def test_rename_to_a_taken_name_is_refused_beside_the_field(world, client_for):
    response = client_for("recipient").post(
        url("rename", world.xizi.pk), {"new_name": "宁城县高级中学", "version": 1}
    )
    assert "该地区已有同名单位" in response.context["form"].errors["new_name"][0]
    world.xizi.refresh_from_db()
    assert world.xizi.name == "宁城县汐子中学"


def test_detail_lists_pairings_linking_to_pairing_page(world, client_for):
    page = client_for("helper").get(url("detail", world.bj9.pk)).content.decode()
    assert reverse("pairings:detail", args=[world.p_bj9_xizi.pk]) in page


def test_suggest_offers_only_visible_organisations(world, client_for):
    page = client_for("outsider").get(url("suggest"), {"q": "小学"}).content.decode()
    assert "从江县大歹小学" in page
    assert "石景山外语实验小学" not in page
    assert client_for("anonymous").get(url("suggest"), {"q": "小学"}).status_code == 302


def test_data_changing_views_refuse_other_methods(world, client_for):
    assert client_for("coordinator").put(url("edit", world.bj9.pk)).status_code == 405
    assert client_for("coordinator").post(url("list")).status_code == 405
