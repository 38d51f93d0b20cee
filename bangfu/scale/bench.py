"""Statistics at scale: ``python -m bangfu.scale.bench [--db sqlite|postgres|both] [--scale ...]``.

For each database the bench runs two child processes with that database in
their settings: ``prepare`` (migrate, load the registry, generate the data set
unless it is there already) and ``measure`` (time the figures, the hand-written
SQL floor and DuckDB), so the peak memory printed is the measuring process's.

What is timed: ``dashboard()`` (everything the coordinator dashboard shows, as
its view builds it) and ``bulletin()`` (the bulletin's text with its tables),
both through bangfu.stats; ``figures()`` checks, untimed, that the engine's
figures equal the floor's. The floor is one hand-written GROUP BY over the
activity table returning the same figures; DuckDB runs that query on a Parquet
copy for reference. The ratio printed is the page's p95 over the floor's median.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import datetime as dt
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent.parent
BENCH_DIR = BASE_DIR / "var" / "bench"
PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgres://postgres@127.0.0.1:5432")
GOALS_MS = {"province": 100.0, "country": 500.0}  # p95


# --- the figures -----------------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    """What a coordinator's dashboard shows for a scope and a period."""

    # type → (activities, sessions, person_times)
    by_type: dict[str, tuple[int, int, int]]
    # recipient prefecture id → (activities, sessions, person_times)
    by_prefecture: dict[int | None, tuple[int, int, int]]
    total: tuple[int, int, int]
    # 造血: activities the recipient side led itself.
    recipient_led: int

    @property
    def self_reliance_share(self) -> float:
        return self.recipient_led / self.total[0] if self.total[0] else 0.0


def _scope(scope_region):
    from bangfu.stats.engine import Scope

    return Scope(country=True) if scope_region is None else Scope(region=scope_region)


def _period(date_from, date_until):
    from bangfu.stats.engine import Period

    return Period(date_from, date_until)


def dashboard(scope_region, date_from: dt.date, date_until: dt.date) -> dict:
    """The coordinator dashboard's data for the scope and period, as its view builds it."""
    from bangfu.stats import dashboard as page

    return page.build(_scope(scope_region), _period(date_from, date_until), None, date_until)


def bulletin(scope_region, date_from: dt.date, date_until: dt.date) -> str:
    """The bulletin's text (its prose and tables), as the page and the command compose it."""
    from bangfu.stats.bulletin import compose

    return compose(_scope(scope_region), _period(date_from, date_until)).text


def figures(scope_region, date_from: dt.date, date_until: dt.date) -> Figures:
    """The floor's figures as the statistics engine computes them (checked against the floor)."""
    from bangfu.stats.engine import compute

    return from_engine(compute(_scope(scope_region), _period(date_from, date_until)))


def from_engine(computed) -> Figures:
    """The engine's figures in the floor's shape: by type, totals, recipient-led."""
    role = "all" if computed.scope.country else "recipient"
    p = "act." if role == "all" else f"act.{role}."
    by_type = {}
    for f in computed.with_prefix(p + "type."):
        kind, measure = f.key[len(p + "type.") :].rsplit(".", 1)
        counts = by_type.setdefault(kind, [0, 0, 0])
        index = {"count": 0, "sessions": 1, "person_times": 2}.get(measure)
        if index is not None:
            counts[index] = int(f.value)
    by_type = {k: tuple(v) for k, v in by_type.items()}
    total = (
        int(computed.value(p + "total.count")),
        sum(v[1] for v in by_type.values()),
        int(computed.value(p + "total.person_times")),
    )
    led = int(computed.value(p + "capacity.recipient_led.count"))
    return Figures(by_type, {}, total, led)


FLOOR_SQL = """
SELECT r.prefecture_id, a.type, COUNT(*), SUM(a.sessions), SUM(a.person_times),
       SUM(CASE WHEN a.led_by = 'recipient' THEN 1 ELSE 0 END)
FROM activities_activity a
JOIN regions_region r ON r.id = a.recipient_region_id
WHERE a.start_date >= {p} AND a.start_date <= {p} {scope}
GROUP BY r.prefecture_id, a.type
"""


def _floor_sql(scope_region, mark: str) -> str:
    scope = ""
    if scope_region is not None:
        field = scope_region.LEVEL_FIELDS.get(scope_region.level, "id")
        scope = f"AND r.{field}_id = {mark}" if field != "id" else f"AND r.id = {mark}"
    return FLOOR_SQL.format(p=mark, scope=scope)


