"""Account changes that touch sessions and the audit trail.

Separation of duties (三员分立): the system administrator creates, edits,
disables, re-enables accounts and resets passwords (a new account waits as
``pending``); the security administrator grants roles and organisations,
unlocks accounts and resets two-factor devices. Every change is audited, and a
change of role or a disable ends the account's open sessions.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from bangfu.audit.services import record
from bangfu.core.forms import save_versioned

from .models import User


class AccountRefused(Exception):
    """The message is shown to the user (Chinese)."""


def _org_name(org) -> str | None:
    return str(org) if org is not None else None


@transaction.atomic
def disable_inactive_accounts(*, days: int, actor=None, now=None) -> list[str]:
    """Disable accounts unused for ``days`` days (never used: counted from joining). One query + one per account."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=days)
    stale = User.objects.filter(is_active=True).filter(
        Q(last_login__lt=cutoff) | Q(last_login__isnull=True, date_joined__lt=cutoff)
    )
    names = []
    for user in stale:
        user.is_active = False
        user.session_epoch += 1
        user.save(update_fields=["is_active", "session_epoch"])
        record(
            "permission",
            actor=actor,
            instance=user,
            changes={"is_active": [True, False]},
            label="system",
        )
        names.append(user.username)
    return names


def _organisation_for(role, organisation):
    """Business roles act for an organisation; the others belong to none."""
    return organisation if role in User.BUSINESS_ROLES else None


@transaction.atomic
def change_account(user: User, *, actor, role=None, is_active=None, organisation=None) -> User:
    """Role, organisation or enabled state: audited, and the account's open sessions end."""
    before = {
        "role": user.role,
        "is_active": user.is_active,
        "organisation": _org_name(user.organisation),
    }
    if role is not None:
        user.role = role
    if is_active is not None:
        user.is_active = is_active
    if organisation is not None or role is not None:
        user.organisation = _organisation_for(user.role, organisation or user.organisation)
    user.is_staff = user.role == User.Role.SYSADMIN
    after = {
        "role": user.role,
        "is_active": user.is_active,
        "organisation": _org_name(user.organisation),
    }
    changes = {k: [before[k], v] for k, v in after.items() if before[k] != v}
    if changes:
        user.session_epoch += 1
        user.version += 1
        user.save(
            update_fields=[
                "role",
                "is_active",
                "organisation",
                "is_staff",
                "session_epoch",
                "version",
            ]
        )
        record("permission", actor=actor, instance=user, changes=changes)
    return user


def record_account_created(user: User, *, actor) -> None:
    record("create", actor=actor, instance=user, changes={"role": [None, user.role]})


# --- the system administrator ----------------------------------------------


@transaction.atomic
def create_account(
    *, actor, username: str, password: str, display_name: str = "", email: str = ""
) -> User:
    """A new account waits as ``pending`` until the security administrator grants its role.

    Its initial password must be changed at the first sign-in.
    """
    user = User.objects.create_user(
        username=username,
        password=password,
        email=email,
        display_name=display_name,
        role=User.Role.PENDING,
    )
    # Saving the password marks it as changed; an initial password is not.
    User.objects.filter(pk=user.pk).update(must_change_password=True)
    user.must_change_password = True
    record(
        "create",
        actor=actor,
        instance=user,
        changes={
            "username": [None, user.username],
            "display_name": [None, user.display_name],
            "role": [None, user.role],
        },
    )
    return user


ACCOUNT_FIELDS = ["display_name", "email"]


@transaction.atomic
def update_account(user: User, *, actor, expected_version: int | None, **values) -> User:
    """Name and e-mail; raises StaleEdit when someone saved the account since ``expected_version``."""
    before = {f: getattr(user, f) for f in ACCOUNT_FIELDS}
    for field, value in values.items():
        if field not in ACCOUNT_FIELDS:
            raise TypeError(field)
        setattr(user, field, value)
    save_versioned(user, expected_version, ACCOUNT_FIELDS)
    changes = {
        f: [before[f], getattr(user, f)] for f in ACCOUNT_FIELDS if before[f] != getattr(user, f)
    }
    if changes:
        record("update", actor=actor, instance=user, changes=changes)
    return user


