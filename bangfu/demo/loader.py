"""The demo world, built from the five seed articles.

Every row the articles name is created as named; rows they only count (the
45 ↔ 58 schools of 南明区, 13 of 湖里区's 16 pairs) are generated with names
that say "(示例)" and ``is_generated=True``. Loading is idempotent: each row
is found by a natural key before it is created, and existing rows are left
as they are, so a second run adds and changes nothing.

Dates the articles give are used as given; the others are marked "assumed"
where they are set.
"""

from __future__ import annotations

import datetime as dt
import sys

from django.db import transaction
from django.utils import translation

from bangfu.accounts.models import User
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
from bangfu.orgs.models import Organisation, OrganisationName, Person
from bangfu.pairings.models import Agreement, Pairing, RegionPairing
from bangfu.plans.models import Plan, PlanTask, Project, ProjectTarget
from bangfu.support.models import Support, SupportItem

from . import registry
from .accounts import DEMO_ACCOUNTS_SPEC, DEMO_PASSWORD, ROLE_LABELS
from .builder import SUFFIX, K, Mode, S, Summary
from .ledger_kangbao import KangbaoLedger
from .ledger_shijingshan import ShijingshanLedger
from .ledger_south import SouthLedger

D = dt.date
PRINCIPLES = "以强带弱、资源共享、紧密合作、均衡发展"


