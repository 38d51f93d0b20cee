"""The activity roll-ups (bangfu/stats/models.py): written with each ledger write, read by the engine.

Writing. Every save or delete of an Activity goes through the signal receivers
below, inside the writer's transaction: the row's contribution before the write
is taken away and its contribution after is added (one read, one upsert). Paths
that bypass signals say so explicitly: ``with track(ids): …`` around a
``QuerySet.update()``, ``apply_bulk(created_ids=…, before=…)`` after a bulk
write, ``rebuild()`` after a bulk load (the scale generator, the demo).

An activity counts, for each of its sides, in the side region's province and
prefecture (``role`` helper or recipient), and once in the whole country
(``role`` all, ``region_id`` 0); the second table keeps the other side's
prefecture so "person-times by recipient region" needs no ledger scan.

Reading. ``applies(scope)`` says whether a scope can be answered from the
roll-ups (a region above the county, or the whole country, seen in full by the
user); ``activity_rows`` and ``other_rows`` give the engine the same grouped rows
it would get from the ledger, whole months from the roll-ups and the partial
months at either end of the period from the ledger.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Count, F, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save

from bangfu.activities.models import Activity
from bangfu.regions.models import Region

from .models import ActivityRollup, ActivityRollupOther, Role

# The fields of an activity that move a figure; a save touching none of them costs nothing.
TRACKED = {
    "type",
    "direction",
    "led_by",
    "start_date",
    "sessions",
    "person_times",
    "recipient_headcount",
    "helper_region",
    "recipient_region",
    "deleted_at",
}
ROLLUP_LEVELS = (Region.Level.PROVINCE, Region.Level.PREFECTURE)

_SNAPSHOT_FIELDS = (
    "pk",
    "type",
    "direction",
    "led_by",
    "start_date",
    "sessions",
    "person_times",
    "recipient_headcount",
    "helper_region_id",
    "recipient_region_id",
    "helper_region__province_id",
    "helper_region__prefecture_id",
    "recipient_region__province_id",
    "recipient_region__prefecture_id",
)


def _soft_deleted_field(model=Activity) -> str | None:
    names = {f.name for f in model._meta.concrete_fields}
    return "deleted_at" if "deleted_at" in names else None


# --- writing ------------------------------------------------------------------------


def snapshot(ids: Iterable[int]) -> dict[int, dict]:
    """The figure-moving values of these activities, with their regions' ancestors (one query)."""
    ids = [i for i in ids if i is not None]
    if not ids:
        return {}
    fields = list(_SNAPSHOT_FIELDS)
    deleted = _soft_deleted_field()
    if deleted:
        fields.append(deleted)
    out = {}
    # Chunks keep the IN list under SQLite's variable limit.
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        for row in Activity._base_manager.filter(pk__in=chunk).values(*fields):
            if deleted and row.pop(deleted) is not None:
                continue  # a deleted activity counts nowhere
            out[row["pk"]] = row
    return out


def _other(prefecture_id, region_id) -> int:
    return prefecture_id or region_id or 0


def _contributions(row: dict):
    """(table, key) pairs this activity adds to, with its values."""
    start = row["start_date"]
    if isinstance(start, str):
        start = dt.date.fromisoformat(start)
    month = start.replace(day=1)
    kind = (row["type"], row["direction"], row["led_by"])
    values = (1, row["sessions"] or 0, row["person_times"] or 0, row["recipient_headcount"] or 0)
    h_regions = {row["helper_region__province_id"], row["helper_region__prefecture_id"]} - {None}
    r_regions = {row["recipient_region__province_id"], row["recipient_region__prefecture_id"]}
    r_regions -= {None}
    to_recipient = _other(row["recipient_region__prefecture_id"], row["recipient_region_id"])
    to_helper = _other(row["helper_region__prefecture_id"], row["helper_region_id"])
    per_region = [(Role.ALL, 0, to_recipient)]
    per_region += [(Role.HELPER, rid, to_recipient) for rid in h_regions]
    per_region += [(Role.RECIPIENT, rid, to_helper) for rid in r_regions]
    for role, rid, other in per_region:
        yield "main", (str(role), rid, month, *kind), values
        yield "other", (str(role), rid, month, other), (values[0], values[2], values[3])


def _deltas(before: dict[int, dict], after: dict[int, dict]):
    main: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    other: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0])
    for sign, rows in ((-1, before.values()), (1, after.values())):
        for row in rows:
            for table, key, values in _contributions(row):
                acc = main[key] if table == "main" else other[key]
                for i, v in enumerate(values):
                    acc[i] += sign * v
    main = {k: v for k, v in main.items() if any(v)}
    other = {k: v for k, v in other.items() if any(v)}
    return main, other


