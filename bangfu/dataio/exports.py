"""Lists out as xlsx (xlsxwriter, constant memory) or csv (streamed, UTF-8 with BOM).

Rows are what the user sees (``visible_to``) narrowed by the list page's own
filter logic; personal data leaves only in its masked form; text cells that a
spreadsheet would run as a formula are neutralised.
"""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from collections.abc import Callable, Iterable, Iterator

import xlsxwriter
from django.utils.translation import gettext as _

from bangfu.activities.forms import ActivityFilterForm
from bangfu.activities.models import Activity
from bangfu.activities.views import _filter_activities
from bangfu.orgs.forms import OrganisationFilterForm, PersonFilterForm
from bangfu.orgs.models import Organisation, Person
from bangfu.pairings.forms import PairingFilterForm
from bangfu.pairings.models import Pairing
from bangfu.pairings.views import _filter_pairings

from .values import neutralise

CHUNK = 2000
BOM = "\ufeff"


def _date(value):
    return value.isoformat() if value else ""


def _activities(user, params):
    qs = Activity.objects.visible_to(user).select_related(
        "organiser", "pairing", "helper_region", "recipient_region"
    )
    if params:
        qs = _filter_activities(qs, ActivityFilterForm(params, user=user))
    columns = [
        (_("组织单位"), lambda a: a.organiser.name),
        (_("结对关系"), lambda a: str(a.pairing) if a.pairing_id else ""),
        (_("活动类型"), lambda a: a.get_type_display()),
        (_("活动名称"), lambda a: a.title),
        (_("开始日期"), lambda a: a.start_date),
        (_("结束日期"), lambda a: a.end_date),
        (_("形式"), lambda a: a.get_mode_display()),
        (_("地点"), lambda a: a.place),
        (_("场次"), lambda a: a.sessions),
        (_("帮扶方人数"), lambda a: a.helper_headcount),
        (_("受援方人数"), lambda a: a.recipient_headcount),
        (_("人次"), lambda a: a.person_times),
        (_("学科"), lambda a: a.subjects),
        (_("课题"), lambda a: "、".join(a.lesson_title_list)),
        (_("主导方"), lambda a: a.get_led_by_display()),
        (_("帮扶方地区"), lambda a: a.helper_region.name if a.helper_region_id else ""),
        (_("受援方地区"), lambda a: a.recipient_region.name if a.recipient_region_id else ""),
        (_("确认状态"), lambda a: a.get_confirmation_display()),
        (_("成效与备注"), lambda a: a.outcome),
    ]
    return qs, columns


def _organisations(user, params):
    qs = OrganisationFilterForm(params).filter(
        Organisation.objects.visible_to(user).select_related("region")
    )
    columns = [
        (_("单位名称"), lambda o: o.name),
        (_("所在地区"), lambda o: o.region.full_name or o.region.name),
        (_("单位类型"), lambda o: o.get_kind_display()),
        (_("学段"), lambda o: o.get_stage_display()),
        (_("简称"), lambda o: o.short_name),
        (_("地址"), lambda o: o.address),
        (_("备注"), lambda o: o.note),
    ]
    return qs, columns


def _people(user, params):
    qs = PersonFilterForm(params).filter(
        Person.objects.visible_to(user).select_related("organisation")
    )
    # Only the masked forms: an export is a copy outside the system's access control.
    columns = [
        (_("姓名"), lambda p: p.name),
        (_("所在单位"), lambda p: p.organisation.name),
        (_("类别"), lambda p: p.get_kind_display()),
        (_("职务"), lambda p: p.position),
        (_("任教学科"), lambda p: p.subjects),
        (_("骨干级别"), lambda p: p.get_backbone_level_display() if p.backbone_level else ""),
        (_("手机号码"), lambda p: p.phone_masked),
        (_("身份证号码"), lambda p: p.id_number_masked),
    ]
    return qs, columns


def _pairings(user, params):
    qs = Pairing.objects.visible_to(user).prefetch_related("parties__organisation")
    if params:
        qs = _filter_pairings(qs, PairingFilterForm(params, user=user), user)
    columns = [
        (_("名称"), lambda p: str(p)),
        (_("帮扶方单位"), lambda p: "、".join(o.name for o in p.helpers())),
        (_("受援方单位"), lambda p: "、".join(o.name for o in p.recipients())),
        (_("结对模式"), lambda p: p.get_mode_display()),
        (_("状态"), lambda p: p.get_status_display()),
        (_("开始日期"), lambda p: p.start_date),
        (_("结束日期"), lambda p: p.end_date),
    ]
    return qs, columns


EXPORTS: dict[str, Callable] = {
    "activities": _activities,
    "organisations": _organisations,
    "people": _people,
    "pairings": _pairings,
}
TITLES = {
    "activities": "活动台账",
    "organisations": "单位",
    "people": "人员",
    "pairings": "结对关系",
}


def export_rows(kind: str, user, params) -> tuple[list[str], Iterator[list], int]:
    """(headers, rows, count): rows are neutralised cell values; one query per chunk."""
    qs, columns = EXPORTS[kind](user, params)
    headers = [str(header) for header, _get in columns]
    count = qs.count()

    def rows() -> Iterator[list]:
        for obj in qs.iterator(chunk_size=CHUNK):
            yield [neutralise(get(obj)) for _header, get in columns]

    return headers, rows(), count


class _Echo:
    def write(self, value):
        return value


def csv_stream(headers: list[str], rows: Iterable[list]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield BOM + writer.writerow(headers)
    for row in rows:
        yield writer.writerow(["" if v is None else _cell_text(v) for v in row])


def _cell_text(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def write_xlsx(headers: list[str], rows: Iterable[list], sheet_name: str, target) -> None:
    """Write to ``target`` (a path or a file object opened for binary writing)."""
    workbook = xlsxwriter.Workbook(
        target,
        {
            "constant_memory": True,
            # Text is text: never turned into formulas, links or numbers.
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "tmpdir": tempfile.gettempdir(),
        },
    )
    sheet = workbook.add_worksheet(sheet_name)
    bold = workbook.add_format({"bold": True})
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, headers, bold)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if value is None or value == "":
                continue
            if isinstance(value, dt.date):
                sheet.write_datetime(r, c, dt.datetime.combine(value, dt.time()), date_format)
            elif isinstance(value, (int, float)) and not isinstance(value, bool):
                sheet.write_number(r, c, value)
            else:
                sheet.write_string(r, c, str(value))
    workbook.close()
