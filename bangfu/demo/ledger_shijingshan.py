"""The ledger of 石景山区 2019 (article 000).

Each figure of the article is reached by rows, so that counting them gives
the figure back: 顺平(20)、莫旗(21)、宁城(115) are Trainee rows, the 7/3/1
schools are the distinct organisers of activities, and so on.
"""

from __future__ import annotations

import datetime as dt

from bangfu.activities.models import ActivityType as T
from bangfu.core.models import Unit
from bangfu.orgs.models import Person
from bangfu.plans.models import Project

from .builder import SUFFIX, S
from .ledger import A, LedgerBuilder

D = dt.date
B = Person.Backbone

# 石景山区's report is "截至5月底" 2019.
SJS_CUTOFF = D(2019, 5, 31)
COUNTIES = ["宁城县", "顺平县", "莫旗", "称多县", "竹山县"]
# 区级项目 per county (the article's 7/7/7/8/3) and 市级 ones (1 each).
DISTRICT_PROJECTS = {"宁城县": 7, "顺平县": 7, "莫旗": 7, "称多县": 8, "竹山县": 3}
CITY_PROJECTS = ("宁城县", "顺平县", "莫旗")
SIX_SUBJECTS = ["语文", "数学", "英语", "科学", "音乐", "体育"]


class ShijingshanLedger(LedgerBuilder):
    def shijingshan_ledger(self):
        projects = self.sjs_projects()
        schools = self.sjs_school_pairs()
        self.sjs_outreach(projects)
        self.sjs_trainees(schools)
        self.sjs_school_activities(schools)

    # --- 石景山区 (article 000) -------------------------------------------------

    def sjs_projects(self) -> dict[str, Project]:
        """32 区级 and 3 市级 projects of 2019, owned by 石景山区教委."""
        r, owner = self.r, self.orgs["石景山区教委"]
        # Projects the article names, per county; the rest are generated.
        named = {
            "宁城县": ["“精准式”送教下乡", "职业技能培训"],
            "顺平县": ["“精准式”送教下乡", "职业技能培训"],
            "莫旗": ["“精准式”送教下乡", "职业技能培训"],
            "称多县": [
                "“精准式”送教下乡",
                "石景山区教委与称多尕朵乡结对项目",
                "承接称多教师来石景山区学习培训",
            ],
            "竹山县": [],
        }
        notes = {
            "职业技能培训": "依托北京商鲲教育控股集团,对学生进行技能培训,帮助解决就业(下半年推进)",
        }
        done_by_may = {"宁城县", "顺平县"}
        found = {}
        for county, total in DISTRICT_PROJECTS.items():
            region = r[county]
            rp = self.rp("石景山区", county)
            for i in range(total):
                if i < len(named[county]):
                    base = named[county][i]
                    name = f"{base}({county})" if "称多" not in base else base
                    generated = False
                    status = (
                        Project.Status.DONE
                        if base.startswith("“精准式”") and county in done_by_may
                        else Project.Status.ACTIVE
                    )
                else:
                    base = name = f"2019年{county}区级帮扶项目{i + 1}{SUFFIX}"
                    generated, status = True, Project.Status.ACTIVE
                found[f"{county}:{base}"] = self.project(
                    name,
                    Project.Level.DISTRICT,
                    owner,
                    region,
                    2019,
                    rp=rp,
                    generated=generated,
                    status=status,
                    description=notes.get(base, ""),
                )
        for county in CITY_PROJECTS:
            self.project(
                f"2019年{county}市级帮扶项目{SUFFIX}",
                Project.Level.CITY,
                owner,
                r[county],
                2019,
                rp=self.rp("石景山区", county),
                generated=True,
                status=Project.Status.ACTIVE,
            )
        # "培训当地教师不少于350和450人次": 称多 and 莫旗, in that order.
        self.target(
            found["称多县:“精准式”送教下乡"], "培训当地教师不少于350人次", 350, Unit.PERSON_TIMES
        )
        self.target(
            found["莫旗:“精准式”送教下乡"], "培训当地教师不少于450人次", 450, Unit.PERSON_TIMES
        )
        self.target(
            found["称多县:承接称多教师来石景山区学习培训"], "承接称多教师13名", 13, Unit.PEOPLE
        )
        return found

    def sjs_school_pairs(self) -> dict[str, tuple]:
        """The five unnamed 石景山区 schools that went to 顺平/宁城 by May, with partners.

        With 北京九中 and 苹果园中学 they make the article's seven.
        """
        r = self.r
        pairs = {}
        plan = [
            ("宁城1", S.PRIMARY, "宁城县"),
            ("宁城2", S.JUNIOR, "宁城县"),
            ("顺平1", S.PRIMARY, "顺平县"),
            ("顺平2", S.PRIMARY, "顺平县"),
            ("顺平3", S.JUNIOR, "顺平县"),
        ]
        for key, stage, county in plan:
            helper = self.generated_school(r["石景山区"], stage, "石景山区")
            partner = self.generated_school(r[county], stage, county)
            pairing = self.pairing(
                f"{helper.name} ↔ {partner.name}",
                [helper],
                [partner],
                start=D(2019, 3, 1),
                region_pairing=self.rp("石景山区", county),
                generated=True,
            )
            pairs[key] = (helper, partner, pairing)
        return pairs

    def sjs_outreach(self, projects):
        """ "精准式"送教 to 宁城 and 顺平 by May: 310 local teachers trained ("300人次以上")."""
        bureau = self.orgs["石景山区教委"]
        college = self.orgs["石景山分院"]
        # Three rounds each; the days are assumed (spring term 2019).
        rounds = {
            "宁城县": [(D(2019, 3, 12), 60), (D(2019, 4, 9), 55), (D(2019, 5, 7), 50)],
            "顺平县": [(D(2019, 3, 19), 50), (D(2019, 4, 16), 50), (D(2019, 5, 14), 45)],
        }
        for county, dates in rounds.items():
            project = projects[f"{county}:“精准式”送教下乡"]
            for n, (day, local) in enumerate(dates, start=1):
                self.activity(
                    T.OUTREACH,
                    f"“精准式”送教下乡({county})第{n}轮",
                    day,
                    end=day + dt.timedelta(days=2),
                    organiser=bureau if n != 2 else college,
                    region_pairing=self.rp("石景山区", county),
                    place=county,
                    sessions=3,
                    helper_headcount=5,
                    backbone_count=5,
                    recipient_headcount=local,
                    projects=[project],
                    outcome="“精准式”送教:按当地教师需求定制课程",
                    generated=True,
                )

    def sjs_trainees(self, schools):
        """Cadres and teachers hosted in 石景山区: 顺平 20, 莫旗 21, 宁城 115 by May; 称多 13 later."""
        r, o = self.r, self.orgs
        bureau, college = o["石景山区教委"], o["石景山分院"]
        nc_orgs = [
            o["宁城县教育局"],
            o["汐子中学"],
            o["宁城高中"],
            o["苏木皋"],
            o["头道营子"],
            o["八里罕"],
            schools["宁城1"][1],
            schools["宁城2"][1],
        ]
        rp_nc = self.rp("石景山区", "宁城县")
        # The 业务管理干部培训班 (dates assumed: two weeks in April 2019).
        cadres = self.people("宁城干部", nc_orgs, 33, kind=Person.Kind.CADRE)
        start, end = D(2019, 4, 8), D(2019, 4, 19)
        self.training_class(
            "宁城县赴石景山区业务管理干部培训班",
            college,
            start,
            end,
            cadres,
            region_pairing=rp_nc,
            graduated=True,
            note="集中学习、参观学习;结业汇报:乐诗朗诵《让阳光洒满幸福路》、快板《感悟》、说唱《京缘》",
        )
        batch = self.visit_batch(
            college,
            "宁城县赴石景山区业务管理干部培训班",
            r["宁城县"],
            start,
            end,
            region_pairing=rp_nc,
            forms_of_study="集中学习、参观学习",
        )
        self.trainees(batch, cadres, goals=["学校管理能力提升"])
        self.activity(
            T.TRAINING_CLASS,
            "宁城县赴石景山区业务管理干部培训班",
            start,
            end=end,
            organiser=college,
            region_pairing=rp_nc,
            direction=A.Direction.AT_HELPER,
            place="北京教育学院石景山分院",
            sessions=10,
            recipient_headcount=33,
            outcome="33位学员结业;课程设置有“维度”、教学管理有“力度”、班级建设有“温度”",
        )

        teachers = self.people("宁城教师", nc_orgs[1:], 76, subjects=SIX_SUBJECTS)
        # Visitors of 外语实验小学: three from each of the two partner schools.
        smg = self.people("宁城教师", [o["苏木皋"]], 3, first=77)
        tdyz = self.people("宁城教师", [o["头道营子"]], 3, first=80)
        day = D(2019, 5, 15)  # assumed
        batch = self.visit_batch(
            o["外语实验小学"],
            "苏木皋民族小学、头道营子实验小学代表来校交流",
            r["宁城县"],
            day,
            day,
            pairing=self.pairings["石景山外语实验小学 ↔ 苏木皋民族小学"],
            region_pairing=rp_nc,
            forms_of_study="参观校园、交流研讨、观摩教研",
        )
        self.trainees(batch, smg + tdyz)
        # Each generated partner school sends eight teachers to its helper.
        slices = {"宁城1": teachers[0:8], "宁城2": teachers[8:16]}
        for key, visitors in slices.items():
            helper, partner, pairing = schools[key]
            batch = self.visit_batch(
                helper,
                f"{partner.name}干部教师来校听课座谈",
                r["宁城县"],
                D(2019, 4, 23),
                D(2019, 4, 26),
                pairing=pairing,
                region_pairing=rp_nc,
                forms_of_study="听课、座谈",
                is_generated=True,
            )
            self.trainees(batch, visitors)
        # The remaining 60 in the bureau's shadowing programme (dates assumed).
        rest = teachers[16:]
        batch = self.visit_batch(
            bureau,
            "宁城县骨干教师来石景山区跟岗培训",
            r["宁城县"],
            D(2019, 3, 18),
            D(2019, 3, 29),
            region_pairing=rp_nc,
            forms_of_study="报告讲座、交流研讨、案例分析、跟岗实习、现场观摩",
            is_generated=True,
        )
        self.trainees(batch, rest)

        # 顺平 20 and 莫旗 21 by May; 称多 13 in the second half of the year.
        sp_orgs = [o["顺平县教育局"]] + [schools[k][1] for k in ("顺平1", "顺平2", "顺平3")]
        mq_school = self.generated_school(r["莫旗"], S.PRIMARY, "莫旗")
        cd_school = self.generated_school(r["称多县"], S.PRIMARY, "称多县")
        groups = [
            ("顺平县", "顺平", sp_orgs, 20, D(2019, 4, 22), D(2019, 4, 30)),
            ("莫旗", "莫旗", [o["莫旗教育局"], mq_school], 21, D(2019, 5, 13), D(2019, 5, 24)),
            (
                "称多县",
                "称多",
                [o["称多县教育局"], cd_school],
                13,
                D(2019, 10, 14),
                D(2019, 10, 25),
            ),
        ]
        for county, short, orgs, n, start, end in groups:
            visitors = self.people(f"{short}教师", orgs, n, subjects=SIX_SUBJECTS)
            batch = self.visit_batch(
                bureau,
                f"{short}干部教师来石景山区学习培训",
                r[county],
                start,
                end,
                region_pairing=self.rp("石景山区", county),
                forms_of_study="理论培训、交流研讨、实地跟岗、观摩学习",
                is_generated=True,
            )
            self.trainees(batch, visitors)

    def sjs_school_activities(self, schools):
        """School pairings' work by May: 7 schools went, 3 hosted 宁城 visitors, 1 手拉手 in 宁城."""
        o = self.orgs
        bj9, lin = o["北京九中"], Person.objects.get(name="林乐光", organisation=o["北京九中"])
        p_gz = self.pairings["北京九中 ↔ 宁城高级中学"]
        p_xz = self.pairings["北京九中 ↔ 汐子中学"]
        # The article gives no date for 北京九中's visit: assumed 16–17 April 2019.
        day = D(2019, 4, 16)
        self.activity(
            T.MANAGEMENT_DELIVERY,
            "三校校长会谈:学校管理、课程体系、德育建设、特色发展",
            day,
            organiser=bj9,
            pairing=p_gz,
            receivers=[o["宁城高中"], o["汐子中学"]],
            leaders=[lin],
            place="宁城县高级中学",
            helper_headcount=1,
            recipient_headcount=2,
            outcome="初步达成合作意向:九中分批派教师到宁城支教;宁城两校派干部教师到九中跟岗",
        )
        self.activity(
            T.LESSON_DELIVERY,
            "北京九中高中部送课",
            day,
            organiser=bj9,
            pairing=p_gz,
            receivers=[o["宁城高中"]],
            place="宁城县高级中学",
            sessions=3,
            subjects="数学、语文、政治",
            lesson_titles="离散型随机变量\n以思维导图解读《药》\n习近平新时代中国特色社会主义经济思想",
            helper_headcount=3,
            recipient_headcount=40,
        )
        self.activity(
            T.OBSERVATION,
            "北京九中高中部听评课",
            day,
            organiser=bj9,
            pairing=p_gz,
            receivers=[o["宁城高中"]],
            place="宁城县高级中学",
            helper_headcount=3,
            recipient_headcount=20,
            led_by=A.LedBy.JOINT,
        )
        self.activity(
            T.OTHER,
            "专题研讨:德育、对外宣传、档案管理",
            day,
            organiser=bj9,
            pairing=p_gz,
            receivers=[o["宁城高中"]],
            place="宁城县高级中学",
            helper_headcount=3,
            recipient_headcount=25,
            led_by=A.LedBy.JOINT,
        )
        self.activity(
            T.PARALLEL_LESSON,
            "北京九中初中部同课异构",
            day + dt.timedelta(days=1),
            organiser=bj9,
            pairing=p_xz,
            receivers=[o["汐子中学"]],
            place="宁城县汐子中学",
            sessions=2,
            subjects="语文、数学",
            lesson_titles="老王\n三元一次方程组的解法",
            helper_headcount=2,
            recipient_headcount=30,
            led_by=A.LedBy.JOINT,
            outcome="课后组织教学研讨",
        )

        # 石景山外语实验小学 hosts its two 宁城 partners (day assumed, as the visit batch).
        wyxx, day = o["外语实验小学"], D(2019, 5, 15)
        yang = Person.objects.get(name="杨红兵", organisation=o["石景山分院"])
        p_smg = self.pairings["石景山外语实验小学 ↔ 苏木皋民族小学"]
        both = [o["苏木皋"], o["头道营子"]]
        self.activity(
            T.OBSERVATION,
            "《阅读点亮童心》整本书阅读教学语文教研活动",
            day,
            organiser=wyxx,
            pairing=p_smg,
            receivers=both,
            leaders=[yang],
            direction=A.Direction.AT_HELPER,
            place="石景山外语实验小学",
            subjects="语文",
            lesson_titles="阅读点亮童心",
            helper_headcount=12,
            recipient_headcount=6,
            outcome="楊红兵从文化领域、认识领域、阅读策略、语文素养、综合能力诠释整本书阅读的教学价值",
        )
        self.activity(
            T.STUDENT_EXCHANGE,
            "少先队“手拉手”欢迎仪式",
            day,
            organiser=wyxx,
            pairing=p_smg,
            receivers=both,
            direction=A.Direction.AT_HELPER,
            place="石景山外语实验小学",
            helper_headcount=60,
            recipient_headcount=6,
        )

        # 首师大附属苹果园中学 ↔ 八里罕中学: 送管理、送课程、手拉手 (assumed May 2019).
        pgy, blh = o["苹果园中学"], o["八里罕"]
        p_pgy = self.pairings["首师大附属苹果园中学 ↔ 八里罕中学"]
        day = D(2019, 5, 21)
        for type_, title, helpers, recipients in (
            (T.MANAGEMENT_DELIVERY, "干部“送管理”", 2, 10),
            (T.LESSON_DELIVERY, "教师“送课程”", 4, 80),
            (T.STUDENT_EXCHANGE, "两校学生“手拉手”", 30, 30),
        ):
            self.activity(
                type_,
                title,
                day,
                end=day + dt.timedelta(days=2),
                organiser=pgy,
                pairing=p_pgy,
                receivers=[blh],
                place="宁城县八里罕中学",
                helper_headcount=helpers,
                recipient_headcount=recipients,
            )

        # The five unnamed schools: one 同课异构 visit each; two of them also
        # host their 宁城 partner's teachers (the visit batches of sjs_trainees).
        for n, (key, (helper, partner, pairing)) in enumerate(sorted(schools.items())):
            self.activity(
                T.PARALLEL_LESSON,
                f"{helper.name}赴{partner.name}同课异构",
                D(2019, 3, 26) + dt.timedelta(days=7 * n),
                organiser=helper,
                pairing=pairing,
                receivers=[partner],
                place=partner.name,
                sessions=2,
                subjects=SIX_SUBJECTS[n % 6],
                helper_headcount=3,
                recipient_headcount=15,
                led_by=A.LedBy.JOINT,
                generated=True,
            )
            if key in ("宁城1", "宁城2"):
                self.activity(
                    T.OBSERVATION,
                    f"{partner.name}干部教师来校听课座谈",
                    D(2019, 4, 23),
                    end=D(2019, 4, 26),
                    organiser=helper,
                    pairing=pairing,
                    receivers=[partner],
                    direction=A.Direction.AT_HELPER,
                    place=helper.name,
                    helper_headcount=6,
                    recipient_headcount=8,
                    generated=True,
                )
