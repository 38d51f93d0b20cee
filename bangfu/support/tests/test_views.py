import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bangfu.audit.models import AuditEntry
from bangfu.support.models import Support, SupportItem
from bangfu.support.views import totals_by_kind
from conftest import make_org

from .factories import make_item, make_support


def _data(w, **overrides):
    data = {
        "kind": "goods",
        "title": "防疫物资捐赠",
        "date": "2020-02-20",
        "donor": w.bj9.pk,
        "recipient": w.xizi.pk,
        "recipient_region": "",
        "pairing": w.p_bj9_xizi.pk,
        "region_pairing": "",
        "amount": "约44000元",
        "beneficiaries": "",
        "description": "",
    }
    data.update(overrides)
    return data


def _counts():
    # Logging in writes its own entry; only the records' entries count here.
    entries = AuditEntry.objects.exclude(action="login").count()
    return Support.objects.count(), SupportItem.objects.count(), entries


def test_helper_records_goods_with_approximate_amount(client_for, world):
    response = client_for("helper").post(reverse("support:create"), _data(world))
    assert response.status_code == 302
    support = Support.objects.get()
    assert support.amount_yuan == Decimal("44000")
    assert support.is_approximate
    # The recipient region defaults to the recipient organisation's region.
    assert support.recipient_region == world.ningcheng
    assert support.created_by == world.helper
    entry = AuditEntry.objects.filter(model="support.Support").get()
    assert entry.action == "create"


def test_enterprise_donor_in_scope_recorded_by_coordinator(client_for, world):
    company = make_org("北京鑫鑫永顺餐饮公司", world.sjs, kind="enterprise", stage="")
    data = _data(
        world,
        kind="consumption",
        title="消费帮扶农产品采购",
        donor=company.pk,
        recipient="",
        recipient_region="150429",
        pairing="",
        amount="676万余元",
    )
    response = client_for("coordinator").post(reverse("support:create"), data)
    assert response.status_code == 302, response.context["form"].errors
    support = Support.objects.get()
    assert support.donor == company
    assert support.amount_yuan == Decimal("6760000")
    assert support.is_approximate


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"amount": "-44000"}, "amount", "金额不能为负数。"),
        ({"amount": "很多钱"}, "amount", "无法识别金额"),
        ({"recipient": "", "recipient_region": ""}, "recipient_region", "请填写受助地区"),
        ({"kind": "student_aid"}, "beneficiaries", "学生资助须填写受助人数。"),
        ({"beneficiaries": "-20"}, "beneficiaries", "受助人数不能为负数。"),
    ],
)
def test_bad_input_saves_nothing(client_for, world, overrides, field, message):
    before = _counts()
    response = client_for("helper").post(reverse("support:create"), _data(world, **overrides))
    assert response.status_code == 200
    errors = response.context["form"].errors[field]
    assert any(message in e for e in errors)
    assert _counts() == before


def test_foreign_pairing_is_an_invalid_choice(client_for, world):
    before = _counts()
    data = _data(world, pairing=world.p_nm_daidai.pk)
    response = client_for("helper").post(reverse("support:create"), data)
    assert response.status_code == 200
    assert response.context["form"].errors["pairing"]
    assert "南明" not in response.content.decode()
    assert _counts() == before


def test_outsider_cannot_record_for_another_school(client_for, world):
    before = _counts()
    # 从江县第一中学 staff see their own school only; 北京九中 is an invalid choice.
    response = client_for("outsider").post(reverse("support:create"), _data(world))
    assert response.status_code == 200
    assert response.context["form"].errors["donor"]
    assert _counts() == before


def test_coordinator_records_for_donor_in_own_region(client_for, world):
    client = client_for("other_coordinator")
    before = _counts()
    data = _data(world, donor=world.nmxx.pk, recipient="", recipient_region="150429", pairing="")
    response = client.post(reverse("support:create"), data)
    assert response.status_code == 302
    assert _counts()[0] == before[0] + 1


def test_coordinator_may_not_record_when_neither_donor_nor_region_in_scope(client_for, world):
    client = client_for("other_coordinator")
    before = _counts()
    # 大歹小学 lies in the partner county 从江县, outside 南明区; so does 宁城县.
    data = _data(world, donor=world.daidai.pk, recipient="", recipient_region="150429", pairing="")
    response = client.post(reverse("support:create"), data)
    assert response.status_code == 200
    assert response.context["form"].errors["donor"] == ["您无权为该单位登记帮扶记录。"]
    assert _counts() == before


def test_stale_edit_is_refused(client_for, world):
    support = make_support(world)
    client = client_for("helper")
    data = _data(world, amount="50000", version=support.version)
    Support.objects.filter(pk=support.pk).update(version=support.version + 1)
    response = client.post(reverse("support:edit", args=[support.pk]), data)
    assert response.status_code == 200
    assert "已被他人修改" in response.content.decode()
    support.refresh_from_db()
    assert support.amount_yuan == Decimal("44000")


