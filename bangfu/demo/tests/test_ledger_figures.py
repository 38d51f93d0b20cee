"""The seeds' figures, computed from the demo ledger by counting rows.

Every figure here is a Count or a Sum over the ledger tables, filtered by
region, organisation, type and period; none reads a stored total. The demo is
loaded once for the module (``loaded_demo`` in conftest); each test runs in
its own savepoint on top of it.
"""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db.models import Count, F, Q, Sum

from bangfu.activities.models import Activity
from bangfu.dispatch.models import (
    Dispatch,
    DispatchBatch,
    Enrolment,
    Trainee,
    TrainingClass,
    VisitBatch,
)
from bangfu.needs.models import Need
from bangfu.orgs.models import Organisation, Person
from bangfu.pairings.models import Pairing
from bangfu.plans.models import Plan, Project, ProjectTarget
from bangfu.support.models import Support, SupportItem

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("loaded_demo")]

SJS_CUTOFF = dt.date(2019, 5, 31)
MOQI = "莫力达瓦达斡尔族自治旗"


def org(name) -> Organisation:
    return Organisation.objects.get(name=name)


def yy_kb():
    return org("芳草地国际学校远洋小学"), org("康保县城关朝阳希望小学")


def kangbao_activities(type_):
    yy, kb = yy_kb()
    pairing = Pairing.objects.get(parties__organisation=yy, mode="one_to_one")
    return Activity.objects.filter(
        pairing=pairing,
        type=type_,
        start_date__gte=dt.date(2018, 2, 1),
        start_date__lte=dt.date(2020, 12, 31),
    )


def sessions(qs) -> int:
    return qs.aggregate(n=Sum("sessions"))["n"] or 0


# --- 石景山区 2019 (article 000) --------------------------------------------------


def test_shijingshan_hosted_156_cadres_and_teachers_by_end_of_may():
    hosted = Trainee.objects.filter(
        batch__host__region__name="石景山区", batch__start_date__lte=SJS_CUTOFF
    )
    by_region = dict(
        hosted.values_list("batch__sending_region__name").annotate(n=Count("id")).order_by()
    )
    assert by_region == {"顺平县": 20, MOQI: 21, "宁城县": 115}
    assert hosted.count() == 156
    assert hosted.values("person").distinct().count() == 156
    # Each trainee belongs to an organisation of the county that sent them.
    assert not hosted.exclude(person__organisation__region=F("batch__sending_region")).exists()
    # 称多's 13 come in the second half of the year, after the report.
    later = Trainee.objects.filter(batch__sending_region__name="称多县")
    assert later.count() == 13
    assert not later.filter(batch__start_date__lte=SJS_CUTOFF).exists()


def test_shijingshan_2019_has_32_district_projects_by_county_and_3_city_ones():
    projects = Project.objects.filter(year=2019, owner__short_name="石景山区教委")
    district = dict(
        projects.filter(level="district")
        .values_list("recipient_region__name")
        .annotate(n=Count("id"))
        .order_by()
    )
    assert district == {"宁城县": 7, "顺平县": 7, MOQI: 7, "称多县": 8, "竹山县": 3}
    assert sum(district.values()) == 32
    city = dict(
        projects.filter(level="city")
        .values_list("recipient_region__name")
        .annotate(n=Count("id"))
        .order_by()
    )
    assert city == {"宁城县": 1, "顺平县": 1, MOQI: 1}
    named = set(projects.filter(is_generated=False).values_list("name", flat=True))
    assert {"职业技能培训(宁城县)", "职业技能培训(莫旗)", "职业技能培训(顺平县)"} <= named
    assert "石景山区教委与称多尕朵乡结对项目" in named
    assert not projects.filter(is_generated=True).exclude(name__endswith="(示例)").exists()


def test_precise_outreach_targets_350_for_chenduo_and_450_for_moqi():
    targets = ProjectTarget.objects.filter(
        project__name__startswith="“精准式”送教", unit="人次", is_minimum=True
    )
    values = dict(targets.values_list("project__recipient_region__name", "target_value"))
    assert values == {"称多县": 350, MOQI: 450}


