"""Import and export at scale: ``python -m bangfu.scale.bench_io [--rows N] [--export-rows M]``.

Import: a workbook of N activity rows (100,000 by default) with names as
coordinators write them (full names, short names, traditional script, dates
as date cells and as 2023年5月8日 or 2023.5.8) that resolve against the
schools and pairings the bench creates. Measured: the check (the preview) and
the commit (read, parse, check, resolve names, write), each in a process of
its own as on the worker, against the floor of python-calamine only reading
the same file. Then the import is undone (timed, for information) so each run
starts from the same ledger. The statistics roll-up's share of the commit is
printed apart: it is the roll-up's cost, paid by every bulk write.

Export: M activities (1,000,000 by default) to .xlsx through the project's
export code, against the floor of xlsxwriter (constant memory) writing the
same values: the first 10,000 exported rows, cell for cell, repeated to M rows
(xlsxwriter's cost depends on the cells' types and lengths, not on repeats).

Each database (``--db sqlite|postgres|both``) is the bench's own: SQLite in
``var/bench/bench-io.sqlite3``, PostgreSQL ``bangfu_bench_io`` on
``BENCH_PG_SERVER``. Every measurement runs in a child process of its own, so
the peak memory printed (``ru_maxrss``) is that measurement's.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent.parent
BENCH_DIR = BASE_DIR / "var" / "bench"
PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgres://postgres@127.0.0.1:5432")
PG_DATABASE = "bangfu_bench_io"
GOALS = {"import_ratio": 2.0, "export_ratio": 1.5, "peak_mb": 500}
SEED = 20240901
FLOOR_SAMPLE = 10_000

# --- the world the rows refer to ----------------------------------------------------------

# (name, short name, level, code, parent code)
REGIONS = [
    ("北京市", "北京", 1, "110000", None),
    ("北京市", "", 2, "110100", "110000"),
    ("石景山区", "石景山", 3, "110107", "110100"),
    ("海淀区", "海淀", 3, "110108", "110100"),
    ("内蒙古自治区", "内蒙古", 1, "150000", None),
    ("赤峰市", "赤峰", 2, "150400", "150000"),
    ("宁城县", "宁城", 3, "150429", "150400"),
    ("河北省", "河北", 1, "130000", None),
    ("保定市", "保定", 2, "130600", "130000"),
    ("顺平县", "顺平", 3, "130636", "130600"),
    ("湖北省", "湖北", 1, "420000", None),
    ("十堰市", "十堰", 2, "420300", "420000"),
    ("竹山县", "竹山", 3, "420323", "420300"),
]
RECIPIENT_COUNTIES = ["150429", "130636", "420323"]
SCHOOLS = 300  # helper schools per side; each is paired one-to-one with a recipient school
STAGES = [("primary", "小学"), ("junior", "中学"), ("kindergarten", "幼儿园")]
SIDES = {
    # helper county code, bureau, the coordinator who imports or exports
    "import": ("110107", "北京市石景山区教育委员会", "bench_import"),
    "export": ("110108", "北京市海淀区教育委员会", "bench_export"),
}
SUBJECTS = ["语文", "数学", "英语", "物理", "化学", "生物", "道德与法治", "历史", "音乐", "美术"]
LESSONS = [
    "《老王》",
    "《背影》",
    "《春》",
    "《济南的冬天》",
    "《离散型随机变量》",
    "《函数的单调性》",
    "《光合作用》",
    "《欧姆定律》",
    "《圆的面积》",
    "《分数的意义》",
]
PLACES = ["报告厅", "多功能厅", "录播教室", "会议室", "线上会议室", "学校礼堂"]
OUTCOMES = [
    "",
    "",
    "参训教师反馈良好,受援校将在本学期推广该教学模式。",
    "形成课例两节,录像已上传资源平台。",
    "双方约定下月开展同课异构。",
]
TYPES = [
    ("lecture", "讲座"),
    ("outreach", "送教下乡"),
    ("observation", "听评课"),
    ("online_research", "网络教研"),
    ("demo_lesson", "现场课/示范课"),
    ("parallel_lesson", "同课异构"),
    ("shadowing", "跟岗学习"),
    ("video_meeting", "视频会议/线上交流"),
    ("studio", "名师工作室活动"),
]
# A few names written in traditional script, as some schools type them.
TRADITIONAL = str.maketrans({"区": "區", "学": "學", "县": "縣", "宁": "寧", "顺": "順"})


def _ordinal(n: int) -> str:
    import cn2an

    return "第" + cn2an.an2cn(n)


def school_names(side: str) -> list[tuple[str, str, str]]:
    """(full name, short name, stage) of the helper schools of one side."""
    county = {"import": "石景山区", "export": "海淀区"}[side]
    short = {"import": "石景山", "export": "海淀"}[side]
    names = []
    for n in range(1, SCHOOLS + 1):
        stage, label = STAGES[n % len(STAGES)]
        names.append((f"北京市{county}{_ordinal(n)}{label}", f"{short}{n}{label[0]}", stage))
    return names


def recipient_names(side: str) -> list[tuple[str, str, str]]:
    """(full name, county code, stage) of the recipient schools paired with one side's schools."""
    counties = {code: name for name, _s, _l, code, _p in REGIONS}
    offset = 0 if side == "import" else SCHOOLS
    names = []
    for n in range(1, SCHOOLS + 1):
        code = RECIPIENT_COUNTIES[n % len(RECIPIENT_COUNTIES)]
        stage, label = STAGES[n % len(STAGES)]
        names.append((f"{counties[code]}{_ordinal(n + offset)}{label}", code, stage))
    return names


