"""The activity roll-ups: kept exact by every write path, and really read by the engine."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bangfu.activities import services
from bangfu.activities.models import Activity
from bangfu.activities.tests.factories import activity_values, record
from bangfu.stats import engine, rollup
from bangfu.stats.engine import Period, Scope, compute
from bangfu.stats.models import ActivityRollup, ActivityRollupOther

pytestmark = pytest.mark.django_db

YEAR = Period(dt.date(2019, 9, 1), dt.date(2020, 8, 31))


def add(world, day, **values):
    return record(world, start_date=day, end_date=day, **values)


def _tables():
    main = {
        (r.role, r.region_id, r.month, r.type, r.direction, r.led_by): (
            r.n,
            r.sessions,
            r.person_times,
            r.trained,
        )
        for r in ActivityRollup.objects.all()
        if r.n
    }
    other = {
        (r.role, r.region_id, r.month, r.other_id): (r.n, r.person_times, r.trained)
        for r in ActivityRollupOther.objects.all()
        if r.n
    }
    return main, other


def _assert_matches_ledger():
    """The incrementally kept tables equal a rebuild from the ledger."""
    kept = _tables()
    rollup.rebuild()
    assert kept == _tables()


def test_every_write_path_keeps_the_rollups_exact(world):
    a = add(world, dt.date(2019, 10, 8))
    b = add(world, dt.date(2019, 11, 3), type="demo_lesson", sessions=3)
    _assert_matches_ledger()
    assert ActivityRollup.objects.filter(role="recipient", region_id=world.chifeng.pk).exists()

    # An edit that moves the activity to another month and type.
    services.update_activity(
        a,
        actor=world.helper,
        version=a.version,
        type="symposium",
        start_date=dt.date(2020, 1, 5),
        end_date=dt.date(2020, 1, 5),
    )
    _assert_matches_ledger()

    # Counts from sign-ins (a QuerySet.update() under the hood).
    services.open_signin(b, actor=world.helper)
    services.sign_in(b, "张三", "宁城县汐子中学", "teacher", "recipient")
    b.refresh_from_db()
    assert b.person_times == 1
    _assert_matches_ledger()

    # A delete takes the activity away.
    Activity.objects.get(pk=b.pk).delete()
    _assert_matches_ledger()
    assert ActivityRollup.objects.filter(type="demo_lesson").exclude(n=0).count() == 0


def test_a_new_activity_moves_the_province_figure_at_once(world):
    scope = Scope(region=world.nmg)
    before = compute(scope, YEAR).value("act.recipient.total.count")
    add(world, dt.date(2019, 12, 2))
    assert compute(scope, YEAR).value("act.recipient.total.count") == before + 1


def test_whole_months_are_read_from_the_rollups_not_the_ledger(world):
    add(world, dt.date(2019, 10, 8))
    add(world, dt.date(2020, 3, 8), led_by="recipient")
    table = Activity._meta.db_table
    for scope in (Scope(region=world.nmg), Scope(region=world.chifeng), Scope(country=True)):
        with CaptureQueriesContext(connection) as queries:
            figures = compute(scope, YEAR)
        assert not [q for q in queries if table in q["sql"]], scope.name
        role = "all" if scope.country else "recipient"
        prefix = "act." if scope.country else "act.recipient."
        assert figures.value(prefix + "total.count") == 2
        assert figures.value(prefix + "capacity.share") == 50
        assert sum(figures.monthly[role].values()) == 2


def test_partial_months_are_read_from_the_ledger_and_add_up(world):
    add(world, dt.date(2019, 10, 8))
    add(world, dt.date(2019, 10, 20))
    add(world, dt.date(2019, 11, 2))
    add(world, dt.date(2019, 12, 30))
    scope = Scope(region=world.nmg)
    period = Period(dt.date(2019, 10, 10), dt.date(2019, 12, 29))
    figures = compute(scope, period)
    assert figures.value("act.recipient.total.count") == 2  # 10-20 and 11-02
    for figure in figures.items.values():
        rows = engine.drill_queryset(scope, period, figure.drill)
        assert engine.evaluate(rows, figure.measure) == figure.value, figure.key


def test_a_province_seen_in_part_is_counted_from_the_rows_the_user_sees(world):
    # The 石景山 coordinator sees 宁城's activities with 石景山, not all of 内蒙古.
    from bangfu.pairings.models import RegionPairing

    other_helper = world.nanming
    rp = RegionPairing.objects.create(
        helper_region=other_helper,
        recipient_region=world.ningcheng,
        level="district",
        start_date=dt.date(2018, 1, 1),
    )
    add(world, dt.date(2019, 10, 8))
    services.record_activity(
        actor=world.other_coordinator,
        pairing=None,
        region_pairing=rp,
        **activity_values(start_date=dt.date(2019, 10, 9), end_date=dt.date(2019, 10, 9)),
    )
    whole = compute(Scope(region=world.nmg), YEAR).value("act.recipient.total.count")
    seen = compute(Scope(region=world.nmg, user=world.coordinator), YEAR)
    assert whole == 2
    assert seen.value("act.recipient.total.count") == 1


def test_the_country_is_only_for_those_who_see_everything(world):
    with pytest.raises(engine.ScopeNotVisible):
        Scope(country=True, user=world.coordinator)


@pytest.mark.parametrize(
    "date_from, date_until, first, last, edges",
    [
        ("2019-09-01", "2020-08-31", "2019-09-01", "2020-08-01", []),
        ("2019-09-15", "2020-08-31", "2019-10-01", "2020-08-01", [("2019-09-15", "2019-09-30")]),
        ("2019-09-01", "2019-12-20", "2019-09-01", "2019-11-01", [("2019-12-01", "2019-12-20")]),
        ("2019-09-10", "2019-09-20", None, None, [("2019-09-10", "2019-09-20")]),
        ("2020-02-01", "2020-02-29", "2020-02-01", "2020-02-01", []),
    ],
)
def test_split_into_whole_months_and_edges(date_from, date_until, first, last, edges):
    d = dt.date.fromisoformat
    s = rollup.split(d(date_from), d(date_until))
    assert s.first_month == (d(first) if first else None)
    assert s.last_month == (d(last) if last else None)
    assert list(s.edges) == [(d(a), d(b)) for a, b in edges]


def test_the_country_bulletin_from_the_command_line(world):
    import io

    from django.core.management import call_command

    add(world, dt.date(2019, 10, 8))
    add(world, dt.date(2019, 10, 9))
    out = io.StringIO()
    call_command(
        "bulletin", scope="全国", date_from="2019-09-01", date_until="2020-08-31", stdout=out
    )
    text = out.getvalue()
    assert text.startswith("全国教育结对帮扶工作简报")
    assert "开展讲座4场,共参与160人次" in text
    assert "赤峰\t2\t160\t80" in text


def test_rebuild_rollups_command_checks_and_repairs(world):
    import io

    from django.core.management import call_command
    from django.core.management.base import CommandError

    add(world, dt.date(2019, 10, 8))
    out = io.StringIO()
    call_command("rebuild_rollups", "--check", stdout=out)
    assert "一致" in out.getvalue()
    ActivityRollup.objects.filter(role="all").update(n=99)  # damage
    with pytest.raises(CommandError, match="不一致"):
        call_command("rebuild_rollups", "--check", stdout=io.StringIO())
    call_command("rebuild_rollups", stdout=io.StringIO())
    call_command("rebuild_rollups", "--check", stdout=io.StringIO())
    assert ActivityRollup.objects.get(role="all").n == 1