def test_ningcheng_management_class_graduates_33():
    tc = TrainingClass.objects.get(name="宁城县赴石景山区业务管理干部培训班")
    assert tc.graduated
    assert tc.organiser.name == "北京教育学院石景山分院"
    graduates = Enrolment.objects.filter(training_class=tc, graduated=True)
    assert graduates.count() == 33
    assert set(graduates.values_list("person__organisation__region__name", flat=True)) == {"宁城县"}


def test_outreach_to_ningcheng_and_shunping_trained_over_300_by_may():
    outreach = Activity.objects.filter(
        type="outreach",
        helper_region__name="石景山区",
        recipient_region__name__in=["宁城县", "顺平县"],
        start_date__lte=SJS_CUTOFF,
    )
    totals = outreach.aggregate(pt=Sum("person_times"), local=Sum("recipient_headcount"))
    assert totals["pt"] >= 300
    assert totals["local"] >= 300
    assert set(outreach.values_list("recipient_region__name", flat=True)) == {"宁城县", "顺平县"}


def test_school_pairing_counts_seven_three_one():
    by_may = Activity.objects.filter(
        helper_region__name="石景山区",
        organiser__kind="school",
        start_date__lte=SJS_CUTOFF,
    )
    went = by_may.filter(direction="to_recipient", recipient_region__name__in=["宁城县", "顺平县"])
    assert went.values("organiser").distinct().count() == 7
    hosted = by_may.filter(direction="at_helper", recipient_region__name="宁城县")
    assert hosted.values("organiser").distinct().count() == 3
    handshake = went.filter(type="student_exchange", recipient_region__name="宁城县")
    assert list(handshake.values_list("organiser__name", flat=True).distinct()) == [
        "首都师范大学附属苹果园中学"
    ]


def test_bj9_lesson_titles_are_in_the_ledger():
    bj9 = org("北京市第九中学")
    titles = set()
    for text in Activity.objects.filter(organiser=bj9).values_list("lesson_titles", flat=True):
        titles.update(line for line in text.splitlines() if line)
    assert {
        "离散型随机变量",
        "以思维导图解读《药》",
        "习近平新时代中国特色社会主义经济思想",
        "老王",
        "三元一次方程组的解法",
    } <= titles
    delivery = Activity.objects.get(organiser=bj9, type="lesson_delivery")
    assert delivery.sessions == 3
    assert delivery.receivers.get().name == "宁城县高级中学"
    parallel = Activity.objects.get(organiser=bj9, type="parallel_lesson")
    assert parallel.receivers.get().name == "宁城县汐子中学"
    reading = Activity.objects.get(lesson_titles="阅读点亮童心")
    assert reading.direction == "at_helper"
    assert {o.name for o in reading.receivers.all()} == {
        "宁城县苏木皋民族小学",
        "宁城县头道营子实验小学",
    }


# --- 远洋小学 ↔ 城关小学 (article 003) --------------------------------------------


def test_yuanyang_sent_6_batches_31_person_times_11_people_72_73_percent_backbone():
    yy, kb = yy_kb()
    sent = Dispatch.objects.filter(sender=yy, host=kb)
    assert sent.values("batch").distinct().count() == 6
    assert DispatchBatch.objects.filter(sender=yy).count() == 6
    assert sent.count() == 31
    people = sent.values("person").distinct().count()
    backbone = sent.filter(was_backbone=True).values("person").distinct().count()
    assert (people, backbone) == (11, 8)
    share = (Decimal(backbone) * 100 / Decimal(people)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )
    assert share == Decimal("72.73")
    assert sent.filter(person__name="王薏", role="cadre").exists()