def disable_account(user: User, *, actor) -> User:
    """The account cannot sign in; its open sessions end."""
    if user.pk == actor.pk:
        raise AccountRefused(_("不能停用自己的账号。"))
    if not user.is_active:
        raise AccountRefused(_("该账号已处于停用状态。"))
    return change_account(user, actor=actor, is_active=False)


def enable_account(user: User, *, actor) -> User:
    if user.is_active:
        raise AccountRefused(_("该账号已处于启用状态。"))
    return change_account(user, actor=actor, is_active=True)


@transaction.atomic
def reset_password(user: User, *, actor, password: str) -> User:
    """A password set by the administrator must be changed by its owner at the next sign-in."""
    if user.pk == actor.pk:
        raise AccountRefused(_("请在“修改密码”页面修改自己的密码。"))
    user.set_password(password)
    user.session_epoch += 1
    user.version += 1
    user.save(update_fields=["password", "session_epoch", "version"])
    # Saving the password marked it as changed by its owner; a reset is not.
    User.objects.filter(pk=user.pk).update(must_change_password=True)
    user.must_change_password = True
    record("password", actor=actor, instance=user, changes={"must_change_password": [None, True]})
    return user


# --- the security administrator ----------------------------------------------


@transaction.atomic
def grant_role(
    user: User, *, actor, role: str, organisation=None, expected_version: int | None
) -> User:
    """Role and organisation in one step; raises StaleEdit when the account changed since
    ``expected_version``. The account's open sessions end."""
    if user.pk == actor.pk:
        raise AccountRefused(_("不能修改自己的角色。"))
    organisation = _organisation_for(role, organisation)
    if role in User.BUSINESS_ROLES and organisation is None:
        raise AccountRefused(_("协调员和学校工作人员须指定所属单位。"))
    before = {"role": user.role, "organisation": _org_name(user.organisation)}
    user.role = role
    user.organisation = organisation
    user.is_staff = role == User.Role.SYSADMIN
    after = {"role": user.role, "organisation": _org_name(organisation)}
    changes = {k: [before[k], v] for k, v in after.items() if before[k] != v}
    if not changes:
        raise AccountRefused(_("角色和所属单位没有变化。"))
    user.session_epoch += 1
    save_versioned(user, expected_version, ["role", "organisation", "is_staff", "session_epoch"])
    record("permission", actor=actor, instance=user, changes=changes)
    return user


def _cool_off() -> dt.timedelta | None:
    from axes.helpers import get_cool_off

    return get_cool_off()


def locked_attempts():
    """Sign-in names locked by failed attempts right now (django-axes), newest first. One query."""
    from axes.models import AccessAttempt

    qs = AccessAttempt.objects.filter(
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT, username__isnull=False
    )
    cool_off = _cool_off()
    if cool_off is not None:
        qs = qs.filter(attempt_time__gte=timezone.now() - cool_off)
    return qs.order_by("-attempt_time")


@transaction.atomic
def unlock_account(username: str, *, actor) -> int:
    """Forget the failed sign-ins of ``username``; returns how many attempt records went."""
    from axes.utils import reset

    username = (username or "").strip()
    if not locked_attempts().filter(username=username).exists():
        raise AccountRefused(_("该用户名当前没有被锁定。"))
    failures = sum(
        locked_attempts().filter(username=username).values_list("failures_since_start", flat=True)
    )
    removed = reset(username=username)
    account = User.objects.filter(username=username).first()
    record(
        "permission",
        actor=actor,
        instance=account,
        label=username,
        changes={"locked": [True, False], "failed_logins": [failures, 0]},
    )
    return removed
