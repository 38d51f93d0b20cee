"""The ledger of 南明区 (article 001) and 湖里区 (article 004)."""

from __future__ import annotations

import datetime as dt

from bangfu.activities.models import Activity
from bangfu.activities.models import ActivityType as T
from bangfu.core.models import Unit
from bangfu.dispatch.models import Dispatch
from bangfu.orgs.models import Organisation, Person
from bangfu.pairings.models import Pairing
from bangfu.plans.models import Plan
from bangfu.stats import rollup
from bangfu.support.models import Support

from .builder import SUFFIX, S
from .ledger import A, LedgerBuilder, ledger_extras

D = dt.date

# 南明区's five 扶贫点 the 帮扶团队 visited (key in the registry, name on the page).
NANMING_PLACES = [
    ("普安县", "普安县"),
    ("鼓扬镇", "长顺县鼓扬镇"),
    ("石屯镇", "望谟县石屯镇"),
    ("龙坪镇", "罗甸县龙坪镇"),
    ("六枝特区", "六枝特区"),
]
# "组织873名骨干教师 … 开展各类培训、讲座337次,参训校园长及教师22708人次";
# "组织13781名帮扶地区教师到南明区各校园跟岗学习、培训".
NANMING_TRAININGS, NANMING_TEACHERS, NANMING_TRAINED = 337, 873, 22708
NANMING_SHADOWING = 13781


