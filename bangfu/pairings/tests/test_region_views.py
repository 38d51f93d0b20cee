import pytest
from django.urls import reverse

from bangfu.audit.models import AuditEntry
from bangfu.core.forms import CONFLICT_MESSAGE
from bangfu.pairings.models import RegionPairing
from conftest import make_pairing

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
EDIT = {**DETAIL, "helper": 403, "recipient": 403, "auditor": 403}


@pytest.mark.parametrize("role, expected", DETAIL.items())
def test_region_pairing_detail_by_role(client_for, world, role, expected):
    response = client_for(role).get(reverse("pairings:region_detail", args=[world.rp_sjs_nc.pk]))
    assert response.status_code == expected


@pytest.mark.parametrize("role, expected", EDIT.items())
def test_region_pairing_edit_by_role(client_for, world, role, expected):
    response = client_for(role).get(reverse("pairings:region_edit", args=[world.rp_sjs_nc.pk]))
    assert response.status_code == expected


@pytest.mark.parametrize(
    "role, expected",
    [
        ("anonymous", 302),
        ("helper", 403),
        ("auditor", 403),
        ("coordinator", 200),
        ("sysadmin", 403),
    ],
)
def test_region_pairing_create_by_role(client_for, role, expected):
    assert client_for(role).get(reverse("pairings:region_create")).status_code == expected


def test_region_list_is_scoped(client_for, world):
    response = client_for("coordinator").get(reverse("pairings:region_list"))
    assert list(response.context["page_obj"]) == [world.rp_sjs_nc]
    response = client_for("coordinator").get(reverse("pairings:region_list"), {"q": "congjiang"})
    assert list(response.context["page_obj"]) == []
    response = client_for("other_coordinator").get(
        reverse("pairings:region_list"), {"q": "congjiang"}
    )
    assert list(response.context["page_obj"]) == [world.rp_nm_cj]


def test_region_detail_lists_only_visible_school_pairings(client_for, world):
    # A pairing filed under 石景山→宁城 that the helper school's staff is not part of.
    other = make_pairing([world.wyxx], [world.ncgz], region_pairing=world.rp_sjs_nc)
    url = reverse("pairings:region_detail", args=[world.rp_sjs_nc.pk])
    assert set(client_for("coordinator").get(url).context["page_obj"]) == {world.p_bj9_xizi, other}
    assert list(client_for("helper").get(url).context["page_obj"]) == [world.p_bj9_xizi]


def _data(**overrides):
    data = {
        "helper_region": "石景山区",
        "recipient_region": "522633",
        "level": "district",
        "start_date": "2020-01-01",
        "end_date": "",
        "note": "",
    }
    data.update(overrides)
    return data


def test_coordinator_creates_region_pairing(client_for, world):
    response = client_for("coordinator").post(reverse("pairings:region_create"), _data())
    rp = RegionPairing.objects.latest("id")
    assert response.status_code == 302
    assert (rp.helper_region, rp.recipient_region) == (world.sjs, world.congjiang)
    assert AuditEntry.objects.filter(model="pairings.RegionPairing", action="create").exists()


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"recipient_region": "110107"}, "recipient_region", "同一个地区"),
        ({"recipient_region": "999999"}, "recipient_region", "找不到地区"),
        ({"recipient_region": "宁城县", "start_date": "2018-01-01"}, "start_date", "已有对口关系"),
        ({"end_date": "2019-01-01"}, "end_date", "结束日期不能早于开始日期"),
        ({"helper_region": "南明区"}, "helper_region", "本辖区"),
    ],
)
def test_bad_region_pairing_input_shows_message(client_for, world, overrides, field, message):
    client = client_for("coordinator")
    count = RegionPairing.objects.count()
    response = client.post(reverse("pairings:region_create"), _data(**overrides))
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert RegionPairing.objects.count() == count


def test_stale_region_pairing_edit_is_refused(client_for, world):
    client = client_for("coordinator")
    url = reverse("pairings:region_edit", args=[world.rp_sjs_nc.pk])
    data = _data(recipient_region="宁城县", start_date="2018-01-01", version=1)
    assert client.post(url, {**data, "note": "一"}).status_code == 302
    response = client.post(url, {**data, "note": "二"})
    assert str(CONFLICT_MESSAGE) in response.content.decode()
    world.rp_sjs_nc.refresh_from_db()
    assert world.rp_sjs_nc.note == "一"
