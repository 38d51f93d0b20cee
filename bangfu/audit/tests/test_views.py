"""The security auditor's audit-trail pages: search, an entry's changes, export."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from bangfu.audit.models import AuditEntry

from .helpers import fresh_chain, record_at


def _record(action, actor, instance=None, changes=None, ip=None, at=None, label=""):
    return record_at(
        at, action, actor=actor, instance=instance, changes=changes, ip=ip, label=label
    )


@pytest.fixture
def trail(world):
    fresh_chain()
    return {
        "note": _record(
            "update",
            world.coordinator,
            world.bj9,
            {"note": ["旧备注", "新备注"], "address": ["", "石景山路"]},
            ip="10.1.2.3",
            at=timezone.make_aware(dt.datetime(2024, 3, 5, 9, 0)),
        ),
        "create": _record(
            "create",
            world.helper,
            world.xizi,
            {"name": [None, "宁城县汐子中学"]},
            ip="192.168.0.9",
            at=timezone.make_aware(dt.datetime(2024, 4, 1, 10, 0)),
        ),
        "formula": _record(
            "update",
            world.recipient,
            world.xizi,
            {"note": ["", '=HYPERLINK("http://x")']},
            ip="10.1.9.9",
            at=timezone.make_aware(dt.datetime(2024, 4, 20, 8, 0)),
        ),
    }


def _found(client, **params):
    response = client.get(reverse("audit:list"), params)
    assert response.status_code == 200
    return {e.pk for e in response.context["page_obj"]}


def test_auditor_searches_the_trail(client_for, trail):
    client = client_for("auditor")
    note, create, formula = trail["note"].pk, trail["create"].pk, trail["formula"].pk
    # Everything, the auditor's own sign-in included.
    assert _found(client) >= {note, create, formula}
    assert _found(client, actor="coord") == {note}
    assert _found(client, action="create") == {create}
    assert _found(client, model="orgs.Organisation", object_id=str(trail["create"].object_id)) == {
        create,
        formula,
    }
    assert _found(client, date_from="2024-04-01", date_to="2024-04-01") == {create}
    assert _found(client, date_from="2024-04-02", date_to="2024-12-31") == {formula}
    assert _found(client, ip="10.1.") == {note, formula}
    assert _found(client, ip="192.168.0.9") == {create}
    # Free text reaches the changed values, in Chinese too.
    assert _found(client, q="石景山路") == {note}
    assert _found(client, q="汐子") == {create, formula}


def test_bad_search_input_gets_a_clear_message_and_no_rows(client_for, trail):
    client = client_for("auditor")
    response = client.get(reverse("audit:list"), {"date_from": "2024-13-40"})
    assert "请输入有效的日期" in response.content.decode()
    assert list(response.context["page_obj"]) == []
    response = client.get(
        reverse("audit:list"), {"date_from": "2024-05-01", "date_to": "2024-04-01"}
    )
    assert "结束日期不能早于开始日期" in response.content.decode()


def test_list_is_paginated_with_constant_queries(
    client_for, trail, world, django_assert_max_num_queries, settings
):
    settings.PAGE_SIZE = 5
    for i in range(12):
        _record("update", world.coordinator, world.bj9, {"note": [str(i), str(i + 1)]})
    client = client_for("auditor")
    with django_assert_max_num_queries(12):
        response = client.get(reverse("audit:list"), {"page": 2})
    assert len(response.context["page_obj"]) == 5
    pages = -(-AuditEntry.objects.count() // 5)
    assert f"第 2 / {pages} 页" in response.content.decode()


def test_entry_detail_shows_before_and_after(client_for, trail):
    response = client_for("auditor").get(reverse("audit:detail", args=[trail["note"].pk]))
    html = response.content.decode()
    assert "旧备注" in html and "新备注" in html and "石景山路" in html
    rows = response.context["rows"]
    assert {"field": "note", "before": "旧备注", "after": "新备注"} in rows
    assert "10.1.2.3" in html


def _csv_rows(response):
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def test_export_csv_follows_the_filter_and_neutralises_formulas(client_for, trail, world):
    client = client_for("auditor")
    response = client.get(reverse("audit:export"), {"format": "csv", "ip": "10.1."})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = _csv_rows(response)
    assert rows[0][:4] == ["时间", "序号", "操作人", "操作"]
    assert len(rows) == 3  # the header and the two entries from 10.1.*
    by_actor = {row[2]: row for row in rows[1:]}
    assert set(by_actor) == {"coord", "recipient"}
    assert "石景山路" in by_actor["coord"][7]
    changes = by_actor["recipient"][7]
    # JSON starts with "{", so it is not a formula; a cell that starts with "=" would be.
    assert changes.startswith("{") and "=HYPERLINK" in changes
    # The export is itself in the trail, with its filter and row count.
    entry = AuditEntry.objects.get(action="export")
    assert entry.actor == world.auditor
    assert entry.changes["filters"] == {"ip": "10.1."} and entry.changes["rows"] == 2


def test_export_neutralises_cells_starting_with_formula_characters(client_for, trail, world):
    _record("login_failed", None, label="=cmd|' /C calc'!A0")
    response = client_for("auditor").get(
        reverse("audit:export"), {"format": "csv", "action": "login_failed"}
    )
    rows = _csv_rows(response)
    assert rows[1][2] == "'=cmd|' /C calc'!A0"


def test_export_xlsx(client_for, trail):
    response = client_for("auditor").get(
        reverse("audit:export"), {"format": "xlsx", "model": "orgs.Organisation"}
    )
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][:3] == ["时间", "序号", "操作人"]
    assert {row[2] for row in values[1:]} == {"coord", "helper", "recipient"}
    assert AuditEntry.objects.filter(action="export", changes__format="xlsx").exists()


def test_unknown_export_format_is_404(client_for, trail):
    assert client_for("auditor").get(reverse("audit:export"), {"format": "pdf"}).status_code == 404
    assert not AuditEntry.objects.filter(action="export").exists()


@pytest.mark.parametrize("role", ["sysadmin", "secadmin", "coordinator", "helper"])
def test_nobody_else_reads_or_exports_the_trail(client_for, trail, role):
    client = client_for(role)
    assert client.get(reverse("audit:list")).status_code == 403
    assert client.get(reverse("audit:detail", args=[trail["note"].pk])).status_code == 403
    assert client.get(reverse("audit:export"), {"format": "csv"}).status_code == 403
    assert not AuditEntry.objects.filter(action="export").exists()


def test_no_page_changes_or_removes_an_entry(client_for, trail):
    client = client_for("auditor")
    pk = trail["note"].pk
    for url in (reverse("audit:list"), reverse("audit:detail", args=[pk]), reverse("audit:export")):
        assert client.post(url, {"object_repr": "x"}).status_code == 405
        assert client.delete(url).status_code == 405
    assert AuditEntry.objects.get(pk=pk).object_repr == trail["note"].object_repr
