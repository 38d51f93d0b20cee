"""Templates, imports (checks, preview, commit, re-import, undo), bad files and exports."""

import csv
import datetime as dt
import hashlib
import io
import time
import zipfile

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from bangfu.activities.models import Activity
from bangfu.audit.models import AuditEntry
from bangfu.dataio import services
from bangfu.dataio.columns import ACTIVITY, ORGANISATION
from bangfu.dataio.models import ImportJob
from bangfu.orgs.models import Organisation
from conftest import make_region

ORG_HEADERS = [str(c.header) for c in ORGANISATION]
ACT_HEADERS = [str(c.header) for c in ACTIVITY]


def xlsx(headers, rows, formula_cell=None) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "数据"
    ws.append(headers)
    for row in rows:
        ws.append(row)
    if formula_cell:
        ws[formula_cell] = "=1+1"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def act_row(
    organiser="北京九中", receiver="", type_="讲座", title="讲座一", start="2019-05-08", **kw
):
    values = dict(zip(ACT_HEADERS, [organiser, receiver, type_, title, start], strict=False))
    values.update({"帮扶方人数": 2, "受援方人数": 40, "人次": 42, **kw})
    return [values.get(h, "") for h in ACT_HEADERS]


def tables_checksum():
    orgs = list(Organisation.objects.order_by("pk").values_list("pk", "name", "version"))
    acts = list(Activity.objects.order_by("pk").values_list("pk", "title", "start_date", "version"))
    return hashlib.sha256(repr((orgs, acts)).encode()).hexdigest()


def run_import(user, kind, data, name="data.xlsx"):
    job = services.upload_workbook(actor=user, kind=kind, name=name, data=data)
    return services.validate_job(job)


@pytest.fixture
def towns(world):
    """Two towns named 龙坪镇 (罗甸县 and another county) for the ambiguity check."""
    qn = make_region("黔南布依族苗族自治州", 2, world.guizhou, code="522700", short_name="黔南")
    luodian = make_region("罗甸县", 3, qn, code="522728", short_name="罗甸")
    other = make_region("荔波县", 3, qn, code="522722", short_name="荔波")
    make_region("龙坪镇", 4, luodian, code="522728-001")
    make_region("龙坪镇", 4, other, code="522722-001")
    return world


# --- templates ------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["organisations", "people", "pairings", "activities"])
def test_template_has_headers_instructions_and_dropdowns(client_for, kind):
    response = client_for("helper").get(reverse("dataio:template"), {"kind": kind})
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames[:2] == ["数据", "说明"]
    data = wb["数据"]
    headers = [c.value for c in data[1]]
    assert all(headers)
    assert data.data_validations.dataValidation, "choice columns get drop-downs"
    assert str(data.cell(row=2, column=1).value).startswith("示例")
    notes = [row[0] for row in wb["说明"].iter_rows(values_only=True)]
    assert set(headers) <= set(notes)


def test_activity_template_lists_types_and_modes(client_for):
    response = client_for("helper").get(reverse("dataio:template"), {"kind": "activities"})
    wb = load_workbook(io.BytesIO(response.content))
    options = [v for row in wb["选项"].iter_rows(values_only=True) for v in row if v]
    assert {"讲座", "线上", "受援方教师主导"} <= set(options)
    sqrefs = " ".join(str(v.sqref) for v in wb["数据"].data_validations.dataValidation)
    assert "C2:C" in sqrefs  # 活动类型


def test_example_rows_are_skipped(world, client_for):
    template = client_for("helper").get(reverse("dataio:template"), {"kind": "activities"})
    job = run_import(world.helper, "activities", template.content)
    assert job.errors == []
    assert job.counts == {"create": 0, "update": 0, "unchanged": 0, "error": 0}


# --- organisations ---------------------------------------------------------------


