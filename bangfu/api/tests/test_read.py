"""Reading through the API: the pages' scope, masked personal data, filters, paging."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import make_pairing

from .factories import (
    ID_NUMBER,
    PHONE,
    make_activity,
    make_dispatch,
    make_need,
    make_person,
    make_plan,
    make_support,
)

LEDGER_LISTS = ["person", "pairing", "need", "plan", "activity", "dispatch", "support"]


def _list(name):
    return reverse(f"api:{name}-list")


def _detail(name, pk):
    return reverse(f"api:{name}-detail", kwargs={"pk": pk})


@pytest.fixture
def ledger(world):
    """One record of each kind in 北京九中 ↔ 汐子中学."""
    return {
        "person": make_person(world),
        "pairing": world.p_bj9_xizi,
        "need": make_need(world),
        "plan": make_plan(world),
        "activity": make_activity(world),
        "dispatch": make_dispatch(world),
        "support": make_support(world),
    }


@pytest.mark.parametrize("name", LEDGER_LISTS)
def test_outsider_gets_empty_lists(world, ledger, client_for, name):
    response = client_for("outsider").get(_list(name))
    assert response.status_code == 200
    assert response.json()["count"] == 0
    assert response.json()["results"] == []


@pytest.mark.parametrize("name", LEDGER_LISTS)
def test_members_see_their_pairings_records(world, ledger, client_for, name):
    for role in ("helper", "recipient", "coordinator"):
        ids = [row["id"] for row in client_for(role).get(_list(name)).json()["results"]]
        assert ledger[name].pk in ids, role


@pytest.mark.parametrize("name", LEDGER_LISTS)
def test_record_out_of_scope_is_404_like_a_missing_one(world, ledger, client_for, name):
    client = client_for("other_coordinator")
    hidden = client.get(_detail(name, ledger[name].pk))
    missing = client.get(_detail(name, 987654))
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json() == {"detail": "未找到该记录。"}
    assert client.get(_detail(name, "abc")).status_code == 404


def test_lists_follow_each_coordinators_region(world, client_for):
    ours = make_activity(world)
    theirs = make_activity(world, pairing=world.p_nm_daidai, title="南明讲座")

    def ids(role):
        return {a["id"] for a in client_for(role).get(_list("activity")).json()["results"]}

    assert ids("coordinator") == {ours.pk}
    assert ids("other_coordinator") == {theirs.pk}


def test_person_numbers_are_only_ever_masked(world, client_for):
    person = make_person(world)
    client = client_for("recipient")  # may reveal the numbers on the page, still masked here
    for url in (_list("person"), _detail("person", person.pk)):
        response = client.get(url)
        body = response.content.decode()
        assert ID_NUMBER not in body and PHONE not in body
        assert "_enc" not in body and "_hash" not in body
    data = client.get(_detail("person", person.pk)).json()
    assert data["name"] == "张老师"
    assert data["id_number_masked"] == "110105********002X"
    assert data["phone_masked"] == "138****5678"
    assert set(data) >= {"organisation", "kind", "version"}


def test_responses_with_personal_data_are_never_stored(world, client_for):
    person = make_person(world)
    for url in (_list("person"), _detail("person", person.pk), _list("activity")):
        response = client_for("coordinator").get(url)
        assert "no-store" in response["Cache-Control"]
        assert "private" in response["Cache-Control"]


def test_activity_hides_its_public_sign_in_token(world, client_for):
    activity = make_activity(world)
    body = client_for("helper").get(_detail("activity", activity.pk)).content.decode()
    assert activity.signin_token not in body
    assert "signin_token" not in body


def test_dispatch_names_the_person_without_numbers(world, client_for):
    dispatch = make_dispatch(world)
    response = client_for("coordinator").get(_detail("dispatch", dispatch.pk))
    assert response.json()["person"] == {"id": dispatch.person_id, "name": "李老师"}
    assert PHONE not in response.content.decode()


def test_support_amounts_are_exact_decimal_strings(world, client_for):
    support = make_support(world)
    data = client_for("helper").get(_detail("support", support.pk)).json()
    assert data["amount_yuan"] == "44000.00"
    assert data["items"][0]["name"] == "一次性防护口罩"


def test_activity_filters(world, client_for):
    autumn = make_activity(world, title="秋季讲座")
    spring = make_activity(
        world,
        title="春季示范课",
        type="demo_lesson",
        start_date=dt.date(2020, 3, 2),
        end_date=dt.date(2020, 3, 2),
        lesson_titles="《背影》",
    )
    client = client_for("coordinator")

    def ids(**params):
        response = client.get(_list("activity"), params)
        assert response.status_code == 200, response.json()
        return {a["id"] for a in response.json()["results"]}

    assert ids(academic_year=2019, term=1) == {autumn.pk}
    assert ids(academic_year=2019, term=2) == {spring.pk}
    assert ids(type="demo_lesson") == {spring.pk}
    assert ids(q="背影") == {spring.pk}
    assert ids(region=world.ningcheng.pk) == {autumn.pk, spring.pk}
    assert ids(region=world.congjiang.pk) == set()
    assert ids(pairing=world.p_nm_daidai.pk) == set()  # not visible: finds nothing


def test_invalid_filter_value_is_a_400_in_chinese(world, client_for):
    response = client_for("coordinator").get(_list("activity"), {"type": "bogus"})
    assert response.status_code == 400
    assert "选择一个有效的选项" in response.content.decode()


def test_need_and_pairing_filters(world, client_for):
    need = make_need(world)
    make_need(world, title="家长指导", status="met")
    other = make_pairing([world.wyxx], [world.ncgz], region_pairing=world.rp_sjs_nc)
    client = client_for("coordinator")
    statuses = client.get(_list("need"), {"status": "open"}).json()["results"]
    assert [n["id"] for n in statuses] == [need.pk]
    pairings = client.get(_list("pairing"), {"organisation": world.wyxx.pk}).json()["results"]
    assert [p["id"] for p in pairings] == [other.pk]
    assert {party["side"] for party in pairings[0]["parties"]} == {"helper", "recipient"}


def test_regions_lookup_by_parent_and_name(world, client_for):
    client = client_for("outsider")
    children = client.get(_list("region"), {"parent": world.chifeng.pk}).json()["results"]
    assert [r["name"] for r in children] == ["宁城县"]
    found = client.get(_list("region"), {"q": "ningcheng"}).json()["results"]
    assert [r["code"] for r in found] == ["150429"]
    detail = client.get(_detail("region", world.ningcheng.pk)).json()
    assert detail["parent"] == world.chifeng.pk


def test_pages_of_a_list(world, client_for):
    for i in range(3):
        make_activity(world, title=f"讲座{i}")
    data = client_for("helper").get(_list("activity"), {"page_size": 2}).json()
    assert data["count"] == 3 and len(data["results"]) == 2 and data["next"]
    assert client_for("helper").get(_list("activity"), {"page": 9}).status_code == 404


def test_list_query_count_stays_constant_as_rows_grow(world, client_for):
    client = client_for("coordinator")

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(_list("activity")).status_code == 200
        return len(ctx.captured_queries)

    make_activity(world)
    queries()  # the first request of a session also stores the session's start
    few = queries()
    for i in range(8):
        make_activity(world, title=f"示范课{i}", type="demo_lesson")
    assert queries() == few


def test_anonymous_is_asked_to_sign_in(world, client_for):
    response = client_for("anonymous").get(_list("activity"))
    assert response.status_code == 403
    assert response.json() == {"detail": "请先登录。"}


def test_auditor_reads_no_business_data(world, client_for):
    make_activity(world)
    assert client_for("auditor").get(_list("activity")).status_code == 403
