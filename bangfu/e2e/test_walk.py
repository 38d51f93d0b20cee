"""Walk the foundation's pages as each kind of user would."""

import pytest

from .conftest import login, shot

pytestmark = pytest.mark.django_db(transaction=True)


def _search(page, path, query):
    page.goto(page.base_url + path)
    box = page.locator("input[name=q]").first
    box.fill(query)
    box.press("Enter")
    page.wait_for_load_state("networkidle")


def test_search_organisations_in_traditional_script_and_pinyin(page, world):
    login(page, "coord")
    _search(page, "/orgs/", "寧城縣汐子")
    assert "宁城县汐子中学" in page.locator("main").inner_text()
    shot(page, "orgs-search-traditional")
    _search(page, "/orgs/", "xizi")
    assert "宁城县汐子中学" in page.locator("main").inner_text()
    assert "北京市第九中学" not in page.locator("main").inner_text()


def test_coordinator_walks_from_pairing_list_to_both_sides(page, world):
    login(page, "coord")
    page.goto(page.base_url + "/pairings/")
    main = page.locator("main").inner_text()
    assert "汐子中学" in main and "大歹小学" not in main
    shot(page, "pairings-list-coordinator")
    page.click(f"a[href='/pairings/{world.p_bj9_xizi.pk}/']")
    page.wait_for_load_state("networkidle")
    detail = page.locator("main").inner_text()
    assert "北京市第九中学" in detail and "宁城县汐子中学" in detail
    assert "帮扶方" in detail and "受援方" in detail
    shot(page, "pairing-detail")


def test_other_programme_pairing_is_not_found_for_coordinator(page, world):
    login(page, "coord")
    response = page.goto(page.base_url + f"/pairings/{world.p_nm_daidai.pk}/")
    assert response.status == 404
    assert "页面不存在" in page.locator("main").inner_text()


def test_region_tree_search_in_pinyin(page, world):
    login(page, "helper")
    _search(page, "/regions/", "ningcheng")
    assert "宁城县" in page.locator("main").inner_text()
    shot(page, "regions-search-pinyin")


def test_phone_sized_layout_collapses_navigation(browser, live_server, world):
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 800})
    page = context.new_page()
    page.base_url = live_server.url
    login(page, "recipient")
    assert not page.locator("nav.mainnav").is_visible()
    page.click("label.nav-toggle-label")
    assert page.locator("nav.mainnav").is_visible()
    shot(page, "home-phone")
    context.close()