def test_edit_writes_audit_diff(client_for, world):
    support = make_support(world)
    data = _data(world, amount="5万", version=support.version)
    response = client_for("recipient").post(reverse("support:edit", args=[support.pk]), data)
    assert response.status_code == 302
    support.refresh_from_db()
    assert support.amount_yuan == Decimal("50000")
    assert not support.is_approximate
    assert support.updated_by == world.recipient
    entry = AuditEntry.objects.get(model="support.Support", action="update")
    assert entry.changes["amount_yuan"] == ["44000.00", "50000.00"]


def test_item_added_and_deleted(client_for, world):
    support = make_support(world)
    client = client_for("helper")
    url = reverse("support:item_add", args=[support.pk])
    data = {"name": "医用酒精", "quantity": "200", "unit": "瓶", "value": "约3000元"}
    assert client.post(url, data).status_code == 302
    item = support.items.get()
    assert item.value_yuan == Decimal("3000") and item.is_approximate
    delete = reverse("support:item_delete", args=[support.pk, item.pk])
    assert client.post(delete).status_code == 302
    assert not support.items.exists()
    actions = set(AuditEntry.objects.filter(model="support.SupportItem").values_list("action"))
    assert actions == {("create",), ("delete",)}


@pytest.mark.parametrize("quantity", ["0", "-5", "abc"])
def test_item_with_bad_quantity_saves_nothing(client_for, world, quantity):
    support = make_support(world)
    before = _counts()
    url = reverse("support:item_add", args=[support.pk])
    response = client_for("helper").post(url, {"name": "口罩", "quantity": quantity, "unit": "个"})
    assert response.status_code == 200
    assert response.context["item_form"].errors["quantity"]
    assert _counts() == before


def test_item_of_another_record_is_404(client_for, world):
    mine = make_support(world)
    other = make_support(world, title="另一批")
    item = make_item(other)
    url = reverse("support:item_delete", args=[mine.pk, item.pk])
    assert client_for("helper").post(url).status_code == 404
    assert SupportItem.objects.filter(pk=item.pk).exists()


def test_totals_are_decimal_and_marked_approximate(world):
    make_support(world, amount_yuan=Decimal("44000.10"), is_approximate=False)
    make_support(world, amount_yuan=Decimal("0.20"), is_approximate=True)
    make_support(world, kind="student_aid", amount_yuan=Decimal("10000"), beneficiaries=20)
    make_support(world, kind="student_aid", amount_yuan=Decimal("0"), is_approximate=False)
    totals = {row["kind"]: row for row in totals_by_kind(Support.objects.all())}
    goods = totals["goods"]
    assert isinstance(goods["total"], Decimal)
    assert goods["total"] == Decimal("44000.30")
    assert goods["is_approximate"] and goods["display"] == "约44,000.3元"
    # The factory's default is approximate: one row is enough for "约".
    assert totals["student_aid"]["is_approximate"]


def test_list_filters_and_totals_follow_filters(client_for, world):
    make_support(world, date=dt.date(2019, 10, 1), amount_yuan=Decimal("100"))
    make_support(world, date=dt.date(2020, 10, 1), amount_yuan=Decimal("200"))
    make_support(world, kind="funds", date=dt.date(2019, 12, 1), amount_yuan=Decimal("7"))
    client = client_for("coordinator")
    response = client.get(reverse("support:list"), {"year": "2019", "kind": "goods"})
    assert [s.amount_yuan for s in response.context["page_obj"]] == [Decimal("100")]
    assert [(t["kind"], t["total"]) for t in response.context["totals"]] == [
        ("goods", Decimal("100"))
    ]
    response = client.get(reverse("support:list"), {"region": "宁城县", "donor": "九中"})
    assert len(response.context["page_obj"]) == 3
    response = client.get(reverse("support:list"), {"region": "从江县"})
    assert len(response.context["page_obj"]) == 0


def test_outsider_sees_no_support_of_others(client_for, world):
    make_support(world)
    response = client_for("outsider").get(reverse("support:list"))
    assert list(response.context["page_obj"]) == []
    assert response.context["totals"] == []


def _list_queries(client):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("support:list"))
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_list_query_count_is_constant(client_for, world):
    client = client_for("coordinator")
    for _ in range(3):
        make_support(world)
    few = _list_queries(client)
    for i in range(27):
        org = make_org(f"宁城县第{i}小学", world.ningcheng, stage="primary")
        make_support(world, recipient=org, donor=world.wyxx, pairing=None)
    many = _list_queries(client)
    assert few == many
