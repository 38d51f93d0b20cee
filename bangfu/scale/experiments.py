"""What would make the figures fast: measured on the bench database only, then undone.

``python -m bangfu.scale.experiments --db sqlite|postgres --scale province`` (after a
bench run prepared the data set). It times the floor query

1. with a covering index on (recipient_region, start_date) carrying type,
   sessions, person_times and led_by, and
2. over a roll-up by recipient county × type × month (the periods the dashboard
   asks for are whole academic years, so whole months answer them exactly),

and drops both afterwards: the models' schema is not this app's to change.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

from bangfu.scale import bench

YEAR_ROLLUP_SQL = """
SELECT r.prefecture_id, u.type, SUM(u.n), SUM(u.sessions), SUM(u.person_times), SUM(u.led)
FROM scale_bench_rollup_year u
JOIN regions_region r ON r.id = u.recipient_region_id
WHERE u.year >= {p} AND u.year <= {p} {scope}
GROUP BY r.prefecture_id, u.type
"""

ROLLUP_SQL = """
SELECT r.prefecture_id, u.type, SUM(u.n), SUM(u.sessions), SUM(u.person_times), SUM(u.led)
FROM scale_bench_rollup u
JOIN regions_region r ON r.id = u.recipient_region_id
WHERE u.month >= {p} AND u.month <= {p} {scope}
GROUP BY r.prefecture_id, u.type
"""


def _timed(cursor, sql, params, reps):
    cursor.execute(sql, params)
    rows = cursor.fetchall()
    samples = []
    for _ in range(reps):
        started = time.perf_counter()
        cursor.execute(sql, params)
        cursor.fetchall()
        samples.append((time.perf_counter() - started) * 1000)
    return samples, bench._fold(rows)


def run(reps: int) -> list[dict]:
    bench._django()
    from django.db import connection

    from bangfu.regions.models import Region
    from bangfu.scale.models import GeneratedDataset

    dataset = GeneratedDataset.objects.order_by("-pk").first()
    province = Region.objects.get(pk=dataset.focus_province_id)
    import datetime as dt

    last = dt.date(dataset.date_until.year - 1, 9, 1)
    cases = [
        (f"{province.name} 1 学年", province, last),
        (f"{province.name} 全部", province, dataset.date_from),
        ("全国 1 学年", None, last),
        ("全国 全部", None, dataset.date_from),
    ]
    pg = connection.vendor == "postgresql"
    month = "date_trunc('month', start_date)::date" if pg else "substr(start_date, 1, 7) || '-01'"
    out = []
    with connection.cursor() as cursor:
        started = time.perf_counter()
        if pg:
            cursor.execute(
                "CREATE INDEX scale_bench_cover ON activities_activity "
                "(recipient_region_id, start_date) INCLUDE (type, sessions, person_times, led_by)"
            )
        else:
            cursor.execute(
                "CREATE INDEX scale_bench_cover ON activities_activity "
                "(recipient_region_id, start_date, type, sessions, person_times, led_by)"
            )
        # VACUUM sets the visibility map, without which no scan is index-only.
        cursor.execute("VACUUM ANALYZE activities_activity" if pg else "ANALYZE")
        index_s = time.perf_counter() - started
        started = time.perf_counter()
        cursor.execute(
            f"CREATE TABLE scale_bench_rollup AS SELECT recipient_region_id, type, {month} AS month,"
            " COUNT(*) AS n, SUM(sessions) AS sessions, SUM(person_times) AS person_times,"
            " SUM(CASE WHEN led_by = 'recipient' THEN 1 ELSE 0 END) AS led"
            " FROM activities_activity GROUP BY 1, 2, 3"
        )
        cursor.execute(
            "CREATE INDEX scale_bench_rollup_idx ON scale_bench_rollup (recipient_region_id, month)"
        )
        cursor.execute("SELECT COUNT(*) FROM scale_bench_rollup")
        rollup_rows = cursor.fetchone()[0]
        # Academic year: September to August, named by the year it starts in.
        year = (
            "(EXTRACT(YEAR FROM month)::int - (EXTRACT(MONTH FROM month) < 9)::int)"
            if pg
            else "(CAST(substr(month, 1, 4) AS INTEGER) - (substr(month, 6, 2) < '09'))"
        )
        cursor.execute(
            f"CREATE TABLE scale_bench_rollup_year AS SELECT recipient_region_id, type, {year} AS year,"
            " SUM(n) AS n, SUM(sessions) AS sessions, SUM(person_times) AS person_times,"
            " SUM(led) AS led FROM scale_bench_rollup GROUP BY 1, 2, 3"
        )
        cursor.execute("SELECT COUNT(*) FROM scale_bench_rollup_year")
        year_rows = cursor.fetchone()[0]
        cursor.execute("ANALYZE")
        rollup_s = time.perf_counter() - started
        try:
            for label, scope, date_from in cases:
                params = bench._params(scope, date_from, dataset.date_until)
                expected = bench.floor(scope, date_from, dataset.date_until)
                cover, got = _timed(cursor, bench._floor_sql(scope, "%s"), params, reps)
                assert got == expected, label
                fig_samples = []
                for _ in range(reps):
                    t = time.perf_counter()
                    bench.figures(scope, date_from, dataset.date_until)
                    fig_samples.append((time.perf_counter() - t) * 1000)
                scope_sql = ""
                if scope is not None:
                    scope_sql = "AND r.province_id = %s"
                rollup_sql = ROLLUP_SQL.format(p="%s", scope=scope_sql)
                month_params = [date_from, dataset.date_until, *params[2:]]
                rolled, got = _timed(cursor, rollup_sql, month_params, reps)
                assert got == expected, label
                year_params = [date_from.year, dataset.date_until.year - 1, *params[2:]]
                yearly, got = _timed(
                    cursor, YEAR_ROLLUP_SQL.format(p="%s", scope=scope_sql), year_params, reps
                )
                assert got == expected, label
                out.append(
                    {
                        "database": connection.vendor,
                        "scope": label,
                        "figures_cover_median": statistics.median(fig_samples),
                        "figures_cover_p95": bench._p95(fig_samples),
                        "floor_cover_median": statistics.median(cover),
                        "floor_cover_p95": bench._p95(cover),
                        "rollup_median": statistics.median(rolled),
                        "rollup_p95": bench._p95(rolled),
                        "rollup_rows": rollup_rows,
                        "year_rollup_median": statistics.median(yearly),
                        "year_rollup_p95": bench._p95(yearly),
                        "year_rollup_rows": year_rows,
                        "index_build_s": index_s,
                        "rollup_build_s": rollup_s,
                    }
                )
        finally:
            cursor.execute("DROP INDEX scale_bench_cover")
            cursor.execute("DROP TABLE scale_bench_rollup")
            cursor.execute("DROP TABLE scale_bench_rollup_year")
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bangfu.scale.experiments")
    parser.add_argument("--reps", type=int, default=9)
    args = parser.parse_args(argv)
    results = run(args.reps)
    for r in results:
        print(json.dumps(r, ensure_ascii=False))
    head = f"{'database':10} {'scope':16} {'figures+cover p95':>18} {'floor+cover p95':>16} {'roll-up p95':>12} {'year roll-up p95':>17}"
    print(head)
    for r in results:
        print(
            f"{r['database']:10} {r['scope']:16} {r['figures_cover_p95']:18.1f} "
            f"{r['floor_cover_p95']:16.1f} {r['rollup_p95']:12.1f} {r['year_rollup_p95']:17.1f}"
        )
    print(
        f"roll-up rows: {results[0]['rollup_rows']:,} by month, "
        f"{results[0]['year_rollup_rows']:,} by academic year; index build {results[0]['index_build_s']:.1f} s, "
        f"roll-up build {results[0]['rollup_build_s']:.1f} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
