import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [reverse("regions:tree"), reverse("regions:suggest") + "?q=宁城"],
)
def test_anonymous_is_sent_to_login(client_for, url):
    response = client_for("anonymous").get(url)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_detail_needs_login(client_for, world):
    response = client_for("anonymous").get(reverse("regions:detail", args=[world.ningcheng.pk]))
    assert response.status_code == 302


@pytest.mark.parametrize("role", ["outsider", "helper", "coordinator"])
def test_any_business_user_browses(client_for, world, role):
    client = client_for(role)
    response = client.get(reverse("regions:tree"))
    assert response.status_code == 200
    assert "内蒙古自治区" in response.content.decode()
    response = client.get(reverse("regions:detail", args=[world.nmg.pk]))
    assert response.status_code == 200
    assert "赤峰市" in response.content.decode()


def test_detail_shows_path_children_and_visible_organisations(client_for, world):
    response = client_for("coordinator").get(reverse("regions:detail", args=[world.sjs.pk]))
    body = response.content.decode()
    assert "110107" in body
    assert "北京市第九中学" in body
    assert reverse("regions:detail", args=[world.beijing.pk]) in body  # breadcrumb


def test_detail_hides_organisations_the_user_may_not_see(client_for, world):
    response = client_for("outsider").get(reverse("regions:detail", args=[world.sjs.pk]))
    assert "北京市第九中学" not in response.content.decode()


def test_children_sorted_by_pinyin(client_for, world):
    body = client_for("helper").get(reverse("regions:detail", args=[world.guizhou.pk])).content
    body = body.decode()
    # 贵阳 (gui) before 黔东南 (qian).
    assert body.index("贵阳市") < body.index("黔东南苗族侗族自治州")


@pytest.mark.parametrize("query", ["寧城", "ningcheng", "ncx", "150429"])
def test_search_ignores_script_and_takes_pinyin(client_for, world, query):
    response = client_for("helper").get(reverse("regions:tree"), {"q": query})
    assert response.status_code == 200
    assert reverse("regions:detail", args=[world.ningcheng.pk]) in response.content.decode()


def test_search_without_match(client_for, world):
    response = client_for("helper").get(reverse("regions:tree"), {"q": "火星"})
    assert "没有其他匹配的地区" in response.content.decode()


def test_suggest_returns_options(client_for, world):
    response = client_for("helper").get(
        reverse("regions:suggest"), {"param": "region", "region": "寧城"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert '<option value="150429">' in body
    assert "宁城县" in body
    assert client_for("helper").get(reverse("regions:suggest"), {"q": ""}).content.strip() == b""


def test_suggest_caps_the_list(client_for, world):
    body = client_for("helper").get(reverse("regions:suggest"), {"q": "区"}).content.decode()
    assert 0 < body.count("<option") <= 15
