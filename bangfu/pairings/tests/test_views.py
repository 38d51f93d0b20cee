import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bangfu.audit.models import AuditEntry
from bangfu.core.forms import CONFLICT_MESSAGE
from bangfu.pairings.models import Pairing, PairingParty, PairingStatusChange
from conftest import make_org, make_pairing


def _url(name, world, **extra):
    kwargs = {"pk": world.p_bj9_xizi.pk, **extra}
    return reverse(f"pairings:{name}", kwargs=kwargs)


def _assert_login_redirect(response):
    assert response.status_code == 302 and "/accounts/login" in response["Location"]


# --- permissions by role ---------------------------------------------------

DETAIL = {
    "anonymous": 302,
    "outsider": 404,
    "other_coordinator": 404,
    "helper": 200,
    "recipient": 200,
    "coordinator": 200,
    # The separation-of-duties roles see no business data.
    "auditor": 403,
    "sysadmin": 403,
    "secadmin": 403,
}
# The pairing is active: only coordinators of a side and admins change it.
EDIT = {
    **DETAIL,
    "helper": 403,
    "recipient": 403,
    "auditor": 403,
}
AGREEMENT = {**DETAIL, "auditor": 403}
HELPER_PARTY = {**DETAIL, "recipient": 403, "auditor": 403}


@pytest.mark.parametrize("role, expected", DETAIL.items())
def test_pairing_detail_by_role(client_for, world, role, expected):
    response = client_for(role).get(_url("detail", world))
    if expected == 302:
        _assert_login_redirect(response)
    assert response.status_code == expected


@pytest.mark.parametrize("role, expected", EDIT.items())
def test_pairing_edit_by_role(client_for, world, role, expected):
    response = client_for(role).get(_url("edit", world))
    assert response.status_code == expected


@pytest.mark.parametrize("role, expected", EDIT.items())
def test_pairing_status_by_role(client_for, world, role, expected):
    response = client_for(role).post(_url("status", world), {"status": "ended"})
    assert response.status_code == (302 if expected == 200 else expected)
    world.p_bj9_xizi.refresh_from_db()
    assert (world.p_bj9_xizi.status == "ended") == (expected == 200)


@pytest.mark.parametrize("role, expected", HELPER_PARTY.items())
def test_helper_party_edit_by_role(client_for, world, role, expected):
    party = world.p_bj9_xizi.parties.get(side="helper")
    response = client_for(role).get(_url("party_edit", world, party_pk=party.pk))
    assert response.status_code == expected


@pytest.mark.parametrize("role, expected", AGREEMENT.items())
def test_agreement_create_by_role(client_for, world, role, expected):
    response = client_for(role).get(_url("agreement_create", world))
    assert response.status_code == expected


@pytest.mark.parametrize(
    "role, expected",
    {
        "anonymous": 302,
        "outsider": 200,
        "helper": 200,
        "recipient": 200,
        "coordinator": 200,
        "other_coordinator": 200,
        "auditor": 403,
        "sysadmin": 403,
        "secadmin": 403,
    }.items(),
)
def test_pairing_create_by_role(client_for, role, expected):
    assert client_for(role).get(reverse("pairings:create")).status_code == expected


@pytest.mark.parametrize("role, status", [("anonymous", 302), ("auditor", 403), ("helper", 200)])
def test_list_requires_login(client_for, role, status):
    response = client_for(role).get(reverse("pairings:list"))
    assert response.status_code == status


def test_status_change_is_post_only(client_for, world):
    assert client_for("coordinator").get(_url("status", world)).status_code == 405


def test_recipient_staff_cannot_edit_helper_side(client_for, world):
    party = world.p_bj9_xizi.parties.get(side="helper")
    response = client_for("recipient").post(
        _url("party_edit", world, party_pk=party.pk), {"contact_name": "冒充", "version": 1}
    )
    assert response.status_code == 403
    party.refresh_from_db()
    assert party.contact_name == ""


def test_recipient_staff_edits_own_side(client_for, world):
    party = world.p_bj9_xizi.parties.get(side="recipient")
    response = client_for("recipient").post(
        _url("party_edit", world, party_pk=party.pk),
        {"contact_name": "李校长", "goals": "提升教学质量", "version": 1},
    )
    assert response.status_code == 302
    party.refresh_from_db()
    assert party.contact_name == "李校长"


def test_party_of_another_pairing_is_not_found(client_for, world):
    foreign = world.p_nm_daidai.parties.first()
    response = client_for("coordinator").get(_url("party_edit", world, party_pk=foreign.pk))
    assert response.status_code == 404


# --- list ------------------------------------------------------------------


def test_coordinator_sees_own_pairing_and_not_other_district(client_for, world):
    response = client_for("coordinator").get(reverse("pairings:list"))
    shown = list(response.context["page_obj"])
    assert shown == [world.p_bj9_xizi]
    assert "南明小学" not in response.content.decode()


