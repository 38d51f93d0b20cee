"""One importer per kind of workbook, on a shared base.

``plan()`` reads the workbook and checks every row, resolving names the way
users write them; nothing is written. ``apply()`` writes a plan through the
apps' services (which check their rules once more), keeping a before-image of
every row it changes so the whole import can be undone.

Writes go through the services by default: each row gets the same checks,
derived fields and audit entry as a row typed into the form, at the cost of a
few dozen queries per row. The activity importer, made for ledgers of tens of
thousands of rows, checks every rule of the service in ``plan()`` instead
(with the names, sides and semester locks loaded once) and writes in bulk; its
job's own audit entry records the import.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Callable

from django.apps import apps
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from bangfu.activities import rules as activity_rules
from bangfu.activities.models import Activity
from bangfu.activities.services import LOCKED_MESSAGE
from bangfu.audit import services as audit
from bangfu.core import access
from bangfu.lib import textnorm
from bangfu.orgs import services as org_services
from bangfu.orgs.models import Organisation
from bangfu.pairings.models import Pairing
from bangfu.regions import services as regions

from . import activity_bulk
from . import values as cells
from .columns import ACTIVITY, EXAMPLE_MARK, ORGANISATION, Column
from .models import ImportedRow
from .workbook import BadWorkbook, check_file, formula_cells, read_rows

PROGRESS_EVERY = 500
PREVIEW_SAMPLE = 200
# Column types whose conversion depends on the cell alone: converted once per distinct cell.
MEMO_TYPES = {"date", "int", "choice"}
_BAD = object()
_TEXT = object()


@dataclasses.dataclass(slots=True)
class Planned:
    row: int
    action: str  # create | update | unchanged | error
    values: dict
    instance: object = None
    changes: dict = dataclasses.field(default_factory=dict)
    extra: dict = dataclasses.field(default_factory=dict)


@dataclasses.dataclass
class Plan:
    sheet: str = ""
    rows: list[Planned] = dataclasses.field(default_factory=list)
    errors: list[dict] = dataclasses.field(default_factory=list)

    def counts(self) -> dict[str, int]:
        counts = {"create": 0, "update": 0, "unchanged": 0, "error": 0}
        for row in self.rows:
            counts[row.action] += 1
        return counts

    @property
    def ok(self) -> bool:
        return not self.errors


def _plain(value):
    if isinstance(value, dt.date):
        return value.isoformat()
    if hasattr(value, "pk"):
        return value.pk
    return value


def _key(header) -> str:
    return textnorm.fold(str(header or "")).replace("*", "").replace("(必填)", "")


class Importer:
    kind = ""
    columns: tuple[Column, ...] = ()
    model = None

    def __init__(self, user, data: bytes, progress: Callable[[int, int], None] | None = None):
        self.user = user
        self.data = data
        self.progress = progress or (lambda done, total: None)
        self.today = timezone.localdate()

    # --- reading -----------------------------------------------------------

    def error(self, plan: Plan, row: int | None, column: Column | str | None, message: str):
        header = column.header if isinstance(column, Column) else column
        plan.errors.append(
            {"sheet": plan.sheet, "row": row, "column": str(header or ""), "message": str(message)}
        )

    def plan(self) -> Plan:
        """Read and check every row. Cost: the file read plus a few queries per distinct name."""
        plan = Plan()
        try:
            check_file(self.data)
            plan.sheet, rows = read_rows(self.data)
        except BadWorkbook as exc:
            self.error(plan, None, None, str(exc))
            return plan
        if not rows:
            self.error(plan, None, None, _("工作表“%(sheet)s”是空的。") % {"sheet": plan.sheet})
            return plan
        positions = self._headers(plan, rows[0])
        if positions is None:
            return plan
        by_index = {i: c for c, i in positions.items()}
        formulas = defaultdict(list)
        for row_no, col in formula_cells(self.data, plan.sheet):
            formulas[row_no].append(col)
        body = rows[1:]
        del rows
        self.prepare(body, positions)
        seen: dict[tuple, int] = {}
        for offset, raw in enumerate(body):
            row_no = offset + 2
            # Each raw row is let go once read: a 100,000-row sheet is ~100 MB as lists.
            body[offset] = None
            if offset % PROGRESS_EVERY == 0:
                self.progress(offset, len(body))
            first = cells.text(raw[0]) if raw else ""
            if not first and not any(cells.text(v) for v in raw):
                continue
            if first.startswith(EXAMPLE_MARK):
                continue
            before = len(plan.errors)
            for col in formulas.get(row_no, ()) if formulas else ():
                self.error(
                    plan,
                    row_no,
                    by_index.get(col, ""),
                    _("单元格是公式,请改为数值(复制后“选择性粘贴 → 数值”)。"),
                )
            values = self._parse(plan, row_no, raw, positions)
            planned = Planned(row_no, "error", values)
            if len(plan.errors) == before:
                self.resolve(plan, planned)
            if len(plan.errors) == before:
                key = self.natural_key(planned)
                if key in seen:
                    self.error(plan, row_no, None, _("与第 %(row)s 行重复。") % {"row": seen[key]})
                else:
                    seen[key] = row_no
            if len(plan.errors) > before:
                planned.action = "error"
            plan.rows.append(planned)
        self.finalise(plan)
        plan.errors.sort(key=lambda e: e["row"] or 0)
        self.progress(len(body), len(body))
        return plan

    def _headers(self, plan: Plan, header_row: list) -> dict[Column, int] | None:
        wanted = {_key(c.header): c for c in self.columns}
        positions: dict[Column, int] = {}
        unknown = []
        for index, header in enumerate(header_row):
            name = cells.text(header)
            if not name:
                continue
            column = wanted.get(_key(name))
            if column is None:
                unknown.append(name)
            else:
                positions[column] = index
        missing = [str(c.header) for c in self.columns if c.required and c not in positions]
        if missing or unknown:
            parts = []
            if missing:
                parts.append(_("缺少必填列:%(names)s") % {"names": "、".join(missing)})
            if unknown:
                parts.append(_("无法识别的列:%(names)s") % {"names": "、".join(unknown)})
            self.error(
                plan, 1, None, _("表头与模板不符。") + ";".join(parts) + _("。请使用下载的模板。")
            )
            return None
        return positions

    def _parsers(self, positions: dict) -> list[tuple[Column, str, int, object]]:
        """Per column: how its cells are converted (text, memo, other), once per file."""
        cached = self.__dict__.get("_parser_list")
        if cached is None or cached[0] is not positions:
            plain_text = type(self)._convert is Importer._convert
            parsers = []
            for column, index in positions.items():
                if column.type in MEMO_TYPES:
                    parsers.append((column, column.key, index, {}))
                elif column.type == "text" and plain_text:
                    parsers.append((column, column.key, index, _TEXT))
                else:
                    parsers.append((column, column.key, index, None))
            cached = self._parser_list = (positions, parsers)
        return cached[1]

    def _parse(self, plan: Plan, row_no: int, raw: list, positions: dict) -> dict:
        values = {}
        width = len(raw)
        # One object per distinct text: schools, places and subjects repeat down a ledger.
        texts = self.__dict__.setdefault("_texts", {})
        for column, key, index, how in self._parsers(positions):
            value = raw[index] if index < width else None
            if how is _TEXT:
                # cells.text() of a str, inline: this runs for most cells of a file.
                parsed = value.strip() if value.__class__ is str else cells.text(value)
                parsed = texts.setdefault(parsed, parsed)
            elif how is None:
                parsed = self._convert_or_bad(column, value)
            else:
                # Keyed by type too: 1.0, 1 and True are equal keys but not equal cells.
                memo_key = (value.__class__, value)
                parsed = how.get(memo_key, how)
                if parsed is how:
                    parsed = how[memo_key] = self._convert_or_bad(column, value)
            if parsed is _BAD:
                self.error(plan, row_no, column, self._bad_value_message(column, value))
                continue
            if column.required and (parsed is None or parsed == ""):
                self.error(plan, row_no, column, _("必填,不能为空。"))
                continue
            values[key] = parsed
        return values

    def _convert_or_bad(self, column: Column, value):
        try:
            return self._convert(column, value)
        except cells.BadValue:
            return _BAD

    def _convert(self, column: Column, value):
        if column.type == "date":
            return cells.parse_date(value)
        if column.type == "int":
            return cells.parse_int(value)
        text = cells.text(value)
        if column.type == "choice" and text:
            code = self._lookup(column).get(textnorm.fold(text))
            if code is None:
                raise cells.BadValue(text)
            return code
        return text

    def _lookup(self, column: Column) -> dict:
        cache = self.__dict__.setdefault("_lookups", {})
        if column.key not in cache:
            cache[column.key] = cells.choice_lookup(column.choices)
        return cache[column.key]

    @staticmethod
    def _bad_value_message(column: Column, value) -> str:
        shown = cells.text(value)
        if column.type == "date":
            return _("“%(value)s”不是可识别的日期。") % {"value": shown}
        if column.type == "int":
            return _("“%(value)s”不是非负整数。") % {"value": shown}
        return _("“%(value)s”不是可选的值,可选:%(choices)s。") % {
            "value": shown,
            "choices": "、".join(column.labels),
        }

    # --- per kind ------------------------------------------------------------

    def prepare(self, rows: list[list], positions: dict) -> None:
        """Load what the rows refer to in a few queries, before the rows are checked.

        Read ``rows`` here, don't keep them: each is let go once checked.
        """

    def finalise(self, plan: Plan) -> None:
        """After every row is checked: work better done for all rows at once."""

    def resolve(self, plan: Plan, planned: Planned) -> None:
        raise NotImplementedError

    def natural_key(self, planned: Planned) -> tuple:
        raise NotImplementedError

    def create(self, planned: Planned):
        raise NotImplementedError

    def update(self, planned: Planned):
        raise NotImplementedError

    def revert(self, instance, before: dict) -> None:
        raise NotImplementedError

    def describe(self, planned: Planned) -> str:
        return ""

    # --- writing -------------------------------------------------------------

    def before_image(self, planned: Planned) -> dict:
        """The fields of the row's own record that undo restores after an update."""
        return {f: _plain(getattr(planned.instance, f)) for f in planned.changes}

    def alongside(self, action: str, instance, before: dict | None = None) -> None:
        """Note a record written for the current row besides its own (a new person, a batch).

        Called from ``create``/``update``; undo takes these back after the row's own record.
        """
        self._alongside.append((action, instance, before or {}))

    def apply(self, plan: Plan, job) -> list[dict]:
        """Write the plan; returns the rows' errors (the caller rolls back when any)."""
        errors = []
        label = self.model._meta.label
        total = len(plan.rows)
        for done, planned in enumerate(plan.rows):
            if done % PROGRESS_EVERY == 0:
                self.progress(done, total)
            if planned.action not in ("create", "update"):
                continue
            self._alongside = []
            try:
                if planned.action == "create":
                    instance = self.create(planned)
                    before = {}
                else:
                    before = self.before_image(planned)
                    instance = self.update(planned)
            except ValidationError as exc:
                # Services raise errors keyed by field, or one message for the whole record.
                by_field = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
                for field, messages in by_field.items():
                    column = next((c for c in self.columns if c.key == field), None)
                    for message in messages:
                        errors.append(
                            {
                                "sheet": plan.sheet,
                                "row": planned.row,
                                "column": str(column.header) if column else "",
                                "message": str(message),
                            }
                        )
                continue
            # Written first, so undo (newest first) reaches them after the row's own record.
            for action, other, other_before in self._alongside:
                ImportedRow.objects.create(
                    job=job,
                    row_number=planned.row,
                    action=action,
                    model=other._meta.label,
                    object_id=other.pk,
                    before=other_before,
                )
            ImportedRow.objects.create(
                job=job,
                row_number=planned.row,
                action=planned.action,
                model=label,
                object_id=instance.pk,
                before=before,
            )
        self.progress(total, total)
        return errors

    def undo(self, imported: ImportedRow) -> None:
        # A row may have written records of other models too (see ``alongside``).
        model = apps.get_model(imported.model) if imported.model else self.model
        instance = model.objects.filter(pk=imported.object_id).first()
        if instance is None:
            return
        if imported.action == ImportedRow.Action.CREATE:
            # bangfu.audit.signals records the delete, in the name of the user undoing.
            with audit.acting_as(self.user):
                instance.delete()
        else:
            before = {f: model._meta.get_field(f).to_python(v) for f, v in imported.before.items()}
            self.revert(instance, before)


