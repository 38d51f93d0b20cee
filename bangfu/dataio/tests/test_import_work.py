"""Imports of the work ledgers: dispatches, visiting trainees, support and shared resources.

Each kind: the downloaded template filled in and imported, figures read back
from the ledger, errors with sheet, row and column, ambiguous names with their
candidates, re-import unchanged, undo exact, foreign organisations refused.
"""

import datetime as dt
import hashlib
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from bangfu.dataio import services
from bangfu.dataio.columns import DISPATCH, RESOURCE, SUPPORT, TRAINEE
from bangfu.dataio.importers import IMPORTERS
from bangfu.dataio.models import ImportJob
from bangfu.dispatch import services as dispatch_services
from bangfu.dispatch.figures import dispatch_figures, visit_figures
from bangfu.dispatch.models import Dispatch, DispatchBatch, Trainee, VisitBatch, WorkLog
from bangfu.orgs import services as org_services
from bangfu.orgs.models import Person
from bangfu.resources.models import SharedResource
from bangfu.support.models import Support
from conftest import make_org, make_region, make_user

COLUMNS = {"dispatches": DISPATCH, "trainees": TRAINEE, "support": SUPPORT, "resources": RESOURCE}


def row(ledger, /, **values):
    """A data row by column key, in the template's column order."""
    return [values.get(c.key, "") for c in COLUMNS[ledger]]


