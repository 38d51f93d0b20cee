"""The columns of each kind of workbook: shared by the templates, the importers and the exports."""

from __future__ import annotations

import dataclasses

from django.utils.translation import gettext_lazy as _

from bangfu.activities.models import Activity, ActivityType
from bangfu.orgs.models import Organisation, Person
from bangfu.pairings.models import Pairing

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
    type: str = "text"  # text | date | int | choice
    choices: tuple = ()
    help: str = ""

    @property
    def labels(self) -> list[str]:
        return [str(label) for code, label in self.choices if code]


def _choices(text_choices) -> tuple:
    return tuple(text_choices.choices)


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
    Column("organisation", _("所在单位"), True, help=_("单位全称或简称。")),
    Column(
        "kind", _("类别"), type="choice", choices=_choices(Person.Kind), help=_("不填为“教师”。")
    ),
    Column("position", _("职务")),
    Column("subjects", _("任教学科"), help=_("多个学科用顿号分隔。")),
    Column("backbone_level", _("骨干级别"), type="choice", choices=_choices(Person.Backbone)),
    Column("phone", _("手机号码"), help=_("加密保存,页面与导出只显示部分号码。")),
    Column("id_number", _("身份证号码"), help=_("加密保存,用于识别同名人员。")),
)

PAIRING = (
    Column("helpers", _("帮扶方单位"), True, help=_("多个单位用顿号分隔,第一个为牵头单位。")),
    Column("recipients", _("受援方单位"), True, help=_("多个单位用顿号分隔。")),
    Column("mode", _("结对模式"), True, type="choice", choices=_choices(Pairing.Mode)),
    Column("start_date", _("开始日期"), True, type="date", help=DATE_FORMATS),
    Column("end_date", _("结束日期"), type="date", help=DATE_FORMATS),
    Column("name", _("名称"), help=_("不填则由单位名称生成。")),
    Column("note", _("说明")),
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

KINDS = {
    "organisations": (_("单位"), ORGANISATION),
    "people": (_("人员"), PERSON),
    "pairings": (_("结对关系"), PAIRING),
    "activities": (_("活动"), ACTIVITY),
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
        ["示例:北京九中", "汐子中学", "一对一", "2019-03-01", "", "", ""],
        ["示例:南明小学、南明区第二小学", "大歹小学", "组团式", "2019年9月1日", "", "", ""],
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
}
