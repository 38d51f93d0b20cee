"""Imports of people, pairings, region pairings, needs, and projects with targets.

Each kind: the template round trip, errors with sheet, row and column, ambiguous
names listing their candidates, re-import changing nothing, undo taking back
exactly its import, and rows naming what the user may not change refused.
"""

import datetime as dt
import hashlib
import io

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from bangfu.audit.models import AuditEntry
from bangfu.dataio import services
from bangfu.dataio.columns import NEED, PAIRING, PERSON, PROJECT, REGION_PAIRING
from bangfu.dataio.importers import IMPORTERS
from bangfu.dataio.models import ImportedRow, ImportJob
from bangfu.lib import crypto, idcard
from bangfu.needs.models import Need, NeedCategory
from bangfu.orgs import services as org_services
from bangfu.orgs.models import Person
from bangfu.pairings.models import Pairing, RegionPairing
from bangfu.plans.models import Project, ProjectTarget
from conftest import make_org, make_pairing, make_region, make_user

MY_KINDS = ["people", "pairings", "region_pairings", "needs", "projects"]
ID_1 = "11010519491231002X"
ID_2 = "11010519800101001" + idcard.check_digit("11010519800101001")


def row(columns, **cells) -> list:
    """A sheet row from {header: value}: row(PERSON, 姓名="张伟", 所在单位="北京九中")."""
    known = {str(c.header) for c in columns}
    assert set(cells) <= known, set(cells) - known
    return [cells.get(str(c.header), "") for c in columns]