# --- organisations -------------------------------------------------------------


class OrganisationImporter(Importer):
    kind = "organisations"
    columns = ORGANISATION
    model = Organisation
    FIELDS = ("kind", "stage", "short_name", "address", "note")

    def prepare(self, rows, positions):
        self.regions: dict[str, list] = {}
        self.existing: dict[int, dict[str, Organisation]] = {}
        self.visible = set()
        self.editable = set()
        self.can_create = access.can_create_organisation(self.user)
        self.manageable: dict[int, bool] = {}

    def _region(self, plan, planned, name):
        folded = textnorm.fold(name)
        if folded not in self.regions:
            self.regions[folded] = regions.resolve(name)
        found = self.regions[folded]
        column = ORGANISATION[1]
        if not found:
            self.error(plan, planned.row, column, _("未找到地区“%(name)s”。") % {"name": name})
            return None
        if len(found) > 1:
            self.error(
                plan,
                planned.row,
                column,
                _("地区“%(name)s”有多个同名地区,请写明上级或区划代码:%(candidates)s。")
                % {"name": name, "candidates": "、".join(regions.label(r) for r in found)},
            )
            return None
        return found[0]

    def _orgs_in(self, region) -> dict[str, Organisation]:
        if region.pk not in self.existing:
            orgs = list(Organisation.objects.filter(region=region))
            self.existing[region.pk] = {textnorm.fold(o.name): o for o in orgs}
            ids = [o.pk for o in orgs]
            self.visible |= set(
                Organisation.objects.visible_to(self.user)
                .filter(pk__in=ids)
                .values_list("pk", flat=True)
            )
            self.editable |= set(
                Organisation.objects.filter(access.editable_organisations_q(self.user))
                .filter(pk__in=ids)
                .values_list("pk", flat=True)
            )
        return self.existing[region.pk]

    def resolve(self, plan, planned):
        v = planned.values
        region = self._region(plan, planned, v["region"])
        if region is None:
            return
        planned.extra["region"] = region
        kind = v.get("kind") or ""
        stage = v.get("stage") or ""
        existing = self._orgs_in(region).get(textnorm.fold(v["name"]))
        no_right = _("您无权在地区“%(region)s”登记或修改单位。") % {"region": region.name}
        if existing is not None and existing.pk not in self.visible:
            # Same answer as for a region out of reach: never reveal the row exists.
            self.error(plan, planned.row, ORGANISATION[0], no_right)
            return
        effective_kind = kind or (existing.kind if existing else Organisation.Kind.SCHOOL)
        if stage and effective_kind != Organisation.Kind.SCHOOL:
            self.error(plan, planned.row, ORGANISATION[3], _("只有学校填写学段。"))
            return
        if existing is None:
            if region.pk not in self.manageable:
                self.manageable[region.pk] = self.can_create and access.can_manage_region(
                    self.user, region
                )
            if not self.manageable[region.pk]:
                self.error(plan, planned.row, ORGANISATION[0], no_right)
                return
            planned.action = "create"
            return
        planned.instance = existing
        changes = {f: v[f] for f in self.FIELDS if v.get(f) and v[f] != getattr(existing, f)}
        if not changes:
            planned.action = "unchanged"
            return
        if existing.pk not in self.editable:
            self.error(
                plan,
                planned.row,
                ORGANISATION[0],
                _("您无权修改单位“%(name)s”。") % {"name": existing.name},
            )
            return
        planned.action = "update"
        planned.changes = changes

    def natural_key(self, planned):
        return (planned.extra["region"].pk, textnorm.fold(planned.values["name"]))

    def describe(self, planned):
        return f"{planned.values.get('name', '')}({planned.values.get('region', '')})"

    def create(self, planned):
        v = planned.values
        return org_services.create_organisation(
            actor=self.user,
            name=v["name"],
            region=planned.extra["region"],
            kind=v.get("kind") or Organisation.Kind.SCHOOL,
            **{f: v[f] for f in ("stage", "short_name", "address", "note") if v.get(f)},
        )

    def update(self, planned):
        org = planned.instance
        return org_services.update_organisation(
            org, actor=self.user, expected_version=org.version, **planned.changes
        )

    def revert(self, instance, before):
        org_services.update_organisation(
            instance, actor=self.user, expected_version=instance.version, **before
        )