def test_organisation_import_preview_commit_reimport_undo(towns):
    w = towns
    before_count = Organisation.objects.count()
    data = xlsx(
        ORG_HEADERS,
        [
            ["石景山区第三小学", "石景山", "学校", "小学", "", "", ""],
            ["北京市第九中學", "石景山區", "", "", "", "石景山路", ""],  # traditional script
            ["龙坪镇中心小学", "龙坪镇", "学校", "小学", "", "", ""],
        ],
    )
    job = run_import(w.coordinator, "organisations", data)
    assert job.counts == {"create": 1, "update": 1, "unchanged": 0, "error": 1}
    [error] = job.errors
    assert (error["sheet"], error["row"], error["column"]) == ("数据", 4, "所在地区")
    assert "522728-001" in error["message"] and "522722-001" in error["message"]
    with pytest.raises(services.ImportRefused):
        services.commit_job(job)

    ok = xlsx(ORG_HEADERS, [r for r in load_rows(data) if r[1] != "龙坪镇"])
    job = run_import(w.coordinator, "organisations", ok)
    assert job.counts == {"create": 1, "update": 1, "unchanged": 0, "error": 0}
    job = services.commit_job(job)
    assert job.status == ImportJob.Status.COMMITTED
    assert Organisation.objects.count() == before_count + 1
    w.bj9.refresh_from_db()
    assert w.bj9.address == "石景山路"
    assert AuditEntry.objects.filter(action="import", object_id=str(job.pk)).exists()

    again = run_import(w.coordinator, "organisations", ok)
    assert again.counts == {"create": 0, "update": 0, "unchanged": 2, "error": 0}

    services.undo_job(job, actor=w.coordinator)
    assert Organisation.objects.count() == before_count
    w.bj9.refresh_from_db()
    assert w.bj9.address == ""
    assert AuditEntry.objects.filter(action="delete", object_id=str(job.pk)).exists()


def load_rows(data):
    wb = load_workbook(io.BytesIO(data))
    return [list(r) for r in wb.active.iter_rows(min_row=2, values_only=True)]


def test_partner_region_school_cannot_be_changed_by_coordinator(world):
    data = xlsx(ORG_HEADERS, [["寧城縣汐子中學", "寧城縣", "", "", "", "汐子镇", ""]])
    job = run_import(world.coordinator, "organisations", data)
    assert job.errors[0]["message"] == "您无权修改单位“宁城县汐子中学”。"


def test_school_staff_cannot_add_or_change_foreign_organisations(world):
    data = xlsx(
        ORG_HEADERS,
        [
            ["宁城县新学校", "宁城", "学校", "小学", "", "", ""],
            ["从江县大歹小学", "从江", "学校", "", "", "新地址", ""],
        ],
    )
    job = run_import(world.helper, "organisations", data)
    assert job.counts["error"] == 2
    messages = " ".join(e["message"] for e in job.errors)
    assert "无权" in messages
    # 大歹小学 is invisible to the helper: the message is the region one, as for any row.
    assert "大歹" not in messages


def test_missing_and_renamed_headers_are_one_error(world):
    headers = ["名字", *ORG_HEADERS[1:]]
    job = run_import(world.coordinator, "organisations", xlsx(headers, [["x", "宁城"]]))
    [error] = job.errors
    assert "单位名称" in error["message"] and "名字" in error["message"]


# --- activities -------------------------------------------------------------------


def test_activity_import_checks_every_row(world):
    future = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    data = xlsx(
        ACT_HEADERS,
        [
            act_row(title="讲座一", start="二〇一九年五月八日", 场次="三十一"),
            act_row(title="讲座二", start="2019.5.9"),
            act_row(title="讲座三", start=future),
            act_row(organiser="从江县大歹小学", title="讲座四"),
            act_row(organiser="北京九中", title="讲座五", 人次=1),
            act_row(title="讲座六", type_="跳舞"),
            act_row(title="讲座七"),
        ],
        formula_cell="L8",
    )
    job = run_import(world.helper, "activities", data)
    errors = {(e["row"], e["column"]): e["message"] for e in job.errors}
    assert job.counts == {"create": 2, "update": 0, "unchanged": 0, "error": 5}
    assert "不能晚于今天" in errors[(4, "开始日期")]
    assert errors[(5, "组织单位")] == "未找到您可填报的单位“从江县大歹小学”。"
    assert "人次" in errors[(6, "人次")]
    assert "跳舞" in errors[(7, "活动类型")]
    assert "公式" in errors[(8, "人次")]
    assert Activity.objects.count() == 0


