import datetime as dt

from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from bangfu.accounts import services
from bangfu.accounts.checks import no_default_account_names
from bangfu.accounts.models import User
from bangfu.audit.models import AuditEntry

RIGHT = "pw-Test-1234"


def _change(client, old, new):
    return client.post(
        "/accounts/password/", {"old_password": old, "new_password1": new, "new_password2": new}
    )


def test_last_five_passwords_cannot_be_reused(client_for, world):
    client = client_for("helper")
    passwords = [RIGHT, "Aa1#first-one", "Aa1#second-one", "Aa1#third-one"]
    for old, new in zip(passwords, passwords[1:], strict=False):
        assert _change(client, old, new).status_code == 302
    response = _change(client, passwords[-1], "Aa1#first-one")
    assert response.status_code == 200
    assert "最近 5 次" in response.content.decode()
    world.helper.refresh_from_db()
    assert world.helper.check_password("Aa1#third-one")


def test_initial_password_must_be_changed_before_anything_else(world):
    world.helper.must_change_password = True
    world.helper.save(update_fields=["must_change_password"])
    client = Client()
    client.force_login(world.helper)
    response = client.get("/pairings/")
    assert response.status_code == 302 and response["Location"] == "/accounts/password/"
    assert client.get("/accounts/password/").status_code == 200
    assert _change(client, RIGHT, "Zz9#brand-new").status_code == 302
    assert client.get("/pairings/").status_code == 200


def test_passwords_older_than_ninety_days_must_be_changed(world):
    User.objects.filter(pk=world.helper.pk).update(
        password_changed_at=timezone.now() - dt.timedelta(days=91)
    )
    client = Client()
    client.force_login(world.helper)
    assert client.get("/").status_code == 302


def test_role_change_ends_the_accounts_sessions_and_is_audited(world):
    client = Client()
    client.force_login(world.helper)
    assert client.get("/").status_code == 200
    services.change_account(world.helper, actor=world.secadmin, role=User.Role.AUDITOR)
    assert client.get("/").status_code == 302
    entry = AuditEntry.objects.get(action="permission", object_id=str(world.helper.pk))
    assert entry.changes["role"] == ["school_staff", "auditor"]
    # The auditor belongs to no organisation.
    world.helper.refresh_from_db()
    assert world.helper.organisation is None


def test_disabled_account_is_signed_out(world):
    client = Client()
    client.force_login(world.helper)
    services.change_account(world.helper, actor=world.sysadmin, is_active=False)
    assert client.get("/").status_code == 302


def test_accounts_unused_for_ninety_days_are_disabled(world, capsys):
    User.objects.filter(pk=world.helper.pk).update(
        last_login=timezone.now() - dt.timedelta(days=91)
    )
    User.objects.filter(pk=world.recipient.pk).update(
        last_login=timezone.now() - dt.timedelta(days=5)
    )
    User.objects.exclude(pk__in=[world.helper.pk, world.recipient.pk]).update(
        last_login=timezone.now()
    )
    call_command("disable_inactive_accounts")
    assert "helper" in capsys.readouterr().out
    world.helper.refresh_from_db()
    world.recipient.refresh_from_db()
    assert not world.helper.is_active and world.recipient.is_active


def test_deploy_check_fails_on_default_account_names_outside_demo_mode(world, settings):
    settings.DEMO_MODE = False
    assert no_default_account_names(None) == []
    User.objects.filter(username="sysadmin").update(username="admin")
    assert [e.id for e in no_default_account_names(None)] == ["bangfu.E001"]  # "admin" exists
    User.objects.filter(username="admin").update(username="platform-owner")
    assert no_default_account_names(None) == []
    settings.DEMO_MODE = True
    User.objects.create_user(username="guest", password="Xx1#guest-pass", role="sysadmin")
    assert no_default_account_names(None) == []


def test_admin_reset_password_must_be_changed_at_next_sign_in(world):
    from bangfu.accounts.admin import ResetPasswordForm

    form = ResetPasswordForm(
        world.helper, {"password1": "Qq7#reset-pass", "password2": "Qq7#reset-pass"}
    )
    assert form.is_valid(), form.errors
    form.save()
    world.helper.refresh_from_db()
    assert world.helper.must_change_password
