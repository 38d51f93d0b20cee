"""The columns of each kind of workbook: shared by the templates, the importers and the exports."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from django.utils.translation import gettext_lazy as _

from bangfu.activities.models import Activity, ActivityType
from bangfu.core.models import Unit
from bangfu.dispatch.models import Dispatch
from bangfu.needs.models import Need
from bangfu.orgs.models import Organisation, Person
from bangfu.pairings.models import Pairing, RegionPairing
from bangfu.plans.models import Project
from bangfu.resources.models import SharedResource
from bangfu.support.models import Support

DATE_FORMATS = _(
    "日期可写作 2019-05-08、2019.5.8、2019年5月8日、二〇一九年五月八日,或使用日期格式的单元格。"
)
NUMBER_FORMATS = _("非负整数,可写阿拉伯数字或中文数字(如 三十一)。")
# The first cell of a row starting with this marks an example row: the importer skips it.
EXAMPLE_MARK = "示例"


@dataclasses.dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool = False
    type: str = "text"  # text | date | int | choice; batch | money (importers_work)
    choices: tuple = ()
    help: str = ""

    @property
    def labels(self) -> list[str]:
        return [str(label) for code, label in self.choices if code]


def _choices(text_choices) -> tuple:
    return tuple(text_choices.choices)


class QueryChoices:
    """Choices read from the database each time they are listed (need categories admins extend)."""

    def __init__(self, load: Callable[[], list[tuple[str, str]]]):
        self._load = load

    def __iter__(self):
        return iter(self._load())


def _need_categories() -> list[tuple[str, str]]:
    from bangfu.needs.models import NeedCategory

    return [(c.name, c.name) for c in NeedCategory.objects.filter(is_active=True)]


ORG_NAMES = _("全称或简称,繁体或简体均可;重名单位在名称后用括号注明地区,如 第一中学(宁城)。")
REGION_NAMES = _(
    "区县或乡镇名称,可写简称(如 宁城、莫旗)或区划代码;重名地区请写全路径(如 罗甸县龙坪镇)。"
)


ORGANISATION = (
    Column("name", _("单位名称"), True, help=_("全称,繁体或简体均可。")),
    Column(
        "region",
        _("所在地区"),
        True,
        help=_(
            "区县或乡镇名称,可写简称(如 宁城、莫旗)或区划代码;重名地区请写全路径(如 罗甸县龙坪镇)。"
        ),
    ),
    Column(
        "kind",
        _("单位类型"),
        type="choice",
        choices=_choices(Organisation.Kind),
        help=_("不填为“学校”。"),
    ),
    Column(
        "stage",
        _("学段"),
        type="choice",
        choices=_choices(Organisation.Stage),
        help=_("仅学校填写。"),
    ),
    Column("short_name", _("简称")),
    Column("address", _("地址")),
    Column("note", _("备注")),
)

PERSON = (
    Column("name", _("姓名"), True),
    Column("organisation", _("所在单位"), True, help=ORG_NAMES),
    Column(
        "kind", _("类别"), type="choice", choices=_choices(Person.Kind), help=_("不填为“教师”。")
    ),
    Column("position", _("职务")),
    Column("subjects", _("任教学科"), help=_("多个学科用顿号分隔。")),
    Column(
        "backbone_level",
        _("骨干级别"),
        type="choice",
        choices=_choices(Person.Backbone),
        help=_("不填则保留已登记的级别。"),
    ),
    Column(
        "phone",
        _("手机号码"),
        help=_("加密保存,页面与导出只显示部分号码;留空或填写导出的部分号码则保留已登记的号码。"),
    ),
    Column(
        "id_number",
        _("身份证号码"),
        help=_("加密保存。同一单位的人员按身份证号码识别;没有身份证号码时按姓名和手机号码识别。"),
    ),
)

PAIRING = (
    Column(
        "helpers",
        _("帮扶方单位"),
        True,
        help=_("多个单位用顿号分隔,第一个为牵头单位。") + str(ORG_NAMES),
    ),
    Column("recipients", _("受援方单位"), True, help=_("多个单位用顿号分隔。") + str(ORG_NAMES)),
    Column(
        "mode",
        _("结对模式"),
        True,
        type="choice",
        choices=_choices(Pairing.Mode),
        help=_("“托管式”也可写“托管”,“多校结对项目”也可写“项目”。"),
    ),
    Column("start_date", _("开始日期"), True, type="date", help=DATE_FORMATS),
    Column("end_date", _("结束日期"), type="date", help=DATE_FORMATS),
    Column(
        "status",
        _("状态"),
        type="choice",
        choices=_choices(Pairing.Status),
        help=_(
            "仅新建时使用,不填为“拟结对”;学校用户只能登记“拟结对”。已有结对关系的状态请在结对页面变更。"
        ),
    ),
    Column("name", _("名称"), help=_("不填则由单位名称生成。")),
    Column("note", _("说明")),
)

REGION_PAIRING = (
    Column("helper_region", _("帮扶方地区"), True, help=REGION_NAMES),
    Column("recipient_region", _("受援方地区"), True, help=REGION_NAMES),
    Column(
        "level",
        _("层级"),
        type="choice",
        choices=_choices(RegionPairing.Level),
        help=_("不填为“区级”。"),
    ),
    Column("start_date", _("开始日期"), True, type="date", help=DATE_FORMATS),
    Column("end_date", _("结束日期"), type="date", help=DATE_FORMATS),
    Column("note", _("说明")),
)

NEED = (
    Column("organisation", _("受援单位"), True, help=_("提出需求的受援方单位。") + str(ORG_NAMES)),
    Column("helper", _("帮扶单位"), help=_("受援单位有多个结对关系时必填,用于确定结对关系。")),
    Column("category", _("需求类别"), True, type="choice", choices=QueryChoices(_need_categories)),
    Column(
        "title",
        _("需求名称"),
        True,
        help=_("同一结对关系中,受援单位、需求名称和希望开始日期相同的行视为同一条需求。"),
    ),
    Column("subject", _("学科")),
    Column(
        "priority",
        _("优先级"),
        type="choice",
        choices=_choices(Need.Priority),
        help=_("不填为“中”。"),
    ),
    Column("wished_start", _("希望开始日期"), type="date", help=DATE_FORMATS),
    Column("wished_end", _("希望完成日期"), type="date", help=DATE_FORMATS),
    Column("description", _("具体说明")),
    Column(
        "status",
        _("状态"),
        type="choice",
        choices=_choices(Need.Status),
        help=_("仅新登记的需求使用,不填为“待认领”;已登记需求的状态请在需求页面变更。"),
    ),
)

TARGET_BASIS = (("minimum", _("不少于")), ("exact", _("恰好")))

PROJECT = (
    Column("name", _("项目名称"), True),
    Column("year", _("年度"), type="int", help=_("如 2019;不填为开始日期所在的年份。")),
    Column(
        "level",
        _("级别"),
        type="choice",
        choices=_choices(Project.Level),
        help=_("不填为“区级”。"),
    ),
    Column(
        "owner",
        _("负责单位"),
        help=_("本辖区的教育行政部门,全称或简称;不填为本单位。"),
    ),
    Column("recipient_region", _("受援地区"), True, help=REGION_NAMES),
    Column("start_date", _("开始日期"), True, type="date", help=DATE_FORMATS),
    Column(
        "end_date",
        _("结束日期"),
        type="date",
        help=_("即各项指标的完成期限。新项目必填,同一项目的后续行可不填。") + str(DATE_FORMATS),
    ),
    Column(
        "status",
        _("状态"),
        type="choice",
        choices=_choices(Project.Status),
        help=_("不填为“未开始”。"),
    ),
    Column("description", _("项目说明")),
    Column(
        "target",
        _("指标"),
        help=_(
            "每行一项指标,如 培训当地教师;一个项目有多项指标时分行填写,项目名称、年度、受援地区照抄。"
        ),
    ),
    Column("target_value", _("目标数量"), type="int", help=NUMBER_FORMATS),
    Column("unit", _("计量单位"), type="choice", choices=_choices(Unit)),
    Column(
        "basis",
        _("口径"),
        type="choice",
        choices=TARGET_BASIS,
        help=_("不填为“不少于”。"),
    ),
)

ACTIVITY = (
    Column("organiser", _("组织单位"), True, help=_("您可填报的结对关系中的单位,全称或简称。")),
    Column("receiver", _("受援单位"), help=_("组织单位有多个结对关系时必填,用于确定结对关系。")),
    Column("type", _("活动类型"), True, type="choice", choices=_choices(ActivityType)),
    Column("title", _("活动名称"), True),
    Column("start_date", _("开始日期"), True, type="date", help=DATE_FORMATS),
    Column(
        "end_date", _("结束日期"), type="date", help=_("不填则与开始日期相同。") + str(DATE_FORMATS)
    ),
    Column(
        "mode", _("形式"), type="choice", choices=_choices(Activity.Mode), help=_("不填为“线下”。")
    ),
    Column("place", _("地点")),
    Column("sessions", _("场次"), type="int", help=NUMBER_FORMATS),
    Column("helper_headcount", _("帮扶方人数"), type="int", help=NUMBER_FORMATS),
    Column("recipient_headcount", _("受援方人数"), type="int", help=NUMBER_FORMATS),
    Column(
        "person_times", _("人次"), type="int", help=_("不少于两方人数之和。") + str(NUMBER_FORMATS)
    ),
    Column("subjects", _("学科")),
    Column("lesson_titles", _("课题"), help=_("多个课题用顿号分隔。")),
    Column(
        "led_by",
        _("主导方"),
        type="choice",
        choices=_choices(Activity.LedBy),
        help=_("不填为“帮扶方教师主导”。"),
    ),
    Column("outcome", _("成效与备注")),
)

# --- ledgers of dispatches, visiting trainees, support and resources ----------

YES_NO = (("yes", _("是")), ("no", _("否")))
BATCH_FORMATS = _("可写 3、第3批、第三批。")

DISPATCH = (
    Column(
        "person",
        _("姓名"),
        True,
        help=_("派出单位的人员,同名人员按任教学科区分;单位中没有此人时按本行登记为新人员。"),
    ),
    Column(
        "sender",
        _("派出单位"),
        True,
        help=_("您可填报的单位(本单位或本辖区单位)。") + str(ORG_NAMES),
    ),
    Column("host", _("受援学校"), help=_("不填则须填写受援地区。") + str(ORG_NAMES)),
    Column(
        "host_region",
        _("受援地区"),
        help=_("不填则为受援学校所在地区。") + str(REGION_NAMES),
    ),
    Column(
        "batch",
        _("批次"),
        type="batch",
        help=_("同一派出单位、同一方向的第几批;尚未登记的批次随导入登记。") + str(BATCH_FORMATS),
    ),
    Column("programme", _("方向"), help=_("如 援疆、援藏、援青;可不填。")),
    Column(
        "role", _("岗位"), type="choice", choices=_choices(Dispatch.Role), help=_("不填为“教师”。")
    ),
    Column(
        "term",
        _("期限"),
        type="choice",
        choices=_choices(Dispatch.Term),
        help=_("不填:有结束日期为“按起止日期”。"),
    ),
    Column("start_date", _("开始日期"), True, type="date", help=DATE_FORMATS),
    Column(
        "end_date",
        _("结束日期"),
        type="date",
        help=_("不填则按期限推算。") + str(DATE_FORMATS),
    ),
    Column("subjects", _("任教学科"), help=_("多个学科用顿号分隔。")),
    Column(
        "was_backbone",
        _("骨干教师"),
        type="choice",
        choices=YES_NO,
        help=_("派出时是否为骨干教师,用于骨干教师比例;不填则按人员登记的骨干级别。"),
    ),
    Column("note", _("备注")),
)

TRAINEE = (
    Column("host", _("接待单位"), True, help=_("您可填报的帮扶方单位。") + str(ORG_NAMES)),
    Column(
        "sending_region",
        _("来自地区"),
        help=_("学员来自的区县;不填则为学员单位所在区县。") + str(REGION_NAMES),
    ),
    Column("title", _("批次名称"), help=_("不填则由来自地区和批次生成。")),
    Column("number", _("批次"), type="batch", help=_("不填为第1批。") + str(BATCH_FORMATS)),
    Column("start_date", _("开始日期"), True, type="date", help=DATE_FORMATS),
    Column("end_date", _("结束日期"), True, type="date", help=DATE_FORMATS),
    Column("forms_of_study", _("学习方式"), help=_("如 跟岗听课、上汇报课、参加教研。")),
    Column("person", _("学员姓名"), True),
    Column(
        "organisation",
        _("学员单位"),
        True,
        help=_("学员所在学校;单位中没有此人时按本行登记为新人员。") + str(ORG_NAMES),
    ),
    Column("subjects", _("任教学科"), help=_("登记新学员时使用;同名人员按学科区分。")),
    Column("mentor", _("导师"), help=_("接待单位的骨干教师姓名(师徒结对)。")),
    Column("goals", _("个人培养目标"), help=_("一人一案。")),
    Column("outcome", _("学习成果")),
)
# Columns of the visiting batch itself: rows of one batch repeat them and must agree.
TRAINEE_BATCH_KEYS = ("title", "end_date", "forms_of_study")

SUPPORT = (
    Column("donor", _("提供单位"), True, help=ORG_NAMES),
    Column("recipient", _("受助单位"), help=_("不填则须填写受助地区。") + str(ORG_NAMES)),
    Column(
        "recipient_region",
        _("受助地区"),
        help=_("不填则为受助单位所在地区。") + str(REGION_NAMES),
    ),
    Column("kind", _("类型"), True, type="choice", choices=_choices(Support.Kind)),
    Column("title", _("名称"), help=_("不填则由类型和受助方生成。")),
    Column(
        "amount",
        _("金额(元)"),
        True,
        type="money",
        help=_(
            "可写 44000、4.4万元、约676万元、1.2亿元;“约”“近”“余”“多”“左右”记为约数。物资填写价值。"
        ),
    ),
    Column("date", _("日期"), True, type="date", help=DATE_FORMATS),
    Column(
        "beneficiaries",
        _("受助人数"),
        type="int",
        help=_("学生资助必填。") + str(NUMBER_FORMATS),
    ),
    Column("description", _("说明")),
)

RESOURCE = (
    Column("owner", _("提供单位"), True, help=_("您可填报的单位。") + str(ORG_NAMES)),
    Column("title", _("资源名称"), True),
    Column("kind", _("资源类型"), True, type="choice", choices=_choices(SharedResource.Kind)),
    Column(
        "scope",
        _("共享范围"),
        type="choice",
        choices=_choices(SharedResource.Scope),
        help=_("不填为“本结对”。"),
    ),
    Column(
        "partner",
        _("结对单位"),
        help=_("共享范围为“本结对”且提供单位有多个结对关系时必填,用于确定结对关系。"),
    ),
    Column("subject", _("学科")),
    Column("stage", _("学段"), type="choice", choices=_choices(Organisation.Stage)),
    Column("description", _("说明"), help=_("文件导入后在资源页面上传。")),
)

KINDS = {
    "organisations": (_("单位"), ORGANISATION),
    "people": (_("人员"), PERSON),
    "pairings": (_("结对关系"), PAIRING),
    "region_pairings": (_("对口关系"), REGION_PAIRING),
    "needs": (_("需求清单"), NEED),
    "projects": (_("项目与指标"), PROJECT),
    "activities": (_("活动"), ACTIVITY),
    "dispatches": (_("选派/支教"), DISPATCH),
    "trainees": (_("跟岗学员"), TRAINEE),
    "support": (_("物资与资金帮扶"), SUPPORT),
    "resources": (_("共享资源"), RESOURCE),
}

EXAMPLES = {
    "organisations": [
        ["示例:宁城县第一小学", "宁城", "学校", "小学", "宁城一小", "宁城县天义镇", ""],
        ["示例:莫旗尼尔基第一中学", "莫旗", "学校", "初中", "", "", "繁体或简体均可"],
    ],
    "people": [
        ["示例:张老师", "宁城县汐子中学", "教师", "", "数学、物理", "区级骨干", "", ""],
        ["示例:李校长", "北京九中", "干部", "副校长", "", "", "", ""],
    ],
    "pairings": [
        ["示例:北京九中", "汐子中学", "一对一", "2019-03-01", "", "进行中", "", ""],
        ["示例:南明小学、南明区第二小学", "大歹小学", "组团式", "2019年9月1日", "", "", "", ""],
    ],
    "region_pairings": [
        ["示例:石景山区", "宁城", "区级", "2018-01-01", "", ""],
        ["示例:石景山区", "莫旗", "区级", "2018年1月1日", "", ""],
    ],
    "needs": [
        [
            "示例:汐子中学",
            "北京九中",
            "学科教学",
            "初三数学复习课指导",
            "数学",
            "高",
            "2019-09-01",
            "2020-01-15",
            "希望派骨干教师听课评课",
            "",
        ],
        ["示例:汐子中学", "", "家长指导", "家长学校讲座", "", "", "", "", "", "已满足"],
    ],
    "projects": [
        [
            "示例:送教下乡",
            2019,
            "区级",
            "",
            "宁城",
            "2019-03-01",
            "2019-12-31",
            "实施中",
            "",
            "培训当地教师",
            350,
            "人次",
            "不少于",
        ],
        [
            "示例:送教下乡",
            2019,
            "区级",
            "",
            "宁城",
            "2019-03-01",
            "2019-12-31",
            "实施中",
            "",
            "送教讲座",
            "二十",
            "场",
            "",
        ],
    ],
    "activities": [
        [
            "示例:北京九中",
            "汐子中学",
            "讲座",
            "专题讲座《核心素养与课堂》",
            "2019-05-08",
            "",
            "线下",
            "汐子中学报告厅",
            1,
            2,
            40,
            42,
            "数学",
            "",
            "帮扶方教师主导",
            "",
        ],
        [
            "示例:北京九中",
            "汐子中学",
            "现场课/示范课",
            "同课异构",
            "二〇一九年五月九日",
            "",
            "线上",
            "",
            "二",
            2,
            30,
            32,
            "语文",
            "《老王》",
            "受援方教师主导",
            "",
        ],
    ],
    "dispatches": [
        [
            "示例:王老师",
            "北京九中",
            "汐子中学",
            "",
            "第3批",
            "",
            "教师",
            "一年",
            "2019-09-01",
            "",
            "数学",
            "是",
            "",
        ],
        [
            "示例:刘主任",
            "北京九中",
            "",
            "宁城",
            "3",
            "",
            "干部",
            "",
            "2019年9月1日",
            "2020年1月15日",
            "",
            "否",
            "挂职副校长",
        ],
    ],
    "trainees": [
        [
            "示例:北京九中",
            "宁城",
            "",
            "第1批",
            "2019-04-08",
            "2019-04-26",
            "跟岗听课、上汇报课",
            "赵老师",
            "汐子中学",
            "语文",
            "李老师",
            "提高作文教学能力",
            "",
        ],
    ],
    "support": [
        [
            "示例:北京九中",
            "汐子中学",
            "",
            "捐赠物资",
            "防疫物资",
            "约4.4万元",
            "2020-02-20",
            "",
            "",
        ],
        ["示例:北京九中", "汐子中学", "", "学生资助", "", "10000", "2019年12月1日", 20, ""],
        ["示例:北京九中", "", "宁城", "消费帮扶", "采购农产品", "676万余元", "2019-11-30", "", ""],
    ],
    "resources": [
        ["示例:北京九中", "《老王》教学设计", "教学资料", "本结对", "汐子中学", "语文", "初中", ""],
        [
            "示例:北京九中",
            "初三数学复习课实录",
            "课堂实录",
            "本单位所有结对学校",
            "",
            "数学",
            "",
            "",
        ],
    ],
}
