"""Recording a new pairing, and each side editing only its own details."""

import pytest
from playwright.sync_api import expect

from bangfu.pairings.models import Pairing

from .conftest import login, shot

pytestmark = pytest.mark.django_db(transaction=True)


def test_coordinator_records_a_pairing_found_by_pinyin_filter(page, world):
    login(page, "coord")
    page.goto(page.base_url + "/pairings/new/")
    page.select_option("select[name=mode]", "one_to_one")
    page.select_option("select[name=status]", "active")
    helpers = page.locator("select[name=helpers]")
    helpers.select_option(label="石景山外语实验小学(石景山区)")
    # The recipient list is narrowed through htmx with a pinyin query.
    recipient_filter = page.locator("input.org-filter").nth(1)
    recipient_filter.fill("gaoji")
    expect(page.locator("select[name=recipients] option")).to_have_count(1)
    page.locator("select[name=recipients]").select_option(label="宁城县高级中学(宁城县)")
    page.fill("input[name=start_date]", "2024-09-01")
    shot(page, "pairing-create-filled")
    page.click("button[type=submit].primary")
    page.wait_for_load_state("networkidle")
    created = Pairing.objects.get(parties__organisation=world.ncgz)
    assert page.url.endswith(f"/pairings/{created.pk}/")
    assert {o.name for o in created.helpers()} == {"石景山外语实验小学"}
    assert created.status == "active"


def test_pairing_a_school_with_itself_is_refused_in_chinese(page, world):
    login(page, "coord")
    page.goto(page.base_url + "/pairings/new/")
    page.locator("select[name=helpers]").select_option(label="北京市第九中学(石景山区)")
    page.locator("select[name=recipients]").select_option(label="北京市第九中学(石景山区)")
    page.fill("input[name=start_date]", "2024-09-01")
    before = Pairing.objects.count()
    page.click("button[type=submit].primary")
    page.wait_for_load_state("networkidle")
    assert "/pairings/new/" in page.url
    assert page.locator(".error, .form-errors").count() > 0
    shot(page, "pairing-create-self-error")
    assert Pairing.objects.count() == before


def test_recipient_edits_its_own_side_but_not_the_helpers(page, world):
    login(page, "recipient")
    page.goto(page.base_url + f"/pairings/{world.p_bj9_xizi.pk}/")
    helper_party = world.p_bj9_xizi.parties.get(side="helper")
    own_party = world.p_bj9_xizi.parties.get(side="recipient")
    assert page.locator(f"a[href$='/parties/{helper_party.pk}/edit/']").count() == 0
    page.click(f"a[href$='/parties/{own_party.pk}/edit/']")
    page.fill("input[name=contact_name]", "王主任")
    page.click("button[type=submit].primary")
    page.wait_for_load_state("networkidle")
    assert "王主任" in page.locator("main").inner_text()
    response = page.goto(
        page.base_url + f"/pairings/{world.p_bj9_xizi.pk}/parties/{helper_party.pk}/edit/"
    )
    assert response.status == 403
    assert "无权访问" in page.locator("main").inner_text()