def test_activity_commit_reimport_and_undo(world):
    data = xlsx(
        ACT_HEADERS,
        [
            act_row(title="讲座一", start="二〇一九年五月八日", 场次="三十一"),
            act_row(
                title="同课异构", type_="现场课", start="2019年5月9日", 课题="《老王》、《背影》"
            ),
        ],
    )
    job = services.commit_job(run_import(world.helper, "activities", data))
    assert job.status == ImportJob.Status.COMMITTED, job.errors
    first = Activity.objects.get(title="讲座一")
    assert first.start_date == dt.date(2019, 5, 8)
    assert first.sessions == 31
    assert first.pairing == world.p_bj9_xizi
    assert Activity.objects.get(title="同课异构").lesson_title_list == ["《老王》", "《背影》"]

    checksum = tables_checksum()
    again = services.commit_job(run_import(world.helper, "activities", data))
    assert again.counts == {"create": 0, "update": 0, "unchanged": 2, "error": 0}
    assert tables_checksum() == checksum

    changed = xlsx(ACT_HEADERS, [act_row(title="讲座一", start="2019-05-08", 地点="礼堂")])
    update = services.commit_job(run_import(world.helper, "activities", changed))
    assert update.counts["update"] == 1
    assert Activity.objects.get(title="讲座一").place == "礼堂"

    services.undo_job(update, actor=world.helper)
    assert Activity.objects.get(title="讲座一").place == ""
    services.undo_job(job, actor=world.helper)
    assert Activity.objects.count() == 0


def test_commit_writes_nothing_when_a_row_fails_at_commit(world):
    """A semester locked after the preview: the commit's re-check refuses the whole file."""
    from bangfu.activities.models import LedgerLock

    data = xlsx(
        ACT_HEADERS,
        [act_row(title="甲", start="2018-10-08"), act_row(title="乙", start="2019-05-08")],
    )
    job = run_import(world.helper, "activities", data)
    assert job.errors == []
    LedgerLock.objects.create(pairing=world.p_bj9_xizi, academic_year=2018, term=2)
    job = services.commit_job(job)
    assert job.status == ImportJob.Status.FAILED
    assert [(e["row"], e["column"]) for e in job.errors] == [(3, "开始日期")]
    assert "锁定" in job.errors[0]["message"]
    assert Activity.objects.count() == 0


# --- bad files -----------------------------------------------------------------------


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _bad_files():
    good = xlsx(ORG_HEADERS, [["宁城县第三小学", "宁城", "学校", "小学", "", "", ""]])
    with zipfile.ZipFile(io.BytesIO(good)) as archive:
        members = {n: archive.read(n) for n in archive.namelist()}
    return {
        "text": (b"name,region\n", "不是 xlsx"),
        "renamed_txt": ("单位名称\t所在地区\n".encode(), "不是 xlsx"),
        "ole": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "文件已加密或不是xlsx"),
        "bomb": (
            _zip({**members, "xl/media/zeros.bin": b"\0" * (40 * 1024 * 1024)}),
            "压缩",
        ),
        "macro": (_zip({**members, "xl/vbaProject.bin": b"VBA"}), "宏"),
        "plain_zip": (_zip({"a.txt": b"hello"}), "不是 xlsx"),
    }


@pytest.mark.parametrize("case", ["text", "renamed_txt", "ole", "bomb", "macro", "plain_zip"])
def test_bad_files_are_refused_fast_and_change_nothing(world, client_for, case):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data, expected = _bad_files()[case]
    counts = (Organisation.objects.count(), Activity.objects.count(), ImportJob.objects.count())
    checksum = tables_checksum()
    started = time.perf_counter()
    response = client_for("coordinator").post(
        reverse("dataio:upload"),
        {"kind": "organisations", "file": SimpleUploadedFile(f"{case}.xlsx", data)},
    )
    assert time.perf_counter() - started < 2
    assert response.status_code == 200
    assert expected in response.content.decode()
    assert counts == (
        Organisation.objects.count(),
        Activity.objects.count(),
        ImportJob.objects.count(),
    )
    assert tables_checksum() == checksum


