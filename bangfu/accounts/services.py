"""Account changes that touch sessions and the audit trail."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from bangfu.audit.services import record

from .models import User


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


@transaction.atomic
def change_account(user: User, *, actor, role=None, is_active=None, organisation=None) -> User:
    """Role, organisation or enabled state: audited, and the account's open sessions end."""
    before = {"role": user.role, "is_active": user.is_active, "organisation": user.organisation_id}
    if role is not None:
        user.role = role
    if is_active is not None:
        user.is_active = is_active
    if organisation is not None or role == User.Role.ADMIN:
        user.organisation = organisation
    after = {"role": user.role, "is_active": user.is_active, "organisation": user.organisation_id}
    changes = {k: [before[k], v] for k, v in after.items() if before[k] != v}
    if changes:
        user.session_epoch += 1
        user.save(update_fields=["role", "is_active", "organisation", "session_epoch"])
        record("permission", actor=actor, instance=user, changes=changes)
    return user


def record_account_created(user: User, *, actor) -> None:
    record("create", actor=actor, instance=user, changes={"role": [None, user.role]})
