import time

import pytest
from django.test import Client

from bangfu.accounts.middleware import STARTED
from bangfu.audit.models import AuditEntry

LOGIN = "/accounts/login/"
RIGHT = "pw-Test-1234"


def _try(client, username, password):
    return client.post(LOGIN, {"username": username, "password": password})


def test_five_failures_lock_the_account_and_the_right_password_is_then_refused(world):
    client = Client()
    for _ in range(5):
        response = _try(client, "coord", "wrong-one")
    response = _try(client, "coord", RIGHT)
    assert response.status_code in (403, 429)
    assert "锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Another account is not affected.
    assert _try(Client(), "helper", RIGHT).status_code == 302


def test_failure_message_is_the_same_for_unknown_user_and_wrong_password(world):
    unknown = _try(Client(), "nobody-here", "whatever1").content.decode()
    wrong = _try(Client(), "coord", "whatever1").content.decode()
    marker = "正确的用户名和密码"
    assert marker in unknown and marker in wrong


def test_success_resets_the_failure_count(world):
    client = Client()
    for _ in range(4):
        _try(client, "coord", "wrong-one")
    assert _try(client, "coord", RIGHT).status_code == 302
    client = Client()
    for _ in range(4):
        _try(client, "coord", "wrong-one")
    assert _try(client, "coord", RIGHT).status_code == 302


def test_failed_logins_are_audited(world):
    _try(Client(), "coord", "wrong-one")
    assert AuditEntry.objects.filter(action="login_failed", actor_name="coord").exists()


@pytest.mark.parametrize(
    "password, ok",
    [("alllowercase1", False), ("Alllowercase1", True), ("ALLUPPER#", False), ("Mixed#case", True)],
)
def test_password_needs_three_character_classes(world, password, ok):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    try:
        validate_password(password, world.helper)
    except ValidationError as exc:
        assert not ok, exc.messages
        assert any("至少 3 类" in m for m in exc.messages)
    else:
        assert ok


def test_idle_sessions_expire_after_thirty_minutes(settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST


def test_session_ends_twelve_hours_after_sign_in(client_for, world):
    client = client_for("helper")
    assert client.get("/").status_code == 200
    session = client.session
    session[STARTED] = time.time() - 12 * 3600 - 5
    session.save()
    response = client.get("/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.get("/").status_code == 302


def test_password_change_ends_the_users_other_sessions(world):
    other = Client()
    other.force_login(world.helper)
    assert other.get("/").status_code == 200
    current = Client()
    current.force_login(world.helper)
    response = current.post(
        "/accounts/password/",
        {
            "old_password": RIGHT,
            "new_password1": "Nx7#other-pass",
            "new_password2": "Nx7#other-pass",
        },
    )
    assert response.status_code == 302
    assert current.get("/").status_code == 200
    assert other.get("/").status_code == 302


def test_pages_carry_a_content_security_policy_without_inline_scripts(client_for):
    response = client_for("helper").get("/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert "<script>" not in response.content.decode()