def _params(scope_region, date_from, date_until) -> list:
    params = [date_from, date_until]
    if scope_region is not None:
        params.append(scope_region.pk)
    return params


def _fold(rows) -> Figures:
    by_type: dict = {}
    by_prefecture: dict = {}
    total = [0, 0, 0]
    led = 0
    for prefecture, kind, n, s, p, r in rows:
        n, s, p, r = int(n), int(s or 0), int(p or 0), int(r or 0)
        for bucket, key in ((by_type, kind), (by_prefecture, prefecture)):
            old = bucket.get(key, (0, 0, 0))
            bucket[key] = (old[0] + n, old[1] + s, old[2] + p)
        total = [total[0] + n, total[1] + s, total[2] + p]
        led += r
    return Figures(by_type, by_prefecture, tuple(total), led)


def floor(scope_region, date_from: dt.date, date_until: dt.date) -> Figures:
    """The same figures from one hand-written GROUP BY over the base table: the floor."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(_floor_sql(scope_region, "%s"), _params(scope_region, date_from, date_until))
        return _fold(cursor.fetchall())


# --- DuckDB reference ------------------------------------------------------------------


class DuckReference:
    """The activity table exported once to Parquet, and the floor query run by DuckDB on it.

    DuckDB's sqlite/postgres scanners are extensions downloaded on first use;
    the bench host has no network, so the export goes through CSV instead.
    """

    def __init__(self, directory: Path, key: str):
        self.path = directory / f"activities-{key}.parquet"
        self.regions = directory / f"regions-{key}.parquet"
        self.export_seconds = 0.0

    def prepare(self) -> None:
        import duckdb
        from django.db import connection

        if self.path.exists() and self.regions.exists():
            return
        started = time.perf_counter()
        for target, sql in (
            (
                self.path,
                "SELECT recipient_region_id, type, start_date, sessions, person_times, led_by "
                "FROM activities_activity",
            ),
            (self.regions, "SELECT id, province_id, prefecture_id, county_id FROM regions_region"),
        ):
            csv_path = target.with_suffix(".csv")
            with open(csv_path, "w", newline="") as fh:
                if connection.vendor == "postgresql":
                    connection.ensure_connection()
                    with connection.connection.cursor() as cursor:
                        with cursor.copy(f"COPY ({sql}) TO STDOUT WITH CSV") as copy:
                            for block in copy:
                                fh.write(bytes(block).decode())
                else:
                    writer = csv.writer(fh)
                    with connection.cursor() as cursor:
                        cursor.execute(sql)
                        while chunk := cursor.fetchmany(100_000):
                            writer.writerows(chunk)
            columns = (
                "{'recipient_region_id': 'BIGINT', 'type': 'VARCHAR', 'start_date': 'DATE', "
                "'sessions': 'BIGINT', 'person_times': 'BIGINT', 'led_by': 'VARCHAR'}"
                if target == self.path
                else "{'id': 'BIGINT', 'province_id': 'BIGINT', 'prefecture_id': 'BIGINT', "
                "'county_id': 'BIGINT'}"
            )
            duckdb.sql(
                f"COPY (SELECT * FROM read_csv('{csv_path}', header=false, columns={columns})) "
                f"TO '{target}' (FORMAT parquet)"
            )
            csv_path.unlink()
        self.export_seconds = time.perf_counter() - started

    def connect(self):
        import duckdb

        con = duckdb.connect()
        con.execute(f"CREATE VIEW activities_activity AS SELECT * FROM '{self.path}'")
        con.execute(f"CREATE VIEW regions_region AS SELECT * FROM '{self.regions}'")
        return con

    @staticmethod
    def figures(con, scope_region, date_from, date_until) -> Figures:
        rows = con.execute(
            _floor_sql(scope_region, "?"), _params(scope_region, date_from, date_until)
        ).fetchall()
        return _fold(rows)


# --- measuring -------------------------------------------------------------------------


def _time(
    fn: Callable[[], object], reps: int, cpu: list | None = None
) -> tuple[list[float], object]:
    """Wall-clock samples in ms; ``cpu`` collects this process's CPU ms (SQLite runs in it)."""
    result, samples = None, []
    for _ in range(reps):
        started, cpu_started = time.perf_counter(), time.process_time()
        result = fn()
        samples.append((time.perf_counter() - started) * 1000)
        if cpu is not None:
            cpu.append((time.process_time() - cpu_started) * 1000)
    return samples, result