def test_yuanyang_work_at_chengguan_lectures_lessons_research_studio_skills():
    assert sessions(kangbao_activities("lecture")) == 21
    assert sessions(kangbao_activities("demo_lesson")) == 12
    assert sessions(kangbao_activities("online_research")) >= 10
    assert sessions(kangbao_activities("studio")) == 4
    skills = kangbao_activities("basic_skills")
    assert sessions(skills) == 2
    assert {t.split(":")[-1] for t in skills.values_list("title", flat=True)} == {
        "写好粉笔字",
        "评价设计",
    }
    subjects = set()
    for text in Activity.objects.filter(
        pk__in=kangbao_activities("lecture") | kangbao_activities("demo_lesson")
    ).values_list("subjects", flat=True):
        subjects.update(text.split("、"))
    assert {"语文", "数学", "英语", "科学", "音乐", "体育"} <= subjects


def test_one_more_lecture_makes_22_at_once():
    lectures = kangbao_activities("lecture")
    before = sessions(lectures)
    first = lectures.order_by("start_date").first()
    Activity.objects.create(
        type="lecture",
        title="新增讲座",
        start_date=dt.date(2020, 12, 1),
        end_date=dt.date(2020, 12, 1),
        organiser=first.organiser,
        pairing=first.pairing,
        helper_region=first.helper_region,
        recipient_region=first.recipient_region,
    )
    assert (before, sessions(kangbao_activities("lecture"))) == (21, 22)


def test_chengguan_teachers_visited_in_5_batches_53_person_times_with_mentors():
    yy, kb = yy_kb()
    batches = VisitBatch.objects.filter(host=yy, sending_region__name="康保县")
    assert batches.count() == 5
    trainees = Trainee.objects.filter(batch__in=batches)
    assert trainees.count() == 53
    assert trainees.values("person").distinct().count() < 53
    assert trainees.filter(person__name="郝晓宇").exists()
    # 一人一案 with a 市/区级 backbone mentor of 远洋小学 for everyone.
    assert not trainees.filter(
        Q(mentor__isnull=True) | Q(goals="") | Q(mentor__backbone_level="")
    ).exists()
    assert set(trainees.values_list("mentor__organisation", flat=True)) == {yy.pk}


def test_chengguan_campus_culture_need_of_2020_is_met_and_plan_tasks_link_needs():
    yy, kb = yy_kb()
    need = Need.objects.get(organisation=kb, category__name="校园文化建设")
    assert need.status == "met" and need.created_at.year == 2020
    assert need.activities.exists()
    plan = Plan.objects.get(pairing=need.pairing, academic_year=2019, term=1)
    assert plan.tasks.filter(needs__isnull=False).distinct().count() == plan.tasks.count()


# --- 南明区 (article 001) ------------------------------------------------------------


def test_nanming_student_aid_20_students_10000_yuan():
    aid = Support.objects.filter(
        kind="student_aid", recipient_region__name="普安县", donor__name="贵州鑫鑫永顺餐饮公司"
    ).aggregate(yuan=Sum("amount_yuan"), students=Sum("beneficiaries"))
    assert aid == {"yuan": Decimal("10000"), "students": 20}


def test_nanming_epidemic_supplies_worth_about_44000():
    goods = Support.objects.get(kind="goods", donor__name="贵阳市南明区教育局")
    assert goods.amount_yuan == Decimal("44000") and goods.is_approximate
    items = SupportItem.objects.filter(support=goods)
    masks = items.get(name="一次性防护口罩")
    assert masks.quantity == 6000 and masks.is_approximate
    assert items.get(name="免洗手液").is_approximate
    assert (
        items.filter(is_approximate=False).aggregate(n=Sum("quantity"))["n"] == 10 + 2 + 150 + 100
    )