def test_upload_page_runs_the_check_and_shows_the_preview(world, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for("helper")
    data = xlsx(ACT_HEADERS, [act_row()])
    response = client.post(
        reverse("dataio:upload"),
        {"kind": "activities", "file": SimpleUploadedFile("台账.xlsx", data)},
    )
    job = ImportJob.objects.get()
    assert response["Location"] == reverse("dataio:job", kwargs={"pk": job.pk})
    poll = client.get(reverse("dataio:job", kwargs={"pk": job.pk}), HTTP_HX_REQUEST="true")
    assert "hx-get" not in poll.content.decode()  # finished: polling stops
    page = client.get(reverse("dataio:preview", kwargs={"pk": job.pk})).content.decode()
    assert "确认导入" in page
    client.post(reverse("dataio:commit", kwargs={"pk": job.pk}))
    assert Activity.objects.count() == 1
    client.post(reverse("dataio:undo", kwargs={"pk": job.pk}))
    assert Activity.objects.count() == 0


# --- exports ----------------------------------------------------------------------------


def _activity(w, title):
    return Activity.objects.create(
        type="lecture",
        title=title,
        start_date=dt.date(2019, 10, 8),
        end_date=dt.date(2019, 10, 8),
        pairing=w.p_bj9_xizi,
        organiser=w.bj9,
        helper_region=w.sjs,
        recipient_region=w.ningcheng,
    )


def test_csv_export_neutralises_formulas_and_is_scoped(world, client_for):
    _activity(world, '=HYPERLINK("http://x")')
    _activity(world, "普通讲座")
    response = client_for("helper").get(
        reverse("dataio:export"), {"kind": "activities", "format": "csv"}
    )
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    titles = {r[3] for r in rows[1:]}
    assert titles == {'\'=HYPERLINK("http://x")', "普通讲座"}
    assert AuditEntry.objects.filter(action="export").count() == 1
    outsider = client_for("outsider").get(
        reverse("dataio:export"), {"kind": "activities", "format": "csv"}
    )
    assert len(b"".join(outsider.streaming_content).decode().splitlines()) == 1


def test_csv_export_uses_the_list_filters(world, client_for):
    _activity(world, "数学讲座")
    _activity(world, "语文讲座")
    response = client_for("helper").get(
        reverse("dataio:export"), {"kind": "activities", "format": "csv", "q": "数学"}
    )
    body = b"".join(response.streaming_content).decode("utf-8")
    assert "数学讲座" in body and "语文讲座" not in body


def test_people_are_not_in_the_generic_export(world, client_for):
    # Personal data has its own export (orgs:person_export): permission, daily limit.
    response = client_for("helper").get(
        reverse("dataio:export"), {"kind": "people", "format": "xlsx"}
    )
    assert response.status_code == 404
    assert not AuditEntry.objects.filter(action="export").exists()


def test_organisation_xlsx_export(world, client_for):
    response = client_for("coordinator").get(
        reverse("dataio:export"), {"kind": "organisations", "format": "xlsx"}
    )
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    names = {r[0] for r in wb.active.iter_rows(min_row=2, values_only=True)}
    assert "北京市第九中学" in names and "从江县大歹小学" not in names


# --- command line ------------------------------------------------------------------------


def test_commands(world, tmp_path):
    from django.core.management import call_command

    path = tmp_path / "a.xlsx"
    path.write_bytes(xlsx(ACT_HEADERS, [act_row()]))
    out = io.StringIO()
    call_command("import_xlsx", str(path), kind="activities", user="helper", stdout=out)
    assert "create=1" in out.getvalue() and Activity.objects.count() == 0
    call_command(
        "import_xlsx", str(path), kind="activities", user="helper", commit=True, stdout=out
    )
    assert Activity.objects.count() == 1
    target = tmp_path / "out.csv"
    call_command("export", kind="activities", format="csv", output=str(target), stdout=out)
    assert "讲座一" in target.read_text(encoding="utf-8-sig")