def _p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def measure(dataset, *, reps: int, with_duckdb: bool = True, out=print) -> list[dict]:
    """Time figures, floor and DuckDB for a province and the country, one year and all years."""
    from django.db import connection

    from bangfu.regions.models import Region

    province = Region.objects.get(pk=dataset.focus_province_id)
    last_year_from = dt.date(dataset.date_until.year - 1, 9, 1)
    until = dataset.date_until
    # A date inside a month: whole months from the roll-ups, the days at the end from the ledger.
    mid = (until.replace(day=1) - dt.timedelta(days=60)).replace(day=17)
    cases = [
        ("province", f"{province.name} 1 学年", province, last_year_from, until),
        ("province", f"{province.name} 学年至{mid:%m-%d}", province, last_year_from, mid),
        ("province", f"{province.name} 全部", province, dataset.date_from, until),
        ("country", "全国 1 学年", None, last_year_from, until),
        ("country", f"全国 学年至{mid:%m-%d}", None, last_year_from, mid),
        ("country", "全国 全部", None, dataset.date_from, until),
    ]
    duck = con = None
    if with_duckdb:
        BENCH_DIR.mkdir(parents=True, exist_ok=True)
        duck = DuckReference(BENCH_DIR, f"{connection.vendor}-{dataset.scale}-{dataset.pk}")
        duck.prepare()
        if duck.export_seconds:
            out(f"DuckDB export to Parquet: {duck.export_seconds:.1f} s (once)")
        con = duck.connect()
    results = []
    for goal, label, scope, date_from, until in cases:
        # One untimed run each so every figure is measured warm.
        expected = floor(scope, date_from, until)
        got = figures(scope, date_from, until)
        expected_cmp = dataclasses.replace(expected, by_prefecture={})
        if got != expected_cmp:
            raise AssertionError(f"the engine and the floor disagree for {label}")
        dashboard(scope, date_from, until)
        bulletin(scope, date_from, until)
        dash_cpu: list[float] = []
        dash_ms, _ = _time(lambda s=scope, d=date_from, u=until: dashboard(s, d, u), reps, dash_cpu)
        bull_ms, _ = _time(lambda s=scope, d=date_from, u=until: bulletin(s, d, u), reps)
        floor_ms, _ = _time(lambda s=scope, d=date_from, u=until: floor(s, d, u), reps)
        duck_ms = None
        if con is not None:
            DuckReference.figures(con, scope, date_from, until)
            duck_samples, duck_result = _time(
                lambda s=scope, d=date_from, u=until: DuckReference.figures(con, s, d, u), reps
            )
            if duck_result != expected:
                raise AssertionError(f"DuckDB and the floor disagree for {label}")
            duck_ms = statistics.median(duck_samples)
        floor_median = statistics.median(floor_ms)
        for what, samples in (("dashboard", dash_ms), ("bulletin", bull_ms)):
            row = {
                "database": connection.vendor,
                "scope": label,
                "what": what,
                "goal": goal,
                "rows": expected.total[0],
                "median_ms": statistics.median(samples),
                "p95_ms": _p95(samples),
                "floor_ms": floor_median,
                "floor_p95_ms": _p95(floor_ms),
                "duckdb_ms": duck_ms,
                # Under a loaded host wall time overstates the work; SQLite's CPU is ours to see.
                "cpu_ms": statistics.median(dash_cpu) if what == "dashboard" else None,
                "self_reliance": expected.self_reliance_share,
            }
            row["ratio"] = row["p95_ms"] / floor_median if floor_median else None
            row["meets_goal"] = row["p95_ms"] <= GOALS_MS[goal]
            results.append(row)
            out(
                f"  measured {label} {what}: median {row['median_ms']:.1f} ms, "
                f"p95 {row['p95_ms']:.1f} ms, floor {floor_median:.1f} ms, "
                f"duckdb {duck_ms or 0:.1f} ms"
            )
    # The bulletin's peak memory: the measuring process only composes figures and text.
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    for row in results:
        row["peak_mb"] = peak_mb
    return results


def format_table(results: list[dict]) -> str:
    head = (
        f"{'database':10} {'scope':18} {'page':9} {'activities':>10} {'median ms':>10} "
        f"{'p95 ms':>9} {'floor ms':>9} {'p95/floor':>9} {'duckdb ms':>9} {'peak MB':>8}  "
        "goal (p95)"
    )
    lines = [head, "-" * len(head)]
    for r in results:
        duck = f"{r['duckdb_ms']:9.1f}" if r["duckdb_ms"] is not None else f"{'-':>9}"
        ratio = f"{r['ratio']:.3f}" if r["ratio"] is not None else "-"
        verdict = "met" if r["meets_goal"] else "NOT met"
        lines.append(
            f"{r['database']:10} {r['scope']:18} {r['what']:9} {r['rows']:>10,} "
            f"{r['median_ms']:10.1f} {r['p95_ms']:9.1f} {r['floor_ms']:9.1f} {ratio:>9} {duck} "
            f"{r['peak_mb']:8.0f}  ≤{GOALS_MS[r['goal']]:.0f} ms {verdict}"
        )
    return "\n".join(lines)


