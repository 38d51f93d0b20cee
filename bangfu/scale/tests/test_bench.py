import dataclasses
import datetime as dt

import pytest
from django.db import connection

from bangfu.scale import bench
from bangfu.scale.generator import Generator

pytestmark = pytest.mark.django_db


@pytest.fixture
def dataset(scale_world, tmp_path, monkeypatch):
    monkeypatch.setattr(bench, "BENCH_DIR", tmp_path)
    return Generator("tiny", out=lambda _: None).run()


def test_figures_match_the_floor(dataset, scale_world):
    province = scale_world.recipient_province
    got = bench.figures(province, dataset.date_from, dataset.date_until)
    floor = bench.floor(province, dataset.date_from, dataset.date_until)
    assert got == dataclasses.replace(floor, by_prefecture={})
    assert got.total[0] > 0
    assert 0 < got.self_reliance_share < 1
    everything = bench.figures(None, dt.date(2000, 1, 1), dt.date(2100, 1, 1))
    assert everything.total[0] >= got.total[0]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite half of the bench")
def test_bench_runs_at_tiny_scale_on_sqlite_and_prints_its_table(dataset, capsys):
    results = bench.measure(dataset, reps=2, out=print)
    print(bench.format_table(results))
    printed = capsys.readouterr().out
    assert "median ms" in printed and "duckdb ms" in printed and "sqlite" in printed
    # Six cases (province and country; a year, a year to a mid-month day, all years)
    # × the dashboard and the bulletin.
    assert len(results) == 12
    assert {r["what"] for r in results} == {"dashboard", "bulletin"}
    assert all(r["duckdb_ms"] is not None for r in results)
    assert "p95/floor" in printed


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs DATABASE_URL on PostgreSQL")
def test_bench_runs_at_tiny_scale_on_postgres(dataset, capsys):
    results = bench.measure(dataset, reps=2, out=print)
    print(bench.format_table(results))
    assert "postgresql" in capsys.readouterr().out