def test_list_search_matches_pinyin_initials_and_traditional_script(client_for, world):
    for role, query in [
        ("coordinator", "汐子"),
        ("coordinator", "xizi"),
        ("coordinator", "九中"),
        ("other_coordinator", "nmxx"),
        ("other_coordinator", "南明小學"),
    ]:
        response = client_for(role).get(reverse("pairings:list"), {"q": query})
        names = {p.pk for p in response.context["page_obj"]}
        expected = world.p_nm_daidai.pk if query in ("nmxx", "南明小學") else world.p_bj9_xizi.pk
        assert names == {expected}, query


def test_list_filters_mode_status_region_side_and_year(client_for, world):
    client, other = client_for("coordinator"), client_for("other_coordinator")

    def shown(viewer=client, **params):
        response = viewer.get(reverse("pairings:list"), params)
        return {p.pk for p in response.context["page_obj"]}

    assert shown(mode="entrusted") == set()
    assert shown(other, mode="entrusted") == {world.p_nm_daidai.pk}
    assert shown(status="proposed") == set()
    assert shown(other, region="贵州省") == {world.p_nm_daidai.pk}
    assert shown(region="150429") == {world.p_bj9_xizi.pk}
    assert shown(year=2018) == set()
    assert shown(year=2019) == {world.p_bj9_xizi.pk}
    assert shown(other, year=2019) == {world.p_nm_daidai.pk}
    helper = client_for("helper")
    response = helper.get(reverse("pairings:list"), {"side": "recipient"})
    assert list(response.context["page_obj"]) == []
    response = helper.get(reverse("pairings:list"), {"side": "helper"})
    assert list(response.context["page_obj"]) == [world.p_bj9_xizi]


def test_unknown_region_filter_shows_message(client_for):
    response = client_for("coordinator").get(reverse("pairings:list"), {"region": "不存在县"})
    assert "找不到地区" in response.content.decode()


def _list_queries(client):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("pairings:list"))
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_list_query_count_is_constant(client_for, world):
    client = client_for("coordinator")

    def add(n):
        for _ in range(n):
            org = make_org(
                f"宁城县第{Pairing.objects.count()}小学", world.ningcheng, stage="primary"
            )
            make_pairing([world.bj9, world.wyxx], [org], mode="group")

    add(3)
    few = _list_queries(client)
    add(27)
    many = _list_queries(client)
    assert few == many


def test_list_sorts_newest_first(client_for, world):
    newer = make_pairing([world.bj9], [world.ncgz], start=dt.date(2022, 3, 1))
    response = client_for("coordinator").get(reverse("pairings:list"))
    assert list(response.context["page_obj"])[0] == newer


# --- detail ----------------------------------------------------------------


def test_detail_shows_both_sides_history_and_edit_links(client_for, world):
    party = world.p_bj9_xizi.parties.get(side="recipient")
    response = client_for("recipient").get(_url("detail", world))
    body = response.content.decode()
    assert "北京市第九中学" in body and "宁城县汐子中学" in body
    assert _url("party_edit", world, party_pk=party.pk) in body
    helper_party = world.p_bj9_xizi.parties.get(side="helper")
    assert _url("party_edit", world, party_pk=helper_party.pk) not in body
    assert _url("edit", world) not in body


def test_detail_lists_programme_children_visible_to_viewer(client_for, world):
    programme = make_pairing([world.bj9, world.wyxx], [world.xizi, world.ncgz], mode="programme")
    child = make_pairing([world.wyxx], [world.ncgz], parent=programme)
    response = client_for("coordinator").get(reverse("pairings:detail", args=[programme.pk]))
    assert list(response.context["children"]) == [child]


# --- create / edit ---------------------------------------------------------


def _post_data(world, **overrides):
    data = {
        "mode": "one_to_one",
        "status": "active",
        "helpers": [world.wyxx.pk],
        "recipients": [world.ncgz.pk],
        "start_date": "2020-09-01",
        "end_date": "",
        "name": "",
        "note": "",
    }
    data.update(overrides)
    return data


def test_coordinator_creates_pairing(client_for, world):
    response = client_for("coordinator").post(reverse("pairings:create"), _post_data(world))
    pairing = Pairing.objects.latest("id")
    assert response.status_code == 302 and response["Location"] == reverse(
        "pairings:detail", args=[pairing.pk]
    )
    assert pairing.status == "active" and pairing.created_by == world.coordinator
    assert PairingStatusChange.objects.filter(pairing=pairing, from_status="").exists()
    assert AuditEntry.objects.filter(model="pairings.Pairing", object_id=str(pairing.pk)).exists()