def format_rates(label: str, rates: dict, counts: dict) -> str:
    lines = [f"generation ({label}):"]
    for table, count in counts.items():
        lines.append(f"  {table:28} {count:>10,} rows {rates.get(table, 0):>10,} rows/s")
    return "\n".join(lines)


# --- processes -------------------------------------------------------------------------


def _child_env(db: str, scale: str) -> dict:
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="bangfu.settings", DEBUG="0")
    if db == "sqlite":
        env.pop("DATABASE_URL", None)
        env["SQLITE_PATH"] = str(BENCH_DIR / f"bench-{scale}.sqlite3")
    else:
        env["DATABASE_URL"] = f"{PG_SERVER}/bangfu_bench_{scale}"
    return env


def _ensure_pg_database(scale: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        name = f"bangfu_bench_{scale}"
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def _django():
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bangfu.settings")
    django.setup()


def child_prepare(scale: str, seed: int) -> dict:
    _django()
    from django.core.management import call_command
    from django.db import connection

    from bangfu.scale.generator import Generator
    from bangfu.scale.models import GeneratedDataset

    call_command("migrate", verbosity=0, interactive=False)
    if connection.vendor == "postgresql":
        # Two bench runs on one server: the second waits, then reuses the first's data set.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(hashtext('bangfu.scale.bench'))")
    dataset = GeneratedDataset.objects.filter(scale=scale, seed=seed).first()
    reused = dataset is not None
    if dataset is None:
        log = lambda line: print(line, file=sys.stderr, flush=True)  # noqa: E731
        dataset = Generator(scale, seed=seed, out=log).run(replace=True)
    return {
        "dataset": dataset.pk,
        "reused": reused,
        "rates": dataset.rates,
        "counts": dataset.row_counts,
    }


def child_measure(scale: str, seed: int, reps: int) -> dict:
    _django()
    from bangfu.scale.models import GeneratedDataset

    dataset = GeneratedDataset.objects.get(scale=scale, seed=seed)
    log = lambda line: print(line, file=sys.stderr, flush=True)  # noqa: E731
    return {"results": measure(dataset, reps=reps, out=log)}


def _run_child(db: str, phase: str, args) -> dict:
    cmd = [
        sys.executable,
        "-m",
        "bangfu.scale.bench",
        "--child",
        phase,
        "--db",
        db,
        "--scale",
        args.scale,
        "--seed",
        str(args.seed),
        "--reps",
        str(args.reps),
    ]
    proc = subprocess.run(
        cmd, env=_child_env(db, args.scale), cwd=BASE_DIR, stdout=subprocess.PIPE, text=True
    )
    if proc.returncode:
        raise SystemExit(f"bench {phase} on {db} failed (exit {proc.returncode})")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bangfu.scale.bench")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument(
        "--scale",
        choices=["tiny", "province", "national"],
        default=os.environ.get("BENCH_SCALE", "national"),
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--reps", type=int, default=int(os.environ.get("BENCH_REPS", "9")))
    parser.add_argument("--child", choices=["prepare", "measure"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child == "prepare":
        print(json.dumps(child_prepare(args.scale, args.seed)))
        return 0
    if args.child == "measure":
        print(json.dumps(child_measure(args.scale, args.seed, args.reps)))
        return 0

    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    databases = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    results = []
    for db in databases:
        if db == "postgres":
            _ensure_pg_database(args.scale)
        print(f"== {db}, {args.scale} scale: preparing", flush=True)
        started = time.perf_counter()
        prepared = _run_child(db, "prepare", args)
        state = "reused" if prepared["reused"] else "generated"
        print(f"data set {state} in {time.perf_counter() - started:.1f} s", flush=True)
        print(format_rates(f"{db}, {state}", prepared["rates"], prepared["counts"]), flush=True)
        print(f"== {db}: measuring ({args.reps} repetitions)", flush=True)
        results.extend(_run_child(db, "measure", args)["results"])
    print()
    print(format_table(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