def sheet(columns, rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "数据"
    ws.append([str(c.header) for c in columns])
    for r in rows:
        ws.append(r)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def from_template(client, kind, rows) -> bytes:
    """Download the kind's template, add rows below its example rows, save."""
    response = client.get(reverse("dataio:template"), {"kind": kind})
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    for r in rows:
        wb["数据"].append(r)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def check(user, kind, data) -> ImportJob:
    job = ImportJob.objects.create(
        user=user,
        kind=kind,
        file_name=f"{kind}.xlsx",
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        content=data,
    )
    return services.validate_job(job)


def commit(user, kind, data) -> ImportJob:
    job = check(user, kind, data)
    assert job.errors == [], job.errors
    job = services.commit_job(job)
    assert job.status == ImportJob.Status.COMMITTED, job.errors
    return job


def errors_at(job) -> dict:
    return {(e["sheet"], e["row"], e["column"]): e["message"] for e in job.errors}


def counts(create=0, update=0, unchanged=0, error=0) -> dict:
    return {"create": create, "update": update, "unchanged": unchanged, "error": error}


def ledger_state() -> str:
    return repr(
        (
            list(
                Person.objects.order_by("pk").values_list(
                    "pk", "name", "position", "version", "phone_hash", "id_number_hash"
                )
            ),
            list(
                Pairing.objects.order_by("pk").values_list(
                    "pk", "name", "status", "end_date", "version"
                )
            ),
            list(RegionPairing.objects.order_by("pk").values_list("pk", "note", "version")),
            list(Need.objects.order_by("pk").values_list("pk", "title", "status", "version")),
            list(Project.objects.order_by("pk").values_list("pk", "name", "version")),
            list(
                ProjectTarget.objects.order_by("pk").values_list(
                    "pk", "description", "target_value"
                )
            ),
        )
    )


def refused_and_unchanged(user, kind, data, before: str) -> ImportJob:
    job = check(user, kind, data)
    assert job.errors
    with pytest.raises(services.ImportRefused):
        services.commit_job(job)
    assert ledger_state() == before
    return job


@pytest.fixture
def twins(world):
    """Two schools named 实验小学, in 石景山区 and in 宁城县: both visible to the coordinator."""
    world.sy_sjs = make_org("实验小学", world.sjs, stage="primary")
    world.sy_nc = make_org("实验小学", world.ningcheng, stage="primary")
    return world


# --- who may import, and the templates ----------------------------------------------


def test_only_coordinators_and_school_staff_import_business_data(world):
    from bangfu.accounts.models import User

    w = world
    # Every other role (administrators, auditors, accounts waiting for a role), even
    # with an organisation set, imports nothing.
    others = [
        make_user(f"user_{role}", role, w.sjs_bureau)
        for role in User.Role.values
        if role not in (User.Role.COORDINATOR, User.Role.SCHOOL_STAFF)
    ]
    assert others
    data = sheet(PERSON, [row(PERSON, 姓名="张伟", 所在单位="北京九中")])
    for kind in MY_KINDS:
        importer = IMPORTERS[kind]
        assert not any(importer.can_import(user) for user in others), kind
        assert importer.can_import(w.coordinator), kind
        # A job stored before the account lost its role checks nothing and writes nothing.
        for user in others:
            plan = importer(user, data).plan()
            assert plan.rows == [] and "不能导入" in plan.errors[0]["message"]
    for kind in ("people", "pairings", "needs"):
        assert IMPORTERS[kind].can_import(w.helper)
    for kind in ("region_pairings", "projects"):
        assert not IMPORTERS[kind].can_import(w.helper)


@pytest.mark.parametrize("kind", MY_KINDS)
def test_template_has_instructions_dropdowns_and_skipped_examples(world, client_for, kind):
    response = client_for("coordinator").get(reverse("dataio:template"), {"kind": kind})
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames[:2] == ["数据", "说明"]
    headers = [c.value for c in wb["数据"][1]]
    notes = {r[0] for r in wb["说明"].iter_rows(values_only=True)}
    assert set(headers) <= notes
    assert wb["数据"].data_validations.dataValidation
    assert str(wb["数据"].cell(row=2, column=1).value).startswith("示例")
    job = check(world.coordinator, kind, response.content)
    assert job.errors == [] and job.counts == counts()


def test_need_template_lists_the_categories_admins_keep(world, client_for):
    NeedCategory.objects.create(name="劳动教育")
    response = client_for("recipient").get(reverse("dataio:template"), {"kind": "needs"})
    wb = load_workbook(io.BytesIO(response.content))
    options = {v for r in wb["选项"].iter_rows(values_only=True) for v in r if v}
    assert {"学科教学", "家长指导", "劳动教育", "已满足", "高"} <= options


# --- people -----------------------------------------------------------------------------


def test_people_round_trip_reimport_update_and_undo(world, client_for):
    w = world
    rows = [
        row(
            PERSON,
            姓名="张伟",
            所在单位="北京九中",
            类别="教师",
            任教学科="数学,物理",
            骨干级别="市级骨干",
            手机号码="138 1234 5678",
            身份证号码=ID_1,
        ),
        row(PERSON, 姓名="李芳", 所在单位="北京市第九中學", 类别="干部", 职务="副校长"),
    ]
    data = from_template(client_for("helper"), "people", rows)
    job = check(w.helper, "people", data)
    assert job.counts == counts(create=2), job.errors
    job = commit(w.helper, "people", data)
    zhang = Person.objects.get(name="张伟")
    assert zhang.organisation == w.bj9
    assert (zhang.subjects, zhang.backbone_level) == ("数学、物理", "city")
    assert zhang.phone() == "13812345678" and zhang.phone_masked == "138****5678"
    assert zhang.id_number_hash == crypto.lookup_hash(ID_1)
    li = Person.objects.get(name="李芳")
    assert (li.kind, li.position, li.organisation) == ("cadre", "副校长", w.bj9)
    # Never stored in plain text: not in the row, the undo record or the audit trail.
    stored = repr(list(Person.objects.values())) + repr(list(ImportedRow.objects.values()))
    stored += repr(list(AuditEntry.objects.values_list("changes", flat=True)))
    assert "13812345678" not in stored and ID_1 not in stored

    state = ledger_state()
    again = commit(w.helper, "people", data)
    assert again.counts == counts(unchanged=2)
    assert ledger_state() == state

    # A new phone number: the ID number says it is still the same person.
    changed = sheet(
        PERSON,
        [
            row(
                PERSON,
                姓名="张伟",
                所在单位="北京九中",
                职务="教研组长",
                手机号码="13900001111",
                身份证号码=ID_1,
            )
        ],
    )
    update = commit(w.helper, "people", changed)
    assert update.counts == counts(update=1)
    zhang.refresh_from_db()
    assert (zhang.position, zhang.phone()) == ("教研组长", "13900001111")
    assert "13812345678" not in repr(ImportedRow.objects.filter(job=update).values_list("before"))

    services.undo_job(update, actor=w.helper)
    zhang.refresh_from_db()
    assert (zhang.position, zhang.phone(), zhang.id_number()) == ("", "13812345678", ID_1)
    services.undo_job(job, actor=w.helper)
    assert not Person.objects.filter(name__in=["张伟", "李芳"]).exists()


def test_people_errors_give_sheet_row_and_column(world):
    before = ledger_state()
    data = sheet(
        PERSON,
        [
            row(PERSON, 姓名="甲", 所在单位="北京九中", 手机号码="12345"),
            row(PERSON, 姓名="乙", 所在单位="北京九中", 类别="校长"),
            row(PERSON, 所在单位="北京九中"),
            row(PERSON, 姓名="丁", 所在单位="不存在中学"),
            row(PERSON, 姓名="戊", 所在单位="北京九中", 身份证号码="110105194912310021"),
            row(PERSON, 姓名="己", 所在单位="北京九中"),
        ],
    )
    job = refused_and_unchanged(world.helper, "people", data, before)
    errors = errors_at(job)
    assert "手机号码" in errors[("数据", 2, "手机号码")]
    assert "“校长”不是可选的值,可选:干部、教师" in errors[("数据", 3, "类别")]
    assert errors[("数据", 4, "姓名")] == "必填,不能为空。"
    assert errors[("数据", 5, "所在单位")] == "未找到单位“不存在中学”。"
    assert "校验位" in errors[("数据", 6, "身份证号码")]
    assert job.counts == counts(create=1, error=5)


def test_people_ambiguous_organisation_lists_candidates(twins):
    w = twins
    data = sheet(PERSON, [row(PERSON, 姓名="赵老师", 所在单位="实验小学")])
    job = check(w.coordinator, "people", data)
    message = errors_at(job)[("数据", 2, "所在单位")]
    assert "实验小学(石景山区)" in message and "实验小学(宁城县)" in message
    qualified = sheet(PERSON, [row(PERSON, 姓名="赵老师", 所在单位="实验小学(石景山)")])
    commit(w.coordinator, "people", qualified)
    assert Person.objects.get(name="赵老师").organisation == w.sy_sjs


def test_people_of_a_renamed_school_are_found_by_its_former_name(world):
    w = world
    org_services.rename_organisation(
        w.wyxx, "石景山外国语实验学校", actor=None, valid_until=dt.date(2020, 8, 31)
    )
    data = sheet(PERSON, [row(PERSON, 姓名="吴老师", 所在单位="石景山外语实验小学")])
    commit(w.coordinator, "people", data)
    assert Person.objects.get(name="吴老师").organisation == w.wyxx


def test_people_of_a_foreign_organisation_are_refused(world):
    w = world
    org_services.create_person(actor=None, name="孙老师", organisation=w.xizi)
    before = ledger_state()
    data = sheet(
        PERSON,
        [
            row(PERSON, 姓名="孙老师", 所在单位="汐子中学", 职务="校长"),
            row(PERSON, 姓名="周老师", 所在单位="从江县大歹小学"),
        ],
    )
    job = refused_and_unchanged(w.helper, "people", data, before)
    errors = errors_at(job)
    assert errors[("数据", 2, "所在单位")] == "您无权为单位“宁城县汐子中学”导入人员。"
    # Out of sight: the same answer as for a school that does not exist.
    assert errors[("数据", 3, "所在单位")] == "未找到单位“从江县大歹小学”。"


def test_people_are_matched_by_id_number_then_name_and_phone(world):
    w = world
    first = org_services.create_person(actor=None, name="王敏", organisation=w.bj9, id_number=ID_1)
    org_services.create_person(actor=None, name="王敏", organisation=w.bj9, phone="13700000000")
    data = sheet(
        PERSON,
        [
            # The ID number finds her although the name was registered in error.
            row(PERSON, 姓名="王敏敏", 所在单位="北京九中", 身份证号码=ID_1),
            row(PERSON, 姓名="王敏", 所在单位="北京九中", 手机号码="13700000000", 职务="班主任"),
            # A namesake: her ID and phone number are not the registered ones'.
            row(PERSON, 姓名="王敏", 所在单位="北京九中", 身份证号码=ID_2, 手机号码="13600000000"),
        ],
    )
    job = check(w.helper, "people", data)
    assert job.counts == counts(update=2, create=1), job.errors
    without_numbers = check(
        w.helper, "people", sheet(PERSON, [row(PERSON, 姓名="王敏", 所在单位="北京九中")])
    )
    message = errors_at(without_numbers)[("数据", 2, "姓名")]
    assert "2 名人员" in message and "110105********002X" in message and "137****0000" in message
    services.commit_job(job)
    first.refresh_from_db()
    assert first.name == "王敏敏"


def test_masked_numbers_from_an_export_keep_the_stored_ones(world):
    w = world
    org_services.create_person(actor=None, name="钱老师", organisation=w.bj9, phone="13812345678")
    same = sheet(PERSON, [row(PERSON, 姓名="钱老师", 所在单位="北京九中", 手机号码="138****5678")])
    assert check(w.helper, "people", same).counts == counts(unchanged=1)
    other = sheet(PERSON, [row(PERSON, 姓名="钱老师", 所在单位="北京九中", 手机号码="139****5678")])
    assert "部分隐藏" in errors_at(check(w.helper, "people", other))[("数据", 2, "手机号码")]


def test_people_erased_on_request_stay_erased(world):
    w = world
    data = sheet(PERSON, [row(PERSON, 姓名="冯老师", 所在单位="北京九中", 身份证号码=ID_1)])
    commit(w.helper, "people", data)
    person = Person.objects.get(name="冯老师")
    change = sheet(
        PERSON,
        [row(PERSON, 姓名="冯老师", 所在单位="北京九中", 身份证号码=ID_1, 手机号码="13812345678")],
    )
    update = commit(w.helper, "people", change)
    org_services.erase_person(person, actor=w.helper)
    # Undoing the change would bring a number back: refused, nothing restored.
    with pytest.raises(services.ImportRefused, match="已按申请删除"):
        services.undo_job(update, actor=w.helper)
    person.refresh_from_db()
    assert (person.phone_hash, person.id_number_hash) == ("", "")
    # The erased record is never matched again: the row registers someone new.
    assert check(w.helper, "people", data).counts == counts(create=1)


# --- pairings ---------------------------------------------------------------------------


def test_pairing_round_trip_reimport_and_undo(world, client_for):
    w = world
    rows = [
        row(
            PAIRING,
            帮扶方单位="北京九中",
            受援方单位="宁城县高级中学",
            结对模式="一对一",
            开始日期="2020-09-01",
            状态="进行中",
        ),
        row(
            PAIRING,
            帮扶方单位="北京九中、石景山外语实验小学",
            受援方单位="汐子中学",
            结对模式="组团式",
            开始日期="二〇二一年三月一日",
        ),
        row(
            PAIRING,
            帮扶方单位="石景山外语实验小学",
            受援方单位="宁城县高级中学",
            结对模式="托管",
            开始日期="2020.9.1",
            名称="外语实验小学托管高级中学",
        ),
    ]
    data = from_template(client_for("coordinator"), "pairings", rows)
    before = ledger_state()
    job = commit(w.coordinator, "pairings", data)
    assert job.counts == counts(create=3)
    one = Pairing.objects.get(parties__organisation=w.ncgz, mode="one_to_one")
    assert (one.status, one.start_date, one.helpers()) == ("active", dt.date(2020, 9, 1), [w.bj9])
    group = Pairing.objects.get(mode="group")
    assert group.helpers() == [w.bj9, w.wyxx] and group.recipients() == [w.xizi]
    assert group.status == "proposed"
    assert Pairing.objects.get(mode="entrusted", name="外语实验小学托管高级中学").recipients() == [
        w.ncgz
    ]

    state = ledger_state()
    assert commit(w.coordinator, "pairings", data).counts == counts(unchanged=3)
    assert ledger_state() == state
    services.undo_job(job, actor=w.coordinator)
    assert ledger_state() == before


def test_pairing_errors_give_sheet_row_and_column(world):
    before = ledger_state()
    data = sheet(
        PAIRING,
        [
            row(
                PAIRING,
                帮扶方单位="北京九中",
                受援方单位="宁城县高级中学",
                结对模式="结亲",
                开始日期="2020-09-01",
            ),
            row(
                PAIRING,
                帮扶方单位="北京九中、石景山外语实验小学",
                受援方单位="宁城县高级中学",
                结对模式="一对一",
                开始日期="2020-09-01",
            ),
            row(
                PAIRING,
                帮扶方单位="北京九中",
                受援方单位="宁城县高级中学",
                结对模式="一对一",
                开始日期="2020-09-01",
                结束日期="2019-09-01",
            ),
            row(
                PAIRING,
                帮扶方单位="北京九中",
                受援方单位="宁城县高级中学",
                结对模式="一对一",
                开始日期="明天",
            ),
            row(
                PAIRING,
                帮扶方单位="北京九中",
                受援方单位="宁城县高级中学",
                结对模式="一对一",
                开始日期="2020-09-01",
                状态="进行中",
            ),
        ],
    )
    job = refused_and_unchanged(world.helper, "pairings", data, before)
    errors = errors_at(job)
    assert "“结亲”不是可选的值" in errors[("数据", 2, "结对模式")]
    assert errors[("数据", 3, "帮扶方单位")] == "“一对一”须恰好有 1 个帮扶方单位。"
    assert errors[("数据", 4, "结束日期")] == "结束日期不能早于开始日期。"
    assert errors[("数据", 5, "开始日期")] == "“明天”不是可识别的日期。"
    assert "状态为“拟结对”" in errors[("数据", 6, "状态")]


def test_pairing_ambiguous_school_lists_candidates(twins):
    data = sheet(
        PAIRING,
        [
            row(
                PAIRING,
                帮扶方单位="北京九中",
                受援方单位="实验小学",
                结对模式="一对一",
                开始日期="2020-09-01",
            )
        ],
    )
    message = errors_at(check(twins.coordinator, "pairings", data))[("数据", 2, "受援方单位")]
    assert "实验小学(石景山区)" in message and "实验小学(宁城县)" in message


def test_school_staff_cannot_import_pairings_of_other_schools(world):
    before = ledger_state()
    data = sheet(
        PAIRING,
        [
            row(
                PAIRING,
                帮扶方单位="石景山外语实验小学",
                受援方单位="宁城县高级中学",
                结对模式="一对一",
                开始日期="2020-09-01",
            ),
            row(
                PAIRING,
                帮扶方单位="南明小学",
                受援方单位="从江县大歹小学",
                结对模式="一对一",
                开始日期="2020-09-01",
            ),
        ],
    )
    job = refused_and_unchanged(world.helper, "pairings", data, before)
    errors = errors_at(job)
    assert errors[("数据", 2, "帮扶方单位")] == "学校用户建立的结对须把本校列为帮扶方。"
    assert errors[("数据", 3, "帮扶方单位")] == "未找到单位“南明小学”。"


def test_existing_pairing_is_updated_and_undo_restores_it(world):
    w = world
    data = sheet(
        PAIRING,
        [
            row(
                PAIRING,
                帮扶方单位="北京九中",
                受援方单位="汐子中学",
                结对模式="一对一",
                开始日期="2019-03-01",
                结束日期="2022-07-31",
            )
        ],
    )
    # The recipient school sees the pairing but may not change it.
    assert "无权修改" in check(w.recipient, "pairings", data).errors[0]["message"]
    job = commit(w.coordinator, "pairings", data)
    assert job.counts == counts(update=1)
    w.p_bj9_xizi.refresh_from_db()
    assert w.p_bj9_xizi.end_date == dt.date(2022, 7, 31)
    services.undo_job(job, actor=w.coordinator)
    w.p_bj9_xizi.refresh_from_db()
    assert w.p_bj9_xizi.end_date is None


def test_undo_keeps_a_pairing_that_later_records_use(world):
    w = world
    data = sheet(
        PAIRING,
        [
            row(
                PAIRING,
                帮扶方单位="北京九中",
                受援方单位="宁城县高级中学",
                结对模式="一对一",
                开始日期="2020-09-01",
            )
        ],
    )
    job = commit(w.coordinator, "pairings", data)
    pairing = Pairing.objects.get(parties__organisation=w.ncgz)
    Need.objects.create(
        pairing=pairing,
        organisation=w.ncgz,
        category=NeedCategory.objects.first(),
        title="物理实验教学",
    )
    with pytest.raises(services.ImportRefused):
        services.undo_job(job, actor=w.coordinator)
    assert Pairing.objects.filter(pk=pairing.pk).exists()


# --- region pairings --------------------------------------------------------------------


def test_region_pairing_round_trip_update_and_undo(world, client_for):
    w = world
    rows = [
        row(
            REGION_PAIRING,
            帮扶方地区="石景山",
            受援方地区="从江县",
            层级="区级",
            开始日期="2019-01-01",
        ),
        row(
            REGION_PAIRING,
            帮扶方地区="石景山區",
            受援方地区="寧城",
            开始日期="2018-01-01",
            说明="对口帮扶",
        ),
    ]
    data = from_template(client_for("coordinator"), "region_pairings", rows)
    job = commit(w.coordinator, "region_pairings", data)
    assert job.counts == counts(create=1, update=1)
    assert RegionPairing.objects.filter(helper_region=w.sjs, recipient_region=w.congjiang).exists()
    w.rp_sjs_nc.refresh_from_db()
    assert w.rp_sjs_nc.note == "对口帮扶"
    state = ledger_state()
    assert commit(w.coordinator, "region_pairings", data).counts == counts(unchanged=2)
    assert ledger_state() == state
    services.undo_job(job, actor=w.coordinator)
    w.rp_sjs_nc.refresh_from_db()
    assert w.rp_sjs_nc.note == ""
    assert not RegionPairing.objects.filter(
        recipient_region=w.congjiang, helper_region=w.sjs
    ).exists()


def test_region_pairing_errors_and_ambiguous_towns(world):
    w = world
    qn = make_region("黔南布依族苗族自治州", 2, w.guizhou, code="522700")
    make_region("龙坪镇", 4, make_region("罗甸县", 3, qn, code="522728"), code="522728-001")
    make_region("龙坪镇", 4, make_region("荔波县", 3, qn, code="522722"), code="522722-001")
    before = ledger_state()
    data = sheet(
        REGION_PAIRING,
        [
            row(REGION_PAIRING, 帮扶方地区="南明区", 受援方地区="从江", 开始日期="2019-01-01"),
            row(REGION_PAIRING, 帮扶方地区="石景山", 受援方地区="龙坪镇", 开始日期="2019-01-01"),
            row(REGION_PAIRING, 帮扶方地区="石景山", 受援方地区="石景山区", 开始日期="2019-01-01"),
            row(REGION_PAIRING, 帮扶方地区="石景山", 受援方地区="火星", 开始日期="2019-01-01"),
        ],
    )
    job = refused_and_unchanged(w.coordinator, "region_pairings", data, before)
    errors = errors_at(job)
    assert "不在您的辖区内" in errors[("数据", 2, "帮扶方地区")]
    assert "522728-001" in errors[("数据", 3, "受援方地区")]
    assert "522722-001" in errors[("数据", 3, "受援方地区")]
    assert errors[("数据", 4, "受援方地区")] == "帮扶方和受援方不能是同一个地区。"
    assert errors[("数据", 5, "受援方地区")] == "未找到地区“火星”。"


# --- needs ------------------------------------------------------------------------------


def test_needs_round_trip_reimport_and_undo(world, client_for):
    w = world
    rows = [
        row(
            NEED,
            受援单位="汐子中学",
            需求类别="学科教学",
            需求名称="初三数学复习课指导",
            学科="数学",
            优先级="高",
            希望开始日期="2019-09-01",
            希望完成日期="2020年1月15日",
            具体说明="希望派骨干教师听课评课",
        ),
        row(
            NEED,
            受援单位="寧城縣汐子中學",
            需求类别="园所管理",
            需求名称="家长学校讲座",
            状态="已满足",
        ),
    ]
    data = from_template(client_for("recipient"), "needs", rows)
    job = commit(w.recipient, "needs", data)
    assert job.counts == counts(create=2)
    maths = Need.objects.get(title="初三数学复习课指导")
    assert (maths.pairing, maths.organisation, maths.priority) == (w.p_bj9_xizi, w.xizi, "high")
    assert maths.wished_end == dt.date(2020, 1, 15) and maths.category.name == "学科教学"
    talk = Need.objects.get(title="家长学校讲座")
    assert (talk.status, talk.category.name) == ("met", "学校管理/园所管理")

    state = ledger_state()
    assert commit(w.recipient, "needs", data).counts == counts(unchanged=2)
    assert ledger_state() == state

    changed = sheet(
        NEED,
        [
            row(
                NEED,
                受援单位="汐子中学",
                需求类别="教师培训",
                需求名称="初三数学复习课指导",
                希望开始日期="2019-09-01",
            )
        ],
    )
    update = commit(w.recipient, "needs", changed)
    assert update.counts == counts(update=1)
    services.undo_job(update, actor=w.recipient)
    maths.refresh_from_db()
    assert maths.category.name == "学科教学"
    services.undo_job(job, actor=w.recipient)
    assert not Need.objects.exists()


def test_undo_keeps_a_need_claimed_since(world):
    from bangfu.needs import services as need_services

    w = world
    data = sheet(NEED, [row(NEED, 受援单位="汐子中学", 需求类别="德育", 需求名称="班主任培训")])
    job = commit(w.recipient, "needs", data)
    need_services.claim_need(Need.objects.get(), actor=w.helper)
    with pytest.raises(services.ImportRefused, match="已被认领"):
        services.undo_job(job, actor=w.recipient)
    assert Need.objects.get().claimed_by == w.bj9


def test_need_errors_give_sheet_row_and_column(world):
    w = world
    Need.objects.create(
        pairing=w.p_bj9_xizi,
        organisation=w.xizi,
        category=NeedCategory.objects.get(name="学科教学"),
        title="英语听说",
    )
    before = ledger_state()
    data = sheet(
        NEED,
        [
            row(NEED, 受援单位="汐子中学", 需求类别="烹饪", 需求名称="甲"),
            row(
                NEED,
                受援单位="汐子中学",
                需求类别="德育",
                需求名称="乙",
                希望开始日期="2020-03-01",
                希望完成日期="2020-01-01",
            ),
            row(NEED, 受援单位="汐子中学", 需求类别="学科教学", 需求名称="英语听说", 状态="已满足"),
            row(NEED, 受援单位="汐子中学", 帮扶单位="南明小学", 需求类别="德育", 需求名称="丙"),
            row(NEED, 受援单位="汐子中学", 需求类别="德育"),
        ],
    )
    job = refused_and_unchanged(w.recipient, "needs", data, before)
    errors = errors_at(job)
    assert "“烹饪”不是可选的值" in errors[("数据", 2, "需求类别")]
    assert "学科教学" in errors[("数据", 2, "需求类别")]
    assert errors[("数据", 3, "希望完成日期")] == "希望完成日期不能早于希望开始日期。"
    assert "状态为“待认领”" in errors[("数据", 4, "状态")]
    assert errors[("数据", 5, "帮扶单位")] == "未找到单位“南明小学”。"
    assert errors[("数据", 6, "需求名称")] == "必填,不能为空。"


def test_needs_are_listed_by_the_recipient_side_only(world):
    before = ledger_state()
    data = sheet(NEED, [row(NEED, 受援单位="汐子中学", 需求类别="德育", 需求名称="班主任培训")])
    for user in (world.helper, world.coordinator):
        job = refused_and_unchanged(user, "needs", data, before)
        assert "不能为“宁城县汐子中学”登记需求" in errors_at(job)[("数据", 2, "受援单位")]


def test_need_of_a_school_with_several_pairings_names_the_helper(world):
    w = world
    make_pairing([w.wyxx], [w.xizi])
    data = sheet(NEED, [row(NEED, 受援单位="汐子中学", 需求类别="德育", 需求名称="班主任培训")])
    message = errors_at(check(w.recipient, "needs", data))[("数据", 2, "帮扶单位")]
    assert "北京市第九中学 ↔ 宁城县汐子中学" in message
    assert "石景山外语实验小学 ↔ 宁城县汐子中学" in message
    named = sheet(
        NEED,
        [
            row(
                NEED,
                受援单位="汐子中学",
                帮扶单位="石景山外语实验小学",
                需求类别="德育",
                需求名称="班主任培训",
            )
        ],
    )
    commit(w.recipient, "needs", named)
    assert Need.objects.get().pairing.helpers() == [w.wyxx]


# --- projects and targets ---------------------------------------------------------------


def _project_rows(value=350, extra=()):
    common = {"项目名称": "送教下乡", "年度": 2019, "受援地区": "宁城", "开始日期": "2019-03-01"}
    return [
        row(
            PROJECT,
            **common,
            级别="区级",
            结束日期="2019-12-31",
            状态="实施中",
            指标="培训当地教师",
            目标数量=value,
            计量单位="人次",
        ),
        row(PROJECT, **common, 指标="送教讲座", 目标数量="二十", 计量单位="场", 口径="恰好"),
        *extra,
        row(
            PROJECT,
            项目名称="名师工作室",
            受援地区="寧城縣",
            开始日期="2019年4月1日",
            结束日期="2019-12-31",
        ),
    ]


def test_projects_with_targets_round_trip_update_and_undo(world, client_for):
    w = world
    data = from_template(client_for("coordinator"), "projects", _project_rows())
    job = commit(w.coordinator, "projects", data)
    assert job.counts == counts(create=3)
    project = Project.objects.get(name="送教下乡")
    assert (project.owner, project.recipient_region, project.year) == (
        w.sjs_bureau,
        w.ningcheng,
        2019,
    )
    assert (project.status, project.end_date) == ("active", dt.date(2019, 12, 31))
    targets = {t.description: (t.target_value, t.unit, t.is_minimum) for t in project.targets.all()}
    assert targets == {"培训当地教师": (350, "人次", True), "送教讲座": (20, "场", False)}
    studio = Project.objects.get(name="名师工作室")
    assert (studio.year, studio.level, studio.targets.count()) == (2019, "district", 0)

    state = ledger_state()
    assert commit(w.coordinator, "projects", data).counts == counts(unchanged=3)
    assert ledger_state() == state

    more = row(
        PROJECT,
        项目名称="送教下乡",
        年度=2019,
        受援地区="宁城",
        开始日期="2019-03-01",
        指标="送课",
        目标数量=12,
        计量单位="节",
    )
    update = commit(w.coordinator, "projects", sheet(PROJECT, _project_rows(450, [more])))
    assert update.counts == counts(update=1, create=1, unchanged=2)
    assert project.targets.get(description="培训当地教师").target_value == 450
    assert project.targets.count() == 3

    services.undo_job(update, actor=w.coordinator)
    targets = {t.description: t.target_value for t in project.targets.all()}
    assert targets == {"培训当地教师": 350, "送教讲座": 20}
    services.undo_job(job, actor=w.coordinator)
    assert not Project.objects.exists() and not ProjectTarget.objects.exists()


def test_project_errors_give_sheet_row_and_column(world):
    before = ledger_state()
    data = sheet(
        PROJECT,
        [
            row(
                PROJECT,
                项目名称="甲",
                负责单位="宁城县教育局",
                受援地区="从江",
                开始日期="2019-03-01",
                结束日期="2019-12-31",
            ),
            row(
                PROJECT,
                项目名称="乙",
                受援地区="宁城",
                开始日期="2019-03-01",
                结束日期="2019-12-31",
                指标="培训",
                目标数量=0,
                计量单位="人次",
            ),
            row(
                PROJECT,
                项目名称="丙",
                受援地区="宁城",
                开始日期="2019-03-01",
                结束日期="2019-12-31",
                指标="培训",
                目标数量=30,
            ),
            row(
                PROJECT,
                项目名称="丁",
                受援地区="宁城",
                开始日期="2019-03-01",
                结束日期="2019-12-31",
                指标="讲座",
                目标数量=3,
                计量单位="场",
            ),
            row(
                PROJECT,
                项目名称="丁",
                受援地区="宁城",
                开始日期="2019-04-01",
                指标="送课",
                目标数量=3,
                计量单位="节",
            ),
            row(
                PROJECT,
                项目名称="戊",
                受援地区="宁城",
                开始日期="2019-03-01",
                结束日期="2019-12-31",
                计量单位="节",
            ),
        ],
    )
    job = refused_and_unchanged(world.coordinator, "projects", data, before)
    errors = errors_at(job)
    assert "不是您辖区内的教育行政部门" in errors[("数据", 2, "负责单位")]
    assert errors[("数据", 3, "目标数量")] == "目标数量必须大于0。"
    assert errors[("数据", 4, "计量单位")] == "填写了目标数量,请选择单位。"
    assert errors[("数据", 6, "开始日期")] == "与同一项目的第 5 行不一致。"
    assert "请填写指标" in errors[("数据", 7, "指标")]


def test_project_of_an_ambiguous_region_lists_candidates(world):
    w = world
    make_region("宁城县", 3, make_region("某市", 2, w.guizhou, code="529900"), code="529901")
    data = sheet(
        PROJECT,
        [
            row(
                PROJECT,
                项目名称="送教下乡",
                受援地区="宁城县",
                开始日期="2019-03-01",
                结束日期="2019-12-31",
            )
        ],
    )
    message = errors_at(check(w.coordinator, "projects", data))[("数据", 2, "受援地区")]
    assert "150429" in message and "529901" in message