class DemoLoader(ShijingshanLedger, KangbaoLedger, SouthLedger):
    """The seed articles, one method each, on the regions of :mod:`bangfu.demo.registry`.

    First the world (regions, organisations, pairings, people), then the work
    ledger on it (the ``ledger_*`` modules).
    """

    # --- the articles -----------------------------------------------------

    def load(self) -> Summary:
        self.bureaus()
        self.shijingshan()
        self.nanming()
        self.chaoyang_kangbao()
        self.huli()
        self.beijing_group()
        self.generated_people()
        self.ledger()
        self.accounts()
        return self.summary

    def ledger(self):
        self.shijingshan_ledger()
        self.kangbao_ledger()
        self.nanming_ledger()
        self.huli_ledger()

    def bureaus(self):
        r = self.r
        self.org("北京市教委", "北京市教育委员会", r["北京市"], K.BUREAU, short_name="北京市教委")
        self.org(
            "石景山区教委",
            "北京市石景山区教育委员会",
            r["石景山区"],
            K.BUREAU,
            short_name="石景山区教委",
        )
        self.org(
            "朝阳区教委", "北京市朝阳区教育委员会", r["朝阳区"], K.BUREAU, short_name="朝阳区教委"
        )
        self.org(
            "南明区教育局", "贵阳市南明区教育局", r["南明区"], K.BUREAU, short_name="南明区教育局"
        )
        self.org(
            "湖里区教育局", "厦门市湖里区教育局", r["湖里区"], K.BUREAU, short_name="湖里区教育局"
        )
        for key in ("宁城县", "顺平县", "称多县", "竹山县", "康保县", "普安县"):
            self.org(f"{key}教育局", f"{key}教育局", r[key], K.BUREAU)
        self.org(
            "莫旗教育局",
            "莫力达瓦达斡尔族自治旗教育局",
            r["莫旗"],
            K.BUREAU,
            short_name="莫旗教育局",
        )
        self.org(
            "东乡县教育局", "东乡族自治县教育局", r["东乡县"], K.BUREAU, short_name="东乡县教育局"
        )
        self.org(
            "石景山分院",
            "北京教育学院石景山分院",
            r["石景山区"],
            K.COLLEGE,
            short_name="石景山分院",
        )
        # Its district is not in the article: filed under 北京市.
        self.org(
            "商鲲",
            "北京商鲲教育控股集团",
            r["北京市"],
            K.ENTERPRISE,
            note="职业技能培训项目(宁城、莫旗、顺平)",
        )
        # "积极引导辖区企业": an enterprise of 南明区.
        self.org(
            "鑫鑫永顺",
            "贵州鑫鑫永顺餐饮公司",
            r["南明区"],
            K.ENTERPRISE,
            note="资助普安县20名贫困学生,发放补助金1万元",
        )

    def shijingshan(self):
        """Article 000: 石景山区 → 莫旗, 顺平, 称多, 宁城, 竹山 (2019)."""
        r, o = self.r, self.orgs
        # The article reports 2019 and says the work "continued"; the start
        # of each pairing is assumed to be 2019-01-01.
        rps = {
            key: self.region_pairing(
                r["石景山区"], r[key], RegionPairing.Level.DISTRICT, D(2019, 1, 1)
            )
            for key in ("莫旗", "顺平县", "称多县", "宁城县", "竹山县")
        }
        self.region_pairing(
            r["石景山区"],
            r["尕朵乡"],
            RegionPairing.Level.DISTRICT,
            D(2019, 1, 1),
            note="石景山区教委与称多尕朵乡结对项目(推进中)",
        )
        bj9 = self.org(
            "北京九中", "北京市第九中学", r["石景山区"], stage=S.COMPLETE, short_name="北京九中"
        )
        wyxx = self.org("外语实验小学", "石景山外语实验小学", r["石景山区"], stage=S.PRIMARY)
        pgy = self.org(
            "苹果园中学",
            "首都师范大学附属苹果园中学",
            r["石景山区"],
            stage=S.COMPLETE,
            short_name="首师大附属苹果园中学",
        )
        nc = r["宁城县"]
        xizi = self.org("汐子中学", "宁城县汐子中学", nc, stage=S.JUNIOR, short_name="汐子中学")
        ncgz = self.org("宁城高中", "宁城县高级中学", nc, stage=S.SENIOR, short_name="宁城高级中学")
        smg = self.org(
            "苏木皋", "宁城县苏木皋民族小学", nc, stage=S.PRIMARY, short_name="苏木皋民族小学"
        )
        tdyz = self.org(
            "头道营子",
            "宁城县头道营子实验小学",
            nc,
            stage=S.PRIMARY,
            short_name="头道营子实验小学",
        )
        blh = self.org("八里罕", "宁城县八里罕中学", nc, stage=S.JUNIOR, short_name="八里罕中学")
        rp = rps["宁城县"]
        # Start dates of the school pairings are not in the article; assumed
        # to be the start of the 2019 spring term.
        start = D(2019, 3, 1)
        for partner in (xizi, ncgz):
            p = self.pairing(
                f"北京九中 ↔ {partner.short_name}", [bj9], [partner], start=start, region_pairing=rp
            )
            self.agreement(
                p, f"北京九中—{partner.short_name}结对帮扶协议", start, principles=PRINCIPLES
            )
        for partner in (smg, tdyz):
            self.pairing(
                f"石景山外语实验小学 ↔ {partner.short_name}",
                [wyxx],
                [partner],
                start=start,
                region_pairing=rp,
            )
        p = self.pairing(
            "首师大附属苹果园中学 ↔ 八里罕中学", [pgy], [blh], start=start, region_pairing=rp
        )
        self.agreement(
            p, "首师大附属苹果园中学—八里罕中学校际对口帮扶协议", start, principles=PRINCIPLES
        )
        self.person("林乐光", bj9, Person.Kind.CADRE, position="校长")
        self.person("杨红兵", o["石景山分院"], Person.Kind.TEACHER, position="教研室主任")

    def nanming(self):
        """Article 001: 南明区's 45 helper schools ↔ 58 schools in six places."""
        r, o = self.r, self.orgs
        nm = r["南明区"]
        # 2018 is the year the article's honours were won; the start of the
        # pairings is assumed to be 2018-01-01.
        start = D(2018, 1, 1)
        places = ["普安县", "鼓扬镇", "石屯镇", "龙坪镇", "六枝特区", "从江县"]
        rps = {
            key: self.region_pairing(nm, r[key], RegionPairing.Level.DISTRICT, start)
            for key in places
        }
        helpers = [
            self.org("十八中", "贵阳市第十八中学", nm, stage=S.COMPLETE, short_name="第十八中学"),
            self.org("南明小学", "南明小学", nm, stage=S.PRIMARY),
            self.org("北海幼儿园", "北京北海幼儿园贵阳分园", nm, stage=S.KINDERGARTEN),
            self.org("尚义路小学", "尚义路小学", nm, stage=S.PRIMARY),
            self.org("二十一中", "贵阳市二十一中学", nm, stage=S.COMPLETE),
            self.org("解放桥小学", "解放桥小学", nm, stage=S.PRIMARY),
            self.org("十二幼", "贵阳市第十二幼儿园", nm, stage=S.KINDERGARTEN),
            self.org("南明实验幼儿园", "南明实验幼儿园", nm, stage=S.KINDERGARTEN),
        ]
        stages = [S.PRIMARY, S.PRIMARY, S.JUNIOR, S.KINDERGARTEN]
        while len(helpers) < 45:
            helpers.append(self.generated_school(nm, stages[len(helpers) % 4], "南明区"))

        named_recipients = [
            ("罗甸民族中学", "罗甸民族中学", "龙坪镇", S.COMPLETE, ""),
            ("罗甸二小", "罗甸县第二小学", "龙坪镇", S.PRIMARY, ""),
            ("三台小学", "长顺县鼓扬镇三台小学", "鼓扬镇", S.PRIMARY, "三台小学"),
            ("罗甸一幼", "罗甸县第一幼儿园", "龙坪镇", S.KINDERGARTEN, ""),
            # 交麻 is not in 鼓扬镇: the school is filed under 长顺县 itself.
            ("交麻幼儿园", "长顺交麻中心幼儿园", "长顺县", S.KINDERGARTEN, ""),
            ("鼓扬小学", "长顺鼓扬小学", "鼓扬镇", S.PRIMARY, ""),
            ("大歹小学", "从江县大歹小学", "从江县", S.PRIMARY, "大歹小学"),
        ]
        recipients = [
            self.org(key, name, r[place], stage=stage, short_name=short)
            for key, name, place, stage, short in named_recipients
        ]
        i = 0
        while len(recipients) < 58:
            place = places[i % len(places)]
            recipients.append(self.generated_school(r[place], stages[i % 4], place))
            i += 1

        programme = self.pairing(
            "南明区教育结对帮扶项目(45所优质学校 ↔ 58所帮扶地学校)",
            helpers,
            recipients,
            mode=Mode.PROGRAMME,
            start=start,
            note="各校分别签订教育帮扶协议;“把脉问诊”、送教送培、线上互动。",
        )
        children = [
            ("尚义路小学", "鼓扬小学", "鼓扬镇"),
            ("二十一中", "罗甸民族中学", "龙坪镇"),
            ("解放桥小学", "罗甸二小", "龙坪镇"),
            ("十二幼", "罗甸一幼", "龙坪镇"),
            ("南明实验幼儿园", "交麻幼儿园", None),
        ]
        for helper, recipient, place in children:
            h, rec = o[helper], o[recipient]
            self.pairing(
                f"{h.short_name or h.name} ↔ {rec.short_name or rec.name}",
                [h],
                [rec],
                start=start,
                parent=programme,
                region_pairing=rps[place] if place else None,
            )

        # 大歹小学, 2019: "N+1" group assistance and entrusted management.
        # The social force of the article is unnamed, so it is generated.
        social = self.org(
            "爱心公益",
            f"南明区爱心公益协会{SUFFIX}",
            nm,
            K.SOCIAL,
            generated=True,
            note="代表文章中未具名的社会力量(解决洗澡难、洗衣难、用水难)",
        )
        daidai = o["大歹小学"]
        rp_cj = rps["从江县"]
        # The article dates the "N+1" model to 2019; the day is assumed.
        self.pairing(
            "大歹小学“N+1”组团式帮扶",
            [o["南明小学"], o["十八中"], social],
            [daidai],
            mode=Mode.GROUP,
            start=D(2019, 3, 1),
            region_pairing=rp_cj,
        )
        self.pairing(
            "南明小学托管大歹小学",
            [o["南明小学"]],
            [daidai],
            mode=Mode.ENTRUSTED,
            start=D(2019, 3, 1),
            region_pairing=rp_cj,
            note="南明小学校级干部常驻大歹小学,托管式指导帮扶;师生“贵阳游学”。",
        )

    def chaoyang_kangbao(self):
        """Article 003: 远洋小学 ↔ 城关朝阳希望小学 (城关小学 until May 2020), since 2018-02."""
        r = self.r
        start = D(2018, 2, 1)
        rp = self.region_pairing(r["朝阳区"], r["康保县"], RegionPairing.Level.DISTRICT, start)
        yy = self.org(
            "远洋小学",
            "芳草地国际学校远洋小学",
            r["朝阳区"],
            stage=S.PRIMARY,
            short_name="远洋小学",
        )
        kb = self.org(
            "城关朝阳希望小学",
            "康保县城关朝阳希望小学",
            r["康保县"],
            stage=S.PRIMARY,
            short_name="城关朝阳希望小学",
            note="2020年5月整体搬迁新址并更名。",
        )
        _, created = OrganisationName.objects.get_or_create(
            organisation=kb,
            name="城关小学",
            defaults={"valid_until": D(2020, 5, 31), "note": "2020年5月更名为城关朝阳希望小学"},
        )
        if created:
            kb.refresh_search()
            kb.save(update_fields=["search_text", "sort_key"])
        p = self.pairing("远洋小学 ↔ 城关朝阳希望小学", [yy], [kb], start=start, region_pairing=rp)
        # The article says the agreement was drafted together at the start;
        # the signing day is assumed.
        self.agreement(p, "远洋小学—城关小学对口支援帮扶协议", start)
        self.person("王薏", yy, Person.Kind.CADRE, position="校长")
        self.person("郝晓宇", kb, Person.Kind.TEACHER)

    def huli(self):
        """Article 004: 湖里区 16 schools ↔ 闽宁镇 16 schools (2021), and 东乡县."""
        r, o = self.r, self.orgs
        hl, mn = r["湖里区"], r["闽宁镇"]
        # 2021 is the article's year ("十四五"开局之年); the day is assumed.
        start = D(2021, 11, 1)
        rp = self.region_pairing(hl, mn, RegionPairing.Level.DISTRICT, start)
        named = [
            ("火炬幼儿园", "闽宁镇玉海幼儿园", S.KINDERGARTEN),
            ("金安小学", "闽宁镇中心小学", S.PRIMARY),
            ("新景幼儿园", "闽宁镇第二中心幼儿园", S.KINDERGARTEN),
            ("吕岭幼儿园", None, S.KINDERGARTEN),
        ]
        pairs = []
        for helper, recipient, stage in named:
            h = self.org(helper, helper, hl, stage=stage)
            rec = (
                self.org(recipient, recipient, mn, stage=stage)
                if recipient
                else self.generated_school(mn, stage, "闽宁镇")
            )
            pairs.append((h, rec))
        wanted = {S.JUNIOR: 2, S.PRIMARY: 9, S.KINDERGARTEN: 5}
        for stage, total in wanted.items():
            have = sum(1 for h, _ in pairs if h.stage == stage)
            for _ in range(total - have):
                pairs.append(
                    (
                        self.generated_school(hl, stage, "湖里区"),
                        self.generated_school(mn, stage, "闽宁镇"),
                    )
                )
        for h, rec in pairs:
            p = self.pairing(
                f"{h.name} ↔ {rec.name}",
                [h],
                [rec],
                start=start,
                region_pairing=rp,
                generated=h.is_generated or rec.is_generated,
            )
            self.agreement(
                p,
                f"{h.name}—{rec.name}结对共建协议书",
                start,
                method=Agreement.Method.ONLINE,
                note="线上签约仪式",
            )
        self.person("李如英", o["火炬幼儿园"], Person.Kind.CADRE, position="园长")
        self.person("欧小妮", o["火炬幼儿园"], Person.Kind.CADRE, position="教导主任")
        self.person("赵雯", o["闽宁镇玉海幼儿园"], Person.Kind.CADRE, position="园长")
        self.person("马继业", o["闽宁镇中心小学"], Person.Kind.CADRE, position="校长")
        self.person("林华强", o["金安小学"], Person.Kind.CADRE, position="校长")
        self.person("江瑾", o["新景幼儿园"], Person.Kind.CADRE, position="园长")
        self.person("马晓燕", o["闽宁镇第二中心幼儿园"], Person.Kind.CADRE, position="园长")

        # 湖里区 → 东乡县: 12 batches of teachers so far; the start is assumed.
        rp_dx = self.region_pairing(hl, r["东乡县"], RegionPairing.Level.DISTRICT, D(2017, 1, 1))
        daban = self.org("达板幼儿园", "东乡县达板幼儿园", r["东乡县"], stage=S.KINDERGARTEN)
        # The article shows 马英花 shadowing at 吕岭幼儿园; the pairing of the
        # two kindergartens is inferred from it.
        self.pairing(
            "吕岭幼儿园 ↔ 东乡县达板幼儿园",
            [o["吕岭幼儿园"]],
            [daban],
            start=D(2021, 3, 1),
            region_pairing=rp_dx,
            note="推断:达板幼儿园教师马英花到吕岭幼儿园跟岗学习交流。",
        )
        self.person("马英花", daban, Person.Kind.TEACHER)

    def beijing_group(self):
        """Article 002: Beijing's group-style (组团式) support, one school per direction."""
        r, o = self.r, self.orgs
        bj = r["北京市"]
        bureau = o["北京市教委"]
        # "党的十八大以来": the start dates are assumed (雄安 from 2018, 内蒙古 2022).
        directions = [
            ("和田地区", "和田北京海淀小学", S.PRIMARY, D(2013, 1, 1), "援疆"),
            ("拉萨市", "拉萨北京实验中学", S.COMPLETE, D(2013, 1, 1), "援藏"),
            ("玉树州", "玉树州第四民族高级中学", S.SENIOR, D(2013, 1, 1), "援青"),
            ("雄安新区", "北京八十中雄安容东分校", S.COMPLETE, D(2018, 9, 1), "援雄"),
            ("商都县", "商都职业技术学校", S.VOCATIONAL, D(2022, 9, 1), "援蒙"),
        ]
        for key, school, stage, start, word in directions:
            rp = self.region_pairing(bj, r[key], RegionPairing.Level.CITY, start)
            recipient = self.org(school, school, r[key], stage=stage)
            if key == "雄安新区":
                # 北京市第八十中学 is a 朝阳区 school.
                lead = self.org("八十中", "北京市第八十中学", r["朝阳区"], stage=S.COMPLETE)
            else:
                lead = self.org(
                    f"{word}学校",
                    f"北京市{word}组团学校{SUFFIX}",
                    bj,
                    stage=stage,
                    generated=True,
                )
            self.pairing(
                f"{school}“组团式”帮扶",
                [lead, bureau],
                [recipient],
                mode=Mode.GROUP,
                start=start,
                region_pairing=rp,
            )

    def generated_people(self):
        """A few generated teachers so people lists and personal data have something to show."""
        names = ["张", "王", "李", "赵", "刘", "陈", "杨", "黄"]
        subjects = ["语文", "数学", "英语", "物理", "音乐", "体育", "科学", "美术"]
        schools = ["北京九中", "汐子中学", "远洋小学", "城关朝阳希望小学", "南明小学", "大歹小学"]
        n = 0
        for key in schools:
            for j in range(2):
                subject = subjects[n % len(subjects)]
                self.person(
                    f"{names[n % len(names)]}{subject}老师{SUFFIX}",
                    self.orgs[key],
                    subjects=subject,
                    backbone=Person.Backbone.DISTRICT if j == 0 else "",
                )
                n += 1

    def accounts(self):
        for username, role, org_name, region_name in DEMO_ACCOUNTS_SPEC:
            if User.objects.filter(username=username).exists():
                continue
            org = None
            if org_name:
                org = Organisation.objects.get(name=org_name, region__name=region_name)
            with translation.override("zh-hans"):
                label = str(ROLE_LABELS[role])
            display = f"{label}(演示)" if org is None else f"{org.short_name or org.name}{label}"
            User.objects.create_user(
                username=username,
                password=DEMO_PASSWORD,
                role=role,
                organisation=org,
                display_name=display[:50],
                # Only the system administrator works in the Django admin.
                is_staff=role == "sysadmin",
            )
            self.summary.count("users")