def spread(total: int, n: int, low: int, span: int) -> list[int]:
    """``n`` uneven whole numbers that add up to ``total`` (largest remainder)."""
    weights = [low + (i * 37) % span for i in range(n)]
    whole = sum(weights)
    shares = [total * w // whole for w in weights]
    order = sorted(range(n), key=lambda i: -(total * weights[i] % whole))
    for i in order[: total - sum(shares)]:
        shares[i] += 1
    return shares


class SouthLedger(LedgerBuilder):
    def pairing_of(self, helper: Organisation, recipient: Organisation) -> Pairing:
        """The direct (not programme) pairing of two organisations."""
        return (
            Pairing.objects.filter(parties__organisation=helper)
            .filter(parties__organisation=recipient)
            .exclude(mode=Pairing.Mode.PROGRAMME)
            .order_by("id")
            .first()
        )

    # --- 南明区 (article 001) ----------------------------------------------------

    def nanming_ledger(self):
        r, o = self.r, self.orgs
        bureau = o["南明区教育局"]
        # 把脉问诊: the team's visits (dates assumed, 2018 spring).
        for n, (key, name) in enumerate(NANMING_PLACES):
            self.activity(
                T.DIAGNOSTIC_VISIT,
                f"局班子与优质学校校(园)长赴{name}实地调研走访",
                D(2018, 3, 13) + dt.timedelta(days=14 * n),
                organiser=bureau,
                region_pairing=self.rp("南明区", key),
                place=name,
                outcome="了解教育思维、教学能力水平、课堂教学体系、义务教育基本均衡等方面的短板",
            )
        self.activity(
            T.DIAGNOSTIC_VISIT,
            "督学赴普安县开展“义务教育基本均衡”验收达标专题会",
            D(2018, 9, 18),  # assumed
            organiser=bureau,
            region_pairing=self.rp("南明区", "普安县"),
            place="普安县",
            outcome="专项会诊,帮助学校找准问题并及时解决",
        )
        self.nanming_online(o)
        self.nanming_aggregates(bureau)

        # 大歹小学: 托管式 cadre and the 贵阳游学 (dates assumed).
        daidai, nmxx = o["大歹小学"], o["南明小学"]
        entrusted = self.pairings["南明小学托管大歹小学"]
        cadre = self.people("南明小学干部", [nmxx], 1, kind=Person.Kind.CADRE, position="副校长")
        self.dispatch(
            cadre[0],
            nmxx,
            daidai.region,
            D(2019, 3, 1),
            D(2020, 2, 29),
            host=daidai,
            pairing=entrusted,
            role=Dispatch.Role.CADRE,
            term=Dispatch.Term.YEAR,
            note="校级干部常驻大歹小学,托管式指导帮扶",
            is_generated=True,
        )
        self.activity(
            T.STUDY_TRIP,
            "大歹小学师生“贵阳游学”",
            D(2019, 7, 8),
            end=D(2019, 7, 12),
            organiser=nmxx,
            pairing=entrusted,
            receivers=[daidai],
            direction=A.Direction.AT_HELPER,
            place="贵阳市",
            outcome="扶智与扶志并行",
        )

        # 政策红利: student aid and the epidemic supplies.
        self.support(
            Support.Kind.STUDENT_AID,
            "资助普安县贫困学生",
            D(2019, 9, 1),  # assumed
            o["鑫鑫永顺"],
            r["普安县"],
            "10000",
            region_pairing=self.rp("南明区", "普安县"),
            beneficiaries=20,
            description="贵州鑫鑫永顺餐饮公司资助普安县20名贫困学生,发放补助金1万元",
        )
        self.support(
            Support.Kind.GOODS,
            "疫情期间防疫物资",
            D(2020, 3, 1),  # assumed
            bureau,
            # For the 结对学校 of all six places: filed under the province.
            r["南明区"].province,
            "44000",
            pairing=self.pairings["南明区教育结对帮扶项目(45所优质学校 ↔ 58所帮扶地学校)"],
            is_approximate=True,
            description="用于支持结对学校开展教学防疫工作;84消毒液数量未载明,记为1批",
            items=[
                ("一次性防护口罩", 6000, "个", True),
                ("体温枪", 10, "把", False),
                ("消杀器材", 2, "套", False),
                ("阿比朵尔清温消毒液", 150, "瓶", False),
                ("免洗手液", 120, "瓶", True),
                ("免洗手凝胶", 100, "瓶", False),
                ("84消毒液", 1, "批", True),
            ],
        )

    def nanming_online(self, o):
        """线上互动 during the epidemic, with the article's 2020 dates."""
        online = {"mode": A.Mode.ONLINE, "direction": A.Direction.REMOTE}
        self.activity(
            T.ONLINE_RESEARCH,
            "线上教学方式交流与线上教学培训",
            D(2020, 3, 10),  # assumed ("疫情期间")
            organiser=o["尚义路小学"],
            pairing=self.pairing_of(o["尚义路小学"], o["鼓扬小学"]),
            receivers=[o["鼓扬小学"]],
            place="钉钉",
            outcome="同时与荔波瑶山民族小学、铜仁七小等交流",
            **online,
        )
        self.activity(
            T.LESSON_DELIVERY,
            "贵阳市二十一中学到罗甸民族中学送课帮扶",
            D(2020, 4, 30),
            organiser=o["二十一中"],
            pairing=self.pairing_of(o["二十一中"], o["罗甸民族中学"]),
            receivers=[o["罗甸民族中学"]],
            mode=A.Mode.HYBRID,
            outcome="线上教学研究、送课下乡、教研比赛,分享教学资源",
        )
        self.activity(
            T.VIDEO_MEETING,
            "开学准备工作及本学年工作打算交流",
            D(2020, 8, 25),
            organiser=o["解放桥小学"],
            pairing=self.pairing_of(o["解放桥小学"], o["罗甸二小"]),
            receivers=[o["罗甸二小"], o["三台小学"]],
            **online,
        )
        self.activity(
            T.VIDEO_MEETING,
            "开学视频讨论会",
            D(2020, 8, 26),
            organiser=o["十二幼"],
            pairing=self.pairing_of(o["十二幼"], o["罗甸一幼"]),
            receivers=[o["罗甸一幼"]],
            outcome="指导2020年秋季学期全面正常安全开学",
            **online,
        )
        self.activity(
            T.VIDEO_MEETING,
            "开学准备工作及困难问题讨论会",
            D(2020, 8, 28),
            organiser=o["南明实验幼儿园"],
            pairing=self.pairing_of(o["南明实验幼儿园"], o["交麻幼儿园"]),
            receivers=[o["交麻幼儿园"]],
            place="微信平台",
            outcome="为开学做好准备,确定本学期帮扶工作方向",
            **online,
        )

    def nanming_aggregates(self, bureau):
        """337 generated trainings (873 teachers, 22,708 trained) and 13,781 shadowing teachers.

        Cost: two queries and two bulk inserts (about 360 rows).
        """
        rps = [(name, self.rp("南明区", key)) for key, name in NANMING_PLACES]
        rows = []
        helpers = spread(NANMING_TEACHERS, NANMING_TRAININGS, 1, 4)
        trained = spread(NANMING_TRAINED, NANMING_TRAININGS, 30, 70)
        # 2018-01 … 2020-09, about one every three days (assumed).
        for i in range(NANMING_TRAININGS):
            name, rp = rps[i % len(rps)]
            day = D(2018, 1, 8) + dt.timedelta(days=3 * i)
            word = "讲座" if i % 3 == 0 else "培训"
            rows.append(
                Activity(
                    type=T.LECTURE if word == "讲座" else T.TRAINING_DELIVERY,
                    title=f"南明区骨干教师赴{name}送教送培:{word}第{i + 1}次{SUFFIX}",
                    start_date=day,
                    end_date=day,
                    organiser=bureau,
                    region_pairing=rp,
                    helper_region=rp.helper_region,
                    recipient_region=rp.recipient_region,
                    place=name,
                    helper_headcount=helpers[i],
                    backbone_count=helpers[i],
                    recipient_headcount=trained[i],
                    person_times=helpers[i] + trained[i],
                    confirmation=A.Confirmation.CONFIRMED,
                    is_generated=True,
                )
            )
        # Shadowing at 南明区 schools: per place and half-year, 2018 – 2020 H1.
        halves = [D(2018, 3, 5), D(2018, 9, 10), D(2019, 3, 4), D(2019, 9, 9), D(2020, 6, 1)]
        shadowing = spread(NANMING_SHADOWING, len(rps) * len(halves), 300, 400)
        for i, (day, (name, rp)) in enumerate((d, p) for d in halves for p in rps):
            rows.append(
                Activity(
                    type=T.SHADOWING,
                    title=f"{name}教师到南明区各校园跟岗学习、培训({day:%Y年%m月}){SUFFIX}",
                    start_date=day,
                    end_date=day + dt.timedelta(days=20),
                    organiser=bureau,
                    direction=A.Direction.AT_HELPER,
                    region_pairing=rp,
                    helper_region=rp.helper_region,
                    recipient_region=rp.recipient_region,
                    place="南明区各校园",
                    recipient_headcount=shadowing[i],
                    person_times=shadowing[i],
                    confirmation=A.Confirmation.CONFIRMED,
                    is_generated=True,
                )
            )
        present = set(
            Activity.objects.filter(organiser=bureau, is_generated=True).values_list(
                "title", flat=True
            )
        )
        new = [row for row in rows if row.title not in present]
        for row in new:
            ledger_extras(row)
        Activity.objects.bulk_create(new)
        # bulk_create sends no signals: the statistics roll-ups are told here.
        rollup.apply_bulk(created_ids=[a.pk for a in new])
        self.summary.count("activities", len(new))

    # --- 湖里区 (article 004) -------------------------------------------------------

    def huli_ledger(self):
        r, o = self.r, self.orgs
        bureau = o["湖里区教育局"]
        rp_dx = self.rp("湖里区", "东乡县")
        self.support(
            Support.Kind.CONSUMPTION,
            "2019–2020年消费扶贫:采购东乡县贫困户农畜产品",
            D(2020, 12, 31),  # the end of the article's period
            bureau,
            r["东乡县"],
            "6760000",
            region_pairing=rp_dx,
            is_approximate=True,
            description="2019-2020年累计采购东乡县贫困户生产的农畜产品676万余元",
        )
        self.huli_dongxiang(bureau, rp_dx)
        self.huli_minning()

    def huli_dongxiang(self, bureau, rp_dx):
        """12 batches of teachers to 东乡县 (2–3 generated teachers each), and 马英花."""
        r, o = self.r, self.orgs
        dx = r["东乡县"]
        schools = list(
            Organisation.objects.filter(region=r["湖里区"], kind=Organisation.Kind.SCHOOL)
            .exclude(stage="")
            .order_by("name")
        )
        hosts = {
            S.KINDERGARTEN: o["达板幼儿园"],
            S.PRIMARY: self.generated_school(dx, S.PRIMARY, "东乡县"),
            S.JUNIOR: self.generated_school(dx, S.JUNIOR, "东乡县"),
        }
        sizes = [3, 2] * 6
        teachers = self.people(
            "湖里教师", schools, sum(sizes), subjects=["语文", "数学", "英语", "科学"]
        )
        slot = 0
        for k in range(1, 13):
            # Three batches a year from 2017, three months each (assumed).
            start = D(2017 + (k - 1) // 3, (3, 6, 9)[(k - 1) % 3], 1)
            batch = self.dispatch_batch(bureau, "支教东乡", k, start.year, destination=dx)
            for person in teachers[slot : slot + sizes[k - 1]]:
                self.dispatch(
                    person,
                    bureau,
                    dx,
                    start,
                    start + dt.timedelta(days=89),
                    batch=batch,
                    host=hosts.get(person.organisation.stage, hosts[S.PRIMARY]),
                    term=Dispatch.Term.CUSTOM,
                    was_backbone=k % 2 == 1,
                    is_generated=True,
                )
            slot += sizes[k - 1]

        # 马英花 at 吕岭幼儿园 (dates assumed), with a generated mentor.
        lvling, daban = o["吕岭幼儿园"], o["达板幼儿园"]
        pairing = self.pairings["吕岭幼儿园 ↔ 东乡县达板幼儿园"]
        ma = Person.objects.get(name="马英花", organisation=daban)
        mentor = self.people("吕岭教师", [lvling], 1, backbone=[Person.Backbone.DISTRICT])
        start, end = D(2021, 10, 11), D(2021, 10, 22)
        batch = self.visit_batch(
            lvling,
            "东乡县达板幼儿园教师跟岗学习交流",
            dx,
            start,
            end,
            pairing=pairing,
            region_pairing=rp_dx,
            forms_of_study="跟岗学习、导师指导",
        )
        self.trainees(batch, [ma], mentors=mentor, goals=["一人一案:幼儿园一日活动组织"])
        self.activity(
            T.SHADOWING,
            "达板幼儿园教师马英花跟岗学习交流",
            start,
            end=end,
            organiser=lvling,
            pairing=pairing,
            receivers=[daban],
            leaders=mentor,
            direction=A.Direction.AT_HELPER,
            place="吕岭幼儿园",
            helper_headcount=1,
            recipient_headcount=1,
        )

    def huli_minning(self):
        """Needs lists, the video meetings answering them, plans, and a few symposiums."""
        o = self.orgs
        people = {p.name: p for p in Person.objects.filter(organisation__region=self.r["湖里区"])}
        people.update(
            {p.name: p for p in Person.objects.filter(organisation__region=self.r["闽宁镇"])}
        )
        huoju, yuhai = o["火炬幼儿园"], o["闽宁镇玉海幼儿园"]
        xinjing, second = o["新景幼儿园"], o["闽宁镇第二中心幼儿园"]
        jinan, centre = o["金安小学"], o["闽宁镇中心小学"]
        p_yuhai = self.pairing_of(huoju, yuhai)
        p_second = self.pairing_of(xinjing, second)
        p_centre = self.pairing_of(jinan, centre)
        # The needs were raised in the first meetings (assumed November 2021).
        raised = D(2021, 11, 16)
        yuhai_needs = [
            self.need(p_yuhai, yuhai, cat, title, raised, status="planned", claimed_by=huoju)
            for cat, title in (
                ("家长指导", "如何开展家长指导工作"),
                ("艺术活动", "如何开展艺术活动教学"),
                ("游戏活动(三大游戏)", "如何开展三大游戏"),
                ("学校管理/园所管理", "园所管理"),
            )
        ]
        # "专题文化" has no category of its own: filed under 课程建设.
        second_needs = [
            self.need(p_second, second, cat, title, raised, status="planned", claimed_by=xinjing)
            for cat, title in (
                ("校园文化建设", "校园文化建设"),
                ("幼儿行为分析", "幼儿行为分析"),
                ("课程建设", "专题文化"),
                ("学科教学", "教育教学"),
            )
        ]
        online = {"mode": A.Mode.ONLINE, "direction": A.Direction.REMOTE}
        self.activity(
            T.VIDEO_MEETING,
            "视频会议:园所管理与教育教学困惑远程指导",
            D(2021, 11, 20),
            organiser=huoju,
            pairing=p_yuhai,
            receivers=[yuhai],
            leaders=[people["李如英"], people["欧小妮"]],
            needs=yuhai_needs,
            outcome="针对家长指导、艺术活动教学、三大游戏等部分问题进行了远程指导",
            **online,
        )
        self.activity(
            T.VIDEO_MEETING,
            "视频会议:两校教师交流",
            D(2021, 11, 18),
            organiser=jinan,
            pairing=p_centre,
            receivers=[centre],
            leaders=[people["林华强"], people["马继业"]],
            led_by=A.LedBy.JOINT,
            outcome="建立订单式、紧密型、全方位、常态化、生态化、有目标的城乡校际结对帮扶共同体",
            **online,
        )
        self.activity(
            T.VIDEO_MEETING,
            "“云端”见面会:需求清单",
            raised,
            organiser=xinjing,
            pairing=p_second,
            receivers=[second],
            leaders=[people["江瑾"], people["马晓燕"]],
            needs=second_needs,
            led_by=A.LedBy.JOINT,
            outcome="得知需求清单后及时调整此前拟订的帮扶工作计划",
            **online,
        )
        for pairing, helper, needs, status in (
            (p_yuhai, huoju, yuhai_needs, Plan.Status.DRAFT),
            (p_second, xinjing, second_needs, Plan.Status.CONFIRMED),
        ):
            plan = self.plan(
                pairing,
                2021,
                1,
                f"{helper.name}结对帮扶计划(2021–2022学年第一学期)",
                goals="订单式帮扶、按需帮扶",
                status=status,
                generated=True,
            )
            for i, need in enumerate(needs, start=1):
                self.task(
                    plan,
                    i,
                    f"回应需求:{need.title.removesuffix(SUFFIX)}",
                    needs=[need],
                    target_value=1,
                    target_unit=Unit.SESSIONS,
                    due_date=D(2022, 1, 15),
                )
        # 每年一次协作研讨会: held by three pairs so far; the others have none yet.
        for n, (pairing, helper) in enumerate(
            ((p_yuhai, huoju), (p_centre, jinan), (p_second, xinjing))
        ):
            self.activity(
                T.SYMPOSIUM,
                f"{pairing.name} 2021–2022学年协作研讨会",
                D(2022, 6, 8) + dt.timedelta(days=7 * n),
                organiser=helper,
                pairing=pairing,
                receivers=pairing.recipients(),
                mode=A.Mode.ONLINE,
                direction=A.Direction.REMOTE,
                helper_headcount=6,
                recipient_headcount=8,
                led_by=A.LedBy.JOINT,
                generated=True,
            )
