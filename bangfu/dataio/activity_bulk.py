"""The activity import's commit and undo, in bulk.

``record_activity`` and ``update_activity`` cost about 22 ms a row (a dozen
queries and an audit entry each). The importer checks every rule they check
while it plans (rights per pairing, the organiser's visibility, semester
locks, values), so the commit only writes: the rows the service would have
written, derived fields included (regions, recording side, receivers, search
text, count source), in a few statements per 5,000 rows, inside the commit's
transaction. The import job's own audit entry records who imported which file
and the counts; ``ImportedRow`` keeps the ids created and the before-values of
the rows updated, so undo is exact.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections import namedtuple
from functools import lru_cache
from itertools import chain

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from bangfu.activities import rules
from bangfu.activities.models import Activity, LedgerLock
from bangfu.activities.services import COUNT_FIELDS, LOCKED_MESSAGE
from bangfu.lib import textnorm
from bangfu.lib.semester import semester_of
from bangfu.regions.models import Region

from . import bulk
from .models import ImportedRow

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
# The columns a new activity gets from its row; the rest take the model's defaults.
CREATE_COLUMNS = (
    "type",
    "title",
    "start_date",
    "end_date",
    "mode",
    "direction",
    "place",
    "sessions",
    "helper_headcount",
    "recipient_headcount",
    "person_times",
    "backbone_count",
    "subjects",
    "lesson_titles",
    "led_by",
    "outcome",
    "pairing_id",
    "region_pairing_id",
    "organiser_id",
    "helper_region_id",
    "recipient_region_id",
    "recorded_side",
    "search_text",
)
RECORD_FIELDS = (
    "id",
    "organiser_id",
    "type",
    "title",
    "start_date",
    "version",
    "pairing_id",
    "region_pairing_id",
    "recorded_side",
    "helper_region_id",
    "recipient_region_id",
    "count_source",
    *COMPARED,
)
Record = namedtuple("Record", RECORD_FIELDS)
ORG_CHUNK = 500
HOOK_CHUNK = 10_000


def _default(field: str):
    return Activity._meta.get_field(field).get_default()


@lru_cache(maxsize=65536)
def search_text(title: str, lesson_titles: str) -> str:
    """``textnorm.search_blob(title, *lesson titles)``, as ``record_activity`` makes it.

    Pinyin costs about 0.5 ms a name, so each distinct name is converted once.
    """
    parts: list[str] = []
    for name in (title, *lesson_titles.splitlines()):
        name = name.strip()
        if not name:
            continue
        for part in _blob_parts(name):
            if part and part not in parts:
                parts.append(part)
    return "|".join(parts)


@lru_cache(maxsize=65536)
def _blob_parts(name: str) -> tuple[str, str, str]:
    folded = textnorm.fold(name)
    return folded, textnorm.pinyin(folded), textnorm.initials(folded)


def _rollup():
    """HOOK(stats roll-up): the figures kept per region and month from Activity writes.

    Signals keep them for single saves; a bulk write calls
    ``rollup.apply_bulk(created_ids=…, before=rollup.snapshot(ids))`` itself.
    """
    try:
        from bangfu.stats import rollup
    except ImportError:
        return None
    if hasattr(rollup, "apply_bulk") and hasattr(rollup, "snapshot"):
        return rollup
    return None


# --- what the rules need, loaded once per import ------------------------------------


class Locks:
    """The active semester locks (审核锁定), as ``covering_locks`` reads them; one query."""

    def __init__(self):
        rows = LedgerLock.objects.filter(reopened_at__isnull=True).values_list(
            "pairing_id", "region_id", "academic_year", "term"
        )
        self.pairings, self.regions = set(), set()
        for pairing_id, region_id, year, term in rows:
            if pairing_id:
                self.pairings.add((pairing_id, year, term))
            if region_id:
                self.regions.add((region_id, year, term))
        self.any = bool(self.pairings or self.regions)
        self._semesters: dict[dt.date, tuple[int, int]] = {}
        self._above: dict[int, tuple[int, ...]] = {}

    def semester(self, day: dt.date) -> tuple[int, int]:
        found = self._semesters.get(day)
        if found is None:
            semester = semester_of(day)
            found = self._semesters[day] = (semester.year, semester.term)
        return found

    def region_and_above(self, region_id: int | None, region: Region | None = None) -> tuple:
        """The region and its ancestors: a lock on any of them covers it."""
        if region_id is None:
            return ()
        found = self._above.get(region_id)
        if found is None:
            region = region or Region.objects.get(pk=region_id)
            found = self._above[region_id] = (region.pk, *(r.pk for r in region.ancestors()))
        return found

    def covers(self, pairing_id: int | None, region_ids, day: dt.date) -> bool:
        if not self.any:
            return False
        year, term = self.semester(day)
        if pairing_id and (pairing_id, year, term) in self.pairings:
            return True
        return any((r, year, term) in self.regions for r in region_ids)

    def covers_record(self, record) -> bool:
        if not self.any:
            return False
        regions = self.region_and_above(record.recipient_region_id) + self.region_and_above(
            record.helper_region_id
        )
        return self.covers(record.pairing_id, regions, record.start_date)


@dataclasses.dataclass(frozen=True)
class Side:
    """What ``record_activity`` derives from a pairing for an activity ``user`` records."""

    helper_region_id: int | None
    recipient_region_id: int | None
    region_pairing_id: int | None
    recorded_side: str
    receivers: tuple[int, ...]
    lock_regions: tuple[int, ...]

    @classmethod
    def of(cls, user, pairing, locks: Locks) -> Side:
        """No query: the parties (with their regions) and the region pairing come loaded."""
        helper, recipient, region_pairing = _derive_regions(pairing)
        lock_regions = ()
        if locks.any:
            lock_regions = locks.region_and_above(
                recipient and recipient.pk, recipient
            ) + locks.region_and_above(helper and helper.pk, helper)
        receivers = dict.fromkeys(
            p.organisation_id for p in pairing.parties.all() if p.side == "recipient"
        )
        return cls(
            helper_region_id=helper.pk if helper else None,
            recipient_region_id=recipient.pk if recipient else None,
            region_pairing_id=region_pairing.pk if region_pairing else None,
            recorded_side=rules.recording_side(user, pairing),
            receivers=tuple(receivers),
            lock_regions=lock_regions,
        )


def _derive_regions(pairing):
    """``derive_regions(pairing, None)`` over the prefetched parties, without its query."""
    regions = {}
    for party in sorted(pairing.parties.all(), key=lambda p: (not p.is_lead, p.pk)):
        regions.setdefault(party.side, party.organisation.region)
    return regions.get("helper"), regions.get("recipient"), pairing.region_pairing


def existing_records(user, candidates: list, keys: list[tuple]) -> dict[tuple, Record]:
    """The visible activities with the natural key (organiser id, type, folded title, start
    date) of a candidate row; one query per 500 organisers, over the file's date range only."""
    if not candidates:
        return {}
    organisers = sorted({key[0] for key in keys})
    dates = [key[3] for key in keys]
    wanted = set(keys)
    # Titles are folded only for rows that match on everything else.
    near = {(k[0], k[1], k[3]) for k in wanted}
    found: dict[tuple, Record] = {}
    for start in range(0, len(organisers), ORG_CHUNK):
        rows = (
            Activity.objects.visible_to(user)
            .filter(
                organiser_id__in=organisers[start : start + ORG_CHUNK],
                start_date__range=(min(dates), max(dates)),
            )
            .order_by()
            .values_list(*RECORD_FIELDS)
        )
        for row in rows.iterator(chunk_size=5000):
            record = Record._make(row)
            if (record.organiser_id, record.type, record.start_date) not in near:
                continue
            key = (record.organiser_id, record.type, textnorm.fold(record.title), record.start_date)
            if key in wanted and (key not in found or record.id < found[key].id):
                found[key] = record
    return found


