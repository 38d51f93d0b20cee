"""Two-factor sign-in, driven with real TOTP codes (django_otp.oath.totp)."""

import base64
import re

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from bangfu.audit.models import AuditEntry
from conftest import make_user

PASSWORD = "pw-Test-1234"


def code(device, drift=0) -> str:
    """The code the user's phone shows now (``drift`` steps later)."""
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, drift):06d}"


def wrong_code(device) -> str:
    """Six digits that no step within the device's tolerance accepts."""
    near = {code(device, drift) for drift in range(-2, 3)}
    return next(c for c in (f"{n:06d}" for n in range(1_000_000)) if c not in near)


@pytest.fixture(autouse=True)
def _no_device_throttle(settings):
    # Throttling makes a second attempt wait a second; tests of the wait set it back.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


def enrol(client) -> tuple[TOTPDevice, list[str]]:
    """Enrol through the pages, as a user would; returns the device and the backup codes."""
    client.get(reverse("otp:setup"))
    device = TOTPDevice.objects.get(confirmed=False)
    response = client.post(reverse("otp:setup"), {"token": code(device)})
    assert response.status_code == 200
    device.refresh_from_db()
    assert device.confirmed
    return device, list(response.context["codes"])


def sign_in(username) -> Client:
    """The password step only, through the login page."""
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return client


@pytest.fixture
def enrolled(world, client_for):
    """北京九中 staff with a confirmed authenticator; a fresh password-only client."""
    device, codes = enrol(client_for("helper"))
    return device, codes


# --- enrolment ---------------------------------------------------------------


def test_enrolment_page_shows_inline_svg_and_the_secret(world, client_for):
    response = client_for("helper").get(reverse("otp:setup"))
    page = response.content.decode()
    device = TOTPDevice.objects.get(user=world.helper)
    assert response.status_code == 200 and not device.confirmed
    assert "<svg" in page and "data:image" not in page and 'style="' not in page
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    shown = response.context["secret"]
    assert shown.replace(" ", "") == secret and shown in page
    assert "no-store" in response["Cache-Control"]
    # Reloading keeps the same secret: a scanned code stays valid.
    client_for("helper").get(reverse("otp:setup"))
    assert TOTPDevice.objects.get(user=world.helper).key == device.key


def test_wrong_code_does_not_confirm(world, client_for):
    client = client_for("helper")
    client.get(reverse("otp:setup"))
    device = TOTPDevice.objects.get(user=world.helper)
    response = client.post(reverse("otp:setup"), {"token": wrong_code(device)})
    assert response.status_code == 200
    assert "验证码不正确" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert not StaticToken.objects.exists()
    response = client.post(reverse("otp:setup"), {"token": "abc"})
    assert "6 位数字" in response.content.decode()


def test_confirmed_enrolment_shows_backup_codes_once_and_is_audited(world, client_for):
    client = client_for("helper")
    device, codes = enrol(client)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert sorted(StaticToken.objects.values_list("token", flat=True)) == sorted(codes)
    entry = AuditEntry.objects.get(
        action="update", model="accounts.User", object_id=str(world.helper.pk)
    )
    assert entry.changes["two_factor"] == [False, True]
    assert device.key not in str(entry.changes) and codes[0] not in str(entry.changes)
    # The codes are not shown again; the enrolling session is verified.
    page = client.get(reverse("otp:manage")).content.decode()
    assert codes[0] not in page and "剩余 10 个备用码" in page
    assert client.get(reverse("orgs:list")).status_code == 200


# --- the token step at sign-in -------------------------------------------------


def test_user_with_device_reaches_nothing_before_the_token(enrolled):
    device, _codes = enrolled
    client = sign_in("helper")
    response = client.get(reverse("orgs:list"))
    assert response.status_code == 302
    assert response["Location"] == reverse("otp:verify") + "?next=%2Forgs%2F"
    assert client.get(reverse("core:home")).status_code == 302
    assert client.post(reverse("otp:remove"), {"token": code(device)}).status_code == 302
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
    assert client.get(reverse("otp:setup")).status_code == 302
    assert client.get(reverse("otp:verify")).status_code == 200
    assert client.post(reverse("set_language"), {"language": "en"}).status_code == 302
    # Both factors: the page asked for first.
    response = client.post(
        reverse("otp:verify"), {"token": code(device, drift=1), "next": "/orgs/"}
    )
    assert response.status_code == 302 and response["Location"] == "/orgs/"
    assert client.get(reverse("orgs:list")).status_code == 200


