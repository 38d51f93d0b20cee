import pytest

from .conftest import login, shot

pytestmark = pytest.mark.django_db(transaction=True)


def test_login_shows_home_in_chinese_and_logout_returns_to_login(page, world):
    page.goto(page.base_url + "/")
    assert "/accounts/login/" in page.url
    login(page, "coord")
    assert page.locator("h1").inner_text().startswith("您好")
    assert "结对关系" in page.locator("nav.mainnav").inner_text()
    shot(page, "home-coordinator")
    page.click("[data-testid=logout]")
    page.wait_for_load_state("networkidle")
    assert "/accounts/login/" in page.url


def test_wrong_password_is_refused_with_a_chinese_message(page, world):
    login(page, "coord", "wrong-password")
    assert "/accounts/login/" in page.url
    assert "正确的用户名和密码" in page.content()


def test_language_switch_to_english(page, world):
    login(page, "coord")
    page.click("button[name=language][value=en]")
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == "en"
