"""The ledger of 远洋小学 ↔ 城关朝阳希望小学 (article 003), February 2018 – December 2020.

"6批31人次 … 骨干教师比例为72.73%" is 31 Dispatch rows over 11 people, 8 of
them backbone; "讲座21场" is lecture rows whose sessions add up to 21; "5批次,
共计53人次" is 53 Trainee rows in 5 visit batches.
"""

from __future__ import annotations

import datetime as dt

from bangfu.activities.models import ActivityType as T
from bangfu.core.models import Unit
from bangfu.dispatch.models import Dispatch
from bangfu.orgs.models import Person
from bangfu.plans.models import Plan

from .ledger import A, LedgerBuilder
from .ledger_shijingshan import SIX_SUBJECTS

D = dt.date
B = Person.Backbone


class KangbaoLedger(LedgerBuilder):
    def kangbao_ledger(self):
        o = self.orgs
        yy, kb = o["远洋小学"], o["城关朝阳希望小学"]
        pairing = self.pairings["远洋小学 ↔ 城关朝阳希望小学"]
        wang = Person.objects.get(name="王薏", organisation=yy)
        cadres = self.people("远洋干部", [yy], 2, kind=Person.Kind.CADRE, position="中层干部")
        # Eight 市/区级 backbone teachers, three of them city-level.
        backbone = self.people(
            "远洋教师",
            [yy],
            8,
            subjects=SIX_SUBJECTS + ["语文", "数学"],
            backbone=[B.CITY, B.DISTRICT, B.DISTRICT],
        )
        team = [wang, *cadres, *backbone]
        plan_tasks = self.kangbao_plan(pairing, yy, kb)
        self.kangbao_dispatches(pairing, yy, kb, team, plan_tasks)
        self.kangbao_online(pairing, yy, kb, backbone, plan_tasks)
        self.kangbao_visits(pairing, yy, kb, backbone)
        # 2020: the new campus asks for campus culture; 远洋 answers (article 003).
        need = self.need(
            pairing,
            kb,
            "校园文化建设",
            "新校址学校文化建设",
            D(2020, 5, 25),
            description="物质文化、精神文化、制度文化建设",
            status="met",
            claimed_by=yy,
            wished_start=D(2020, 6, 1),
            wished_end=D(2020, 12, 31),
        )
        self.activity(
            T.MANAGEMENT_DELIVERY,
            "校园文化建设指导:景观布置、展板设计",
            D(2020, 6, 15),
            end=D(2020, 6, 17),
            organiser=yy,
            pairing=pairing,
            receivers=[kb],
            needs=[need],
            place="康保县城关朝阳希望小学(新校址)",
            helper_headcount=4,
            recipient_headcount=10,
            outcome="笑脸墙、小画家展示区、科技展示区、开放式阅读区等元素在康保朝阳希望小学落地",
        )

    def kangbao_plan(self, pairing, yy, kb):
        """A semester plan as 王薏 describes it (以学期为单位细化), tasks linked to needs."""
        first = D(2019, 6, 20)  # needs raised before the plan (assumed)
        needs = [
            self.need(pairing, kb, "学科教学", "课堂教学能力提升(生本课堂)", first, generated=True),
            self.need(pairing, kb, "教师培训", "青年教师跟岗培养(一人一案)", first, generated=True),
            self.need(pairing, kb, "学校管理/园所管理", "学校规范管理", first, generated=True),
            self.need(pairing, kb, "学科教学", "书香校园建设与阅读教学", first, generated=True),
        ]
        for need in needs:
            if need.status == "open":
                need.status, need.claimed_by = "planned", yy
                need.save(update_fields=["status", "claimed_by"])
        at = dt.datetime(2019, 9, 10, 9, tzinfo=dt.UTC)
        plan = self.plan(
            pairing,
            2019,
            1,
            "远洋小学—城关小学2019–2020学年第一学期帮扶计划",
            goals="精准把脉、精准施策、精准落实;骨干教师组团送教,一人一案培养跟岗教师",
            status=Plan.Status.CONFIRMED,
            helper_confirmed_at=at,
            recipient_confirmed_at=at,
            generated=True,
        )
        end = D(2020, 1, 15)
        return [
            self.task(
                plan, 1, "骨干教师组团送教(讲座、现场课)", needs=[needs[0]],
                target_value=1, target_unit=Unit.BATCHES, due_date=end,
            ),
            self.task(
                plan, 2, "城关小学教师赴京跟岗,一人一案", needs=[needs[1]],
                target_value=10, target_unit=Unit.PERSON_TIMES, due_date=end,
            ),
            self.task(
                plan, 3, "网络教研", needs=[needs[0], needs[3]],
                target_value=3, target_unit=Unit.TIMES, due_date=end,
            ),
            self.task(plan, 4, "学校管理经验交流", needs=[needs[2]], due_date=end),
        ]  # fmt: skip

    def kangbao_dispatches(self, pairing, yy, kb, team, plan_tasks):
        """6 batches, 31 person-times over 11 people (8 backbone: 72.73%), and their work."""
        region = kb.region
        # Batch dates are assumed, spread over the three years.
        starts = [
            D(2018, 4, 16),
            D(2018, 11, 12),
            D(2019, 4, 15),
            D(2019, 11, 11),
            D(2020, 9, 21),
            D(2020, 11, 16),
        ]
        sizes = [5, 5, 5, 5, 6, 5]
        lectures = [4, 4, 3, 4, 3, 3]  # 21
        demo_lessons = [2, 2, 2, 2, 2, 2]  # 12
        studio = [0, 1, 1, 1, 0, 1]  # 4
        skills = {0: "写好粉笔字", 2: "评价设计"}  # 教学基本功指导 2 项
        slot = 0
        for i, start in enumerate(starts):
            end = start + dt.timedelta(days=4)
            batch = self.dispatch_batch(yy, "对口支援康保", i + 1, start.year, destination=region)
            members = []
            for _ in range(sizes[i]):
                person = team[slot % len(team)]
                slot += 1
                members.append(person)
                self.dispatch(
                    person,
                    yy,
                    region,
                    start,
                    end,
                    batch=batch,
                    host=kb,
                    pairing=pairing,
                    role=Dispatch.Role.CADRE
                    if person.kind == Person.Kind.CADRE
                    else Dispatch.Role.TEACHER,
                    term=Dispatch.Term.CUSTOM,
                    was_backbone=bool(person.backbone_level),
                    note="“组团式”送教",
                    is_generated=True,
                )
            teachers = [p for p in members if p.subjects]
            tasks = [plan_tasks[0]] if start.year == 2019 and start.month >= 9 else []
            work = [(T.LECTURE, "讲座", lectures[i]), (T.DEMO_LESSON, "现场课", demo_lessons[i])]
            work.append((T.STUDIO, "名师工作室活动", studio[i]))
            n = 0
            for type_, word, count in work:
                for k in range(count):
                    leader = teachers[n % len(teachers)]
                    n += 1
                    self.activity(
                        type_,
                        f"第{i + 1}批送教{word}({leader.subjects})第{k + 1}{'节' if type_ == T.DEMO_LESSON else '场'}",
                        start + dt.timedelta(days=k % 4),
                        organiser=yy,
                        pairing=pairing,
                        receivers=[kb],
                        leaders=[leader],
                        plan_tasks=tasks,
                        place="城关小学",
                        subjects=leader.subjects,
                        helper_headcount=1,
                        recipient_headcount=12 + (n * 7) % 20,
                        backbone_count=1 if leader.backbone_level else 0,
                        generated=True,
                    )
            if i in skills:
                self.activity(
                    T.BASIC_SKILLS,
                    f"教学基本功指导:{skills[i]}",
                    start + dt.timedelta(days=3),
                    organiser=yy,
                    pairing=pairing,
                    receivers=[kb],
                    leaders=teachers[:1],
                    place="城关小学",
                    helper_headcount=1,
                    recipient_headcount=30,
                    backbone_count=1,
                )

    def kangbao_online(self, pairing, yy, kb, backbone, plan_tasks):
        """网络教研"10余次": 11 sessions; the last ones led by 城关 teachers (输血 → 造血)."""
        hao = Person.objects.get(name="郝晓宇", organisation=kb)
        days = [
            D(2018, 9, 27),
            D(2018, 12, 20),
            D(2019, 3, 28),
            D(2019, 6, 13),
            D(2019, 10, 17),
            D(2019, 12, 12),
            D(2020, 3, 5),
            D(2020, 4, 16),
            D(2020, 5, 21),
            D(2020, 10, 22),
            D(2020, 12, 10),
        ]
        for n, day in enumerate(days):
            subject = SIX_SUBJECTS[n % 6]
            led_by = A.LedBy.RECIPIENT if n >= 9 else A.LedBy.JOINT if n >= 6 else A.LedBy.HELPER
            self.activity(
                T.ONLINE_RESEARCH,
                f"网络教研({subject})第{n + 1}次",
                day,
                organiser=yy,
                pairing=pairing,
                receivers=[kb],
                leaders=[hao] if led_by == A.LedBy.RECIPIENT else [backbone[n % 6]],
                plan_tasks=[plan_tasks[2]] if D(2019, 9, 1) <= day <= D(2020, 1, 31) else [],
                mode=A.Mode.ONLINE,
                direction=A.Direction.REMOTE,
                subjects=subject,
                helper_headcount=3,
                recipient_headcount=15,
                led_by=led_by,
                generated=True,
            )

    def kangbao_visits(self, pairing, yy, kb, backbone):
        """5 batches, 53 person-times, to 远洋小学; each trainee with a backbone mentor."""
        hao = Person.objects.get(name="郝晓宇", organisation=kb)
        # 29 generated teachers and 郝晓宇: some came more than once.
        pool = [hao, *self.people("康保教师", [kb], 29, subjects=SIX_SUBJECTS)]
        rp = pairing.region_pairing
        starts = [D(2018, 5, 14), D(2018, 10, 15), D(2019, 5, 13), D(2019, 10, 14), D(2020, 10, 12)]
        sizes = [10, 11, 10, 12, 10]  # 53
        goals = [f"一人一案:{area}" for area in ("班级管理", "学科教研", "课堂教学", "教案设计")]
        slot = 0
        for i, start in enumerate(starts):
            batch = self.visit_batch(
                yy,
                f"城关小学干部教师赴京跟岗学习第{i + 1}批",
                kb.region,
                start,
                start + dt.timedelta(days=11),
                pairing=pairing,
                region_pairing=rp,
                number=i + 1,
                forms_of_study="跟岗、师徒课堂、主题交流、个性化辅导",
                is_generated=True,
            )
            members = [pool[(slot + j) % len(pool)] for j in range(sizes[i])]
            slot += sizes[i]
            self.trainees(batch, members, mentors=backbone, goals=goals)
