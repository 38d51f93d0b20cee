import json

import pytest
from django.test import Client
from django.urls import reverse

from bangfu.activities import services
from bangfu.activities.tests.factories import record
from bangfu.security import ratelimits

LOGIN = "/accounts/login/"
SLOW_DOWN = "请求过于频繁,请稍后再试。"


@pytest.fixture(autouse=True)
def _no_lockout(settings):
    # Account lockout (django-axes) would answer first; these tests are about the rate limits.
    settings.AXES_FAILURE_LIMIT = 1000


def test_eleventh_login_for_one_account_within_a_minute_is_429_in_chinese(world):
    client = Client()
    for _ in range(10):
        response = client.post(LOGIN, {"username": "nobody-here", "password": "wrong-one"})
        assert response.status_code == 200
    response = client.post(LOGIN, {"username": "nobody-here", "password": "wrong-one"})
    assert response.status_code == 429
    assert SLOW_DOWN in response.content.decode()
    assert response["Retry-After"] == "60"


def test_account_counter_ignores_case_and_spaces(world):
    client = Client()
    for name in ["Nobody", "nobody ", "NOBODY", "nobody", "noBody"] * 2:
        client.post(LOGIN, {"username": name, "password": "wrong-one"})
    assert client.post(LOGIN, {"username": "nobody", "password": "x"}).status_code == 429


def test_one_address_is_limited_across_account_names(world):
    client = Client()
    for i in range(20):
        client.post(LOGIN, {"username": f"guess{i}", "password": "wrong-one"})
    response = client.post(LOGIN, {"username": "helper", "password": "pw-Test-1234"})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    # Another address is not affected.
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert other.post(LOGIN, {"username": "helper", "password": "pw-Test-1234"}).status_code == 302


def test_showing_the_login_form_is_not_counted(world):
    client = Client()
    for _ in range(30):
        assert client.get(LOGIN).status_code == 200


@pytest.fixture
def open_activity(world):
    activity = record(world)
    services.open_signin(activity, actor=world.helper)
    return activity


def test_signin_flood_from_one_address_is_429(open_activity):
    client = Client()
    url = reverse("activities:signin_public", args=[open_activity.signin_token])
    for _ in range(30):
        assert client.get(url).status_code == 200
    response = client.get(url)
    assert response.status_code == 429
    assert SLOW_DOWN in response.content.decode()


def test_token_guessing_is_limited_per_address(world):
    client = Client()
    for i in range(30):
        client.get(reverse("activities:signin_public", args=[f"guess{i}"]))
    response = client.get(reverse("activities:signin_public", args=["guess-more"]))
    assert response.status_code == 429


def test_signin_submissions_are_limited_per_token(open_activity, settings):
    settings.BANGFU_RATES = {**settings.BANGFU_RATES, "signin_token": "3/m"}
    url = reverse("activities:signin_public", args=[open_activity.signin_token])
    data = {"organisation_name": "汐子中学", "role": "teacher", "side": "recipient"}
    for i in range(3):
        client = Client(REMOTE_ADDR=f"10.0.1.{i}")
        assert client.post(url, {**data, "name": f"老师{i}"}).status_code == 200
    response = Client(REMOTE_ADDR="10.0.1.99").post(url, {**data, "name": "老师99"})
    assert response.status_code == 429


def test_heavy_decorator_limits_per_user_and_answers_json_for_the_api(rf, world, settings):
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpResponse
    from django_ratelimit.exceptions import Ratelimited

    from bangfu.security.middleware import RatelimitMiddleware

    settings.BANGFU_RATES = {**settings.BANGFU_RATES, "heavy_user": "2/m"}

    @ratelimits.heavy("import")
    def view(request):
        return HttpResponse("ok")

    def call(user, addr="127.0.0.1"):
        request = rf.post("/api/import/", REMOTE_ADDR=addr)
        request.user = user
        try:
            return view(request)
        except Ratelimited as exc:
            return RatelimitMiddleware(lambda r: None).process_exception(request, exc)

    assert call(world.helper).status_code == 200
    assert call(world.helper, "10.0.0.2").status_code == 200
    refused = call(world.helper, "10.0.0.3")
    assert refused.status_code == 429
    assert json.loads(refused.content) == {"detail": SLOW_DOWN}
    # Another user from the same address still gets through.
    assert call(world.recipient).status_code == 200
    assert call(AnonymousUser(), "10.0.0.4").status_code == 200
    # GETs are not counted by default.
    request = rf.get("/api/import/")
    request.user = world.helper
    assert view(request).status_code == 200
