import json
from io import StringIO

import pytest
from django.core.management import call_command

from bangfu.extract.extractor import extract, to_number


def _counts(text):
    return [(a["count"], a["unit"], a["approx"], a["type"]) for a in extract(text)["activities"]]


def test_numerals():
    assert to_number("九") == 9
    assert to_number("二十一") == 21
    assert to_number("2.8") == 2.8
    assert _counts("先后选派了九批902名援疆教师") == [
        (9, "批次", False, None),
        (902, "名", False, None),
    ]


def test_types_units_and_approx():
    got = _counts("开展讲座21场,现场课12节,网络教研10余次,名师工作室活动4场")
    assert got == [
        (21, "场", False, "lecture"),
        (12, "节", False, "demo_lesson"),
        (10, "次", True, "online_research"),
        (4, "场", False, "studio"),
    ]
    assert _counts("培训师资3000多人次")[0][:3] == (3000, "人次", True)
    assert _counts("共需完成 32 个区级项目")[0][:2] == (32, "个")
    assert _counts("一次性口罩") == []


def test_money():
    money = [
        (m["amount_yuan"], m["approx"])
        for m in extract("发放补助金1万元;采购676万余元;价值约44000元的物资;补贴2.8亿元")["money"]
    ]
    assert money == [(10000, False), (6760000, True), (44000, True), (280000000, False)]


def test_targets():
    targets = extract("培训当地教师不少于 350 和450人次")["targets"]
    assert [(t["count"], t["unit"], t["kind"]) for t in targets] == [
        (350, "人次", "min"),
        (450, "人次", "min"),
    ]


def test_offsets_point_into_traditional_original():
    text = "學校接待幹部教師赴京學習5批次,共計53人次。價值約44000元"
    result = extract(text)
    for item in result["activities"] + result["money"]:
        assert text[item["start"] : item["end"]] == item["text"]
    assert [a["text"] for a in result["activities"]] == ["5批次", "53人次"]


def test_offsets_skip_pinyin_glosses():
    text = "湖里區(qū)16所學(xué)校與(yǔ)閩寧鎮(zhèn)16所學(xué)校結(jié)對(duì)"
    result = extract(text)
    assert [a["text"] for a in result["activities"]] == ["16所", "16所"]
    pair = result["pairings"][0]
    assert (pair["helper"], pair["recipient"]) == ("湖里区", "闽宁镇")
    assert text[pair["start"] : pair["end"]] == pair["text"]


def test_pairing_one_helper_many_recipients():
    pairs = extract("石景山区教育系统继续对莫旗、顺平、称多开展智力帮扶工作。")["pairings"]
    assert [(p["helper"], p["recipient"]) for p in pairs] == [
        ("石景山区", "莫旗"),
        ("石景山区", "顺平"),
        ("石景山区", "称多"),
    ]


def test_resolver_keeps_every_candidate():
    result = extract(
        "赴和田县开展送教", resolve_region=lambda name: ["甲", "乙"] if name == "和田县" else []
    )
    assert result["regions"][0]["ambiguous"] is True


REPORT = "芳草地國際學校遠洋小學與康保縣朝陽希望小學結為對口支援學校,講座21場。"


def _run(path):
    out = StringIO()
    call_command("extract_report", str(path), stdout=out)
    return json.loads(out.getvalue())


def test_command_txt_gb18030(tmp_path):
    path = tmp_path / "r.txt"
    path.write_bytes(REPORT.encode("gb18030"))
    data = _run(path)
    assert set(data) >= {"pairings", "activities", "money", "regions", "schools"}
    assert data["activities"][0]["count"] == 21
    assert data["pairings"][0]["recipient"] == "康保县朝阳希望小学"


def test_command_docx(tmp_path):
    docx = pytest.importorskip("docx")
    document = docx.Document()
    document.add_paragraph("标题")
    document.add_paragraph(REPORT)
    path = tmp_path / "r.docx"
    document.save(path)
    data = _run(path)
    assert data["activities"][0]["text"] == "講座21場"[2:] or data["activities"][0]["count"] == 21


@pytest.mark.django_db
def test_pages_propose_and_accept(client_for, world):
    from bangfu.extract.models import ReportDraft

    client = client_for("helper")
    response = client.post("/extract/", {"text": REPORT})
    assert response.status_code == 302
    draft = ReportDraft.objects.get()
    page = client.get(response["Location"])
    assert "<mark" in page.content.decode()
    response = client.post(
        f"/extract/{draft.pk}/decide/",
        {
            "key": "activities:0",
            "decision": "accept",
            "type": "lecture",
            "count": "21",
            "unit": "场",
            "pairing": world.p_bj9_xizi.pk,
            "start_date": "2020-05-01",
            "end_date": "2020-05-01",
        },
    )
    draft.refresh_from_db()
    assert draft.decisions["activities:0"]["record"].startswith("activity:")
    client.post(f"/extract/{draft.pk}/decide/", {"key": "money:0", "decision": "reject"})
    assert client_for("recipient").get(f"/extract/{draft.pk}/").status_code == 404
