"""Lists out as xlsx (xlsxwriter, constant memory) or csv (streamed, UTF-8 with BOM).

Rows are what the user sees (``visible_to``) narrowed by the list page's own
filter logic; text cells that a spreadsheet would run as a formula are
neutralised. People (personal data) have an export of their own,
:func:`people_export`, behind a permission and a daily limit.
"""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from collections.abc import Callable, Iterable, Iterator
from itertools import chain, islice

import xlsxwriter
from django.utils import timezone
from django.utils.translation import gettext as _

from bangfu.activities.forms import ActivityFilterForm
from bangfu.activities.models import Activity
from bangfu.activities.views import _filter_activities
from bangfu.orgs.forms import OrganisationFilterForm
from bangfu.orgs.models import Organisation, Person
from bangfu.pairings.forms import PairingFilterForm
from bangfu.pairings.models import Pairing
from bangfu.pairings.views import _filter_pairings
from bangfu.regions.models import Region

from .values import neutralise

CHUNK = 2000
BOM = "\ufeff"


def _date(value):
    return value.isoformat() if value else ""


class ActivityExport:
    """The activity ledger as rows of plain values, for a million rows and more.

    One query per 2,000 rows over the ledger's own columns (a server-side
    cursor on PostgreSQL); organisers, pairings and regions are named from
    dictionaries filled a chunk at a time instead of four joins per row, and
    choice labels are translated once.
    """

    FIELDS = (
        "organiser_id",
        "pairing_id",
        "type",
        "title",
        "start_date",
        "end_date",
        "mode",
        "place",
        "sessions",
        "helper_headcount",
        "recipient_headcount",
        "person_times",
        "subjects",
        "lesson_titles",
        "led_by",
        "helper_region_id",
        "recipient_region_id",
        "confirmation",
        "outcome",
    )

    def __init__(self, user, params):
        qs = Activity.objects.visible_to(user)
        if params:
            qs = _filter_activities(qs, ActivityFilterForm(params, user=user))
        self.qs = qs
        self.headers = [
            str(h)
            for h in (
                _("组织单位"),
                _("结对关系"),
                _("活动类型"),
                _("活动名称"),
                _("开始日期"),
                _("结束日期"),
                _("形式"),
                _("地点"),
                _("场次"),
                _("帮扶方人数"),
                _("受援方人数"),
                _("人次"),
                _("学科"),
                _("课题"),
                _("主导方"),
                _("帮扶方地区"),
                _("受援方地区"),
                _("确认状态"),
                _("成效与备注"),
            )
        ]

    def count(self) -> int:
        return self.qs.count()

    def rows(self) -> Iterator[list]:
        def labels(field):
            return {code: str(label) for code, label in Activity._meta.get_field(field).choices}

        types, modes = labels("type"), labels("mode")
        leads, confirmations = labels("led_by"), labels("confirmation")
        orgs = _Names(Organisation, "name")
        pairings = _Names(Pairing, "name", blank=lambda pk: f"{_('结对')} #{pk}")
        regions = _Names(Region, "name")
        cursor = self.qs.values_list(*self.FIELDS).iterator(chunk_size=CHUNK)
        while chunk := list(islice(cursor, CHUNK)):
            orgs.load(r[0] for r in chunk)
            pairings.load(r[1] for r in chunk)
            regions.load(chain.from_iterable((r[15], r[16]) for r in chunk))
            for r in chunk:
                lessons = r[13]
                if lessons:
                    lessons = "、".join(t.strip() for t in lessons.splitlines() if t.strip())
                yield [
                    neutralise(orgs.names[r[0]]),
                    neutralise(pairings.names[r[1]]) if r[1] else "",
                    types.get(r[2], r[2]),
                    neutralise(r[3]),
                    r[4],
                    r[5],
                    modes.get(r[6], r[6]),
                    neutralise(r[7]),
                    r[8],
                    r[9],
                    r[10],
                    r[11],
                    neutralise(r[12]),
                    neutralise(lessons),
                    leads.get(r[14], r[14]),
                    regions.names[r[15]] if r[15] else "",
                    regions.names[r[16]] if r[16] else "",
                    confirmations.get(r[17], r[17]),
                    neutralise(r[18]),
                ]