# --- commit ------------------------------------------------------------------------------


def _create_rows(importer, creates):
    mode, direction, led_by = _default("mode"), _default("direction"), _default("led_by")
    sessions, backbone = _default("sessions"), _default("backbone_count")
    for planned in creates:
        v = planned.values
        side = importer.side(planned.extra["pairing"])
        title, lessons = v["title"], v.get("lesson_titles") or ""
        yield (
            v["type"],
            title,
            v["start_date"],
            v["end_date"],
            v.get("mode") or mode,
            direction,
            v.get("place") or "",
            sessions if v.get("sessions") is None else v["sessions"],
            v.get("helper_headcount") or 0,
            v.get("recipient_headcount") or 0,
            v.get("person_times") or 0,
            backbone,
            v.get("subjects") or "",
            lessons,
            v.get("led_by") or led_by,
            v.get("outcome") or "",
            planned.extra["pairing"].pk,
            side.region_pairing_id,
            planned.extra["organiser"].pk,
            side.helper_region_id,
            side.recipient_region_id,
            side.recorded_side,
            search_text(title, lessons),
        )


def _plain(value):
    return value.isoformat() if isinstance(value, dt.date) else value


def _update_rows(user, updates, now) -> tuple[list[tuple], list[dict]]:
    """The UPDATE parameters and, per row, the before-values undo restores."""
    rows, befores = [], []
    for planned in updates:
        record, changes = planned.instance, planned.changes
        merged = [changes.get(f, getattr(record, f)) for f in COMPARED]
        before = {f: _plain(getattr(record, f)) for f in changes}
        count_source = record.count_source
        # As update_activity: counts typed over sign-in figures become reported ones.
        if any(f in changes for f in COUNT_FIELDS):
            count_source = Activity.CountSource.REPORTED
            if record.count_source != count_source:
                before["count_source"] = record.count_source
        lessons = changes.get("lesson_titles", record.lesson_titles)
        rows.append(
            (
                *merged,
                count_source,
                search_text(record.title, lessons),
                user.pk if user else None,
                now,
                record.id,
                record.version,
            )
        )
        befores.append(before)
    return rows, befores


