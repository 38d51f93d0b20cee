"""Synthetic data at tiny, province and national scale for the statistics benchmarks.

Rows go straight into the tables (SQLite ``executemany``, PostgreSQL ``COPY``):
no services, no ``save()``, no audit entries, no search text or pinyin sort
keys. They are marked ``is_generated`` and named "某县第12小学(生成)", and the
id ranges written are kept in a ``GeneratedDataset`` so ``--replace`` deletes
exactly them (the demo marks its own filler rows ``is_generated`` too).

Deterministic by seed: one ``random.Random(seed)``, regions read in code order.
Foreign keys are consistent by construction; their checks are switched off for
the load only (SQLite ``PRAGMA foreign_keys``, PostgreSQL
``session_replication_role``) because they cost more than the insert itself.
"""

from __future__ import annotations

import bisect
import datetime as dt
import random
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from django.core.management import call_command
from django.db import connection, models, transaction

from bangfu.activities.models import Activity, ActivityType
from bangfu.orgs.models import Organisation, Person
from bangfu.pairings.models import Pairing, PairingParty, RegionPairing
from bangfu.regions.models import Region
from bangfu.stats import rollup

from .models import GeneratedDataset


class GeneratorRefused(Exception):
    """Generated rows exist already and --replace was not given."""


@dataclass(frozen=True)
class Scale:
    schools: int
    people_per_school: int
    pairings: int
    activities: int
    # None: every county of the chosen provinces.
    max_recipient_counties: int | None = None
    max_helper_counties: int | None = None


SCALES = {
    "tiny": Scale(
        schools=40,
        people_per_school=3,
        pairings=12,
        activities=300,
        max_recipient_counties=4,
        max_helper_counties=3,
    ),
    # About 1/30 of national, inside one province (recipients) and one helper province.
    "province": Scale(schools=6_700, people_per_school=10, pairings=1_700, activities=167_000),
    "national": Scale(schools=200_000, people_per_school=10, pairings=50_000, activities=5_000_000),
}

# Eastern provinces send help (东西部协作); the others receive it. Code prefixes.
HELPER_PROVINCES = {"11", "12", "13", "21", "31", "32", "33", "35", "37", "44"}
# Outside the system: 台湾, 香港, 澳门.
EXCLUDED_PROVINCES = {"71", "81", "82"}
# Province scale: 广东 → 贵州, as in the seeds' 东西部协作 pairs.
PROVINCE_RECIPIENT, PROVINCE_HELPER = "52", "44"

