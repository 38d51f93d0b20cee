"""Rate limits per user and per address: 429 with a Chinese message."""

import pytest
from django.test import Client
from django.urls import reverse

MESSAGE = "请求过于频繁,请稍后再试。"


@pytest.fixture
def rates(settings):
    def set_rates(user="1000/min", address="1000/min"):
        settings.REST_FRAMEWORK = {
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {"api_user": user, "api_address": address},
        }

    return set_rates


def _client(user, address):
    client = Client(REMOTE_ADDR=address)
    client.force_login(user)
    return client


def test_one_user_over_the_rate_gets_429(world, rates):
    rates(user="3/min")
    client = _client(world.helper, "10.0.0.1")
    url = reverse("api:activity-list")
    assert [client.get(url).status_code for _ in range(3)] == [200, 200, 200]
    refused = client.get(url)
    assert refused.status_code == 429
    assert refused.json() == {"detail": MESSAGE}
    assert 0 < int(refused["Retry-After"]) <= 60
    # Another user from another address is not held back.
    assert _client(world.recipient, "10.0.0.2").get(url).status_code == 200


def test_one_address_over_the_rate_gets_429_whoever_asks(world, rates):
    rates(address="2/min")
    url = reverse("api:pairing-list")
    assert _client(world.helper, "10.0.0.9").get(url).status_code == 200
    assert _client(world.recipient, "10.0.0.9").get(url).status_code == 200
    assert _client(world.coordinator, "10.0.0.9").get(url).status_code == 429
    assert _client(world.coordinator, "10.0.0.10").get(url).status_code == 200


def test_writes_count_too(world, rates):
    rates(user="1/min")
    client = _client(world.helper, "10.0.0.3")
    url = reverse("api:activity-list")
    assert client.get(url).status_code == 200
    response = client.post(url, {}, content_type="application/json")
    assert response.status_code == 429
