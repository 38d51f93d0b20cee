"""Bulk writes for imports: many rows in a few statements, inside the caller's transaction.

Django's ``bulk_create`` prepares every value through its field and, on
SQLite, sends a few dozen rows per statement: about 200 µs a row for an
activity's 36 columns on the bench host, most of an import's time. Here the
ids are reserved first, the caller gives values already in database form
(str, int, date, None; JSON as text) and the rows go in with ``COPY``
(PostgreSQL) or ``executemany`` (SQLite): about 30–45 µs a row, nearly all of
it the database maintaining the table's indexes.

No ``save()``, no signals: callers keep derived data (search text, roll-ups,
the audit trail) up to date themselves, as the activity importer does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence

from django.db import connection, models
from django.db.models.deletion import ProtectedError, RestrictedError
from django.utils import timezone

BATCH = 5000
# IN lists stay under SQLite's variable limit.
ID_CHUNK = 500


class Table:
    """A model's columns: those the caller gives per row, then the rest filled in.

    Columns the caller does not give take their default: a callable default
    (a sign-in token) is called for each row, ``auto_now``/``auto_now_add``
    timestamps get the time the table was made, anything else its static
    default, adapted once.
    """

    def __init__(self, model: type[models.Model], varying: Sequence[str], **constants):
        self.model = model
        self.name = model._meta.db_table
        fields = {f.attname: f for f in model._meta.concrete_fields}
        for name in (*varying, *constants):
            if name not in fields:
                raise ValueError(f"{self.name} has no column {name!r}")
        now = timezone.now()
        self.per_row: list[Callable[[], object]] = []
        per_row_cols, const_cols, const_vals = [], [], []
        for attname, field in fields.items():
            if attname in varying or field.primary_key:
                continue
            if attname in constants:
                value = constants[attname]
            elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                value = now
            elif field.has_default() and callable(field.default):
                per_row_cols.append(field.column)
                self.per_row.append(field.default)
                continue
            else:
                value = field.get_default()
                if value is None and not field.null:
                    raise ValueError(f"{self.name}.{attname} needs a value")
            const_cols.append(field.column)
            const_vals.append(field.get_db_prep_save(value, connection))
        self.columns = [fields[a].column for a in varying] + per_row_cols + const_cols
        self.const = tuple(const_vals)

    def complete(self, rows: Iterable[tuple]) -> Iterator[tuple]:
        const, per_row = self.const, self.per_row
        if per_row:
            for row in rows:
                yield row + tuple(f() for f in per_row) + const
        else:
            for row in rows:
                yield row + const


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """``count`` new primary keys for ``model``; one query.

    On SQLite the caller's transaction must hold the write lock (Django's
    ``transaction_mode = "IMMEDIATE"`` takes it when the block opens), so no
    one else can insert between this and the insert.
    """
    if count <= 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [f'"{table}"', count],
            )
            return [row[0] for row in cursor.fetchall()]
        if not connection.in_atomic_block:
            raise RuntimeError("reserve_ids needs the caller's transaction (SQLite)")
        cursor.execute(f'SELECT MAX(id) FROM "{table}"')
        top = cursor.fetchone()[0] or 0
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        seq = cursor.fetchone()
        start = max(top, seq[0] if seq else 0) + 1
    return list(range(start, start + count))


def insert(
    table: Table,
    rows: Iterable[tuple],
    *,
    ids: Sequence[int] | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Insert ``rows`` (the varying values, in ``table``'s order); returns how many.

    With ``ids`` the rows get those primary keys, in order.
    """
    columns = list(table.columns)
    rows = table.complete(rows)
    if ids is not None:
        columns.insert(0, "id")
        rows = ((pk, *row) for pk, row in zip(ids, rows, strict=True))
    connection.ensure_connection()
    raw = connection.connection
    done = 0
    if connection.vendor == "postgresql":
        names = ",".join(f'"{c}"' for c in columns)
        with raw.cursor() as cursor:
            with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(row)
                    done += 1
                    if progress is not None and done % BATCH == 0:
                        progress(done)
    else:
        marks = ",".join("?" * len(columns))
        names = ",".join(f'"{c}"' for c in columns)
        sql = f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})'
        cursor = raw.cursor()
        try:
            while batch := _take(rows, BATCH):
                cursor.executemany(sql, batch)
                done += len(batch)
                if progress is not None:
                    progress(done)
        finally:
            cursor.close()
    return done


def _take(rows: Iterator[tuple], n: int) -> list[tuple]:
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == n:
            break
    return batch


def update(model: type[models.Model], columns: Sequence[str], rows: Iterable[tuple]) -> int:
    """``UPDATE … SET columns, version = version + 1 WHERE id = ? AND version = ?``.

    Each row is the new values in ``columns``' order, then the id and the version
    read before. Returns the rows updated: fewer than given means someone saved
    one of them in between (optimistic locking, as ``save_versioned``).
    """
    rows = list(rows)
    if not rows:
        return 0
    table = model._meta.db_table
    sets = ", ".join(f'"{c}" = %s' for c in columns)
    sql = f'UPDATE "{table}" SET {sets}, "version" = "version" + 1 WHERE id = %s AND version = %s'
    updated = 0
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            cursor.executemany(sql, rows[start : start + BATCH])
            updated += cursor.rowcount
    return updated


def delete(model: type[models.Model], ids: Sequence[int]) -> int:
    """Delete rows by id without loading them, doing what ``on_delete`` asks of each reference.

    Rows pointing at them are deleted (CASCADE, through Django's collector, so
    their own references are honoured), cleared (SET_NULL) or stop the whole
    delete (PROTECT, RESTRICT: ``ProtectedError``). No signals are sent for the
    deleted rows themselves: the caller updates what a signal would have.
    """
    deleted = 0
    relations = [
        f
        for f in model._meta.get_fields(include_hidden=True)
        if f.auto_created and not f.concrete and (f.one_to_many or f.one_to_one)
    ]
    for start in range(0, len(ids), ID_CHUNK):
        chunk = list(ids[start : start + ID_CHUNK])
        for rel in relations:
            related = rel.related_model._base_manager.filter(**{f"{rel.field.name}__in": chunk})
            on_delete = rel.on_delete
            if on_delete is models.DO_NOTHING:
                continue
            if on_delete in (models.PROTECT, models.RESTRICT):
                blocking = list(related[:1])
                if blocking:
                    error = ProtectedError if on_delete is models.PROTECT else RestrictedError
                    raise error(f"{model._meta.label} referenced by {rel.related_model}", blocking)
            elif on_delete is models.SET_NULL:
                related.update(**{rel.field.name: None})
            elif on_delete is models.CASCADE:
                related.delete()
            else:
                # SET_DEFAULT, SET(...): rare; Django's own delete knows them.
                model._base_manager.filter(pk__in=chunk).delete()
                break
        deleted += model._base_manager.filter(pk__in=chunk)._raw_delete(connection.alias)
    return deleted
