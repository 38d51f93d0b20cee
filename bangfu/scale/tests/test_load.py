"""The load test of ``make bench``: its parts here, the whole of it at a tiny size on request.

The whole run migrates a new SQLite file (about 15 s) before serving it, so it
runs only with BANGFU_LOAD_TEST=1:
    BANGFU_LOAD_TEST=1 .venv/bin/pytest bangfu/scale/tests/test_load.py
"""

import os

import pytest

from bangfu.scale import load
from bangfu.scale.htmlforms import parse_forms

LOGIN_PAGE = """
<form action="/i18n/setlang/" method="post"><input type="hidden" name="csrfmiddlewaretoken" value="a">
  <select name="language"><option value="zh-hans" selected>简体中文</option><option value="en">English</option></select>
</form>
<form method="post" novalidate><input type="hidden" name="csrfmiddlewaretoken" value="b">
  <input type="text" name="username"><input type="password" name="password">
  <input type="hidden" name="next" value="">
  <select name="type"><option value="outreach">送教下乡</option><option value="lesson">送课</option></select>
  <select name="leaders" multiple><option value="1">甲</option><option value="2" selected>乙</option></select>
  <input type="checkbox" name="disputed"><input type="radio" name="rating" value="5" checked>
  <input type="radio" name="rating" value="4">
  <textarea name="outcome">
第一行</textarea>
  <input type="number" name="sessions" value="0"><button type="submit">登录</button>
</form>
"""


def test_forms_are_read_as_a_browser_would_submit_them():
    language, login = parse_forms(LOGIN_PAGE)
    assert (language.action, language.method) == ("/i18n/setlang/", "post")
    assert language.fields == [("csrfmiddlewaretoken", "a"), ("language", "zh-hans")]
    assert login.action is None
    assert login.fields == [
        ("csrfmiddlewaretoken", "b"),
        ("username", ""),
        ("password", ""),
        ("next", ""),
        ("type", "outreach"),  # a single select without a selected option sends its first
        ("leaders", "2"),
        ("rating", "5"),  # unchecked boxes and radios send nothing
        ("outcome", "第一行"),
        ("sessions", "0"),
    ]
    data = login.data(username="sjs_coord", sessions=3)
    assert ("username", "sjs_coord") in data and ("sessions", "3") in data
    assert [name for name, _ in data].count("username") == 1


def _results(failures=0):
    return {
        "started": 100.0,
        "stopped": 110.0,
        "requests": {
            "home": {"times": [10.0, 20.0, 30.0, 40.0], "failures": failures},
            "activity create": {"times": [100.0], "failures": 0},
        },
        "errors": {"home: status 500": failures} if failures else {},
        "steady": {"from": 105.0, "times": [30.0, 40.0], "failures": 0},
    }


def _verified(lost=0, acked=1):
    return {
        "activities_acked": acked,
        "confirms_acked": 0,
        "writes_acked": acked,
        "lost": lost,
        "lost_detail": ["activity 7 (t): no such row"] if lost else [],
        "unacknowledged": 0,
    }


def test_report_gives_latency_per_request_type_and_throughput():
    summary = load.summarise(_results(), _verified())
    assert summary["ok"]
    assert summary["total"]["requests"] == 5
    assert summary["throughput"] == pytest.approx(0.5)
    home = next(r for r in summary["rows"] if r["name"] == "home")
    assert (home["p50"], home["p99"], home["max"]) == (20.0, 40.0, 40.0)
    assert summary["steady"]["p50"] == 30.0
    assert summary["steady_throughput"] == pytest.approx(0.4)
    text = load.format_report("sqlite", summary)
    assert "activity create" in text and "lost 0" in text and "result: ok" in text
    assert "after sign-in" in load.format_comparison({"sqlite": summary, "postgres": summary})


@pytest.mark.parametrize(
    ("failures", "lost", "acked"), [(1, 0, 1), (0, 1, 1), (0, 0, 0)], ids=["fail", "lost", "idle"]
)
def test_a_failure_a_lost_write_or_no_write_at_all_fails_the_run(failures, lost, acked):
    summary = load.summarise(_results(failures), _verified(lost, acked))
    assert not summary["ok"]
    assert "result: FAILED" in load.format_report("sqlite", summary)


def test_percentile_is_the_nearest_rank():
    values = list(range(1, 101))
    assert load.percentile(values, 0.5) == 50
    assert load.percentile(values, 0.99) == 99
    assert load.percentile([], 0.99) == 0.0


def test_raised_rate_limits_reach_the_bench_server_only(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://elsewhere/db")
    before = dict(os.environ)
    run = load.Run(
        db="sqlite",
        work=tmp_path,
        users=1,
        duration=1,
        workers=2,
        spawn_rate=1,
        registry="demo",
        redis_url="",
    )
    env = load.server_env(run)
    assert dict(os.environ) == before
    assert "DATABASE_URL" not in env and env["SQLITE_PATH"] == str(tmp_path / "bangfu.sqlite3")
    assert env["BANGFU_RATE_LOGIN_IP"] == load.RAISED_RATES["BANGFU_RATE_LOGIN_IP"]
    assert env["BANGFU_DEMO"] == "1" and "REDIS_URL" not in env


@pytest.mark.skipif(
    os.environ.get("BANGFU_LOAD_TEST") != "1",
    reason="the whole load run takes about 30 s: set BANGFU_LOAD_TEST=1",
)
def test_load_run_at_tiny_size_on_sqlite_loses_nothing(tmp_path, capsys):
    code = load.main(
        [
            "--db",
            "sqlite",
            "--users",
            "3",
            "--duration",
            "5",
            "--registry",
            "demo",
            "--dir",
            str(tmp_path),
        ]
    )
    printed = capsys.readouterr().out
    assert code == 0, printed
    assert "result: ok" in printed and "lost 0" in printed
    assert "activity create" in printed
