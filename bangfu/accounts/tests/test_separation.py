"""Separation of duties (三员分立): one role per account, no superuser, and each
administrator confined to their own pages."""

import io

import pytest
from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from bangfu.accounts import services
from bangfu.accounts.models import User
from bangfu.audit.models import AuditEntry
from bangfu.core import access
from bangfu.core.forms import CONFLICT_MESSAGE
from bangfu.orgs.tests.factories import make_person, valid_id_number

RIGHT = "pw-Test-1234"
NEW_PASSWORD = "Kx7#first-login"


def _integrity_error(**fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user(username="x", password=RIGHT, **fields)


# --- the constraints -----------------------------------------------------------


def test_no_account_can_be_a_superuser(world):
    _integrity_error(role="sysadmin", is_superuser=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=world.sysadmin.pk).update(is_superuser=True)


def test_only_the_system_administrator_is_staff(world):
    for role in ("secadmin", "auditor", "pending"):
        _integrity_error(role=role, is_staff=True)
    _integrity_error(role="coordinator", organisation=world.sjs_bureau, is_staff=True)


def test_role_is_one_of_the_known_roles(world):
    # The platform admin of old is gone; roles never combine.
    _integrity_error(role="admin")
    _integrity_error(role="sysadmin,secadmin")


def test_business_roles_need_an_organisation_and_administrators_do_not(world):
    _integrity_error(role="coordinator")
    _integrity_error(role="school_staff")
    for role in ("sysadmin", "secadmin", "auditor", "pending"):
        User.objects.create_user(username=f"new-{role}", password=RIGHT, role=role)


def test_granting_a_role_replaces_the_previous_one(world):
    services.grant_role(
        world.helper,
        actor=world.secadmin,
        role="auditor",
        organisation=world.bj9,
        expected_version=world.helper.version,
    )
    world.helper.refresh_from_db()
    assert world.helper.role == "auditor" and world.helper.organisation is None
    assert not access.is_business_user(world.helper)
    assert access.can_read_audit_trail(world.helper)


def test_per_user_permissions_grant_nothing(world):
    """Admin permissions come from the role alone: a stray grant bypasses nothing."""
    perm = Permission.objects.get(codename="view_person", content_type__app_label="orgs")
    for user in (world.sysadmin, world.secadmin, world.coordinator):
        user.user_permissions.add(perm)
        user = User.objects.get(pk=user.pk)
        assert not user.has_perm("orgs.view_person")
        assert not user.has_module_perms("orgs")
    assert User.objects.get(pk=world.sysadmin.pk).has_perm("accounts.change_user")


def test_createsuperuser_is_refused(db):
    with pytest.raises(CommandError, match="create_first_admins"):
        call_command(
            "createsuperuser", interactive=False, username="root", email="", stdout=io.StringIO()
        )
    assert not User.objects.filter(username="root").exists()


def test_create_first_admins_creates_each_role_once(db):
    out = io.StringIO()
    call_command("create_first_admins", sysadmin="sa", secadmin="sec", auditor="aud", stdout=out)
    for username, role in (("sa", "sysadmin"), ("sec", "secadmin"), ("aud", "auditor")):
        user = User.objects.get(username=username)
        assert user.role == role and user.must_change_password and not user.is_superuser
        assert user.is_staff == (role == "sysadmin")
        assert AuditEntry.objects.filter(
            model="accounts.User", action="create", object_id=str(user.pk)
        ).exists()
    assert "password" in out.getvalue()
    call_command("create_first_admins", stdout=io.StringIO())
    assert User.objects.count() == 3


# --- every role outside the business stays in its own area ----------------------


BUSINESS_PAGES = ["pairings:list", "orgs:list", "orgs:person_list", "regions:tree", "stats:figures"]


@pytest.mark.parametrize("role", ["sysadmin", "secadmin", "auditor"])
def test_administrators_get_403_on_business_pages(client_for, role):
    client = client_for(role)
    for name in BUSINESS_PAGES:
        assert client.get(reverse(name)).status_code == 403, name


@pytest.mark.parametrize(
    "role, landing",
    [
        ("sysadmin", "accounts:user_list"),
        ("secadmin", "accounts:role_list"),
        ("auditor", "audit:list"),
    ],
)
def test_home_page_sends_each_administrator_to_their_own_page(client_for, role, landing):
    response = client_for(role).get(reverse("core:home"))
    assert response.status_code == 302 and response["Location"] == reverse(landing)


@pytest.mark.parametrize("role", ["sysadmin", "secadmin", "auditor"])
def test_no_administrator_sees_a_full_id_number(client_for, world, role):
    person = make_person(world.xizi, id_number=valid_id_number(), phone="13812345678")
    response = client_for(role).post(reverse("orgs:person_reveal", args=[person.pk]))
    assert response.status_code == 403
    assert not access.can_reveal_personal_data(getattr(world, role), person)
    assert not AuditEntry.objects.filter(action="reveal").exists()


def test_only_the_system_administrator_reaches_the_django_admin(client_for):
    assert client_for("sysadmin").get(reverse("admin:accounts_user_changelist")).status_code == 200
    # The audit trail and the lockout records are not the system administrator's.
    assert client_for("sysadmin").get("/admin/audit/auditentry/").status_code == 404
    assert client_for("sysadmin").get("/admin/axes/accessattempt/").status_code == 403
    for role in ("secadmin", "auditor"):
        assert client_for(role).get(reverse("admin:index")).status_code == 403


# --- from creation to a granted role --------------------------------------------


def test_created_account_waits_for_its_role_then_works(client_for, world):
    sysadmin = client_for("sysadmin")
    response = sysadmin.post(
        reverse("accounts:user_create"),
        {
            "username": "wang_teacher",
            "display_name": "王老师",
            "email": "",
            "password1": "Qz8#initial-pw",
            "password2": "Qz8#initial-pw",
        },
    )
    account = User.objects.get(username="wang_teacher")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:user_edit", args=[account.pk])
    assert account.role == "pending" and account.must_change_password
    assert account.organisation is None and not account.is_staff
    created = AuditEntry.objects.get(
        model="accounts.User", action="create", object_id=str(account.pk)
    )
    assert created.actor == world.sysadmin

    # First sign-in: the initial password is changed, then only the profile is open.
    own = Client()
    assert (
        own.post(
            reverse("accounts:login"), {"username": "wang_teacher", "password": "Qz8#initial-pw"}
        ).status_code
        == 302
    )
    assert own.get(reverse("pairings:list"))["Location"] == reverse("accounts:password_change")
    own.post(
        reverse("accounts:password_change"),
        {
            "old_password": "Qz8#initial-pw",
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    assert own.get(reverse("core:home"))["Location"] == reverse("accounts:profile")
    assert "尚未被授予角色" in own.get(reverse("accounts:profile")).content.decode()
    assert own.get(reverse("pairings:list")).status_code == 403
    assert own.get(reverse("accounts:user_list")).status_code == 403

    # The system administrator cannot grant the role; the security administrator does.
    assert sysadmin.get(reverse("accounts:role_grant", args=[account.pk])).status_code == 403
    account.refresh_from_db()
    response = client_for("secadmin").post(
        reverse("accounts:role_grant", args=[account.pk]),
        {
            "role": "school_staff",
            "organisation": "北京市第九中学(石景山区)",
            "version": account.version,
        },
    )
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.role == "school_staff" and account.organisation == world.bj9
    granted = AuditEntry.objects.get(
        model="accounts.User", action="permission", object_id=str(account.pk)
    )
    assert granted.actor == world.secadmin
    assert granted.changes["role"] == ["pending", "school_staff"]
    assert granted.changes["organisation"] == [None, "北京市第九中学"]

    # The grant ended the open session; signed in again, the business pages open.
    assert own.get(reverse("accounts:profile"))["Location"].startswith(reverse("accounts:login"))
    own.post(reverse("accounts:login"), {"username": "wang_teacher", "password": NEW_PASSWORD})
    assert own.get(reverse("pairings:list")).status_code == 200


def _grant(client, account, **data):
    data.setdefault("version", account.version)
    return client.post(reverse("accounts:role_grant", args=[account.pk]), data)


def test_business_role_without_organisation_is_refused(client_for, world):
    pending = User.objects.create_user(username="p1", password=RIGHT)
    response = _grant(client_for("secadmin"), pending, role="coordinator", organisation="")
    assert response.status_code == 200
    assert "须指定所属单位" in response.content.decode()
    pending.refresh_from_db()
    assert pending.role == "pending"
    assert not AuditEntry.objects.filter(action="permission").exists()


def test_unknown_or_ambiguous_organisation_is_refused(client_for, world):
    from conftest import make_org

    make_org("城关小学", world.ningcheng, stage="primary")
    make_org("城关小学", world.congjiang, stage="primary")
    pending = User.objects.create_user(username="p1", password=RIGHT)
    client = client_for("secadmin")
    html = _grant(client, pending, role="school_staff", organisation="城关小学").content.decode()
    assert "有多个名为“城关小学”的单位" in html
    html = _grant(client, pending, role="school_staff", organisation="不存在学校").content.decode()
    assert "找不到单位“不存在学校”" in html
    assert (
        _grant(client, pending, role="school_staff", organisation="城关小学(从江县)").status_code
        == 302
    )
    pending.refresh_from_db()
    assert pending.organisation.region == world.congjiang


def test_stale_role_grant_is_refused(client_for, world):
    stale_version = world.helper.version
    services.grant_role(
        world.helper,
        actor=world.secadmin,
        role="coordinator",
        organisation=world.sjs_bureau,
        expected_version=stale_version,
    )
    response = _grant(
        client_for("secadmin"),
        world.helper,
        role="auditor",
        organisation="",
        version=stale_version,
    )
    assert str(CONFLICT_MESSAGE) in response.content.decode()
    world.helper.refresh_from_db()
    assert world.helper.role == "coordinator"


def test_security_administrator_cannot_grant_their_own_role(client_for, world):
    response = _grant(client_for("secadmin"), world.secadmin, role="sysadmin", organisation="")
    assert "不能修改自己的角色" in response.content.decode()
    world.secadmin.refresh_from_db()
    assert world.secadmin.role == "secadmin"


def test_organisation_suggestions_for_the_grant_form(client_for, world):
    response = client_for("secadmin").get(
        reverse("accounts:organisation_suggest"), {"organisation": "汐子"}
    )
    assert '<option value="宁城县汐子中学(宁城县)">' in response.content.decode()


# --- the system administrator's account pages ------------------------------------


def test_account_list_searches_and_filters(client_for, world):
    client = client_for("sysadmin")
    names = lambda **q: [  # noqa: E731
        u.username for u in client.get(reverse("accounts:user_list"), q).context["page_obj"]
    ]
    assert names(q="coord") == ["coord", "nm_coord"]
    assert names(q="汐子") == ["recipient"]
    assert names(role="auditor") == ["auditor"]
    User.objects.filter(pk=world.helper.pk).update(is_active=False)
    assert names(status="disabled") == ["helper"]


def test_disable_ends_sessions_and_enable_restores(client_for, world):
    helper = client_for("helper")
    assert helper.get(reverse("pairings:list")).status_code == 200
    sysadmin = client_for("sysadmin")
    sysadmin.post(reverse("accounts:user_disable", args=[world.helper.pk]))
    world.helper.refresh_from_db()
    assert not world.helper.is_active
    assert helper.get(reverse("pairings:list")).status_code == 302
    entry = AuditEntry.objects.get(
        model="accounts.User", action="permission", object_id=str(world.helper.pk)
    )
    assert entry.actor == world.sysadmin and entry.changes == {"is_active": [True, False]}
    sysadmin.post(reverse("accounts:user_enable", args=[world.helper.pk]))
    world.helper.refresh_from_db()
    assert world.helper.is_active


def test_system_administrator_cannot_disable_themselves(client_for, world):
    response = client_for("sysadmin").post(
        reverse("accounts:user_disable", args=[world.sysadmin.pk]), follow=True
    )
    assert "不能停用自己的账号" in response.content.decode()
    world.sysadmin.refresh_from_db()
    assert world.sysadmin.is_active


def test_password_reset_must_be_changed_and_is_audited(client_for, world):
    helper = client_for("helper")
    response = client_for("sysadmin").post(
        reverse("accounts:user_password", args=[world.helper.pk]),
        {"password1": "Rr5#reset-pass", "password2": "Rr5#reset-pass"},
    )
    assert response.status_code == 302
    world.helper.refresh_from_db()
    assert world.helper.check_password("Rr5#reset-pass") and world.helper.must_change_password
    assert helper.get(reverse("pairings:list")).status_code == 302  # session ended
    entry = AuditEntry.objects.get(
        model="accounts.User", action="password", object_id=str(world.helper.pk)
    )
    assert entry.actor == world.sysadmin


def test_weak_reset_password_is_refused(client_for, world):
    response = client_for("sysadmin").post(
        reverse("accounts:user_password", args=[world.helper.pk]),
        {"password1": "short", "password2": "short"},
    )
    assert response.status_code == 200 and response.context["form"].errors["password1"]
    world.helper.refresh_from_db()
    assert world.helper.check_password(RIGHT)


def test_stale_account_edit_is_refused(client_for, world):
    client = client_for("sysadmin")
    url = reverse("accounts:user_edit", args=[world.helper.pk])
    version = client.get(url).context["form"]["version"].value()
    client.post(url, {"display_name": "张老师", "email": "", "version": version})
    response = client.post(url, {"display_name": "李老师", "email": "", "version": version})
    assert str(CONFLICT_MESSAGE) in response.content.decode()
    world.helper.refresh_from_db()
    assert world.helper.display_name == "张老师"
    entry = AuditEntry.objects.get(
        model="accounts.User", action="update", object_id=str(world.helper.pk)
    )
    assert entry.changes == {"display_name": ["", "张老师"]}


def test_duplicate_username_is_refused(client_for, world):
    response = client_for("sysadmin").post(
        reverse("accounts:user_create"),
        {"username": "HELPER", "password1": "Qz8#initial-pw", "password2": "Qz8#initial-pw"},
    )
    assert "该用户名已被使用" in response.content.decode()
    assert User.objects.filter(username__iexact="helper").count() == 1


# --- unlocking --------------------------------------------------------------------


def test_unlock_is_audited_and_lets_the_account_sign_in(client_for, world):
    for _ in range(5):
        Client().post(reverse("accounts:login"), {"username": "coord", "password": "wrong-one"})
    locked = Client().post(reverse("accounts:login"), {"username": "coord", "password": RIGHT})
    assert "_auth_user_id" not in locked.wsgi_request.session

    client = client_for("secadmin")
    page = client.get(reverse("accounts:unlock_list")).content.decode()
    assert "coord" in page
    response = client.post(reverse("accounts:unlock"), {"username": "coord"})
    assert response.status_code == 302
    entry = AuditEntry.objects.get(
        model="accounts.User", action="permission", object_id=str(world.coordinator.pk)
    )
    assert entry.actor == world.secadmin and entry.changes["locked"] == [True, False]
    # Five failures, then the right password refused while locked.
    assert entry.changes["failed_logins"] == [6, 0]
    remaining = client.get(reverse("accounts:unlock_list")).context["page_obj"]
    assert [a.username for a in remaining] == []

    signed_in = Client()
    signed_in.post(reverse("accounts:login"), {"username": "coord", "password": RIGHT})
    assert signed_in.get(reverse("pairings:list")).status_code == 200


def test_unlocking_a_name_that_is_not_locked_changes_nothing(client_for, world):
    response = client_for("secadmin").post(
        reverse("accounts:unlock"), {"username": "helper"}, follow=True
    )
    assert "当前没有被锁定" in response.content.decode()
    assert not AuditEntry.objects.filter(action="permission").exists()


def test_system_administrator_cannot_unlock(client_for):
    assert (
        client_for("sysadmin").post(reverse("accounts:unlock"), {"username": "coord"}).status_code
        == 403
    )


# --- the Django admin, for the system administrator ------------------------------


def test_account_added_in_the_django_admin_waits_for_its_role(client_for, world):
    response = client_for("sysadmin").post(
        reverse("admin:accounts_user_add"),
        {
            "username": "li_admin_added",
            "password1": "Vv3#admin-added",
            "password2": "Vv3#admin-added",
            "usable_password": "true",
            "display_name": "李老师",
        },
    )
    assert response.status_code == 302, response.context and response.context["errors"]
    account = User.objects.get(username="li_admin_added")
    assert account.role == "pending" and account.must_change_password
    assert AuditEntry.objects.filter(
        model="accounts.User", action="create", object_id=str(account.pk)
    ).exists()


def test_django_admin_cannot_change_roles(client_for, world):
    client = client_for("sysadmin")
    url = reverse("admin:accounts_user_change", args=[world.helper.pk])
    form = client.get(url).context["adminform"].form
    assert "role" not in form.fields and "organisation" not in form.fields
    assert "is_superuser" not in form.fields and "user_permissions" not in form.fields
    response = client.post(
        url,
        {
            "username": "helper",
            "display_name": "赵老师",
            "email": "",
            "role": "sysadmin",
            "is_superuser": "on",
        },
    )
    assert response.status_code == 302
    world.helper.refresh_from_db()
    assert world.helper.role == "school_staff" and not world.helper.is_superuser
    assert world.helper.display_name == "赵老师"
    entry = AuditEntry.objects.get(model="accounts.User", action="update")
    assert entry.changes == {"display_name": ["", "赵老师"]}


def test_security_admin_grants_and_withdraws_the_personal_data_export(client_for, world):
    from bangfu.security import pii

    client = client_for("secadmin")
    form = client.get(reverse("accounts:role_grant", args=[world.helper.pk])).content.decode()
    assert "可导出人员个人信息" in form
    assert not pii.can_export(world.helper)
    org = "北京市第九中学"
    response = _grant(
        client, world.helper, role="school_staff", organisation=org, export_personal_data="on"
    )
    assert response.status_code == 302
    helper = User.objects.get(pk=world.helper.pk)
    assert pii.can_export(helper)
    entry = AuditEntry.objects.filter(action="permission", object_id=str(helper.pk)).last()
    assert entry.changes == {"orgs.export_personal_data": [False, True]}
    # An admin role never keeps the grant.
    _grant(client, helper, role="auditor", organisation="", export_personal_data="on")
    assert not pii.has_export_grant(User.objects.get(pk=helper.pk))