UPDATE_COLUMNS = (*COMPARED, "count_source", "search_text", "updated_by_id", "updated_at")


def write(importer, plan, job) -> list[dict]:
    """Write a checked plan; returns errors (the caller rolls the transaction back)."""
    user, progress = importer.user, importer.progress
    creates = [p for p in plan.rows if p.action == "create"]
    updates = [p for p in plan.rows if p.action == "update"]
    total = len(creates) + len(updates)
    progress(0, total)
    hook = _rollup()
    before_figures = hook.snapshot([p.instance.id for p in updates]) if hook and updates else {}

    ids = bulk.reserve_ids(Activity, len(creates))
    table = bulk.Table(
        Activity,
        CREATE_COLUMNS,
        count_source=Activity.CountSource.REPORTED,
        created_by_id=user.pk if user else None,
        updated_by_id=user.pk if user else None,
    )
    bulk.insert(
        table, _create_rows(importer, creates), ids=ids, progress=lambda n: progress(n, total)
    )
    receivers = bulk.Table(Activity.receivers.through, ("activity_id", "organisation_id"))
    bulk.insert(
        receivers,
        (
            (pk, org)
            for pk, p in zip(ids, creates, strict=True)
            for org in importer.side(p.extra["pairing"]).receivers
        ),
    )

    now = Activity._meta.get_field("updated_at").get_db_prep_save(timezone.now(), connection)
    rows, befores = _update_rows(user, updates, now)
    if bulk.update(Activity, UPDATE_COLUMNS, rows) != len(rows):
        message = _("导入期间有活动被他人修改,没有写入任何数据。请重新上传后再导入。")
        return [{"sheet": plan.sheet, "row": None, "column": "", "message": message}]
    progress(total, total)

    label = Activity._meta.label
    log = bulk.Table(
        ImportedRow, ("job_id", "row_number", "action", "model", "object_id", "before")
    )
    bulk.insert(
        log,
        chain(
            (
                (job.pk, p.row, "create", label, pk, "{}")
                for pk, p in zip(ids, creates, strict=True)
            ),
            (
                (job.pk, p.row, "update", label, p.instance.id, json.dumps(before))
                for p, before in zip(updates, befores, strict=True)
            ),
        ),
    )
    if hook:
        hook.apply_bulk(created_ids=ids[:HOOK_CHUNK], before=before_figures)
        # The roll-up reads back what it is given: in chunks, its memory stays small.
        for start in range(HOOK_CHUNK, len(ids), HOOK_CHUNK):
            hook.apply_bulk(created_ids=ids[start : start + HOOK_CHUNK])
    return []