def test_school_staff_creates_proposed_pairing(client_for, world):
    response = client_for("helper").post(
        reverse("pairings:create"), _post_data(world, helpers=[world.bj9.pk], status="active")
    )
    assert response.status_code == 302
    assert Pairing.objects.latest("id").status == "proposed"


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"recipients": ["WYXX"]}, "recipients", "同一单位不能与自己结对"),
        ({"mode": "group"}, "helpers", "至少有 2 个帮扶方"),
        ({"end_date": "2019-01-01"}, "end_date", "结束日期不能早于开始日期"),
        ({"helpers": ["BJ9"], "recipients": ["XIZI"]}, "recipients", "时间重叠"),
        ({"recipients": ["DAIDAI"]}, "recipients", "有效的选项"),
        ({"recipients": ["999999"]}, "recipients", "有效的选项"),
    ],
)
def test_bad_pairing_input_shows_message_and_saves_nothing(
    client_for, world, overrides, field, message
):
    ids = {
        "WYXX": world.wyxx.pk,
        "BJ9": world.bj9.pk,
        "XIZI": world.xizi.pk,
        "DAIDAI": world.daidai.pk,
    }
    overrides = {
        k: [ids.get(x, x) for x in v] if isinstance(v, list) else v for k, v in overrides.items()
    }
    client = client_for("coordinator")  # logging in writes its own audit entry
    counts = (Pairing.objects.count(), PairingParty.objects.count(), AuditEntry.objects.count())
    response = client.post(reverse("pairings:create"), _post_data(world, **overrides))
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors.get(field, []))
    assert message in errors
    assert (
        Pairing.objects.count(),
        PairingParty.objects.count(),
        AuditEntry.objects.count(),
    ) == counts


def test_same_org_on_both_sides_is_shown_beside_recipients(client_for, world):
    response = client_for("coordinator").post(
        reverse("pairings:create"),
        _post_data(world, mode="programme", helpers=[world.wyxx.pk], recipients=[world.wyxx.pk]),
    )
    assert "同一单位不能与自己结对" in " ".join(response.context["form"].errors["recipients"])
    assert Pairing.objects.count() == 2


def test_forged_hidden_org_does_not_leak_its_name(client_for, world):
    response = client_for("coordinator").post(
        reverse("pairings:create"), _post_data(world, recipients=[world.daidai.pk])
    )
    assert "大歹小学" not in response.content.decode()


def test_pairing_form_lists_only_visible_organisations(client_for, world):
    response = client_for("coordinator").get(reverse("pairings:create"))
    body = response.content.decode()
    assert "宁城县汐子中学" in body and "从江县大歹小学" not in body
    assert "<script>" not in body.split("</head>")[1]


def test_org_options_filters_visible_organisations(client_for, world):
    url = reverse("pairings:org_options")
    response = client_for("coordinator").get(
        url, {"q": "xz", "name": "helpers", "helpers": [world.bj9.pk]}
    )
    body = response.content.decode()
    assert f'value="{world.bj9.pk}" selected' in body
    assert "宁城县汐子中学" in body and "宁城县高级中学" not in body
    hidden = client_for("coordinator").get(
        url, {"q": "大歹", "name": "helpers", "helpers": [world.daidai.pk]}
    )
    assert "大歹" not in hidden.content.decode()
    assert client_for("anonymous").get(url).status_code == 302


def test_edit_pairing_saves_and_audits(client_for, world):
    data = _post_data(
        world, helpers=[world.bj9.pk], recipients=[world.xizi.pk], note="改", version=1
    )
    response = client_for("coordinator").post(_url("edit", world), data)
    assert response.status_code == 302
    world.p_bj9_xizi.refresh_from_db()
    assert world.p_bj9_xizi.note == "改" and world.p_bj9_xizi.version == 2
    assert AuditEntry.objects.filter(action="update", object_id=str(world.p_bj9_xizi.pk)).exists()


def test_stale_pairing_edit_is_refused_with_message(client_for, world):
    client = client_for("coordinator")
    data = _post_data(world, helpers=[world.bj9.pk], recipients=[world.xizi.pk], version=1)
    assert client.post(_url("edit", world), {**data, "note": "第一次"}).status_code == 302
    response = client.post(_url("edit", world), {**data, "note": "第二次"})
    assert response.status_code == 200
    assert str(CONFLICT_MESSAGE) in response.content.decode()
    world.p_bj9_xizi.refresh_from_db()
    assert world.p_bj9_xizi.note == "第一次"


def test_helper_staff_may_edit_own_proposed_pairing(client_for, world):
    pairing = make_pairing([world.bj9], [world.ncgz], status="proposed", start=dt.date(2021, 1, 1))
    response = client_for("helper").get(reverse("pairings:edit", args=[pairing.pk]))
    assert response.status_code == 200


# --- status ----------------------------------------------------------------


def test_invalid_status_transition_shows_chinese_message(client_for, world):
    client = client_for("coordinator")
    client.post(_url("status", world), {"status": "ended"})
    response = client.post(_url("status", world), {"status": "active"}, follow=True)
    assert "不能从“已结束”变为“进行中”" in response.content.decode()
    world.p_bj9_xizi.refresh_from_db()
    assert world.p_bj9_xizi.status == "ended"
    assert list(world.p_bj9_xizi.status_changes.values_list("to_status", flat=True)) == ["ended"]


def test_detail_hides_parent_programme_the_viewer_cannot_see(client_for, world):
    programme = make_pairing([world.wyxx], [world.ncgz], mode="programme")
    Pairing.objects.filter(pk=programme.pk).update(name="石景山宁城项目")
    world.p_bj9_xizi.parent = programme
    world.p_bj9_xizi.save()
    assert "石景山宁城项目" not in client_for("helper").get(_url("detail", world)).content.decode()
    assert "石景山宁城项目" in client_for("coordinator").get(_url("detail", world)).content.decode()