def test_nanming_visits_dated_exchanges_and_generated_aggregates():
    nanming = Activity.objects.filter(helper_region__name="南明区")
    visited = set(
        nanming.filter(type="diagnostic_visit").values_list("recipient_region__name", flat=True)
    )
    assert visited == {"普安县", "鼓扬镇", "石屯镇", "龙坪镇", "六枝特区"}
    days = [dt.date(2020, 4, 30), dt.date(2020, 8, 25), dt.date(2020, 8, 26), dt.date(2020, 8, 28)]
    dated = set(
        nanming.filter(start_date__in=days, is_generated=False).values_list(
            "start_date", "organiser__name"
        )
    )
    assert dated == {
        (dt.date(2020, 4, 30), "贵阳市二十一中学"),
        (dt.date(2020, 8, 25), "解放桥小学"),
        (dt.date(2020, 8, 26), "贵阳市第十二幼儿园"),
        (dt.date(2020, 8, 28), "南明实验幼儿园"),
    }
    trainings = nanming.filter(
        type__in=["lecture", "training_delivery"], organiser__name="贵阳市南明区教育局"
    )
    assert trainings.aggregate(
        n=Count("id"), teachers=Sum("helper_headcount"), trained=Sum("recipient_headcount")
    ) == {"n": 337, "teachers": 873, "trained": 22708}
    shadowing = nanming.filter(type="shadowing").aggregate(n=Sum("recipient_headcount"))
    assert shadowing["n"] == 13781
    assert nanming.filter(type="study_trip", receivers__name="从江县大歹小学").exists()


# --- 湖里区 (article 004) ------------------------------------------------------------


def test_huli_consumption_assistance_about_6_76_million():
    consumption = Support.objects.filter(
        kind="consumption",
        donor__name="厦门市湖里区教育局",
        recipient_region__name="东乡族自治县",
        date__range=(dt.date(2019, 1, 1), dt.date(2020, 12, 31)),
    )
    assert consumption.aggregate(yuan=Sum("amount_yuan"))["yuan"] == Decimal("6760000")
    assert all(consumption.values_list("is_approximate", flat=True))


def test_huli_twelve_batches_to_dongxiang_and_ma_yinghua_shadowing():
    bureau = org("厦门市湖里区教育局")
    batches = DispatchBatch.objects.filter(sender=bureau, destination__name="东乡族自治县")
    assert batches.count() == 12
    assert Dispatch.objects.filter(batch__in=batches).values("batch").distinct().count() == 12
    trainee = Trainee.objects.get(person__name="马英花")
    assert trainee.batch.host.name == "吕岭幼儿园"
    assert trainee.mentor is not None


def test_huli_needs_lists_answered_and_symposiums_missing_for_most_pairs():
    yuhai = set(
        Need.objects.filter(organisation__name="闽宁镇玉海幼儿园").values_list(
            "category__name", flat=True
        )
    )
    assert yuhai == {"家长指导", "艺术活动", "游戏活动(三大游戏)", "学校管理/园所管理"}
    second = set(
        Need.objects.filter(organisation__name="闽宁镇第二中心幼儿园").values_list(
            "title", flat=True
        )
    )
    assert second == {"校园文化建设", "幼儿行为分析", "专题文化", "教育教学"}
    meeting = Activity.objects.get(organiser__name="火炬幼儿园", type="video_meeting")
    assert meeting.needs.count() == 4
    pairs = Pairing.objects.filter(
        region_pairing__helper_region__name="湖里区",
        region_pairing__recipient_region__name="闽宁镇",
    )
    held = pairs.filter(activities__type="symposium").distinct().count()
    assert (held, pairs.count() - held) == (3, 13)


# --- the whole ledger ------------------------------------------------------------------


def test_every_activity_is_counted_under_a_helper_and_a_recipient_region():
    assert not Activity.objects.filter(
        Q(helper_region__isnull=True) | Q(recipient_region__isnull=True)
    ).exists()


def test_generated_people_are_named_as_examples():
    generated = Person.objects.filter(is_generated=True)
    assert not generated.exclude(name__endswith="(示例)").exists()
    assert generated.filter(name="宁城教师017(示例)").exists()


def test_activities_are_found_by_lesson_title_in_either_script():
    if not hasattr(Activity, "search_text"):
        pytest.skip("activities have no search text yet")
    from bangfu.lib import textnorm

    found = Activity.objects.filter(search_text__contains=textnorm.fold_query("離散型隨機變量"))
    assert list(found.values_list("organiser__name", flat=True)) == ["北京市第九中学"]