_MAIN_TABLE = ActivityRollup._meta.db_table
_OTHER_TABLE = ActivityRollupOther._meta.db_table
_UPSERT_MAIN = (
    f"INSERT INTO {_MAIN_TABLE} (role, region_id, month, type, direction, led_by, "
    "n, sessions, person_times, trained) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s) "
    "ON CONFLICT (role, region_id, month, type, direction, led_by) DO UPDATE SET "
    f"n = {_MAIN_TABLE}.n + excluded.n, "
    f"sessions = {_MAIN_TABLE}.sessions + excluded.sessions, "
    f"person_times = {_MAIN_TABLE}.person_times + excluded.person_times, "
    f"trained = {_MAIN_TABLE}.trained + excluded.trained"
)
_UPSERT_OTHER = (
    f"INSERT INTO {_OTHER_TABLE} (role, region_id, month, other_id, n, person_times, trained) "
    "VALUES (%s, %s, %s, %s, %s, %s, %s) "
    "ON CONFLICT (role, region_id, month, other_id) DO UPDATE SET "
    f"n = {_OTHER_TABLE}.n + excluded.n, "
    f"person_times = {_OTHER_TABLE}.person_times + excluded.person_times, "
    f"trained = {_OTHER_TABLE}.trained + excluded.trained"
)


def apply(before: dict[int, dict], after: dict[int, dict]) -> None:
    """Replace the contributions ``before`` by ``after`` (snapshots); one upsert per table."""
    main, other = _deltas(before, after)
    if not main and not other:
        return
    with transaction.atomic(), connection.cursor() as cursor:
        if main:
            cursor.executemany(_UPSERT_MAIN, [(*k, *v) for k, v in sorted(main.items())])
        if other:
            cursor.executemany(_UPSERT_OTHER, [(*k, *v) for k, v in sorted(other.items())])


@contextlib.contextmanager
def track(ids: Iterable[int]):
    """Around a write that bypasses the signals (``QuerySet.update()``): keeps the roll-ups right."""
    ids = list(ids)
    before = snapshot(ids)
    yield
    apply(before, snapshot(ids))


def apply_bulk(*, created_ids: Iterable[int] = (), before: dict[int, dict] | None = None):
    """After ``bulk_create`` (created_ids) and/or ``bulk_update`` (``before`` = snapshot taken first)."""
    before = before or {}
    ids = list(created_ids) + list(before)
    apply(before, snapshot(ids))


def _pre_save(sender, instance, update_fields=None, **kwargs):
    if kwargs.get("raw"):
        return
    if update_fields is not None and not (set(update_fields) & TRACKED):
        instance._rollup_before = None
        return
    instance._rollup_before = snapshot([instance.pk]) if instance.pk else {}


def _post_save(sender, instance, created, update_fields=None, **kwargs):
    before = getattr(instance, "_rollup_before", None)
    if kwargs.get("raw") or before is None:
        return
    instance._rollup_before = None
    apply(before, snapshot([instance.pk]))


def _pre_delete(sender, instance, **kwargs):
    instance._rollup_before = snapshot([instance.pk])


def _post_delete(sender, instance, **kwargs):
    apply(getattr(instance, "_rollup_before", None) or {}, {})


def connect() -> None:
    uid = "bangfu.stats.rollup"
    pre_save.connect(_pre_save, sender=Activity, dispatch_uid=uid)
    post_save.connect(_post_save, sender=Activity, dispatch_uid=uid)
    pre_delete.connect(_pre_delete, sender=Activity, dispatch_uid=uid)
    post_delete.connect(_post_delete, sender=Activity, dispatch_uid=uid)


# --- rebuilding -----------------------------------------------------------------------


