"""Pages on the small test world: scope and period parsing, access, drill-down listing."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from bangfu.activities.models import Activity
from bangfu.plans.models import Project, ProjectTarget
from bangfu.stats import progress

pytestmark = pytest.mark.django_db


def _lecture(w, day="2019-04-01", person_times=30, recipient_headcount=25, sessions=2):
    return Activity.objects.create(
        type="lecture",
        title="专题讲座",
        start_date=day,
        end_date=day,
        organiser=w.bj9,
        pairing=w.p_bj9_xizi,
        helper_region=w.sjs,
        recipient_region=w.ningcheng,
        sessions=sessions,
        person_times=person_times,
        recipient_headcount=recipient_headcount,
    )


def test_figures_page_links_every_number_to_its_rows(world, client_for):
    _lecture(world)
    response = client_for("coordinator").get(
        reverse("stats:figures"), {"org": world.bj9.pk, "from": "2019-01-01", "until": "2019-12-31"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "figure=act.type.lecture.sessions" in body


def test_rows_page_lists_exactly_the_rows_behind_a_figure(world, client_for):
    counted = _lecture(world)
    _lecture(world, day="2018-04-01")  # outside the period
    response = client_for("helper").get(
        reverse("stats:rows"),
        {
            "org": world.bj9.pk,
            "from": "2019-01-01",
            "until": "2019-12-31",
            "figure": "act.type.lecture.sessions",
        },
    )
    assert response.status_code == 200
    assert response.context["figure"].value == 2
    assert [link for link, _ in response.context["rows"]] == [
        reverse("activities:detail", args=[counted.pk])
    ]


def test_an_organisation_the_user_cannot_see_is_404(world, client_for):
    for name in ("stats:figures", "stats:rows", "stats:bulletin", "stats:bulletin_docx"):
        response = client_for("outsider").get(reverse(name), {"org": world.bj9.pk})
        assert response.status_code == 404, name


def test_a_reversed_period_gets_a_chinese_message(world, client_for):
    response = client_for("coordinator").get(
        reverse("stats:bulletin"), {"region": "宁城县", "from": "2019-06-01", "until": "2019-01-01"}
    )
    assert response.status_code == 200
    assert "结束日期不能早于开始日期" in response.content.decode()


def test_bulletin_page_for_a_region_as_recipient(world, client_for):
    _lecture(world)
    response = client_for("coordinator").get(
        reverse("stats:bulletin"), {"region": "150429", "from": "2019-01-01", "until": "2019-12-31"}
    )
    body = response.content.decode()
    assert "讲座2场" in body
    assert "bulletin.docx" in body and "bulletin.xlsx" in body


def test_progress_page_shows_a_bar_without_inline_style(world, client_for):
    project = Project.objects.create(
        name="精准送教",
        owner=world.sjs_bureau,
        recipient_region=world.ningcheng,
        region_pairing=world.rp_sjs_nc,
        year=2019,
        start_date=dt.date(2019, 1, 1),
        end_date=dt.date(2099, 12, 31),
    )
    ProjectTarget.objects.create(
        project=project, description="培训当地教师", target_value=100, unit="人次"
    )
    project.activities.add(_lecture(world))
    response = client_for("coordinator").get(reverse("stats:progress"))
    body = response.content.decode()
    assert '<progress max="100" value="30">' in body
    assert "style=" not in body.split("<main", 1)[-1]


def _p(achieved, target=100, today=dt.date(2020, 7, 1), unit="人次"):
    return progress.Progress(
        kind="project",
        obj=None,
        title="t",
        owner="o",
        target=target,
        unit=unit,
        achieved=achieved,
        start=dt.date(2020, 1, 1),
        end=dt.date(2020, 12, 31),
        today=today,
    )


def test_progress_statuses_with_a_fixed_today():
    # 1 July: 182 of 365 days elapsed, about 49.9 expected.
    assert _p(100).status == progress.DONE
    assert _p(45).status == progress.ON_TRACK
    assert _p(30).status == progress.AT_RISK
    assert _p(99, today=dt.date(2021, 1, 1)).status == progress.OVERDUE
    assert _p(None).status == progress.UNMEASURED
    assert _p(45).remaining == 55
    assert _p(45).expected == Decimal("49.9")
    assert _p(250).bar == 100


def test_progress_from_linked_activities_by_unit(world):
    project = Project.objects.create(
        name="送教",
        owner=world.sjs_bureau,
        recipient_region=world.ningcheng,
        year=2019,
        start_date=dt.date(2019, 1, 1),
        end_date=dt.date(2019, 12, 31),
    )
    for unit, target in (("人次", 50), ("场", 4), ("名", 20), ("批次", 3)):
        ProjectTarget.objects.create(
            project=project, description=unit, target_value=target, unit=unit
        )
    project.activities.add(_lecture(world), _lecture(world, day="2019-05-01"))
    rows = {p.unit: p for p in progress.project_progress(world.coordinator, dt.date(2019, 6, 30))}
    assert rows["人次"].achieved == 60 and rows["人次"].status == progress.DONE
    assert rows["场"].achieved == 4 and rows["场"].status == progress.DONE
    assert rows["名"].achieved == 50
    assert rows["批次"].achieved == 2 and rows["批次"].status == progress.ON_TRACK