STAGES = [  # (stage, label, weight)
    (Organisation.Stage.PRIMARY, "小学", 50),
    (Organisation.Stage.KINDERGARTEN, "幼儿园", 20),
    (Organisation.Stage.JUNIOR, "中学", 18),
    (Organisation.Stage.SENIOR, "高级中学", 6),
    (Organisation.Stage.NINE_YEAR, "九年一贯制学校", 4),
    (Organisation.Stage.VOCATIONAL, "职业学校", 2),
]
# 讲座, 送教, 听评课 are the common ones in the seeds' ledgers.
TYPE_WEIGHTS = {
    ActivityType.LECTURE: 18,
    ActivityType.OUTREACH: 14,
    ActivityType.OBSERVATION: 14,
    ActivityType.ONLINE_RESEARCH: 8,
    ActivityType.DEMO_LESSON: 8,
    ActivityType.PARALLEL_LESSON: 7,
    ActivityType.LESSON_DELIVERY: 5,
    ActivityType.SHADOWING: 5,
    ActivityType.VIDEO_MEETING: 5,
    ActivityType.TRAINING_DELIVERY: 4,
    ActivityType.STUDIO: 3,
    ActivityType.WORK_MEETING: 3,
    ActivityType.DIAGNOSTIC_VISIT: 2,
    ActivityType.BASIC_SKILLS: 2,
    ActivityType.MANAGEMENT_DELIVERY: 1,
    ActivityType.SYMPOSIUM: 1,
    ActivityType.TRAINING_CLASS: 1,
    ActivityType.STUDY_TRIP: 1,
    ActivityType.CONTEST: 1,
    ActivityType.STUDENT_EXCHANGE: 1,
    ActivityType.OTHER: 1,
}
ONLINE_TYPES = {ActivityType.ONLINE_RESEARCH, ActivityType.VIDEO_MEETING}
AT_HELPER_TYPES = {ActivityType.SHADOWING, ActivityType.STUDY_TRIP}
MULTI_DAY_TYPES = {ActivityType.SHADOWING, ActivityType.TRAINING_CLASS, ActivityType.STUDY_TRIP}
SUBJECTS = ["语文", "数学", "英语", "物理", "化学", "生物", "道德与法治", "历史", "音乐", "美术"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "明华军平建国英芳秀兰伟敏静丽强磊洋艳勇娟涛超霞杰"
# Activities per month of the academic year (term time heavy, holidays light).
MONTH_WEIGHTS = {9: 10, 10: 11, 11: 12, 12: 10, 1: 4, 2: 1, 3: 10, 4: 12, 5: 12, 6: 9, 7: 3, 8: 1}


def academic_period(years: int, today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The last ``years`` complete academic years (1 September to 31 August)."""
    today = today or dt.date.today()
    end_year = today.year if today.month >= 9 else today.year - 1
    return dt.date(end_year - years, 9, 1), dt.date(end_year, 8, 31)


@dataclass
class Report:
    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    id_ranges: dict[str, list[int]] = field(default_factory=dict)

    def rates(self) -> dict[str, int]:
        return {t: int(self.counts[t] / max(self.seconds[t], 1e-9)) for t in self.counts}

    @property
    def total_rows(self) -> int:
        return sum(self.counts.values())

    @property
    def total_seconds(self) -> float:
        return sum(self.seconds.values())


class _Table:
    """Column order for one model: the varying columns first, then every other column constant."""

    def __init__(self, model: type[models.Model], varying: list[str], now, overrides=None):
        self.name = model._meta.db_table
        overrides = overrides or {}
        by_attname = {f.attname: f for f in model._meta.concrete_fields}
        const_cols, const_vals = [], []
        for attname, f in by_attname.items():
            if attname in varying:
                continue
            if attname in overrides:
                value = overrides[attname]
            elif isinstance(f, models.DateTimeField) and (f.auto_now or f.auto_now_add):
                value = now
            elif f.has_default() and callable(f.default):
                raise ValueError(f"{self.name}.{attname} has a callable default: make it varying")
            else:
                value = f.get_default()
                if value is None and not f.null:
                    raise ValueError(f"{self.name}.{attname} needs a value")
            const_cols.append(f.column)
            const_vals.append(value)
        self.columns = [by_attname[a].column for a in varying] + const_cols
        self.const = tuple(const_vals)


class _SqliteWriter:
    def __init__(self, raw):
        self.raw = raw

    def write(self, table: _Table, rows: Iterable[tuple]) -> None:
        marks = ",".join("?" * len(table.columns))
        sql = f'INSERT INTO "{table.name}" ({",".join(table.columns)}) VALUES ({marks})'
        const = table.const
        self.raw.executemany(sql, (row + const for row in rows))


class _PostgresWriter:
    def __init__(self, raw):
        self.raw = raw

    def write(self, table: _Table, rows: Iterable[tuple]) -> None:
        const = table.const
        cols = ",".join(f'"{c}"' for c in table.columns)
        with self.raw.cursor() as cursor:
            with cursor.copy(f'COPY "{table.name}" ({cols}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(row + const)


def _next_id(model) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT MAX(id) FROM "{model._meta.db_table}"')
        return (cursor.fetchone()[0] or 0) + 1


class Generator:
    """Write a data set of one scale; cost: minutes at national scale (see PERFORMANCE.md)."""

    def __init__(
        self,
        scale: str,
        *,
        seed: int = 1,
        years: int = 5,
        out: Callable[[str], None] = print,
        today: dt.date | None = None,
    ):
        if scale not in SCALES:
            raise ValueError(f"unknown scale {scale!r}; one of {', '.join(SCALES)}")
        self.scale_name, self.spec = scale, SCALES[scale]
        self.seed, self.years, self.out = seed, years, out
        self.rng = random.Random(seed)
        self.date_from, self.date_until = academic_period(years, today)
        self.report = Report()
        self.vendor = connection.vendor
        self.now = "2026-01-01 00:00:00" if self.vendor == "sqlite" else "2026-01-01 00:00:00+00"

    # --- entry point -----------------------------------------------------------------

    def run(self, *, replace: bool = False) -> GeneratedDataset:
        existing = GeneratedDataset.objects.all()
        if existing.exists():
            if not replace:
                raise GeneratorRefused(
                    "generated rows exist already "
                    f"({', '.join(str(d) for d in existing)}); use --replace to delete them first"
                )
            delete_generated(out=self.out)
        if not Region.objects.filter(level=Region.Level.COUNTY).exists():
            self.out("the region registry is empty: running load_regions")
            call_command("load_regions", stdout=_Sink())
        self._choose_regions()
        connection.ensure_connection()
        raw = connection.connection
        # PRAGMAs cannot change inside a transaction (the tests run inside one).
        pragmas = self.vendor == "sqlite" and not connection.in_atomic_block
        if pragmas:
            self._sqlite_pragmas(raw, load=True)
        try:
            with transaction.atomic():
                if self.vendor == "postgresql":
                    with connection.cursor() as cursor:
                        cursor.execute("SET LOCAL session_replication_role = replica")
                    writer = _PostgresWriter(raw)
                else:
                    writer = _SqliteWriter(raw)
                self._write_all(writer)
                if self.vendor == "postgresql":
                    self._reset_sequences()
                # Bulk rows send no signals: the statistics roll-ups are rebuilt in
                # the same transaction, so no figure is ever stale.
                started = time.perf_counter()
                sizes = rollup.rebuild()
                self.out(
                    f"roll-ups: {sizes['main']:,} + {sizes['other']:,} rows "
                    f"in {time.perf_counter() - started:.1f} s"
                )
                dataset = GeneratedDataset.objects.create(
                    scale=self.scale_name,
                    seed=self.seed,
                    years=self.years,
                    id_ranges=self.report.id_ranges,
                    row_counts=self.report.counts,
                    rates=self.report.rates(),
                    focus_province_id=self.focus_province_id,
                    date_from=self.date_from,
                    date_until=self.date_until,
                )
        finally:
            if pragmas:
                self._sqlite_pragmas(raw, load=False)
        # PostgreSQL: VACUUM too, or COPY'd rows have no visibility map and covering
        # indexes cannot answer index-only (measured: 0.7 s → 23 ms for a province-year).
        # VACUUM cannot run inside a transaction (the tests run inside one).
        analyze = "ANALYZE"
        if self.vendor == "postgresql" and not connection.in_atomic_block:
            analyze = "VACUUM ANALYZE"
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(analyze)
        self.out(f"{analyze}: {time.perf_counter() - started:.1f} s")
        return dataset

    # --- regions -------------------------------------------------------------------

    def _choose_regions(self) -> None:
        counties = list(
            Region.objects.filter(level=Region.Level.COUNTY, province__isnull=False)
            .order_by("code", "id")
            .values_list("id", "name", "province_id", "province__code")
        )
        by_province: dict[str, list] = {}
        for cid, name, _pid, pcode in counties:
            prefix = (pcode or "")[:2]
            if prefix in EXCLUDED_PROVINCES:
                continue
            by_province.setdefault(pcode or "", []).append((cid, name))
        codes = sorted(by_province)
        if len(codes) < 2:
            raise ValueError("the generator needs counties in at least two provinces")
        if self.scale_name == "national":
            helper_codes = [c for c in codes if c[:2] in HELPER_PROVINCES]
            recipient_codes = [c for c in codes if c[:2] not in HELPER_PROVINCES]
        else:
            recipient = next((c for c in codes if c.startswith(PROVINCE_RECIPIENT)), None)
            recipient = recipient or next(
                (c for c in codes if c[:2] not in HELPER_PROVINCES), codes[0]
            )
            helper = next((c for c in codes if c.startswith(PROVINCE_HELPER)), None)
            if helper is None or helper == recipient:
                helper = next(c for c in codes if c != recipient)
            recipient_codes, helper_codes = [recipient], [helper]
        if not helper_codes or not recipient_codes:
            helper_codes, recipient_codes = codes[:1], codes[1:]
        self.recipient_counties = [c for code in recipient_codes for c in by_province[code]]
        self.helper_counties = [c for code in helper_codes for c in by_province[code]]
        if self.spec.max_recipient_counties:
            self.recipient_counties = self.recipient_counties[: self.spec.max_recipient_counties]
        if self.spec.max_helper_counties:
            self.helper_counties = self.helper_counties[: self.spec.max_helper_counties]
        # Recipient counties grouped by province, each province paired with one helper province.
        self.helper_by_province = {}
        for i, code in enumerate(recipient_codes):
            partner = helper_codes[i % len(helper_codes)]
            pool = [c for c in by_province[partner] if c in self.helper_counties]
            self.helper_by_province[code] = pool or self.helper_counties
        self.province_of = {
            cid: code for code in recipient_codes + helper_codes for cid, _ in by_province[code]
        }
        focus = PROVINCE_RECIPIENT if any(c.startswith("52") for c in recipient_codes) else None
        focus_code = next((c for c in recipient_codes if focus and c.startswith(focus)), None)
        focus_code = focus_code or recipient_codes[0]
        self.focus_province_id = Region.objects.get(code=focus_code).pk

    # --- writing -------------------------------------------------------------------

    def _timed(self, model, writer, table: _Table, rows: Iterator[tuple], first_id: int) -> int:
        started = time.perf_counter()
        count = 0

        def counted():
            nonlocal count
            for row in rows:
                count += 1
                yield row

        chunk: list[tuple] = []
        for row in counted():
            chunk.append(row)
            if len(chunk) >= 50_000:
                writer.write(table, chunk)
                chunk = []
        if chunk:
            writer.write(table, chunk)
        seconds = time.perf_counter() - started
        name = model._meta.db_table
        self.report.counts[name] = count
        self.report.seconds[name] = seconds
        if count:
            self.report.id_ranges[name] = [first_id, first_id + count - 1]
        self.out(
            f"{name:28} {count:>10,} rows {seconds:7.1f} s {count / max(seconds, 1e-9):>10,.0f} rows/s"
        )
        return count

    def _write_all(self, writer) -> None:
        rng, spec = self.rng, self.spec
        start = self.date_from
        start_s = start.isoformat()

        # Region pairings: each recipient county gets one helper county of its partner province.
        rp_first = _next_id(RegionPairing)
        region_pairings = []  # (id, helper county id, recipient county id)
        for cid, _name in self.recipient_counties:
            pool = self.helper_by_province[self.province_of[cid]]
            helper_id = pool[rng.randrange(len(pool))][0]
            region_pairings.append((rp_first + len(region_pairings), helper_id, cid))
        table = _Table(
            RegionPairing,
            ["id", "helper_region_id", "recipient_region_id", "level", "start_date", "note"],
            self.now,
            {"is_generated": True},
        )
        self._timed(
            RegionPairing,
            writer,
            table,
            ((i, h, r, "district", start_s, "(生成)") for i, h, r in region_pairings),
            rp_first,
        )

        # Schools, spread over the counties in play.
        counties = sorted(
            {cid: name for cid, name in self.recipient_counties + self.helper_counties}.items()
        )
        stage_values = [s[0].value for s in STAGES]
        stage_labels = {s[0].value: s[1] for s in STAGES}
        stage_cum = _cumulative([s[2] for s in STAGES])
        org_first = _next_id(Organisation)
        schools_by_county: dict[int, list[int]] = {cid: [] for cid, _ in counties}
        per_county = spec.schools / len(counties)

        def school_rows():
            next_id = org_first
            for cid, cname in counties:
                n = max(2, round(per_county * rng.uniform(0.6, 1.4)))
                for k in range(1, n + 1):
                    stage = rng.choices(stage_values, cum_weights=stage_cum)[0]
                    schools_by_county[cid].append(next_id)
                    yield (next_id, f"{cname}第{k}{stage_labels[stage]}(生成)", stage, cid)
                    next_id += 1

        table = _Table(
            Organisation,
            ["id", "name", "stage", "region_id"],
            self.now,
            {"kind": "school", "is_generated": True},
        )
        self._timed(Organisation, writer, table, school_rows(), org_first)
        school_ids = [s for cid, _ in counties for s in schools_by_county[cid]]

        # People: teachers and some cadres at every school.
        person_first = _next_id(Person)
        backbone = ["", "district", "city", "province"]
        backbone_cum = _cumulative([80, 12, 6, 2])

        rand = rng.random
        ns, ng, nsub = len(SURNAMES), len(GIVEN), len(SUBJECTS)

        def person_rows():
            next_id = person_first
            for org_id in school_ids:
                for _ in range(spec.people_per_school):
                    name = (
                        SURNAMES[int(rand() * ns)]
                        + GIVEN[int(rand() * ng)]
                        + GIVEN[int(rand() * ng)]
                    )
                    kind = "cadre" if rand() < 0.1 else "teacher"
                    level = backbone[bisect.bisect_right(backbone_cum, rand() * 100)]
                    yield (next_id, name, kind, org_id, SUBJECTS[int(rand() * nsub)], level)
                    next_id += 1

        table = _Table(
            Person,
            ["id", "name", "kind", "organisation_id", "subjects", "backbone_level"],
            self.now,
            {"is_generated": True},
        )
        self._timed(Person, writer, table, person_rows(), person_first)

        # School pairings inside the region pairings, with their parties.
        pairing_first = _next_id(Pairing)
        modes = ["one_to_one", "group", "entrusted", "programme"]
        mode_cum = _cumulative([70, 15, 10, 5])
        statuses = ["active", "ended", "proposed"]
        status_cum = _cumulative([85, 10, 5])
        # (id, region pairing id, helper county, recipient county, lead helper, recipient, weight)
        pairings: list[tuple] = []
        parties: list[tuple] = []
        for k in range(spec.pairings):
            rp_id, h_county, r_county = region_pairings[rng.randrange(len(region_pairings))]
            helpers = schools_by_county[h_county]
            recipients = schools_by_county[r_county]
            mode = rng.choices(modes, cum_weights=mode_cum)[0]
            lead = helpers[rng.randrange(len(helpers))]
            recipient = recipients[rng.randrange(len(recipients))]
            pid = pairing_first + k
            parties.append((pid, lead, "helper", True))
            if mode == "group":
                second = helpers[rng.randrange(len(helpers))]
                if second != lead:
                    parties.append((pid, second, "helper", False))
            parties.append((pid, recipient, "recipient", True))
            status = rng.choices(statuses, cum_weights=status_cum)[0]
            began = start - dt.timedelta(days=rng.randrange(0, 365))
            ended = self.date_until.isoformat() if status == "ended" else None
            weight = rng.uniform(0.3, 1.7)
            pairings.append(
                (
                    pid,
                    rp_id,
                    h_county,
                    r_county,
                    lead,
                    recipient,
                    weight,
                    mode,
                    status,
                    began,
                    ended,
                )
            )
        table = _Table(
            Pairing,
            ["id", "name", "mode", "status", "region_pairing_id", "start_date", "end_date"],
            self.now,
            {"is_generated": True},
        )
        self._timed(
            Pairing,
            writer,
            table,
            (
                (p[0], f"结对{p[0]}(生成)", p[7], p[8], p[1], p[9].isoformat(), p[10])
                for p in pairings
            ),
            pairing_first,
        )
        party_first = _next_id(PairingParty)
        table = _Table(
            PairingParty,
            ["id", "pairing_id", "organisation_id", "side", "is_lead"],
            self.now,
            {"updated_at": self.now},
        )
        self._timed(
            PairingParty,
            writer,
            table,
            ((party_first + i,) + p for i, p in enumerate(parties)),
            party_first,
        )
        self._write_activities(writer, pairings)

    def _write_activities(self, writer, pairings: list[tuple]) -> None:
        rng, spec = self.rng, self.spec
        types = [str(t) for t in TYPE_WEIGHTS]
        type_cum = _cumulative(list(TYPE_WEIGHTS.values()))
        labels = {str(t): f"{t.label}(生成)" for t in TYPE_WEIGHTS}
        months = _months(self.date_from, self.date_until)
        month_total = sum(MONTH_WEIGHTS[m.month] for m in months)
        weight_total = sum(p[6] for p in pairings)
        first = _next_id(Activity)
        table = _Table(
            Activity,
            [
                "id",
                "type",
                "title",
                "start_date",
                "end_date",
                "mode",
                "direction",
                "pairing_id",
                "region_pairing_id",
                "organiser_id",
                "helper_region_id",
                "recipient_region_id",
                "sessions",
                "helper_headcount",
                "recipient_headcount",
                "person_times",
                "count_source",
                "backbone_count",
                "subjects",
                "led_by",
                "confirmation",
                "rating",
                "signin_token",
                "recorded_side",
            ],
            self.now,
            {"is_generated": True},
        )
        session_choices = [1, 1, 1, 1, 2, 2, 3, 4]
        age_end = self.date_until

        # Plain rng.random() arithmetic: randrange/choices cost 3-4 times more per call,
        # and this loop runs 5 million times at national scale.
        rand = rng.random
        type_total = type_cum[-1]
        type_index = [types[bisect.bisect_right(type_cum, x)] for x in range(type_total)]
        n_subjects = len(SUBJECTS)
        ratings = (3, 4, 4, 5, 5)

        def rows():
            next_id = first
            for month in months:
                # 造血: the recipient side leads a rising share of the work year by year.
                year_index = (month - self.date_from).days // 365
                recipient_led = 0.08 + 0.06 * year_index
                joint = recipient_led + 0.12
                per_weight = (
                    spec.activities * MONTH_WEIGHTS[month.month] / month_total / weight_total
                )
                days = _days_in_month(month)
                dates = [(month + dt.timedelta(days=d)) for d in range(days + 5)]
                iso = [d.isoformat() for d in dates]
                recent = [(age_end - d).days < 60 for d in dates]
                batch = []
                for p in pairings:
                    expected = p[6] * per_weight
                    n = int(expected) + (rand() < expected - int(expected))
                    for _ in range(n):
                        batch.append((int(rand() * days), p))
                # Time order, as a ledger fills up.
                batch.sort(key=lambda item: item[0])
                for day, p in batch:
                    kind = type_index[int(rand() * type_total)]
                    end_day = day + 1 + int(rand() * 4) if kind in MULTI_DAY_TYPES else day
                    if kind in ONLINE_TYPES:
                        mode, direction = "online", "remote"
                    else:
                        r = rand()
                        mode = "offline" if r < 0.85 else ("hybrid" if r < 0.95 else "online")
                        direction = "at_helper" if kind in AT_HELPER_TYPES else "to_recipient"
                    r = rand()
                    if r < recipient_led:
                        led_by, organiser, side = "recipient", p[5], "recipient"
                    elif r < joint:
                        led_by, organiser, side = "joint", p[4], "helper"
                    else:
                        led_by, organiser, side = "helper", p[4], "helper"
                    sessions = session_choices[int(rand() * 8)]
                    helpers = 1 + int(rand() * 5)
                    recipients = 5 + int(rand() * 56)
                    # Older entries are mostly confirmed; recent ones still pending.
                    r = rand()
                    if r < (0.3 if recent[day] else 0.9):
                        confirmation, rating = "confirmed", ratings[int(rand() * 5)]
                    elif r < 0.98:
                        confirmation, rating = "pending", None
                    else:
                        confirmation, rating = "disputed", None
                    yield (
                        next_id,
                        kind,
                        labels[kind],
                        iso[day],
                        iso[end_day],
                        mode,
                        direction,
                        p[0],
                        p[1],
                        organiser,
                        p[2],
                        p[3],
                        sessions,
                        helpers,
                        recipients,
                        (helpers + recipients) * sessions,
                        "signed" if r < 0.2 else "reported",
                        int(rand() * (helpers + 1)),
                        SUBJECTS[int(rand() * n_subjects)],
                        led_by,
                        confirmation,
                        rating,
                        f"gen{next_id:012x}",
                        side,
                    )
                    next_id += 1

        self._timed(Activity, writer, table, rows(), first)

    # --- database details ----------------------------------------------------------

    def _reset_sequences(self) -> None:
        with connection.cursor() as cursor:
            for table in self.report.id_ranges:
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                    f'(SELECT MAX(id) FROM "{table}"))'
                )

    @staticmethod
    def _sqlite_pragmas(raw, *, load: bool) -> None:
        if load:
            raw.execute("PRAGMA foreign_keys=OFF")
            raw.execute("PRAGMA synchronous=OFF")
            raw.execute("PRAGMA cache_size=-1000000")  # 1 GB, for the index builds
            raw.execute("PRAGMA temp_store=MEMORY")
        else:
            raw.execute("PRAGMA foreign_keys=ON")
            raw.execute("PRAGMA synchronous=NORMAL")
            raw.execute("PRAGMA cache_size=-2000")


def delete_generated(*, out: Callable[[str], None] = print) -> int:
    """Delete every data set the generator wrote (by its id ranges); returns rows deleted."""
    order = [Activity, PairingParty, Pairing, RegionPairing, Person, Organisation]
    deleted = 0
    with transaction.atomic(), connection.cursor() as cursor:
        for dataset in GeneratedDataset.objects.all():
            for model in order:
                table = model._meta.db_table
                span = dataset.id_ranges.get(table)
                if not span:
                    continue
                generated = "" if model is PairingParty else " AND is_generated"
                cursor.execute(f'DELETE FROM "{table}" WHERE id BETWEEN %s AND %s{generated}', span)
                deleted += cursor.rowcount
            dataset.delete()
        rollup.rebuild()
    out(f"deleted {deleted:,} generated rows")
    return deleted


def _cumulative(weights: list[int]) -> list[int]:
    total, out = 0, []
    for w in weights:
        total += w
        out.append(total)
    return out


def _months(date_from: dt.date, date_until: dt.date) -> list[dt.date]:
    months, d = [], date_from.replace(day=1)
    while d <= date_until:
        months.append(d)
        d = (d + dt.timedelta(days=32)).replace(day=1)
    return months


def _days_in_month(month: dt.date) -> int:
    return ((month + dt.timedelta(days=32)).replace(day=1) - month).days


class _Sink:
    def write(self, *_args, **_kwargs):
        pass

    def flush(self):
        pass