# --- undo -------------------------------------------------------------------------------

Current = namedtuple(
    "Current",
    "id version title lesson_titles pairing_id helper_region_id recipient_region_id start_date",
)


def _current(ids: list[int]) -> dict[int, Current]:
    found = {}
    for start in range(0, len(ids), bulk.ID_CHUNK):
        rows = (
            Activity._base_manager.filter(pk__in=ids[start : start + bulk.ID_CHUNK])
            .order_by()
            .values_list(*Current._fields)
        )
        found.update((row[0], Current._make(row)) for row in rows)
    return found


def undo(importer, job) -> None:
    """Delete the activities the import created and restore those it updated.

    Raises ``ValidationError`` when one lies in a locked semester and
    ``ProtectedError`` when a created one is referenced; the caller's
    transaction then changes nothing.
    """
    label = Activity._meta.label
    created: list[int] = []
    updated: dict[int, dict] = {}
    for action, model, object_id, before in (
        ImportedRow.objects.filter(job=job)
        .order_by("id")
        .values_list("action", "model", "object_id", "before")
    ):
        if model and model != label:
            raise ValueError(f"the bulk activity undo cannot take back a {model}")
        if action == ImportedRow.Action.CREATE:
            created.append(object_id)
        else:
            updated[object_id] = before
    current = _current(created + list(updated))
    locks = Locks()
    if any(locks.covers_record(record) for record in current.values()):
        raise ValidationError({NON_FIELD_ERRORS: [LOCKED_MESSAGE]})
    hook = _rollup()
    user = importer.user
    now = Activity._meta.get_field("updated_at").get_db_prep_save(timezone.now(), connection)
    ids = list(current)
    # In chunks, so the roll-up's before-image stays small.
    for start in range(0, len(ids), HOOK_CHUNK):
        chunk = ids[start : start + HOOK_CHUNK]
        before_figures = hook.snapshot(chunk) if hook else {}
        _revert(user, now, {pk: updated[pk] for pk in chunk if pk in updated}, current)
        bulk.delete(Activity, [pk for pk in chunk if pk not in updated])
        if hook:
            hook.apply_bulk(before=before_figures)


def _revert(user, now, updated: dict[int, dict], current: dict[int, Current]) -> None:
    """Put back the before-values of updated rows (search text recomputed, version moved on)."""
    groups: dict[tuple, list[tuple]] = {}
    for pk, before in updated.items():
        record = current[pk]
        fields = tuple(sorted(before))
        values = [Activity._meta.get_field(f).to_python(before[f]) for f in fields]
        lessons = before.get("lesson_titles", record.lesson_titles)
        groups.setdefault(fields, []).append(
            (
                *values,
                search_text(record.title, lessons),
                user.pk if user else None,
                now,
                pk,
                record.version,
            )
        )
    for fields, rows in groups.items():
        bulk.update(Activity, (*fields, "search_text", "updated_by_id", "updated_at"), rows)