# --- activities ------------------------------------------------------------------


class ActivityImporter(Importer):
    """The activity ledger, checked with every rule of ``record_activity`` and written in bulk.

    ``prepare`` loads the pairings the user may record in (with their parties)
    and the active semester locks; names, pairings and sides are resolved once
    per distinct value; ``finalise`` matches the rows against existing records
    in one query per 500 organisers. ``apply`` and ``undo_all`` are in
    :mod:`bangfu.dataio.activity_bulk`.
    """

    kind = "activities"
    columns = ACTIVITY
    model = Activity
    COMPARED = (
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
        "outcome",
    )
    BY_KEY = {c.key: c for c in ACTIVITY}
    # Checked here: the service leaves them to the database, which refuses the whole commit.
    MAX_LENGTHS = {
        f: Activity._meta.get_field(f).max_length for f in ("title", "place", "subjects")
    }

    def prepare(self, rows, positions):
        user = self.user
        recordable = (
            Pairing.objects.visible_to(user)
            .filter(
                access.side_pairings_q(user, "helper") | access.side_pairings_q(user, "recipient")
            )
            .select_related("region_pairing")
            .prefetch_related("parties__organisation__region")
        )
        self.pairings_of: dict[int, list[Pairing]] = defaultdict(list)
        self.names: dict[str, dict[int, Organisation]] = defaultdict(dict)
        self._pairing_by_id: dict[int, Pairing] = {}
        for pairing in recordable:
            self._pairing_by_id[pairing.pk] = pairing
            for party in pairing.parties.all():
                org = party.organisation
                self.pairings_of[org.pk].append(pairing)
                for name in (org.name, org.short_name):
                    if name:
                        self.names[textnorm.fold(name)][org.pk] = org
        self.locks = activity_bulk.Locks()
        self._organisers: dict[str, object] = {}
        self._pairings: dict[tuple, object] = {}
        self._lessons: dict[str, str] = {}
        self._sides: dict[int, activity_bulk.Side] = {}
        self._visible_orgs: set[int] | None = None
        self._editable: dict[tuple, bool] = {}

    # --- names, resolved once per distinct value --------------------------------

    def _organiser(self, plan, planned):
        name = planned.values["organiser"]
        found = self._organisers.get(name)
        if found is None:
            found = self._organisers[name] = self._find_organiser(name)
        if isinstance(found, str):
            self.error(plan, planned.row, ACTIVITY[0], found)
            return None
        return found

    def _find_organiser(self, name):
        found = list(self.names.get(textnorm.fold(name), {}).values())
        if len(found) == 1 and found[0].pk in self._visible_organisations():
            return found[0]
        if len(found) > 1:
            return _("单位名称“%(name)s”不唯一,请写全称:%(candidates)s。") % {
                "name": name,
                "candidates": "、".join(f"{o.name}({o.region.name})" for o in found),
            }
        # The same answer whether the school is missing, hidden or not the user's.
        return _("未找到您可填报的单位“%(name)s”。") % {"name": name}

    def _visible_organisations(self) -> set[int]:
        """The service's rule: the organiser must be visible to the user (one query)."""
        if self._visible_orgs is None:
            ids = list(self.pairings_of)
            self._visible_orgs = set()
            for start in range(0, len(ids), 500):
                self._visible_orgs |= set(
                    Organisation.objects.visible_to(self.user)
                    .filter(pk__in=ids[start : start + 500])
                    .values_list("pk", flat=True)
                )
        return self._visible_orgs

    def _pairing(self, plan, planned, organiser):
        key = (organiser.pk, planned.values.get("receiver") or "")
        found = self._pairings.get(key)
        if found is None:
            found = self._pairings[key] = self._find_pairing(organiser, key[1])
        if isinstance(found, str):
            self.error(plan, planned.row, ACTIVITY[1], found)
            return None
        return found

    def _find_pairing(self, organiser, receiver: str):
        pairings = self.pairings_of[organiser.pk]
        if receiver:
            folded = textnorm.fold(receiver)
            pairings = [
                p
                for p in pairings
                if any(
                    party.organisation_id != organiser.pk
                    and folded
                    in {
                        textnorm.fold(party.organisation.name),
                        textnorm.fold(party.organisation.short_name),
                    }
                    for party in p.parties.all()
                )
            ]
            if not pairings:
                return _("“%(receiver)s”不是“%(org)s”的结对单位。") % {
                    "receiver": receiver,
                    "org": organiser.name,
                }
        if len(pairings) > 1:
            return _("“%(org)s”有多个结对关系,请填写受援单位:%(names)s。") % {
                "org": organiser.name,
                "names": "、".join(str(p) for p in pairings),
            }
        return pairings[0]

    def side(self, pairing) -> activity_bulk.Side:
        """What ``record_activity`` derives from the pairing, once per pairing."""
        side = self._sides.get(pairing.pk)
        if side is None:
            side = self._sides[pairing.pk] = activity_bulk.Side.of(self.user, pairing, self.locks)
        return side

    def _lesson_titles(self, text: str) -> str:
        found = self._lessons.get(text)
        if found is None:
            found = self._lessons[text] = "\n".join(
                t.strip() for t in text.replace("、", "\n").splitlines() if t.strip()
            )
        return found

    # --- rows ------------------------------------------------------------------------

    def resolve(self, plan, planned):
        v = planned.values
        organiser = self._organiser(plan, planned)
        if organiser is None:
            return
        pairing = self._pairing(plan, planned, organiser)
        if pairing is None:
            return
        planned.extra.update(organiser=organiser, pairing=pairing)
        v["end_date"] = v.get("end_date") or v["start_date"]
        columns = self.BY_KEY
        ok = True
        for field in ("start_date", "end_date"):
            if v[field] > self.today:
                self.error(
                    plan,
                    planned.row,
                    columns[field],
                    _("台账只登记已开展的活动,日期不能晚于今天(%(today)s)。")
                    % {"today": self.today.isoformat()},
                )
                ok = False
        if v["end_date"] < v["start_date"]:
            self.error(plan, planned.row, columns["end_date"], _("结束日期不能早于开始日期。"))
            ok = False
        headcount = (v.get("helper_headcount") or 0) + (v.get("recipient_headcount") or 0)
        if v.get("person_times") is None:
            v["person_times"] = headcount
        elif v["person_times"] < headcount:
            self.error(
                plan,
                planned.row,
                columns["person_times"],
                _("人次不能少于人数(帮扶方人数与受援方人数之和)。"),
            )
            ok = False
        if v.get("lesson_titles"):
            v["lesson_titles"] = self._lesson_titles(v["lesson_titles"])
        for field, limit in self.MAX_LENGTHS.items():
            if len(v.get(field) or "") > limit:
                self.error(
                    plan,
                    planned.row,
                    columns[field],
                    _("不能超过 %(limit)s 个字。") % {"limit": limit},
                )
                ok = False
        if not ok:
            return
        side = self.side(pairing)
        if self.locks.covers(pairing.pk, side.lock_regions, v["start_date"]):
            self.error(plan, planned.row, columns["start_date"], str(LOCKED_MESSAGE))
            return
        # Until finalise() finds the same activity already in the ledger.
        planned.action = "create"

    def finalise(self, plan):
        """Match the new rows against the ledger: unchanged, update or refused."""
        candidates = [p for p in plan.rows if p.action == "create"]
        existing = activity_bulk.existing_records(
            self.user, candidates, [self.natural_key(p) for p in candidates]
        )
        for planned in candidates:
            record = existing.get(self.natural_key(planned))
            if record is None:
                continue
            v = planned.values
            planned.instance = record
            changes = {
                f: v[f]
                for f in self.COMPARED
                if v.get(f) not in (None, "") and v[f] != getattr(record, f)
            }
            if not changes:
                planned.action = "unchanged"
                continue
            planned.action = "error"
            if not self._can_edit(record):
                self.error(plan, planned.row, None, _("您无权修改已登记的同名活动。"))
            elif self.locks.covers_record(record):
                self.error(plan, planned.row, self.BY_KEY["start_date"], str(LOCKED_MESSAGE))
            else:
                planned.action = "update"
                planned.changes = changes

    def _can_edit(self, record) -> bool:
        key = (record.pairing_id, record.region_pairing_id, record.recorded_side)
        if key not in self._editable:
            stub = Activity(
                pairing_id=record.pairing_id,
                region_pairing_id=record.region_pairing_id,
                recorded_side=record.recorded_side,
            )
            known = self._pairing_by_id.get(record.pairing_id)
            if known is not None:
                stub.pairing = known
            self._editable[key] = activity_rules.can_edit_activity(self.user, stub)
        return self._editable[key]

    @staticmethod
    def natural_key_of(organiser_id, v) -> tuple:
        return (organiser_id, v["type"], textnorm.fold(v["title"]), v["start_date"])

    def natural_key(self, planned):
        key = planned.extra.get("key")
        if key is None:
            key = planned.extra["key"] = self.natural_key_of(
                planned.extra["organiser"].pk, planned.values
            )
        return key

    def describe(self, planned):
        v = planned.values
        return f"{v.get('start_date') or ''} {v.get('title', '')}({v.get('organiser', '')})"

    # --- writing: in bulk ---------------------------------------------------------------

    def apply(self, plan, job):
        return activity_bulk.write(self, plan, job)

    def undo_all(self, job) -> None:
        activity_bulk.undo(self, job)


IMPORTERS: dict[str, type[Importer]] = {
    OrganisationImporter.kind: OrganisationImporter,
    ActivityImporter.kind: ActivityImporter,
}


def preview_sample(importer: Importer, plan: Plan) -> dict:
    """A few rows per outcome for the preview page."""
    sample: dict[str, list] = {"create": [], "update": [], "unchanged": []}
    for planned in plan.rows:
        bucket = sample.get(planned.action)
        if bucket is not None and len(bucket) < PREVIEW_SAMPLE:
            entry = {"row": planned.row, "label": importer.describe(planned)}
            if planned.changes:
                headers = {c.key: str(c.header) for c in importer.columns}
                entry["changes"] = "、".join(headers.get(f, f) for f in planned.changes)
            bucket.append(entry)
    return sample


# The ledgers of work register themselves in IMPORTERS (they build on the classes above).
from . import importers_work  # noqa: E402, F401
