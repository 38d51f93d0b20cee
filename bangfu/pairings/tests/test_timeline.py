import datetime as dt
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bangfu.activities.models import Activity
from bangfu.dispatch.models import Dispatch, TrainingClass, VisitBatch
from bangfu.needs.models import Need, NeedCategory
from bangfu.orgs.models import Person
from bangfu.pairings.models import Agreement, PairingStatusChange
from bangfu.pairings.timeline import pairing_timeline
from bangfu.plans.models import Plan
from bangfu.resources.tests.factories import make_resource
from bangfu.support.tests.factories import make_support


def _one_of_each(w, day: dt.date, n: int = 0):
    """A record of every kind in pairing p_bj9_xizi, dated ``day``."""
    p = w.p_bj9_xizi
    category, _ = NeedCategory.objects.get_or_create(name="学科教学")
    Need.objects.create(pairing=p, organisation=w.xizi, category=category, title=f"需求{n}")
    Plan.objects.create(pairing=p, academic_year=2019 + n, term=1, title=f"计划{n}")
    Activity.objects.create(
        pairing=p,
        organiser=w.bj9,
        type="lecture",
        title=f"讲座{n}",
        start_date=day,
        end_date=day,
        person_times=40,
    )
    person = Person.objects.create(name=f"李老师{n}", organisation=w.bj9)
    Dispatch.objects.create(
        person=person,
        sender=w.bj9,
        host=w.xizi,
        host_region=w.ningcheng,
        pairing=p,
        start_date=day,
        end_date=day + dt.timedelta(days=180),
    )
    VisitBatch.objects.create(
        host=w.bj9,
        sending_region=w.ningcheng,
        pairing=p,
        title=f"跟岗{n}",
        start_date=day,
        end_date=day,
    )
    TrainingClass.objects.create(
        name=f"培训班{n}", organiser=w.bj9, pairing=p, start_date=day, end_date=day
    )
    make_support(w, title=f"捐赠{n}", date=day)
    make_resource(w, title=f"课件{n}")
    Agreement.objects.create(pairing=p, title=f"协议{n}", signed_on=day, term_start=day)
    PairingStatusChange.objects.create(pairing=p, from_status="active", to_status="paused")


def test_timeline_gathers_every_kind_newest_first(world):
    _one_of_each(world, dt.date(2019, 9, 10))
    Activity.objects.create(
        pairing=world.p_bj9_xizi,
        organiser=world.bj9,
        type="outreach",
        title="送教下乡",
        start_date=dt.date(2018, 5, 1),
        end_date=dt.date(2018, 5, 2),
    )
    entries = pairing_timeline(world.p_bj9_xizi, world.coordinator)
    kinds = {e.kind for e in entries}
    assert kinds == {
        "需求",
        "帮扶计划",
        "活动",
        "援派/支教",
        "跟岗批次",
        "培训班",
        "物资与资金帮扶",
        "共享资源",
        "帮扶协议",
        "状态变更",
    }
    dates = [e.date for e in entries]
    assert dates == sorted(dates, reverse=True)
    assert entries[-1].title == "送教下乡"
    lecture = next(e for e in entries if e.title == "讲座0")
    assert lecture.summary == "讲座 · 40 人次"
    support = next(e for e in entries if e.kind == "物资与资金帮扶")
    assert support.url == reverse("support:detail", args=[support_pk(world)])
    assert "约44,000元" in support.summary


def support_pk(w):
    from bangfu.support.models import Support

    return Support.objects.get().pk


def test_timeline_shows_only_what_the_user_may_see(world):
    _one_of_each(world, dt.date(2019, 9, 10))
    # Another pairing's support never appears, nor a resource of 北京九中
    # shared with all partners but not in this pairing.
    make_support(world, title="别处的捐赠", pairing=world.p_nm_daidai, donor=world.nmxx)
    make_resource(world, title="全体共享", scope="all_partners", pairing=None)
    titles = {e.title for e in pairing_timeline(world.p_bj9_xizi, world.recipient)}
    assert "捐赠0" in titles
    assert "别处的捐赠" not in titles and "全体共享" not in titles


def test_detail_page_renders_timeline(client_for, world):
    _one_of_each(world, dt.date(2019, 9, 10))
    response = client_for("helper").get(reverse("pairings:detail", args=[world.p_bj9_xizi.pk]))
    page = response.content.decode()
    assert "工作时间线" in page
    assert "讲座0" in page and "捐赠0" in page


def _timeline_queries(w):
    with CaptureQueriesContext(connection) as ctx:
        entries = pairing_timeline(w.p_bj9_xizi, w.helper)
    return len(ctx.captured_queries), len(entries)


def test_timeline_query_count_constant(world):
    for n in range(3):
        _one_of_each(world, dt.date(2019, 9, 1) + dt.timedelta(days=n), n)
    few, few_entries = _timeline_queries(world)
    for n in range(3, 30):
        _one_of_each(world, dt.date(2019, 9, 1) + dt.timedelta(days=n), n)
    many, many_entries = _timeline_queries(world)
    assert many_entries == 10 * few_entries
    assert few == many


def test_amounts_in_timeline_are_decimal_text(world):
    make_support(world, amount_yuan=Decimal("10000"), is_approximate=False, kind="student_aid")
    entry = pairing_timeline(world.p_bj9_xizi, world.helper)[0]
    assert entry.summary.startswith("学生资助 · 10,000元")