# --- the workbook ---------------------------------------------------------------------------


def import_headers() -> list[str]:
    return [
        "组织单位",
        "受援单位",
        "活动类型",
        "活动名称",
        "开始日期",
        "结束日期",
        "形式",
        "地点",
        "场次",
        "帮扶方人数",
        "受援方人数",
        "人次",
        "学科",
        "课题",
        "主导方",
        "成效与备注",
    ]


def workbook_path(rows: int) -> Path:
    return BENCH_DIR / f"io-activities-{rows}.xlsx"


def write_workbook(rows: int, path: Path) -> None:
    """A ledger of ``rows`` activities as coordinators fill the template (xlsxwriter)."""
    import xlsxwriter

    rng = random.Random(SEED)
    helpers = school_names("import")
    recipients = recipient_names("import")
    first_day = dt.date.today() - dt.timedelta(days=3 * 365)
    tmp = path.with_suffix(".tmp")
    workbook = xlsxwriter.Workbook(str(tmp), {"constant_memory": True})
    sheet = workbook.add_worksheet("数据")
    dates = workbook.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, import_headers())
    for i in range(rows):
        school = i % SCHOOLS
        full, short, _stage = helpers[school]
        organiser = full if rng.random() < 0.6 else short
        if rng.random() < 0.05:
            organiser = organiser.translate(TRADITIONAL)
        receiver = recipients[school][0] if rng.random() < 0.2 else ""
        # One row per school and day: the natural keys never repeat.
        day = first_day + dt.timedelta(days=(i // SCHOOLS) * 3 + school % 3)
        kind, label = TYPES[rng.randrange(len(TYPES))]
        subject = SUBJECTS[rng.randrange(len(SUBJECTS))]
        lesson = LESSONS[rng.randrange(len(LESSONS))]
        helper_n, recipient_n = rng.randint(1, 6), rng.randint(5, 80)
        r = i + 1
        sheet.write_string(r, 0, organiser)
        if receiver:
            sheet.write_string(r, 1, receiver)
        sheet.write_string(r, 2, label)
        sheet.write_string(r, 3, f"{subject}{label}{lesson}")
        shape = rng.random()
        if shape < 0.8:
            sheet.write_datetime(r, 4, dt.datetime.combine(day, dt.time()), dates)
        elif shape < 0.9:
            sheet.write_string(r, 4, f"{day.year}年{day.month}月{day.day}日")
        else:
            sheet.write_string(r, 4, f"{day.year}.{day.month}.{day.day}")
        if rng.random() < 0.3:
            sheet.write_datetime(r, 5, dt.datetime.combine(day, dt.time()), dates)
        sheet.write_string(r, 6, "线上" if kind in ("online_research", "video_meeting") else "线下")
        sheet.write_string(r, 7, PLACES[rng.randrange(len(PLACES))])
        sheet.write_number(r, 8, rng.randint(1, 4))
        sheet.write_number(r, 9, helper_n)
        sheet.write_number(r, 10, recipient_n)
        sheet.write_number(r, 11, helper_n + recipient_n + rng.randint(0, 20))
        sheet.write_string(r, 12, subject)
        sheet.write_string(r, 13, lesson if rng.random() < 0.7 else f"{lesson}、《复习课》")
        sheet.write_string(r, 14, "帮扶方教师主导" if rng.random() < 0.7 else "受援方教师主导")
        outcome = OUTCOMES[rng.randrange(len(OUTCOMES))]
        if outcome:
            sheet.write_string(r, 15, outcome)
    workbook.close()
    tmp.rename(path)


# --- setting up a bench database --------------------------------------------------------------


def _django():
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bangfu.settings")
    django.setup()


def _log(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _build_world() -> None:
    """Regions, bureaus, 2 × 300 pairings and the two coordinators; once per database."""
    from django.db import transaction

    from bangfu.accounts.models import User
    from bangfu.orgs.models import Organisation
    from bangfu.pairings.models import Pairing, PairingParty, RegionPairing
    from bangfu.regions.models import Region

    if User.objects.filter(username=SIDES["export"][2]).exists():
        return
    with transaction.atomic():
        regions: dict[str, Region] = {}
        for name, short, level, code, parent in REGIONS:
            region = Region(name=name, short_name=short, level=level, code=code)
            region.parent = regions.get(parent)
            if region.parent is not None:
                region.province = region.parent.province if level > 1 else None
                region.prefecture = region.parent.prefecture if level > 2 else None
                region.county = region.parent.county if level > 3 else None
            region.full_name = name if region.parent is None else region.parent.full_name + name
            region.refresh_search()
            region.save()
            setattr(region, {1: "province", 2: "prefecture", 3: "county"}[level], region)
            region.save()
            regions[code] = region

        def org(name, region, kind="school", stage="", short=""):
            o = Organisation(name=name, region=region, kind=kind, stage=stage, short_name=short)
            o.refresh_search()
            o.save()
            return o

        for side, (county, bureau, username) in SIDES.items():
            office = org(bureau, regions[county], kind="bureau")
            User.objects.create_user(username=username, role="coordinator", organisation=office)
            region_pairings = {
                code: RegionPairing.objects.create(
                    helper_region=regions[county],
                    recipient_region=regions[code],
                    level="district",
                    start_date=dt.date(2018, 1, 1),
                )
                for code in RECIPIENT_COUNTIES
            }
            for (name, short, stage), (rname, rcode, rstage) in zip(
                school_names(side), recipient_names(side), strict=True
            ):
                helper = org(name, regions[county], stage=stage, short=short)
                recipient = org(rname, regions[rcode], stage=rstage)
                pairing = Pairing.objects.create(
                    name=f"{name} ↔ {rname}",
                    mode="one_to_one",
                    status="active",
                    start_date=dt.date(2018, 9, 1),
                    region_pairing=region_pairings[rcode],
                )
                PairingParty.objects.create(
                    pairing=pairing, organisation=helper, side="helper", is_lead=True
                )
                PairingParty.objects.create(
                    pairing=pairing, organisation=recipient, side="recipient"
                )


def _export_activities(count: int) -> None:
    """Exactly ``count`` ledger rows on the export side (written in bulk, marked generated)."""
    from django.db import transaction

    from bangfu.activities.models import Activity
    from bangfu.dataio import activity_bulk, bulk
    from bangfu.pairings.models import PairingParty

    parties = list(
        PairingParty.objects.filter(
            side="helper", organisation__region__code=SIDES["export"][0]
        ).select_related("pairing", "organisation", "pairing__region_pairing")
    )
    existing = Activity.objects.filter(organiser__in=[p.organisation_id for p in parties])
    if existing.count() == count:
        return
    _log(f"writing {count:,} activities for the export")
    started = time.perf_counter()
    with transaction.atomic():
        ids = list(existing.values_list("pk", flat=True))
        bulk.delete(Activity, ids)
        rng = random.Random(SEED + 1)
        first_day = dt.date.today() - dt.timedelta(days=5 * 365)
        table = bulk.Table(
            Activity,
            activity_bulk.CREATE_COLUMNS,
            count_source="reported",
            is_generated=True,
            confirmation="confirmed",
        )
        sides = [
            (
                p,
                p.pairing.region_pairing.helper_region_id,
                p.pairing.region_pairing.recipient_region_id,
            )
            for p in parties
        ]

        def rows():
            for i in range(count):
                party, helper_region, recipient_region = sides[i % len(sides)]
                kind, label = TYPES[rng.randrange(len(TYPES))]
                subject = SUBJECTS[rng.randrange(len(SUBJECTS))]
                lesson = LESSONS[rng.randrange(len(LESSONS))]
                title = f"{subject}{label}{lesson}"
                day = first_day + dt.timedelta(days=rng.randrange(5 * 365))
                helpers, recipients = rng.randint(1, 6), rng.randint(5, 80)
                yield (
                    kind,
                    title,
                    day,
                    day,
                    "online" if kind in ("online_research", "video_meeting") else "offline",
                    "to_recipient",
                    PLACES[rng.randrange(len(PLACES))],
                    rng.randint(1, 4),
                    helpers,
                    recipients,
                    helpers + recipients,
                    rng.randint(0, helpers),
                    subject,
                    lesson,
                    "helper" if rng.random() < 0.7 else "recipient",
                    OUTCOMES[rng.randrange(len(OUTCOMES))],
                    party.pairing_id,
                    party.pairing.region_pairing_id,
                    party.organisation_id,
                    helper_region,
                    recipient_region,
                    "helper",
                    activity_bulk.search_text(title, lesson),
                )

        bulk.insert(table, rows(), ids=bulk.reserve_ids(Activity, count))
    _log(f"  {count:,} activities in {time.perf_counter() - started:.1f} s")


def child_prepare(export_rows: int) -> dict:
    _django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    _build_world()
    _export_activities(export_rows)
    return {"ok": True}


# --- the measurements -----------------------------------------------------------------------


def child_import_floor(rows: int) -> dict:
    """python-calamine reading the workbook into Python values: nothing else."""
    from python_calamine import CalamineWorkbook

    data = workbook_path(rows).read_bytes()
    started, cpu = time.perf_counter(), time.process_time()
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    values = workbook.get_sheet_by_name(workbook.sheet_names[0]).to_python(skip_empty_area=False)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    assert len(values) == rows + 1
    return {"seconds": seconds, "cpu": cpu, "peak_mb": _peak_mb(), "bytes": len(data)}


def _clear_import(user) -> None:
    """Take back what an earlier (perhaps interrupted) run imported."""
    from django.db import transaction

    from bangfu.activities.models import Activity
    from bangfu.dataio import bulk
    from bangfu.dataio.models import ImportJob

    with transaction.atomic():
        ids = list(
            Activity.objects.filter(organiser__region__code=SIDES["import"][0])
            .exclude(organiser__kind="bureau")
            .values_list("pk", flat=True)
        )
        bulk.delete(Activity, ids)
        ImportJob.objects.filter(user=user).delete()


class _TimedHook:
    """The statistics roll-up hook, timed: its cost is the roll-up's, reported apart."""

    def __init__(self, module):
        self.module, self.seconds = module, 0.0

    def _timed(self, name, *args, **kwargs):
        started = time.perf_counter()
        try:
            return getattr(self.module, name)(*args, **kwargs)
        finally:
            self.seconds += time.perf_counter() - started

    def snapshot(self, *args, **kwargs):
        return self._timed("snapshot", *args, **kwargs)

    def apply_bulk(self, *args, **kwargs):
        return self._timed("apply_bulk", *args, **kwargs)


def child_import_check(rows: int) -> dict:
    """Upload and check (the preview), as the first job of an import."""
    _django()
    from bangfu.accounts.models import User
    from bangfu.dataio import services

    user = User.objects.get(username=SIDES["import"][2])
    _clear_import(user)
    data = workbook_path(rows).read_bytes()
    job = services.upload_workbook(actor=user, kind="activities", name="台账.xlsx", data=data)
    del data
    started, cpu = time.perf_counter(), time.process_time()
    job = services.validate_job(job)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    if job.errors or job.counts.get("create") != rows:
        raise SystemExit(f"the check found {job.counts} and errors {job.errors[:3]}")
    return {"job": job.pk, "seconds": seconds, "cpu": cpu, "peak_mb": _peak_mb()}


def child_import_commit(job_id: int) -> dict:
    """The commit (read, check, resolve, write), as the second job of an import: on the
    worker each job runs in a process of its own. Then the undo, for information."""
    _django()
    from bangfu.dataio import activity_bulk, services
    from bangfu.dataio.models import ImportedRow, ImportJob

    module = activity_bulk._rollup()
    hook = _TimedHook(module) if module is not None else None
    activity_bulk._rollup = lambda: hook
    job = ImportJob.objects.select_related("user").get(pk=job_id)
    started, cpu = time.perf_counter(), time.process_time()
    job = services.commit_job(job)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    hook_seconds = hook.seconds if hook else 0.0
    if job.status != ImportJob.Status.COMMITTED:
        raise SystemExit(f"the commit failed: {job.errors[:3]}")
    written = ImportedRow.objects.filter(job=job).count()
    peak = _peak_mb()

    started = time.perf_counter()
    services.undo_job(job, actor=job.user)
    undo = time.perf_counter() - started
    return {
        "seconds": seconds,
        "cpu": cpu,
        "hook": hook_seconds,
        "rows": written,
        "peak_mb": peak,
        "undo": undo,
        "undo_hook": (hook.seconds if hook else 0.0) - hook_seconds,
    }


def _export_user():
    from bangfu.accounts.models import User

    return User.objects.get(username=SIDES["export"][2])


def child_export(export_rows: int) -> dict:
    """The project's export: the ledger as the coordinator sees it, to .xlsx."""
    _django()
    from django.http import QueryDict

    from bangfu.dataio import exports

    user = _export_user()
    target = Path(tempfile.mkstemp(suffix=".xlsx", dir=BENCH_DIR)[1])
    try:
        started, cpu = time.perf_counter(), time.process_time()
        headers, rows, count = exports.export_rows("activities", user, QueryDict())
        exports.write_xlsx(headers, rows, exports.TITLES["activities"], target)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        size = target.stat().st_size
    finally:
        target.unlink(missing_ok=True)
    if count != export_rows:
        raise SystemExit(f"exported {count:,} rows, expected {export_rows:,}")
    return {"seconds": seconds, "cpu": cpu, "rows": count, "bytes": size, "peak_mb": _peak_mb()}


def child_export_floor(export_rows: int) -> dict:
    """xlsxwriter alone writing the same values (typed calls, constant memory)."""
    _django()
    from itertools import islice

    import xlsxwriter
    from django.http import QueryDict

    from bangfu.dataio import exports

    headers, rows, _count = exports.export_rows("activities", _export_user(), QueryDict())
    sample = list(islice(rows, FLOOR_SAMPLE))
    target = Path(tempfile.mkstemp(suffix=".xlsx", dir=BENCH_DIR)[1])
    try:
        started, cpu = time.perf_counter(), time.process_time()
        workbook = xlsxwriter.Workbook(
            str(target),
            {
                "constant_memory": True,
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
            },
        )
        sheet = workbook.add_worksheet(exports.TITLES["activities"])
        bold = workbook.add_format({"bold": True})
        date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
        sheet.write_row(0, 0, headers, bold)
        write_string, write_number = sheet.write_string, sheet.write_number
        write_datetime = sheet.write_datetime
        for r in range(1, export_rows + 1):
            for c, value in enumerate(sample[r % len(sample)]):
                if isinstance(value, str):
                    if value:
                        write_string(r, c, value)
                elif isinstance(value, int):
                    write_number(r, c, value)
                elif value is not None:
                    write_datetime(r, c, value, date_format)
        workbook.close()
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        size = target.stat().st_size
    finally:
        target.unlink(missing_ok=True)
    return {"seconds": seconds, "cpu": cpu, "bytes": size, "peak_mb": _peak_mb()}


CHILDREN = {
    "prepare": lambda a: child_prepare(a.export_rows),
    "import_floor": lambda a: child_import_floor(a.rows),
    "import_check": lambda a: child_import_check(a.rows),
    "import_commit": lambda a: child_import_commit(a.job),
    "export": lambda a: child_export(a.export_rows),
    "export_floor": lambda a: child_export_floor(a.export_rows),
}


# --- processes and the report ----------------------------------------------------------------


def _child_env(db: str) -> dict:
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="bangfu.settings", DEBUG="0")
    # Jobs run in the measuring process itself, progress goes to its local cache.
    env.pop("REDIS_URL", None)
    if db == "sqlite":
        env.pop("DATABASE_URL", None)
        env["SQLITE_PATH"] = str(BENCH_DIR / "bench-io.sqlite3")
    else:
        env["DATABASE_URL"] = f"{PG_SERVER}/{PG_DATABASE}"
    return env


def _ensure_pg_database() -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [PG_DATABASE]
        ).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{PG_DATABASE}"')


def _run_child(db: str, phase: str, args, job: int = 0) -> dict:
    cmd = [
        sys.executable,
        "-m",
        "bangfu.scale.bench_io",
        "--child",
        phase,
        "--rows",
        str(args.rows),
        "--export-rows",
        str(args.export_rows),
        "--job",
        str(job),
    ]
    proc = subprocess.run(cmd, env=_child_env(db), cwd=BASE_DIR, stdout=subprocess.PIPE, text=True)
    if proc.returncode:
        raise SystemExit(f"bench_io {phase} on {db} failed (exit {proc.returncode})")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


def report(db: str, rows: int, export_rows: int, r: dict) -> list[str]:
    lines = [f"== {db}"]
    if "import_commit" in r:
        lines += _import_report(rows, r["import_floor"], r["import_check"], r["import_commit"])
    if "export" in r:
        lines += _export_report(export_rows, r["export_floor"], r["export"])
    return lines


def _import_report(rows: int, floor: dict, check: dict, commit: dict) -> list[str]:
    ratio = commit["seconds"] / floor["seconds"]
    peak_goal = GOALS["peak_mb"]
    peak = max(check["peak_mb"], commit["peak_mb"])
    return [
        f"import of {rows:,} activity rows ({floor['bytes'] / 1e6:.1f} MB workbook)",
        f"  floor: python-calamine read    {floor['seconds']:8.2f} s   (cpu {floor['cpu']:.2f} s)",
        f"  check (the preview)            {check['seconds']:8.2f} s   "
        f"{rows / check['seconds']:>9,.0f} rows/s   ratio {check['seconds'] / floor['seconds']:.2f}   "
        f"(cpu {check['cpu']:.2f} s)",
        f"  commit (read, check, write)    {commit['seconds']:8.2f} s   "
        f"{rows / commit['seconds']:>9,.0f} rows/s   ratio {ratio:.2f}   "
        f"(cpu {commit['cpu']:.2f} s)   "
        f"goal ≤ {GOALS['import_ratio']:.1f}× floor: {_verdict(ratio <= GOALS['import_ratio'])}",
        f"    of which the statistics roll-up hook {commit['hook']:5.2f} s",
        f"  peak memory                    {peak:8.0f} MB   "
        f"(check {check['peak_mb']:.0f}, commit {commit['peak_mb']:.0f}, "
        f"floor {floor['peak_mb']:.0f})   goal < {peak_goal} MB: {_verdict(peak < peak_goal)}",
        f"  undo of the import (for information) {commit['undo']:5.2f} s   "
        f"(roll-up hook {commit['undo_hook']:.2f} s)",
    ]


def _export_report(export_rows: int, efloor: dict, exp: dict) -> list[str]:
    ratio = exp["seconds"] / efloor["seconds"]
    peak_goal = GOALS["peak_mb"]
    return [
        f"export of {export_rows:,} activities to .xlsx ({exp['bytes'] / 1e6:.0f} MB)",
        f"  floor: xlsxwriter alone        {efloor['seconds']:8.2f} s   "
        f"{export_rows / efloor['seconds']:>9,.0f} rows/s   (cpu {efloor['cpu']:.2f} s)",
        f"  export                         {exp['seconds']:8.2f} s   "
        f"{export_rows / exp['seconds']:>9,.0f} rows/s   ratio {ratio:.2f}   "
        f"(cpu {exp['cpu']:.2f} s)   "
        f"goal ≤ {GOALS['export_ratio']:.1f}× floor: {_verdict(ratio <= GOALS['export_ratio'])}",
        f"  peak memory                    {exp['peak_mb']:8.0f} MB   "
        f"(floor {efloor['peak_mb']:.0f} MB)   goal < {peak_goal} MB: "
        f"{_verdict(exp['peak_mb'] < peak_goal)}",
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bangfu.scale.bench_io")
    parser.add_argument("--rows", type=int, default=100_000, help="rows of the imported workbook")
    parser.add_argument(
        "--export-rows", type=int, default=1_000_000, help="activities in the export"
    )
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument(
        "--part", choices=["import", "export", "both"], default="both", help="what to measure"
    )
    parser.add_argument("--child", choices=sorted(CHILDREN), help=argparse.SUPPRESS)
    parser.add_argument("--job", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        print(json.dumps(CHILDREN[args.child](args)))
        return 0

    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    path = workbook_path(args.rows)
    if not path.exists():
        started = time.perf_counter()
        write_workbook(args.rows, path)
        print(f"workbook of {args.rows:,} rows written in {time.perf_counter() - started:.1f} s")
    databases = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    lines = []
    for db in databases:
        if db == "postgres":
            _ensure_pg_database()
        print(f"== {db}: preparing", flush=True)
        _run_child(db, "prepare", args)
        results = {}
        if args.part in ("import", "both"):
            for phase in ("import_floor", "import_check", "import_commit"):
                print(f"== {db}: {phase}", flush=True)
                job = results.get("import_check", {}).get("job", 0)
                results[phase] = _run_child(db, phase, args, job)
        if args.part in ("export", "both"):
            for phase in ("export_floor", "export"):
                print(f"== {db}: {phase}", flush=True)
                results[phase] = _run_child(db, phase, args)
        found = report(db, args.rows, args.export_rows, results)
        print("\n".join(found), flush=True)
        lines += found
    print()
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
