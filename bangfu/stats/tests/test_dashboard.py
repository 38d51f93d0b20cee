"""The dashboard on the demo ledger: JSON data blocks, drill-down links, no inline code."""

import datetime as dt
import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from bangfu.accounts.models import User
from bangfu.lib.semester import academic_year, year_bounds
from bangfu.orgs.models import Organisation
from bangfu.regions.models import Region
from bangfu.stats import engine
from bangfu.stats.engine import Period, Scope, compute

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("loaded_demo")]

PERIOD = {"from": "2018-09-01", "until": "2020-08-31"}
JSON_BLOCK = re.compile(r'<script id="([^"]+)" type="application/json">(.*?)</script>', re.S)


def _client(username):
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def _data_blocks(body: str) -> dict:
    return {key: json.loads(text) for key, text in JSON_BLOCK.findall(body)}


def _yy():
    return Organisation.objects.get(name="芳草地国际学校远洋小学")


def test_coordinator_sees_charts_of_their_own_region(django_assert_max_num_queries):
    client = _client("sjs_coord")
    with django_assert_max_num_queries(30):
        response = client.get(reverse("stats:dashboard"), PERIOD)
    assert response.status_code == 200
    scope, period = response.context["scope"], response.context["period"]
    assert scope.region == Region.objects.get(name="石景山区")
    figures = response.context["figures"]
    blocks = _data_blocks(response.content.decode())
    months = blocks["chart-months-data"]
    assert months["kind"] == "stacked_bar"
    assert len(months["categories"]) == 24  # September 2018 – August 2020
    monthly_total = sum(sum(s["data"]) for s in months["series"])
    assert monthly_total == engine.activities(scope, period).count() > 0
    if figures.roles == ["helper"]:
        assert monthly_total == figures.value("act.helper.total.count")
    # Person-times by recipient region: the bars are the engine's region figures.
    regions = blocks["chart-regions-helper-data"]
    by_region = {
        f.key: f.value
        for f in figures.with_prefix("act.helper.region.")
        if f.key.endswith(".person_times") and f.value
    }
    assert sum(regions["series"][0]["data"]) == sum(by_region.values())
    assert len(regions["links"]) == len(by_region)
    # The 造血 trend: one point per semester, the engine's shares.
    trend = blocks["chart-trend-helper-data"]
    points = figures.trend["helper"]
    assert trend["categories"] == [p.label for p in points]
    assert trend["series"][0]["data"] == [float(p.share) for p in points]
    assert trend["series"][1]["data"] == [float(p.person_times_share) for p in points]


def test_an_organisation_month_chart_sums_to_its_activity_count():
    scope = Scope(organisation=_yy())
    period = Period(dt.date(2018, 2, 1), dt.date(2020, 12, 31))
    figures = compute(scope, period)
    counts = figures.monthly["all"]
    assert sum(counts.values()) == figures.value("act.total.count") > 0
    assert all(month.day == 1 for month, _type in counts)
    # The month's count is the ledger's.
    (month, kind), n = max(counts.items(), key=lambda item: item[1])
    rows = engine.activities(scope, period).filter(
        type=kind, start_date__year=month.year, start_date__month=month.month
    )
    assert rows.count() == n


def test_headline_links_drill_down_to_exactly_the_counted_rows():
    client = _client("yy_staff")
    response = client.get(reverse("stats:dashboard"), PERIOD)
    assert response.context["scope"].organisation == _yy()
    cards = response.context["headlines"]
    linked = [c for c in cards if c["url"]]
    assert {c["key"] for c in linked} >= {
        "act.total.count",
        "act.total.person_times",
        "dispatch.person_times",
        "dispatch.backbone_share",
    }
    body = response.content.decode()
    for card in linked:
        assert card["url"].replace("&", "&amp;") in body
        rows = client.get(card["url"])
        assert rows.status_code == 200
        figure = rows.context["figure"]
        assert figure.key == card["key"] and figure.value == card["value"]
        listed = rows.context["page_obj"].paginator.count
        drilled = engine.drill_queryset(rows.context["scope"], rows.context["period"], figure.drill)
        assert listed == drilled.count()
        assert engine.evaluate(drilled, figure.measure) == card["value"]
        if figure.measure == ("count",):
            assert listed == card["value"]


def test_no_inline_style_or_script():
    response = _client("sjs_coord").get(reverse("stats:dashboard"), PERIOD)
    body = response.content.decode()
    assert "style=" not in body
    assert "<style" not in body
    scripts = re.findall(r"<script\b[^>]*>", body)
    inline = [s for s in scripts if "src=" not in s and 'type="application/json"' not in s]
    assert inline == []
    assert len([s for s in scripts if 'type="application/json"' in s]) >= 3
    assert "stats/echarts.min.js" in body and "stats/dashboard.js" in body
    assert "<progress" in body or "暂无项目指标" in body


def test_default_period_is_the_current_academic_year():
    response = _client("nc_coord").get(reverse("stats:dashboard"))
    assert response.status_code == 200
    start, end = year_bounds(academic_year(dt.date.today()))
    assert response.context["period"] == Period(start, end)
    assert response.context["scope"].region == Region.objects.get(name="宁城县")


def test_school_staff_default_to_their_own_school():
    response = _client("bj9_staff").get(reverse("stats:dashboard"), PERIOD)
    assert response.context["scope"].organisation.name == "北京市第九中学"


def test_anonymous_is_sent_to_login():
    response = Client().get(reverse("stats:dashboard"))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_the_pairing_map_draws_each_region_pairing_with_its_school_pairings():
    from bangfu.pairings.models import RegionPairing
    from bangfu.stats.dashboard import pairing_map

    sjs = Region.objects.get(name="石景山区")
    chart = pairing_map(Scope(region=sjs), None)
    assert chart is not None and chart["data"]["kind"] == "map"
    pairs = RegionPairing.objects.filter(helper_region=sjs)
    drawn = {(line["from"], line["to"]): line for line in chart["data"]["lines"]}
    for rp in pairs:
        key = (engine.region_name(rp.helper_region), engine.region_name(rp.recipient_region))
        if key not in drawn:  # a town without a position of its own falls on its county
            continue
        assert drawn[key]["regions"] >= 1
        assert (
            drawn[key]["schools"]
            == RegionPairing.objects.filter(
                helper_region=rp.helper_region, recipient_region=rp.recipient_region
            )
            .values("pairings")
            .exclude(pairings=None)
            .count()
        )
    # Every point sits at a real position (longitude, latitude inside China).
    for point in chart["data"]["points"]:
        lng, lat = point["value"]
        assert 73 < lng < 136 and 3 < lat < 54
    assert len(drawn) >= 4


def test_the_country_map_folds_to_province_pairs():
    from bangfu.stats.dashboard import pairing_map

    chart = pairing_map(Scope(country=True), None)
    names = {line["from"] for line in chart["data"]["lines"]}
    assert "北京" in names or "北京市" in names
    assert all("区" not in n and "县" not in n for n in names)
