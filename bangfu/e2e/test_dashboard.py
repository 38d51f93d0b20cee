"""The dashboard in Chromium: ECharts draws every chart, and the CSP logs no violation."""

import datetime as dt

import pytest

from bangfu.activities.models import Activity
from bangfu.plans.models import Project, ProjectTarget

from .conftest import login, shot

pytestmark = pytest.mark.django_db(transaction=True)


def _activities(w):
    made = []
    for day, kind, led_by, pt in (
        ("2019-03-12", "lecture", "helper", 40),
        ("2019-04-02", "lecture", "helper", 30),
        ("2019-04-20", "demo_lesson", "joint", 25),
        ("2019-10-08", "lecture", "recipient", 35),
        ("2019-11-15", "demo_lesson", "recipient", 20),
    ):
        made.append(
            Activity.objects.create(
                type=kind,
                title="送教活动",
                start_date=day,
                end_date=day,
                organiser=w.bj9,
                pairing=w.p_bj9_xizi,
                helper_region=w.sjs,
                recipient_region=w.ningcheng,
                sessions=1,
                person_times=pt,
                recipient_headcount=pt - 5,
                led_by=led_by,
            )
        )
    project = Project.objects.create(
        name="精准送教",
        owner=w.sjs_bureau,
        recipient_region=w.ningcheng,
        region_pairing=w.rp_sjs_nc,
        year=2019,
        start_date=dt.date(2019, 1, 1),
        end_date=dt.date(2020, 8, 31),
    )
    ProjectTarget.objects.create(
        project=project, description="培训当地教师", target_value=300, unit="人次"
    )
    project.activities.add(*made)


def _open_dashboard(tab):
    # Also listen to the page's own violation events (a second witness to the console).
    tab.add_init_script(
        "window.cspViolations = [];"
        "document.addEventListener('securitypolicyviolation',"
        " e => window.cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));"
    )
    tab.goto(tab.base_url + "/stats/dashboard/?from=2018-09-01&until=2020-08-31")
    tab.wait_for_load_state("networkidle")
    tab.wait_for_function(
        "document.querySelectorAll('.dash-chart canvas').length"
        " >= document.querySelectorAll('.dash-chart').length"
    )


def test_dashboard_draws_its_charts_under_the_csp(page, world):
    _activities(world)
    login(page, "coord")
    _open_dashboard(page)
    containers = page.locator(".dash-chart")
    assert containers.count() == 4  # months, regions, 造血 trend, pairing map
    for i in range(containers.count()):
        box = containers.nth(i).locator("canvas").first.bounding_box()
        assert box and box["width"] > 200 and box["height"] >= 250
    assert page.locator("progress").count() >= 1
    main = page.locator("main").inner_text()
    assert "各月帮扶活动" in main and "造血指数" in main and "结对地图" in main
    # Hovering draws the tooltip on the canvas, not as styled HTML.
    containers.first.hover()
    page.wait_for_timeout(200)
    assert page.evaluate("window.cspViolations") == []
    shot(page, "stats-dashboard")
    # The `page` fixture asserts no Content-Security-Policy violation was logged.


def test_dashboard_charts_stack_on_a_phone(browser, live_server, world):
    _activities(world)
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 800})
    phone = context.new_page()
    phone.base_url = live_server.url
    violations = []
    phone.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    login(phone, "coord")
    _open_dashboard(phone)
    boxes = [
        phone.locator(".dash-chart").nth(i).bounding_box()
        for i in range(phone.locator(".dash-chart").count())
    ]
    assert all(b["width"] <= 390 for b in boxes)
    assert boxes[0]["y"] < boxes[1]["y"] < boxes[2]["y"]
    phone.set_viewport_size({"width": 360, "height": 800})
    phone.wait_for_timeout(300)
    assert phone.locator(".dash-chart canvas").first.bounding_box()["width"] <= 360
    assert phone.evaluate("window.cspViolations") == []
    shot(phone, "stats-dashboard-phone")
    context.close()
    assert violations == []