def xlsx(kind, rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "数据"
    ws.append([str(c.header) for c in COLUMNS[kind]])
    for r in rows:
        ws.append(r)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def filled_template(client, kind, rows) -> bytes:
    """The template as downloaded, its example rows kept, with ``rows`` added below them."""
    response = client.get(reverse("dataio:template"), {"kind": kind})
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    for r in rows:
        wb["数据"].append(r)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def check(user, kind, data) -> ImportJob:
    """A stored job, checked. Who may upload which kind is the importer's ``can_import``."""
    job = ImportJob.objects.create(
        user=user,
        kind=kind,
        file_name="台账.xlsx",
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        content=data,
    )
    return services.validate_job(job)


def commit(user, kind, data) -> ImportJob:
    job = services.commit_job(check(user, kind, data))
    assert job.status == ImportJob.Status.COMMITTED, job.errors
    return job


def errors_by_cell(job) -> dict:
    return {(e["sheet"], e["row"], e["column"]): e["message"] for e in job.errors}


def ledger_checksum() -> str:
    tables = [
        Person.objects.values_list("pk", "name", "version"),
        Dispatch.objects.values_list("pk", "person", "end_date", "status", "version"),
        DispatchBatch.objects.values_list("pk", "number", "programme"),
        VisitBatch.objects.values_list("pk", "title", "end_date", "version"),
        Trainee.objects.values_list("pk", "person", "mentor", "goals", "outcome"),
        Support.objects.values_list("pk", "amount_yuan", "is_approximate", "title", "version"),
        SharedResource.objects.values_list("pk", "title", "scope", "pairing", "version"),
    ]
    return hashlib.sha256(repr([sorted(t) for t in tables]).encode()).hexdigest()


def namesakes(county, town_code, name="第一中学"):
    """Two schools called ``name``: one in ``county``, one in a town of it."""
    make_org(name, county)
    make_org(name, make_region("城关镇", 4, county, code=town_code))


def person(org, name, subjects="", backbone=""):
    return org_services.create_person(
        actor=None, name=name, organisation=org, subjects=subjects, backbone_level=backbone
    )


# --- templates and who may import ----------------------------------------------------


@pytest.mark.parametrize("kind", list(COLUMNS))
def test_template_has_headers_instructions_dropdowns_and_examples(client_for, kind):
    response = client_for("helper").get(reverse("dataio:template"), {"kind": kind})
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames[:2] == ["数据", "说明"]
    data = wb["数据"]
    headers = [c.value for c in data[1]]
    assert headers == [str(c.header) for c in COLUMNS[kind]]
    choice_columns = [c for c in COLUMNS[kind] if c.type == "choice"]
    assert len(data.data_validations.dataValidation) == len(choice_columns)
    assert str(data.cell(row=2, column=1).value).startswith("示例")
    notes = [r[0] for r in wb["说明"].iter_rows(values_only=True)]
    assert set(headers) <= set(notes)


@pytest.mark.parametrize("kind", list(COLUMNS))
def test_example_rows_of_the_template_import_as_nothing(world, client_for, kind):
    data = filled_template(client_for("helper"), kind, [])
    job = check(world.helper, kind, data)
    assert job.errors == []
    assert job.counts == {"create": 0, "update": 0, "unchanged": 0, "error": 0}


@pytest.mark.parametrize("role", ["auditor", "sysadmin", "secadmin", "pending"])
@pytest.mark.parametrize("kind", list(COLUMNS))
def test_roles_without_business_data_cannot_import(world, role, kind):
    user = getattr(world, role, None) or make_user(role, role)
    assert not IMPORTERS[kind].can_import(user)
    data = xlsx(
        "dispatches",
        [row("dispatches", person="王老师", sender="北京九中", host="汐子中学", term="半年")],
    )
    plan = IMPORTERS[kind](user, data).plan()
    assert plan.rows == []
    assert "不能导入" in plan.errors[0]["message"]


def test_business_users_may_import_every_ledger(world):
    for kind in COLUMNS:
        assert IMPORTERS[kind].can_import(world.helper)
        assert IMPORTERS[kind].can_import(world.coordinator)


# --- dispatches -------------------------------------------------------------------------


def _dispatch_rows():
    return [
        row(
            "dispatches",
            person="王老师",
            sender="北京九中",
            host="汐子中学",
            batch="第1批",
            programme="援蒙",
            role="教师",
            term="半年",
            start_date="2019-03-01",
            subjects="数学",
            was_backbone="是",
        ),
        row(
            "dispatches",
            person="李老师",
            sender="北京市第九中學",  # traditional script
            host="宁城县高级中学",
            batch="1",
            programme="援蒙",
            term="一年",
            start_date="2019年3月1日",
        ),
        row(
            "dispatches",
            person="王老师",
            sender="北京九中",
            host="汐子中学",
            batch="第二批",
            programme="援蒙",
            start_date="2019-09-01",
            end_date="2020-01-15",
            was_backbone="是",
        ),
        row(
            "dispatches",
            person="赵主任",
            sender="北京九中",
            host_region="寧城",
            batch=2,
            programme="援蒙",
            role="干部",
            term="一个月",
            start_date="二〇一九年九月一日",
            was_backbone="否",
        ),
        row(
            "dispatches",
            person="钱老师",
            sender="北京九中",
            host="汐子中学",
            start_date="2019-09-02",
            end_date="2019-12-31",
            subjects="语文",
        ),
    ]


def test_dispatch_template_round_trip_figures_reimport_and_undo(world, client_for):
    w = world
    li = person(w.bj9, "李老师", "英语", backbone="district")
    data = filled_template(client_for("helper"), "dispatches", _dispatch_rows())
    job = check(w.helper, "dispatches", data)
    assert job.errors == []
    assert job.counts == {"create": 5, "update": 0, "unchanged": 0, "error": 0}
    people_before = Person.objects.count()
    job = services.commit_job(job)
    assert job.status == ImportJob.Status.COMMITTED, job.errors

    sent = Dispatch.objects.filter(sender=w.bj9)
    figures = dispatch_figures(sent)
    assert figures["person_times"] == 5
    assert figures["people"] == 4  # 王老师 twice
    assert figures["batches"] == 2
    assert figures["backbone_people"] == 2  # 王老师 (typed), 李老师 (registered level)
    assert figures["backbone_share"] == Decimal("50.00")
    assert Person.objects.count() == people_before + 3

    wang = sent.filter(person__name="王老师").order_by("start_date")
    first, second = wang
    assert first.person_id == second.person_id
    assert first.end_date == dt.date(2019, 8, 31)  # 半年 from 1 March
    assert first.pairing == w.p_bj9_xizi and first.host_region == w.ningcheng
    assert (first.batch.number, first.batch.programme, first.batch.year) == (1, "援蒙", 2019)
    assert second.batch.number == 2 and second.term == Dispatch.Term.CUSTOM
    assert second.end_date == dt.date(2020, 1, 15)
    li_dispatch = sent.get(person=li)
    assert li_dispatch.batch == first.batch and li_dispatch.was_backbone
    zhao = sent.get(person__name="赵主任")
    assert zhao.host is None and zhao.host_region == w.ningcheng
    assert zhao.person.kind == Person.Kind.CADRE and zhao.role == Dispatch.Role.CADRE
    assert zhao.end_date == dt.date(2019, 9, 30)
    qian = sent.get(person__name="钱老师")
    assert qian.batch is None and qian.term == Dispatch.Term.CUSTOM
    assert set(sent.values_list("status", flat=True)) == {Dispatch.Status.COMPLETED}

    checksum = ledger_checksum()
    again = commit(w.helper, "dispatches", data)
    assert again.counts == {"create": 0, "update": 0, "unchanged": 5, "error": 0}
    assert ledger_checksum() == checksum

    services.undo_job(again, actor=w.helper)
    services.undo_job(job, actor=w.helper)
    assert not Dispatch.objects.exists() and not DispatchBatch.objects.exists()
    assert Person.objects.count() == people_before
    assert Person.objects.filter(pk=li.pk).exists()


def test_dispatch_update_and_its_undo_restore_exactly(world):
    w = world
    commit(w.helper, "dispatches", xlsx("dispatches", _dispatch_rows()[:2]))
    rows = _dispatch_rows()[:2]
    rows[0] = row(
        "dispatches",
        person="王老师",
        sender="北京九中",
        host="汐子中学",
        batch="第3批",
        programme="援蒙",
        term="半年",
        start_date="2019-03-01",
        note="期满留任",
    )
    update = check(w.helper, "dispatches", xlsx("dispatches", rows))
    assert update.counts == {"create": 0, "update": 1, "unchanged": 1, "error": 0}
    assert set(update.preview["update"][0]["changes"].split("、")) == {"批次", "备注"}
    services.commit_job(update)
    wang = Dispatch.objects.get(person__name="王老师")
    assert (wang.batch.number, wang.note) == (3, "期满留任")

    services.undo_job(update, actor=w.helper)
    wang.refresh_from_db()
    assert (wang.batch.number, wang.note) == (1, "")
    assert not DispatchBatch.objects.filter(number=3).exists()
    assert Dispatch.objects.count() == 2


def test_undo_of_an_update_is_refused_once_the_record_was_edited_since(world):
    w = world
    commit(w.helper, "dispatches", xlsx("dispatches", _dispatch_rows()[:1]))
    rows = [row("dispatches", person="王老师", sender="北京九中", host="汐子中学", term="半年", start_date="2019-03-01", note="期满留任")]  # fmt: skip
    update = commit(w.helper, "dispatches", xlsx("dispatches", rows))
    dispatch = Dispatch.objects.get()
    dispatch_services.update_dispatch(
        dispatch,
        actor=w.helper,
        version=dispatch.version,
        **{f: getattr(dispatch, f) for f in dispatch_services.DISPATCH_FIELDS if f != "note"},
        note="期满留任,任教高三",
    )
    checksum = ledger_checksum()
    with pytest.raises(services.ImportRefused, match="导入后已被修改"):
        services.undo_job(update, actor=w.helper)
    assert ledger_checksum() == checksum
    assert Dispatch.objects.get().note == "期满留任,任教高三"


def test_dispatch_rows_are_all_checked_with_sheet_row_and_column(world):
    w = world
    namesakes(w.ningcheng, "150429-001")
    person(w.bj9, "张伟", "数学")
    person(w.bj9, "张伟", "语文")
    rows = [
        row("dispatches", person="甲", sender="北京九中", host="不存在的学校", term="半年", start_date="2019-03-01"),
        row("dispatches", person="乙", sender="北京九中", host="汐子中学", start_date="2019-03-01"),
        row("dispatches", person="丙", sender="北京九中", host="汐子中学", term="半年", start_date="2019-13-01"),
        row("dispatches", person="丁", sender="北京九中", host="汐子中学", term="半年", start_date="2019-03-01", batch="第X批"),
        row("dispatches", person="戊", sender="北京九中", host="第一中学", term="半年", start_date="2019-03-01"),
        row("dispatches", person="张伟", sender="北京九中", host="汐子中学", term="半年", start_date="2019-03-01"),
        row("dispatches", person="己", sender="北京九中", host="汐子中学", term="半年", start_date="2019-03-01", end_date="2019-02-01"),
        row("dispatches", person="庚", sender="北京九中", host="汐子中学", term="两年", start_date="2019-03-01"),
        row("dispatches", person="张伟", sender="北京九中", host="汐子中学", term="半年", start_date="2019-03-01", subjects="数学"),
    ]  # fmt: skip
    job = check(w.helper, "dispatches", xlsx("dispatches", rows))
    errors = errors_by_cell(job)
    assert job.counts == {"create": 1, "update": 0, "unchanged": 0, "error": 8}
    assert errors[("数据", 2, "受援学校")] == "未找到单位“不存在的学校”。"
    assert errors[("数据", 3, "期限")] == "请填写期限或结束日期。"
    assert "不是可识别的日期" in errors[("数据", 4, "开始日期")]
    assert "第X批" in errors[("数据", 5, "批次")]
    ambiguous = errors[("数据", 6, "受援学校")]
    assert "第一中学(宁城县)" in ambiguous and "第一中学(城关镇)" in ambiguous
    same_name = errors[("数据", 7, "姓名")]
    assert "张伟(数学)" in same_name and "张伟(语文)" in same_name
    assert errors[("数据", 8, "结束日期")] == "结束日期不能早于开始日期。"
    assert "两年" in errors[("数据", 9, "期限")]
    with pytest.raises(services.ImportRefused):
        services.commit_job(job)
    assert not Dispatch.objects.exists()


def test_dispatch_for_a_foreign_sender_is_refused_and_nothing_changes(world):
    w = world
    commit(w.helper, "dispatches", xlsx("dispatches", _dispatch_rows()[:1]))
    checksum = ledger_checksum()
    rows = [
        # The recipient school's staff may not record for the helper school…
        row("dispatches", person="王老师", sender="北京九中", host="汐子中学", term="一年", start_date="2019-03-01", note="改"),
        # …nor for a school of its own region it does not belong to.
        row("dispatches", person="吴老师", sender="宁城县高级中学", host="汐子中学", term="半年", start_date="2019-03-01"),
    ]  # fmt: skip
    job = check(w.recipient, "dispatches", xlsx("dispatches", rows))
    assert job.counts["error"] == 2
    errors = errors_by_cell(job)
    assert errors[("数据", 2, "派出单位")] == "您无权为“北京市第九中学”登记选派。"
    assert errors[("数据", 3, "派出单位")] == "您无权为“宁城县高级中学”登记选派。"
    # An organisation out of sight is simply not found.
    hidden = check(
        w.helper,
        "dispatches",
        xlsx(
            "dispatches",
            [
                row(
                    "dispatches",
                    person="甲",
                    sender="北京九中",
                    host="从江县大歹小学",
                    term="半年",
                    start_date="2019-03-01",
                )
            ],  # fmt: skip
        ),
    )
    assert hidden.errors[0]["message"] == "未找到单位“从江县大歹小学”。"
    assert ledger_checksum() == checksum


def test_undo_is_refused_when_an_imported_dispatch_has_work_logs(world):
    w = world
    job = commit(w.helper, "dispatches", xlsx("dispatches", _dispatch_rows()[:1]))
    dispatch = Dispatch.objects.get()
    WorkLog.objects.create(dispatch=dispatch, date=dt.date(2019, 3, 5), content="听课")
    checksum = ledger_checksum()
    with pytest.raises(services.ImportRefused):
        services.undo_job(job, actor=w.helper)
    assert ledger_checksum() == checksum
    assert WorkLog.objects.count() == 1


# --- visiting trainees --------------------------------------------------------------------


def _trainee_rows(end="2019-04-26", outcome=""):
    batch_one = {"host": "北京九中", "number": "第1批", "start_date": "2019-04-08", "end_date": end}
    batch_two = {
        "host": "北京九中",
        "sending_region": "寧城",
        "number": 2,
        "start_date": "2019年10月14日",
        "end_date": "2019年10月25日",
        "forms_of_study": "跟岗听课",
    }
    return [
        row("trainees", **batch_one, person="赵老师", organisation="汐子中学", subjects="语文", mentor="李老师", goals="作文教学"),
        row("trainees", **batch_one, person="孙老师", organisation="宁城县高级中学", subjects="数学", outcome=outcome),
        row("trainees", **batch_two, person="赵老师", organisation="汐子中学"),
        row("trainees", **batch_two, person="周老师", organisation="汐子中学", mentor="李老师"),
    ]  # fmt: skip


def test_trainee_template_round_trip_figures_reimport_and_undo(world, client_for):
    w = world
    mentor = person(w.bj9, "李老师", "语文", backbone="city")
    people_before = Person.objects.count()
    data = filled_template(client_for("helper"), "trainees", _trainee_rows())
    job = check(w.helper, "trainees", data)
    assert job.errors == []
    assert job.counts == {"create": 4, "update": 0, "unchanged": 0, "error": 0}
    services.commit_job(job)

    batches = VisitBatch.objects.filter(host=w.bj9)
    figures = visit_figures(batches)
    assert (figures["batches"], figures["trainees"], figures["people"]) == (2, 4, 3)
    [by_region] = figures["by_sending_region"]
    assert (by_region["region"], by_region["trainees"], by_region["people"]) == ("宁城县", 4, 3)
    first, second = batches.order_by("start_date")
    assert first.title == "宁城第1批跟岗学习" and first.end_date == dt.date(2019, 4, 26)
    assert second.number == 2 and second.forms_of_study == "跟岗听课"
    assert first.region_pairing == w.rp_sjs_nc
    zhao = Trainee.objects.get(batch=first, person__name="赵老师")
    assert zhao.mentor == mentor and zhao.goals == "作文教学"
    assert zhao.person.organisation == w.xizi and zhao.person.subjects == "语文"
    assert Trainee.objects.get(batch=second, person__name="赵老师").person == zhao.person
    assert Person.objects.count() == people_before + 3

    checksum = ledger_checksum()
    again = commit(w.helper, "trainees", data)
    assert again.counts == {"create": 0, "update": 0, "unchanged": 4, "error": 0}
    assert ledger_checksum() == checksum

    services.undo_job(job, actor=w.helper)
    assert not VisitBatch.objects.exists() and not Trainee.objects.exists()
    assert Person.objects.count() == people_before


def test_trainee_and_batch_update_and_its_undo_restore_exactly(world):
    w = world
    person(w.bj9, "李老师", "语文", backbone="city")
    commit(w.helper, "trainees", xlsx("trainees", _trainee_rows()))
    update = commit(
        w.helper, "trainees", xlsx("trainees", _trainee_rows(end="2019-04-30", outcome="上汇报课"))
    )
    assert update.counts == {"create": 0, "update": 2, "unchanged": 2, "error": 0}
    first = VisitBatch.objects.get(number=1)
    assert first.end_date == dt.date(2019, 4, 30)
    assert Trainee.objects.get(person__name="孙老师").outcome == "上汇报课"

    services.undo_job(update, actor=w.helper)
    first.refresh_from_db()
    assert first.end_date == dt.date(2019, 4, 26)
    assert Trainee.objects.get(person__name="孙老师").outcome == ""
    assert Trainee.objects.count() == 4


def test_trainee_rows_are_all_checked(towns_world):
    w = towns_world
    person(w.bj9, "李老师", "语文")  # not a backbone teacher
    batch = {"host": "北京九中", "start_date": "2019-04-08", "end_date": "2019-04-26"}
    rows = [
        row("trainees", **batch, person="赵老师", organisation="汐子中学"),
        row("trainees", **{**batch, "end_date": "2019-04-27"}, person="钱老师", organisation="汐子中学"),
        row("trainees", **batch, person="孙老师", organisation="汐子中学", mentor="李老师"),
        row("trainees", **batch, person="吴老师", organisation="北京九中"),
        row("trainees", **batch, sending_region="龙坪镇", person="郑老师", organisation="汐子中学"),
        row("trainees", **batch, person="赵老师", organisation="汐子中学"),
        row("trainees", **batch, person="王老师", organisation="汐子中学", mentor="不存在"),
    ]  # fmt: skip
    job = check(w.helper, "trainees", xlsx("trainees", rows))
    errors = errors_by_cell(job)
    assert job.counts == {"create": 1, "update": 0, "unchanged": 0, "error": 6}
    assert errors[("数据", 3, "结束日期")] == "与同一批次的第 2 行不一致。"
    assert errors[("数据", 4, "导师")] == "导师须是骨干教师:李老师 不是骨干教师。"
    assert "接待单位本身" in errors[("数据", 5, "学员单位")]
    region = errors[("数据", 6, "来自地区")]
    assert "522728-001" in region and "522722-001" in region
    assert errors[("数据", 7, "")] == "与第 2 行重复。"
    assert errors[("数据", 8, "导师")] == "“北京市第九中学”没有名为“不存在”的人员。"


def test_trainees_for_a_foreign_host_are_refused_and_nothing_changes(world):
    w = world
    commit(w.helper, "trainees", xlsx("trainees", _trainee_rows()[1:2]))
    checksum = ledger_checksum()
    rows = [row("trainees", host="北京九中", start_date="2019-04-08", end_date="2019-04-26", person="孙老师", organisation="宁城县高级中学", outcome="改")]  # fmt: skip
    job = check(w.recipient, "trainees", xlsx("trainees", rows))
    assert errors_by_cell(job) == {
        ("数据", 2, "接待单位"): "您无权为“北京市第九中学”登记跟岗学员。"
    }
    other = check(w.other_coordinator, "trainees", xlsx("trainees", rows))
    assert other.errors[0]["message"] == "未找到单位“北京九中”。"
    assert ledger_checksum() == checksum


# --- support --------------------------------------------------------------------------------


def _support_rows():
    return [
        row("support", donor="北京九中", recipient="汐子中学", kind="捐赠物资", title="防疫物资", amount="约4.4万元", date="2020-02-20"),
        row("support", donor="北京九中", recipient="汐子中学", kind="学生资助", amount="1万元", date="2019年12月1日", beneficiaries="二十"),
        row("support", donor="北京九中", recipient_region="寧城", kind="消费帮扶", title="采购农产品", amount="123.5万余元", date="2019-11-30"),
        row("support", donor="北京九中", recipient="汐子中学", kind="资金支持", amount=1500.5, date="2019-09-10"),
    ]  # fmt: skip


def test_support_template_round_trip_amounts_reimport_and_undo(world, client_for):
    w = world
    data = filled_template(client_for("helper"), "support", _support_rows())
    job = check(w.helper, "support", data)
    assert job.errors == []
    assert job.counts == {"create": 4, "update": 0, "unchanged": 0, "error": 0}
    services.commit_job(job)

    given = Support.objects.filter(donor=w.bj9)
    amounts = {s.kind: (s.amount_yuan, s.is_approximate) for s in given}
    assert amounts == {
        "goods": (Decimal("44000.00"), True),
        "student_aid": (Decimal("10000.00"), False),
        "consumption": (Decimal("1235000.00"), True),
        "funds": (Decimal("1500.50"), False),
    }
    assert sum(s.amount_yuan for s in given) == Decimal("1290500.50")
    aid = given.get(kind="student_aid")
    assert aid.beneficiaries == 20 and aid.title == "学生资助(宁城县汐子中学)"
    assert aid.pairing == w.p_bj9_xizi and aid.region_pairing == w.rp_sjs_nc
    farm = given.get(kind="consumption")
    assert farm.recipient is None and farm.recipient_region == w.ningcheng and farm.pairing is None

    checksum = ledger_checksum()
    again = commit(w.helper, "support", data)
    assert again.counts == {"create": 0, "update": 0, "unchanged": 4, "error": 0}
    assert ledger_checksum() == checksum

    services.undo_job(job, actor=w.helper)
    assert not Support.objects.exists()


def test_support_update_and_its_undo_restore_exactly(world):
    w = world
    commit(w.helper, "support", xlsx("support", _support_rows()))
    rows = _support_rows()
    rows[0] = row("support", donor="北京九中", recipient="汐子中学", kind="捐赠物资", title="防疫物资", amount="44000", date="2020-02-20", description="口罩、消毒液")  # fmt: skip
    update = commit(w.helper, "support", xlsx("support", rows))
    assert update.counts == {"create": 0, "update": 1, "unchanged": 3, "error": 0}
    goods = Support.objects.get(kind="goods")
    assert (goods.is_approximate, goods.description) == (False, "口罩、消毒液")
    services.undo_job(update, actor=w.helper)
    goods.refresh_from_db()
    assert (goods.is_approximate, goods.description) == (True, "")
    assert Support.objects.count() == 4


def test_support_rows_are_all_checked(world):
    w = world
    namesakes(w.ningcheng, "150429-001")
    future = (dt.date.today() + dt.timedelta(days=10)).isoformat()
    rows = [
        row("support", donor="北京九中", recipient="汐子中学", kind="捐赠物资", amount="四万元", date="2020-02-20"),
        row("support", donor="北京九中", recipient="汐子中学", kind="学生资助", amount="1万", date="2019-12-01"),
        row("support", donor="北京九中", recipient="汐子中学", kind="捐赠物资", amount="-5", date="2019-12-01"),
        row("support", donor="北京九中", recipient="汐子中学", kind="捐赠物资", amount="100", date=future),
        row("support", donor="北京九中", kind="捐赠物资", amount="100", date="2019-12-01"),
        row("support", donor="北京九中", recipient="汐子中学", recipient_region="南明", kind="捐赠物资", amount="100", date="2019-12-01"),
        row("support", donor="北京九中", recipient="汐子中学", kind="捐赠物资", amount="100", date="2019-12-01"),
        row("support", donor="北京九中", recipient="第一中学", kind="捐赠物资", amount="100", date="2019-12-01"),
        row("support", donor="北京九中", recipient="第一中学(城关镇)", kind="捐赠物资", amount="100", date="2019-12-01"),
    ]  # fmt: skip
    job = check(w.helper, "support", xlsx("support", rows))
    errors = errors_by_cell(job)
    assert job.counts == {"create": 2, "update": 0, "unchanged": 0, "error": 7}
    ambiguous = errors[("数据", 9, "受助单位")]
    assert "第一中学(宁城县)" in ambiguous and "第一中学(城关镇)" in ambiguous
    assert "四万元" in errors[("数据", 2, "金额(元)")]
    assert errors[("数据", 3, "受助人数")] == "学生资助须填写受助人数。"
    assert errors[("数据", 4, "金额(元)")] == "金额不能为负数。"
    assert "不能晚于今天" in errors[("数据", 5, "日期")]
    assert errors[("数据", 6, "受助单位")] == "请填写受助单位或受助地区。"
    assert errors[("数据", 7, "受助地区")] == "“宁城县汐子中学”不在“南明区”。"


def test_support_for_a_foreign_donor_is_refused_and_nothing_changes(world):
    w = world
    commit(w.helper, "support", xlsx("support", _support_rows()[:1]))
    checksum = ledger_checksum()
    rows = [
        row("support", donor="宁城县高级中学", recipient="汐子中学", kind="捐赠物资", amount="100", date="2019-12-01"),
        row("support", donor="北京九中", recipient="汐子中学", kind="捐赠物资", title="防疫物资", amount="约4.4万元", date="2020-02-20", description="改"),
    ]  # fmt: skip
    job = check(w.helper, "support", xlsx("support", rows[:1]))
    assert errors_by_cell(job) == {
        ("数据", 2, "提供单位"): "您无权为“宁城县高级中学”登记帮扶记录。"
    }
    outsider = check(w.outsider, "support", xlsx("support", rows[1:]))
    assert outsider.errors[0]["message"] == "未找到单位“北京九中”。"
    assert ledger_checksum() == checksum


# --- shared resources ------------------------------------------------------------------------


def _resource_rows():
    return [
        row("resources", owner="北京九中", title="《老王》教学设计", kind="教学资料", subject="语文", stage="初中"),
        row("resources", owner="北京九中", title="复习课实录", kind="课堂实录", scope="本单位所有结对学校", subject="数学"),
        row("resources", owner="北京九中", title="家长会课件", kind="课件", scope="本结对", partner="汐子中学"),
    ]  # fmt: skip


def test_resource_template_round_trip_reimport_and_undo(world, client_for):
    w = world
    data = filled_template(client_for("helper"), "resources", _resource_rows())
    job = check(w.helper, "resources", data)
    assert job.errors == []
    assert job.counts == {"create": 3, "update": 0, "unchanged": 0, "error": 0}
    services.commit_job(job)
    shared = SharedResource.objects.filter(owner=w.bj9)
    lesson = shared.get(title="《老王》教学设计")
    assert (lesson.scope, lesson.pairing, lesson.stage) == ("pairing", w.p_bj9_xizi, "junior")
    assert not lesson.file
    assert shared.get(title="复习课实录").pairing is None
    assert shared.get(title="家长会课件").pairing == w.p_bj9_xizi
    # The recipient school sees what is shared in its pairing.
    assert SharedResource.objects.visible_to(w.recipient).count() == 3

    checksum = ledger_checksum()
    again = commit(w.helper, "resources", data)
    assert again.counts == {"create": 0, "update": 0, "unchanged": 3, "error": 0}
    assert ledger_checksum() == checksum

    services.undo_job(job, actor=w.helper)
    assert not SharedResource.objects.exists()


def test_resource_update_and_its_undo_restore_exactly(world):
    w = world
    commit(w.helper, "resources", xlsx("resources", _resource_rows()))
    rows = _resource_rows()
    rows[0] = row("resources", owner="北京九中", title="《老王》教学设计", kind="教学资料", scope="本单位所有结对学校")  # fmt: skip
    update = commit(w.helper, "resources", xlsx("resources", rows))
    assert update.counts == {"create": 0, "update": 1, "unchanged": 2, "error": 0}
    lesson = SharedResource.objects.get(title="《老王》教学设计")
    assert (lesson.scope, lesson.pairing) == ("all_partners", None)
    services.undo_job(update, actor=w.helper)
    lesson.refresh_from_db()
    assert (lesson.scope, lesson.pairing) == ("pairing", w.p_bj9_xizi)
    assert SharedResource.objects.count() == 3


def test_resource_rows_are_all_checked_and_foreign_owners_refused(world):
    w = world
    make_pairing_with_second_partner(w)
    rows = [
        row("resources", owner="汐子中学", title="甲", kind="课件"),
        row("resources", owner="北京九中", title="乙", kind="课件"),
        row("resources", owner="北京九中", title="丙", kind="课件", partner="南明小学"),
        row("resources", owner="北京九中", title="丁", kind="视频"),
        row("resources", owner="北京九中", title="戊", kind="课件", partner="宁城县高级中学"),
    ]  # fmt: skip
    job = check(w.helper, "resources", xlsx("resources", rows))
    errors = errors_by_cell(job)
    assert job.counts == {"create": 1, "update": 0, "unchanged": 0, "error": 4}
    assert errors[("数据", 2, "提供单位")] == "您无权以“宁城县汐子中学”的名义共享资源。"
    assert errors[("数据", 3, "结对单位")].startswith("“北京市第九中学”有多个结对关系")
    assert errors[("数据", 4, "结对单位")] == "未找到单位“南明小学”。"
    assert "视频" in errors[("数据", 5, "资源类型")]
    assert not SharedResource.objects.exists()


def test_resource_owner_named_twice_lists_the_candidates(world):
    w = world
    namesakes(w.sjs, "110107-001")
    rows = [row("resources", owner="第一中学", title="甲", kind="课件", scope="本单位所有结对学校")]
    job = check(w.coordinator, "resources", xlsx("resources", rows))
    message = errors_by_cell(job)[("数据", 2, "提供单位")]
    assert "第一中学(石景山区)" in message and "第一中学(城关镇)" in message
    assert not SharedResource.objects.exists()


def make_pairing_with_second_partner(w):
    from conftest import make_pairing

    return make_pairing([w.bj9], [w.ncgz], region_pairing=w.rp_sjs_nc)


@pytest.fixture
def towns_world(world):
    """Two towns named 龙坪镇 in two counties, for the ambiguity check."""
    qn = make_region("黔南布依族苗族自治州", 2, world.guizhou, code="522700", short_name="黔南")
    luodian = make_region("罗甸县", 3, qn, code="522728", short_name="罗甸")
    other = make_region("荔波县", 3, qn, code="522722", short_name="荔波")
    make_region("龙坪镇", 4, luodian, code="522728-001")
    make_region("龙坪镇", 4, other, code="522722-001")
    return world