def test_logout_is_reachable_before_the_token(enrolled):
    client = sign_in("helper")
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert client.get(reverse("orgs:list"))["Location"].startswith("/accounts/login/")


def test_failed_token_is_refused_and_audited(world, enrolled):
    device, _codes = enrolled
    client = sign_in("helper")
    response = client.post(reverse("otp:verify"), {"token": wrong_code(device)})
    assert response.status_code == 200
    assert "验证码不正确" in response.content.decode()
    failed = AuditEntry.objects.get(action="login_failed", actor=world.helper)
    assert failed.changes == {"factor": "totp"}
    assert client.get(reverse("orgs:list")).status_code == 302


def test_offsite_next_is_ignored(enrolled):
    device, _codes = enrolled
    client = sign_in("helper")
    response = client.post(
        reverse("otp:verify"), {"token": code(device, drift=1), "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("core:home")


def test_a_used_code_cannot_be_replayed(enrolled):
    device, _codes = enrolled
    first, second = sign_in("helper"), sign_in("helper")
    token = code(device, drift=1)
    assert first.post(reverse("otp:verify"), {"token": token}).status_code == 302
    assert second.post(reverse("otp:verify"), {"token": token}).status_code == 200


def test_backup_code_works_once_and_is_audited(world, enrolled):
    _device, codes = enrolled
    client = sign_in("helper")
    assert client.post(reverse("otp:verify"), {"token": codes[0].upper()}).status_code == 302
    assert client.get(reverse("orgs:list")).status_code == 200
    assert StaticToken.objects.count() == 9
    used = AuditEntry.objects.filter(action="update", changes__backup_code_used=True)
    assert used.count() == 1 and codes[0] not in str(used.get().changes)
    again = sign_in("helper")
    response = again.post(reverse("otp:verify"), {"token": codes[0]})
    assert response.status_code == 200
    assert AuditEntry.objects.get(action="login_failed").changes == {"factor": "backup_code"}


def test_device_throttling_asks_to_wait(settings, enrolled):
    settings.OTP_TOTP_THROTTLE_FACTOR = 60
    device, _codes = enrolled
    client = sign_in("helper")
    client.post(reverse("otp:verify"), {"token": wrong_code(device)})
    response = client.post(reverse("otp:verify"), {"token": code(device, drift=1)})
    assert response.status_code == 200
    assert re.search(r"请 \d+ 秒后再试", response.content.decode())


def test_token_attempts_are_rate_limited_with_429(settings, enrolled):
    settings.BANGFU_RATES = {**settings.BANGFU_RATES, "otp_user": "3/m"}
    client = sign_in("helper")
    for _i in range(3):
        assert client.post(reverse("otp:verify"), {"token": "12345"}).status_code == 200
    response = client.post(reverse("otp:verify"), {"token": "12345"})
    assert response.status_code == 429
    assert "请求过于频繁" in response.content.decode()


def test_password_expired_user_gives_the_token_before_the_new_password(world, enrolled):
    device, _codes = enrolled
    world.helper.must_change_password = True
    world.helper.save(update_fields=["must_change_password"])
    client = sign_in("helper")
    response = client.get(reverse("orgs:list"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("otp:verify"))
    assert response.status_code == 200
    response = client.post(reverse("otp:verify"), {"token": code(device, drift=1)}, follow=True)
    assert response.request["PATH_INFO"] == reverse("accounts:password_change")


# --- who must enrol ---------------------------------------------------------------


@pytest.mark.parametrize(
    "role,required",
    [
        ("coordinator", True),
        ("sysadmin", True),
        ("secadmin", True),
        ("auditor", True),
        ("school_staff", False),
    ],
)
def test_required_roles_are_sent_to_enrolment_outside_demo_mode(world, settings, role, required):
    settings.DEMO_MODE = False
    user = make_user(f"u_{role}", role, world.sjs_bureau)
    client = Client()
    client.force_login(user)
    assert client.get(reverse("otp:manage")).status_code == 200
    response = client.get(reverse("regions:tree"))
    if required:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("otp:setup"))
        assert client.get(reverse("accounts:password_change")).status_code == 200
        enrol(client)
        assert client.get(reverse("regions:tree")).status_code != 302
    else:
        assert response.status_code == 200


def test_nobody_is_forced_in_demo_mode(world, client_for, settings):
    settings.DEMO_MODE = True
    assert client_for("coordinator").get(reverse("orgs:list")).status_code == 200


# --- removal and reset ----------------------------------------------------------------


def test_removal_needs_a_valid_token_and_is_audited(world, client_for):
    client = client_for("helper")
    device, _codes = enrol(client)
    response = client.post(reverse("otp:remove"), {"token": "99999999"}, follow=True)
    assert "验证码" in response.content.decode()
    assert TOTPDevice.objects.filter(user=world.helper).exists()
    client.post(reverse("otp:remove"), {"token": code(device, drift=1)})
    assert not TOTPDevice.objects.filter(user=world.helper).exists()
    assert not StaticToken.objects.exists()
    assert AuditEntry.objects.filter(
        action="update", actor=world.helper, changes__two_factor=[True, False]
    ).exists()
    # Signing in again needs the password only.
    assert sign_in("helper").get(reverse("orgs:list")).status_code == 200


def test_new_backup_codes_replace_the_old_ones(world, client_for):
    client = client_for("helper")
    _device, codes = enrol(client)
    response = client.post(reverse("otp:backup_codes"))
    fresh = list(response.context["codes"])
    assert "no-store" in response["Cache-Control"]
    assert set(StaticToken.objects.values_list("token", flat=True)) == set(fresh)
    assert not set(fresh) & set(codes)


def test_security_admin_resets_another_users_device(world, client_for):
    secadmin = world.secadmin
    enrol(client_for("coordinator"))
    victim_session = sign_in("coord")
    client = Client()
    client.force_login(secadmin)
    page = client.get(reverse("otp:reset"))
    assert page.status_code == 200 and "coord" in page.content.decode()
    # No reason: nothing changes.
    response = client.post(reverse("otp:reset"), {"account": world.coordinator.pk})
    assert response.status_code == 200 and "原因" in response.content.decode()
    assert TOTPDevice.objects.filter(user=world.coordinator).exists()
    response = client.post(
        reverse("otp:reset"), {"account": world.coordinator.pk, "reason": "手机遗失"}
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=world.coordinator).exists()
    assert not StaticToken.objects.filter(device__user=world.coordinator).exists()
    entry = AuditEntry.objects.get(
        actor=secadmin, model="accounts.User", object_id=str(world.coordinator.pk)
    )
    assert entry.changes["reset_by_security_admin"] is True
    assert entry.changes["reason"] == "手机遗失"
    # The coordinator's open sessions end.
    assert victim_session.get(reverse("orgs:list"))["Location"].startswith("/accounts/login/")


def test_security_admin_cannot_reset_self_and_others_cannot_reset(world, client_for):
    secadmin = world.secadmin
    client = Client()
    client.force_login(secadmin)
    enrol(client)
    response = client.post(reverse("otp:reset"), {"account": secadmin.pk, "reason": "x"})
    assert response.status_code == 200 and "自己" in response.content.decode()
    assert TOTPDevice.objects.filter(user=secadmin).exists()
    enrol(client_for("recipient"))
    for role in ("coordinator", "helper", "auditor", "sysadmin"):
        response = client_for(role).post(
            reverse("otp:reset"), {"account": world.recipient.pk, "reason": "x"}
        )
        assert response.status_code == 403, role
    assert TOTPDevice.objects.filter(user=world.recipient).exists()


def test_api_answers_403_json_before_the_token(enrolled):
    client = sign_in("helper")
    response = client.get("/api/v1/regions/", HTTP_ACCEPT="application/json")
    assert response.status_code == 403
    assert response.json()["detail"] == "请先输入两步验证码。"


def test_htmx_request_is_told_to_go_to_the_token_page(enrolled):
    client = sign_in("helper")
    response = client.get(reverse("orgs:suggest"), {"q": "九中"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(reverse("otp:verify"))
