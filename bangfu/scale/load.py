"""Load test: ``python -m bangfu.scale.load [--db sqlite|postgres|both] [--users 50] [--duration 120]``.

For each database the load test
1. starts from an empty database (a new SQLite file in WAL mode, or a new
   PostgreSQL database ``bangfu_load`` on ``BENCH_PG_SERVER``);
2. in a child process: migrates, runs ``load_demo`` and writes the plan of who
   signs in as which demo account and may do what (``load_data``);
3. serves it with gunicorn (sync workers) on 127.0.0.1 only;
4. runs locust headless in a child process (``locustfile.py`` next to this
   module): every virtual user signs in as a coordinator or school-staff demo
   account, reads the pages people use most, records activities through the
   activity form as staff of a helper school and confirms them as staff of the
   recipient school; every write the server acknowledged is written down;
5. stops gunicorn and, in a child process, looks each acknowledged write up in
   the database itself (``load_data``);
6. prints requests, failures, p50/p99 latency per request type, throughput and
   lost writes, and exits 1 when any request failed or any write was lost.

The rate limits are raised through the environment of the server it starts,
and of nothing else: the login limits count per address and every virtual
user comes from 127.0.0.1. No setting or file changes, so a deploy cannot
inherit them.

Django is imported only in the child processes (``load_data``), so the tests
import the report functions without setting anything up.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from bangfu.scale import load_data

BASE_DIR = Path(__file__).resolve().parent.parent.parent
LOAD_DIR = BASE_DIR / "var" / "load"
LOCUSTFILE = Path(__file__).with_name("locustfile.py")
PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgres://postgres@127.0.0.1:5432")
PG_DATABASE = "bangfu_load"
# Rate-limit counters go to Redis, as in production, but to a database number
# of their own so they never mix with the counters of anything else.
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/11")
HOST = "127.0.0.1"
# Far above what the virtual users send: the limits stay in the request path
# (counted in the cache as in production) but never refuse.
RAISED_RATES = {
    "BANGFU_RATE_LOGIN_IP": "1000000/m",
    "BANGFU_RATE_LOGIN_USERNAME": "1000000/m",
    "BANGFU_RATE_SIGNIN_IP": "1000000/m",
    "BANGFU_RATE_SIGNIN_TOKEN": "1000000/m",
    "BANGFU_RATE_HEAVY_USER": "1000000/m",
    "BANGFU_RATE_HEAVY_IP": "1000000/m",
    "BANGFU_RATE_OTP_USER": "1000000/m",
    "BANGFU_RATE_OTP_IP": "1000000/m",
    "BANGFU_RATE_API_USER": "1000000/m",
    "BANGFU_RATE_API_IP": "1000000/m",
}
# Inherited variables that would point the server elsewhere or change its behaviour.
SCRUBBED = (
    "DATABASE_URL",
    "SQLITE_PATH",
    "REDIS_URL",
    "BANGFU_VAR_DIR",
    "STATIC_ROOT",
    "MEDIA_ROOT",
    "BANGFU_RATELIMIT",
    "BANGFU_HTTPS",
    "DEBUG",
)


# --- the report -------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (``share`` between 0 and 1) of unsorted values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def summarise(results: dict, verified: dict) -> dict:
    """The figures of one run: per request type, overall, throughput and writes."""
    rows = []
    every: list[float] = []
    failures = 0
    for name, entry in sorted(results["requests"].items()):
        times = entry["times"]
        every.extend(times)
        failures += entry["failures"]
        rows.append(_row(name, times, entry["failures"]))
    elapsed = max(results["stopped"] - results["started"], 1e-9)
    total = _row("all", every, failures)
    steady = results["steady"]
    steady_elapsed = results["stopped"] - steady["from"] if steady["from"] else 0.0
    return {
        "rows": rows,
        "total": total,
        "elapsed": elapsed,
        "throughput": total["requests"] / elapsed,
        "steady": _row("all, after sign-in", steady["times"], steady["failures"]),
        "steady_elapsed": steady_elapsed,
        "steady_throughput": len(steady["times"]) / steady_elapsed if steady_elapsed > 0 else 0.0,
        "errors": results.get("errors", {}),
        "verified": verified,
        "ok": failures == 0 and verified["lost"] == 0 and verified["writes_acked"] > 0,
    }


def _row(name: str, times: list[float], failures: int) -> dict:
    return {
        "name": name,
        "requests": len(times),
        "failures": failures,
        "p50": percentile(times, 0.50),
        "p99": percentile(times, 0.99),
        "max": max(times, default=0.0),
    }


def format_report(label: str, summary: dict) -> str:
    lines = [f"== {label}"]
    header = (
        f"  {'request':<24} {'requests':>9} {'failures':>9} "
        f"{'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}"
    )
    lines.append(header)
    lines.append("  " + "-" * (len(header) - 2))
    shown = [*summary["rows"], summary["total"]]
    steady = summary["steady"]["requests"] > 0
    if steady:
        shown.append(summary["steady"])
    for row in shown:
        if row is summary["total"]:
            lines.append("  " + "-" * (len(header) - 2))
        lines.append(
            f"  {row['name']:<24} {row['requests']:>9,} {row['failures']:>9,} "
            f"{row['p50']:>8.0f} {row['p99']:>8.0f} {row['max']:>8.0f}"
        )
    v = summary["verified"]
    if "load_average" in summary:
        before, after = summary["load_average"]
        lines.append(f"  host load average (1 min): {before:.1f} before the run, {after:.1f} after")
    lines.append(
        f"  throughput {summary['throughput']:.1f} requests/s over {summary['elapsed']:.0f} s"
        + (
            f"; after every user had signed in {summary['steady_throughput']:.1f} requests/s "
            f"over {summary['steady_elapsed']:.0f} s"
            if steady
            else "; the run ended before every user had signed in"
        )
    )
    lines.append(
        f"  writes acknowledged {v['writes_acked']:,} (activities {v['activities_acked']:,}, "
        f"confirmations {v['confirms_acked']:,}); found in the database "
        f"{v['writes_acked'] - v['lost']:,}; lost {v['lost']:,}"
    )
    if v["unacknowledged"]:
        lines.append(
            f"  activities committed without an acknowledgement (cut off at the end): "
            f"{v['unacknowledged']:,}"
        )
    for detail in v["lost_detail"][:10]:
        lines.append(f"  LOST {detail}")
    for message, count in sorted(summary["errors"].items(), key=lambda kv: -kv[1])[:10]:
        lines.append(f"  FAILED {count:>5} × {message}")
    if summary["verified"]["writes_acked"] == 0:
        lines.append("  no write was acknowledged: the write path was not exercised")
    lines.append("  result: " + ("ok" if summary["ok"] else "FAILED"))
    return "\n".join(lines)


def format_comparison(summaries: dict[str, dict]) -> str:
    """One line per database, side by side: the whole run, then after every user signed in."""
    lines = [
        f"  {'':<10} {'':>9} {'':>9} {'whole run':^23} {'after sign-in':^23}",
        f"  {'database':<10} {'requests':>9} {'failures':>9} "
        f"{'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} "
        f"{'writes':>7} {'lost':>5}",
    ]
    for db, s in summaries.items():
        t, st, v = s["total"], s["steady"], s["verified"]
        lines.append(
            f"  {db:<10} {t['requests']:>9,} {t['failures']:>9,} "
            f"{s['throughput']:>7.1f} {t['p50']:>7.0f} {t['p99']:>7.0f} "
            f"{s['steady_throughput']:>7.1f} {st['p50']:>7.0f} {st['p99']:>7.0f} "
            f"{v['writes_acked']:>7,} {v['lost']:>5,}"
        )
    return "\n".join(lines)


# --- processes --------------------------------------------------------------------------


@dataclass
class Run:
    db: str
    work: Path  # this database's files: plan, results, logs, SQLite file
    users: int
    duration: int
    workers: int
    spawn_rate: float
    registry: str
    redis_url: str
    port: int = 0
    run_id: str = field(default_factory=lambda: secrets.token_hex(4))

    @property
    def sqlite_path(self) -> Path:
        return self.work / "bangfu.sqlite3"

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"


def server_env(run: Run) -> dict[str, str]:
    """The environment of the prepare and verify children and of gunicorn (a copy)."""
    env = {k: v for k, v in os.environ.items() if k not in SCRUBBED}
    env.update(
        DJANGO_SETTINGS_MODULE="bangfu.settings",
        PYTHONPATH=str(BASE_DIR),
        BANGFU_DEMO="1",
        DEBUG="0",
        BANGFU_VAR_DIR=str(run.work),
        # Static files are not requested; the compressed manifest takes a minute
        # to build and changes nothing in the pages' cost.
        BANGFU_MANIFEST_STATIC="0",
        LOG_LEVEL="WARNING",
        **RAISED_RATES,
    )
    if run.redis_url:
        env["REDIS_URL"] = run.redis_url
    if run.db == "sqlite":
        env["SQLITE_PATH"] = str(run.sqlite_path)
    else:
        env["DATABASE_URL"] = f"{PG_SERVER}/{PG_DATABASE}"
    return env


def fresh_database(run: Run) -> None:
    if run.work.exists():
        shutil.rmtree(run.work)
    run.work.mkdir(parents=True)
    if run.db == "postgres":
        import psycopg

        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{PG_DATABASE}"')


def redis_available(url: str) -> bool:
    if not url:
        return False
    try:
        import redis

        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except Exception:
        return False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def run_child(run: Run, phase: str, *extra: str) -> dict:
    out = run.work / f"{phase}.json"
    cmd = [sys.executable, "-m", "bangfu.scale.load", "--child", phase, "--out", str(out)]
    with open(run.work / f"{phase}.log", "w") as log:
        proc = subprocess.run(
            [*cmd, *extra], env=server_env(run), cwd=BASE_DIR, stdout=log, stderr=log
        )
    if proc.returncode:
        raise LoadError(f"{phase} on {run.db} failed (exit {proc.returncode})", run.work, phase)
    return json.loads(out.read_text("utf-8"))


class LoadError(Exception):
    def __init__(self, message: str, work: Path | None = None, log: str = ""):
        tail = ""
        if work is not None and (work / f"{log}.log").exists():
            lines = (work / f"{log}.log").read_text("utf-8", "replace").splitlines()
            tail = "\n".join(["", f"last lines of {log}.log:", *lines[-30:]])
        super().__init__(message + tail)


@dataclass
class Server:
    proc: subprocess.Popen
    log: io.TextIOBase

    def stop(self) -> int:
        """SIGTERM (gunicorn's graceful stop), then SIGKILL to its process group after 30 s."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()
        return self.proc.returncode


def start_server(run: Run) -> Server:
    run.port = run.port or free_port()
    cmd = [
        sys.executable,
        "-m",
        "gunicorn",
        "bangfu.wsgi",
        "--bind",
        f"{HOST}:{run.port}",
        "--workers",
        str(run.workers),
        "--worker-class",
        "sync",
        "--timeout",
        "60",
        "--graceful-timeout",
        "20",
    ]
    log = open(run.work / "gunicorn.log", "w")  # closed by Server.stop
    # A session of its own: if it must be killed, its workers go with it.
    server = Server(
        subprocess.Popen(
            cmd,
            env=server_env(run),
            cwd=BASE_DIR,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        ),
        log,
    )
    try:
        _wait_until_ready(server, run)
    except BaseException:
        server.stop()
        raise
    return server


def _wait_until_ready(server: Server, run: Run) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            raise LoadError(
                f"gunicorn exited (code {server.proc.returncode})", run.work, "gunicorn"
            )
        try:
            with urllib.request.urlopen(f"{run.base_url}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.3)
    raise LoadError("gunicorn did not answer /healthz within 60 s", run.work, "gunicorn")


def run_locust(run: Run) -> dict:
    results = run.work / "results.json"
    env = dict(
        os.environ,
        PYTHONPATH=str(BASE_DIR),
        BANGFU_LOAD_PLAN=str(run.work / "prepare.json"),
        BANGFU_LOAD_RESULTS=str(results),
        BANGFU_LOAD_RUN=run.run_id,
        BANGFU_LOAD_USERS=str(run.users),
    )
    cmd = [
        str(Path(sys.executable).with_name("locust")),
        "--locustfile",
        str(LOCUSTFILE),
        "--headless",
        "--host",
        run.base_url,
        "--users",
        str(run.users),
        "--spawn-rate",
        str(run.spawn_rate),
        "--run-time",
        f"{run.duration}s",
        "--stop-timeout",
        "30",
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    with open(run.work / "locust.log", "w") as log:
        # A session of its own, like gunicorn: stopped here, whatever happens.
        proc = subprocess.Popen(
            cmd, env=env, cwd=BASE_DIR, stdout=log, stderr=log, start_new_session=True
        )
        try:
            proc.wait(timeout=run.duration + 120)
        except subprocess.TimeoutExpired:
            raise LoadError("locust did not stop in time", run.work, "locust") from None
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
    # Locust exits 1 when a request failed; the results file says which.
    if not results.exists():
        raise LoadError(f"locust wrote no results (exit {proc.returncode})", run.work, "locust")
    return json.loads(results.read_text("utf-8"))


def run_database(run: Run) -> dict:
    print(f"== {run.db}: fresh database, migrate, load_demo", flush=True)
    started = time.perf_counter()
    fresh_database(run)
    run_child(run, "prepare", "--registry", run.registry)
    print(f"   prepared in {time.perf_counter() - started:.0f} s", flush=True)
    server = start_server(run)
    load_before = os.getloadavg()[0]
    try:
        print(
            f"   gunicorn on {run.base_url} ({run.workers} sync workers); "
            f"locust: {run.users} users for {run.duration} s",
            flush=True,
        )
        results = run_locust(run)
    finally:
        code = server.stop()
    if code != 0:
        print(f"   gunicorn exited with code {code}", flush=True)
    (run.work / "writes.json").write_text(
        json.dumps({k: results[k] for k in ("writes", "confirms", "prefix")}), "utf-8"
    )
    verified = run_child(run, "verify", "--writes", str(run.work / "writes.json"))
    summary = summarise(results, verified)
    # Other work on the host shares the cores: say how busy it was.
    summary["load_average"] = (load_before, os.getloadavg()[0])
    return summary


# --- main -------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bangfu.scale.load")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--users", type=int, default=int(os.environ.get("BENCH_LOAD_USERS", "50")))
    parser.add_argument(
        "--duration",
        type=int,
        default=int(os.environ.get("BENCH_LOAD_SECONDS", "120")),
        help="seconds of load, ramp-up included",
    )
    parser.add_argument("--workers", type=int, default=3, help="gunicorn sync workers")
    parser.add_argument("--spawn-rate", type=float, default=10.0, help="users started per second")
    parser.add_argument("--port", type=int, default=0, help="0: any free port on 127.0.0.1")
    parser.add_argument(
        "--registry",
        choices=["full", "demo"],
        default="full",
        help="full: the national registry, as load_demo loads it; demo: only the demo's regions",
    )
    parser.add_argument("--dir", type=Path, default=LOAD_DIR, help="where files and logs go")
    parser.add_argument("--child", choices=["prepare", "verify"], help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--writes", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child == "prepare":
        args.out.write_text(json.dumps(load_data.child_prepare(args.registry)), "utf-8")
        return 0
    if args.child == "verify":
        args.out.write_text(json.dumps(load_data.child_verify(args.writes)), "utf-8")
        return 0
    if not 2 <= args.workers <= 8:
        parser.error("--workers: between 2 and 8")
    # Stopped from outside (a CI timeout, kill): unwind, so gunicorn and locust stop too.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))

    redis_url = REDIS_URL if redis_available(REDIS_URL) else ""
    if not redis_url:
        print(f"Redis is not reachable at {REDIS_URL}: each worker counts rate limits alone")
    databases = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    summaries: dict[str, dict] = {}
    for db in databases:
        run = Run(
            db=db,
            work=args.dir.resolve() / db,
            users=args.users,
            duration=args.duration,
            workers=args.workers,
            spawn_rate=args.spawn_rate,
            registry=args.registry,
            redis_url=redis_url,
            port=args.port,
        )
        try:
            summaries[db] = run_database(run)
        except LoadError as exc:
            print(f"load test on {db} failed: {exc}", file=sys.stderr)
            return 2
        label = f"{db}: {run.users} users, {run.duration} s, {run.workers} gunicorn sync workers"
        print()
        print(format_report(label, summaries[db]), flush=True)
    if len(summaries) > 1:
        print()
        print(format_comparison(summaries))
    return 0 if all(s["ok"] for s in summaries.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