def _month_sql(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"CAST(date_trunc('month', {column}) AS date)"
    return f"date({column}, 'start of month')"


def rebuild(activity_model=Activity) -> dict[str, int]:
    """Recompute both tables from the ledger (after a bulk load); returns their row counts.

    ``activity_model``: a migration passes its historical model, whose columns may differ.
    """
    a = Activity._meta.db_table
    reg = Region._meta.db_table
    month = _month_sql("a.start_date")
    deleted = _soft_deleted_field(activity_model)
    alive = f"a.{deleted} IS NULL" if deleted else "1 = 1"
    sums = "COUNT(*), SUM(a.sessions), SUM(a.person_times), SUM(a.recipient_headcount)"
    other_sums = "COUNT(*), SUM(a.person_times), SUM(a.recipient_headcount)"
    kind = "a.type, a.direction, a.led_by"
    main_cols = (
        "role, region_id, month, type, direction, led_by, n, sessions, person_times, trained"
    )
    other_cols = "role, region_id, month, other_id, n, person_times, trained"
    statements = [
        f"DELETE FROM {_MAIN_TABLE}",
        f"DELETE FROM {_OTHER_TABLE}",
        f"INSERT INTO {_MAIN_TABLE} ({main_cols}) SELECT 'all', 0, {month}, {kind}, {sums} "
        f"FROM {a} a WHERE {alive} GROUP BY {month}, {kind}",
        f"INSERT INTO {_OTHER_TABLE} ({other_cols}) "
        f"SELECT 'all', 0, {month}, COALESCE(o.prefecture_id, o.id, 0), {other_sums} "
        f"FROM {a} a LEFT JOIN {reg} o ON o.id = a.recipient_region_id WHERE {alive} "
        f"GROUP BY {month}, COALESCE(o.prefecture_id, o.id, 0)",
    ]
    for role, side, other_side in (
        ("helper", "helper_region_id", "recipient_region_id"),
        ("recipient", "recipient_region_id", "helper_region_id"),
    ):
        for level in ("province_id", "prefecture_id"):
            join = f"FROM {a} a JOIN {reg} s ON s.id = a.{side}"
            where = f"WHERE s.{level} IS NOT NULL AND {alive}"
            statements.append(
                f"INSERT INTO {_MAIN_TABLE} ({main_cols}) "
                f"SELECT '{role}', s.{level}, {month}, {kind}, {sums} {join} {where} "
                f"GROUP BY s.{level}, {month}, {kind}"
            )
            other = "COALESCE(o.prefecture_id, o.id, 0)"
            statements.append(
                f"INSERT INTO {_OTHER_TABLE} ({other_cols}) "
                f"SELECT '{role}', s.{level}, {month}, {other}, {other_sums} {join} "
                f"LEFT JOIN {reg} o ON o.id = a.{other_side} {where} "
                f"GROUP BY s.{level}, {month}, {other}"
            )
    with transaction.atomic(), connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
        cursor.execute(f"SELECT COUNT(*) FROM {_MAIN_TABLE}")
        main = cursor.fetchone()[0]
        cursor.execute(f"SELECT COUNT(*) FROM {_OTHER_TABLE}")
        other = cursor.fetchone()[0]
    return {"main": main, "other": other}


# --- reading --------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Split:
    """A period as whole months (read from the roll-ups) and partial edges (from the ledger)."""

    first_month: dt.date | None
    last_month: dt.date | None
    edges: tuple[tuple[dt.date, dt.date], ...]


def _month_end(day: dt.date) -> dt.date:
    return (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)


def split(date_from: dt.date, date_until: dt.date) -> Split:
    first = date_from if date_from.day == 1 else _month_end(date_from) + dt.timedelta(days=1)
    if date_until == _month_end(date_until):
        last = date_until.replace(day=1)
    else:
        last = (date_until.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    if first > last:  # no whole month inside: the ledger answers it all
        return Split(None, None, ((date_from, date_until),))
    edges = []
    if date_from < first:
        edges.append((date_from, first - dt.timedelta(days=1)))
    if _month_end(last) < date_until:
        edges.append((_month_end(last) + dt.timedelta(days=1), date_until))
    return Split(first, last, tuple(edges))


def main_rows(role: str, region_id: int, first: dt.date, last: dt.date):
    """(month, type, direction, led_by, n, sessions, person_times, trained) of whole months."""
    return ActivityRollup.objects.filter(
        role=role, region_id=region_id, month__gte=first, month__lte=last, n__gt=0
    ).values_list(
        "month", "type", "direction", "led_by", "n", "sessions", "person_times", "trained"
    )


def other_rows(role: str, region_id: int, first: dt.date, last: dt.date):
    """other region id → (n, person_times, trained) over whole months (grouped in the database)."""
    rows = (
        ActivityRollupOther.objects.filter(
            role=role, region_id=region_id, month__gte=first, month__lte=last
        )
        .values("other_id")
        .annotate(n=Sum("n"), pt=Sum("person_times"), tr=Sum("trained"))
        .order_by()
    )
    return {r["other_id"]: (r["n"], r["pt"], r["tr"]) for r in rows if r["n"]}


def roles_present(region_id: int, first: dt.date, last: dt.date) -> set[str]:
    return set(
        ActivityRollup.objects.filter(
            region_id=region_id, month__gte=first, month__lte=last, n__gt=0
        )
        .values_list("role", flat=True)
        .distinct()
        .order_by()
    )


def ledger_main_rows(queryset):
    """The same shape as ``main_rows``, from ledger rows (a partial month)."""
    return (
        queryset.order_by()
        .annotate(month=TruncMonth("start_date"))
        .values_list("month", "type", "direction", "led_by")
        .annotate(
            n=Count("pk"),
            s=Coalesce(Sum("sessions"), 0),
            pt=Coalesce(Sum("person_times"), 0),
            tr=Coalesce(Sum("recipient_headcount"), 0),
        )
    )


def ledger_other_rows(queryset, other: str):
    """The same shape as ``other_rows``, from ledger rows (a partial month)."""
    rows = (
        queryset.order_by()
        .annotate(other_id=Coalesce(F(f"{other}__prefecture_id"), F(f"{other}_id"), 0))
        .values("other_id")
        .annotate(n=Count("pk"), pt=Sum("person_times"), tr=Sum("recipient_headcount"))
    )
    return {r["other_id"]: (r["n"], r["pt"] or 0, r["tr"] or 0) for r in rows}