def load_demo(*, ensure_registry: bool = True, stdout=None) -> Summary:
    """Build the demo in one transaction. Cost: a few hundred small queries."""
    if ensure_registry:
        registry.ensure_registry(stdout=stdout)
    with transaction.atomic():
        loader = DemoLoader(registry.lookup())
        return loader.load()


# The work ledger, in the order of the summary.
LEDGER_ROWS = [
    ("projects", Project.objects),
    ("project targets", ProjectTarget.objects),
    ("needs", Need.objects),
    ("plans", Plan.objects),
    ("plan tasks", PlanTask.objects),
    ("activities", Activity.objects),
    ("dispatch batches", DispatchBatch.objects),
    ("dispatches", Dispatch.objects),
    ("visit batches", VisitBatch.objects),
    ("trainees", Trainee.objects),
    ("training classes", TrainingClass.objects),
    ("enrolments", Enrolment.objects),
    ("support", Support.objects),
    ("support items", SupportItem.objects),
]


def report(stdout=None) -> str:
    """The summary of what the database holds, then the logins table."""
    out = stdout or sys.stdout
    rows = [
        ("organisations", Organisation.objects),
        ("people", Person.objects),
        ("region pairings", RegionPairing.objects),
        ("pairings", Pairing.objects),
        ("agreements", Agreement.objects),
        *LEDGER_ROWS,
    ]
    lines = ["Demo data:"]
    for label, manager in rows:
        total = manager.count()
        if hasattr(manager.model, "is_generated"):
            generated = manager.filter(is_generated=True).count()
            lines.append(f"  {label:<18}{total:>6}  ({generated} generated)")
        else:
            lines.append(f"  {label:<18}{total:>6}")
    lines += ["", f"Demo logins (password for all: {DEMO_PASSWORD}):"]
    lines.append(f"  {'username':<14} {'role':<13} organisation")
    for username, role, org_name, _region in DEMO_ACCOUNTS_SPEC:
        lines.append(f"  {username:<14} {role:<13} {org_name or '-'}")
    text = "\n".join(lines) + "\n"
    out.write(text)
    return text


# Tables reset_demo keeps: the region registry (slow to load, not demo data),
# Django's own bookkeeping, and reference rows written by data migrations
# (the default need categories), which a flush would lose for good.
KEPT_APPS = {"regions", "contenttypes", "auth"}
KEPT_MODELS = {"needs.NeedCategory"}


def clear_demo() -> list[str]:
    """Empty every table but the kept apps' (demo mode only; the caller checks)."""
    from django.apps import apps
    from django.core.management.color import no_style
    from django.db import connection

    tables = sorted(
        {
            model._meta.db_table
            for model in apps.get_models(include_auto_created=True)
            if model._meta.app_label not in KEPT_APPS
            and model._meta.label not in KEPT_MODELS
            and model._meta.managed
        }
        & set(connection.introspection.table_names())
    )
    statements = connection.ops.sql_flush(no_style(), tables, allow_cascade=True)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # TRUNCATE refuses while deferred foreign-key checks are pending
            # (rows written earlier in the same transaction): run them now.
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        connection.ops.execute_sql_flush(statements)
    return tables