class _Names:
    """id → display name of one model, filled in one query per chunk of unseen ids."""

    def __init__(self, model, field: str, blank=None):
        self.model, self.field, self.blank = model, field, blank
        self.names: dict[int, str] = {}

    def load(self, ids) -> None:
        missing = {i for i in ids if i is not None and i not in self.names}
        if not missing:
            return
        for pk, name in self.model._base_manager.filter(pk__in=missing).values_list(
            "pk", self.field
        ):
            self.names[pk] = name or (self.blank(pk) if self.blank else "")


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


def people_export(user, stored_search: dict | None, *, full: bool = False):
    """(headers, rows, count, revealed_ids) of the people export (personal data).

    Not in :data:`EXPORTS`: it is reached only through the person export page,
    which checks the permission, the daily limit and records the export
    (bangfu.security.pii). Rows are the people the user sees, narrowed by the
    person list's stored search. Numbers are masked; with ``full``, the people
    whose numbers the user may reveal get them in full (their ids are
    returned for the audit), everyone else stays masked.
    """
    from bangfu.core import access
    from bangfu.orgs.forms import filter_people

    qs = filter_people(
        Person.objects.visible_to(user).select_related("organisation"), stored_search
    )
    revealed: set[int] = set()
    if full:
        revealed = set(qs.filter(access.personal_data_reveal_q(user)).values_list("pk", flat=True))

    def phone(p):
        return p.phone() if p.pk in revealed else p.phone_masked

    def id_number(p):
        return p.id_number() if p.pk in revealed else p.id_number_masked

    columns = [
        (_("姓名"), lambda p: p.name),
        (_("所在单位"), lambda p: p.organisation.name),
        (_("类别"), lambda p: p.get_kind_display()),
        (_("职务"), lambda p: p.position),
        (_("任教学科"), lambda p: p.subjects),
        (_("骨干级别"), lambda p: p.get_backbone_level_display() if p.backbone_level else ""),
        (_("手机号码"), phone),
        (_("身份证号码"), id_number),
    ]
    headers = [str(header) for header, _get in columns]

    def rows() -> Iterator[list]:
        for person in qs.iterator(chunk_size=CHUNK):
            yield [neutralise(get(person)) for _header, get in columns]

    return headers, rows(), qs.count(), revealed


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
    "activities": ActivityExport,
    "organisations": _organisations,
    # People (personal data) leave only through people_export.
    "pairings": _pairings,
}
TITLES = {
    "activities": "活动台账",
    "organisations": "单位",
    "people": "人员",
    "pairings": "结对关系",
    "region_pairings": "对口关系",
    "needs": "需求清单",
    "projects": "项目与指标",
    "dispatches": "选派支教台账",
    "trainees": "跟岗学员台账",
    "support": "物资与资金帮扶台账",
    "resources": "共享资源台账",
}


def export_rows(kind: str, user, params) -> tuple[list[str], Iterator[list], int]:
    """(headers, rows, count): rows are neutralised cell values; one query per chunk."""
    source = EXPORTS[kind](user, params)
    if not isinstance(source, tuple):
        return source.headers, source.rows(), source.count()
    qs, columns = source
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
    write_string, write_number = sheet.write_string, sheet.write_number
    write_datetime = sheet.write_datetime
    # The common types by identity first: this loop runs once per cell (19 million
    # for a million activities).
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            kind = value.__class__
            if kind is str:
                if value:
                    write_string(r, c, value)
            elif kind is int or kind is float:
                write_number(r, c, value)
            elif kind is dt.date:
                write_datetime(r, c, value, date_format)
            elif value is None or kind is bool:
                if value is not None:
                    write_string(r, c, str(value))
            elif isinstance(value, dt.datetime):
                # The day, in local time: Excel has no time zones.
                if timezone.is_aware(value):
                    value = timezone.localtime(value)
                write_datetime(r, c, value.date(), date_format)
            elif isinstance(value, dt.date):
                write_datetime(r, c, value, date_format)
            elif isinstance(value, (int, float)):
                write_number(r, c, value)
            elif value != "":
                write_string(r, c, str(value))
    workbook.close()


def write_file(fmt: str, headers: list[str], rows: Iterable[list], sheet_name: str, path) -> None:
    """An export to a file: xlsx, or csv in UTF-8 with BOM."""
    if fmt == "csv":
        with open(path, "w", encoding="utf-8", newline="") as out:
            for chunk in csv_stream(headers, rows):
                out.write(chunk)
    else:
        write_xlsx(headers, rows, sheet_name, path)
