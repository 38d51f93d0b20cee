"""Personal data (个人信息, PIPL): exports, their daily limit, and how it is kept out of caches and URLs.

Personal data here is what bangfu holds about people (``orgs.Person``): the
name, the ID-card number and the phone number. The rules:

- Responses that show it are never stored by a browser or a proxy: those
  views carry ``django.views.decorators.cache.never_cache`` (``Cache-Control:
  max-age=0, no-cache, no-store, must-revalidate, private``).
- It never travels in a URL: the person list's search is POSTed and kept in the
  session, and ID and phone numbers are looked up by their keyed hash.
- Exporting it needs the permission ``orgs.export_personal_data``, granted to
  a user by the security administrator (:func:`set_export_permission`). The
  file holds masked numbers unless the exporter may also reveal them
  (``access.personal_data_reveal_q``) and asks for full values; then the
  reveal is audited too.
- Each user may export it ``settings.PII_EXPORT_DAILY_LIMIT`` times a day,
  counted from the audit trail (:func:`record_export`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bangfu.audit.models import AuditEntry
from bangfu.audit.services import record
from bangfu.core import access

EXPORT_APP, EXPORT_CODENAME = "orgs", "export_personal_data"
# The ``kind`` of a personal-data export in its audit entry; counted per day.
EXPORT_KIND = "people"


class LimitReached(Exception):
    """Today's exports are used up; the message says so in Chinese."""


def _export_permission() -> Permission:
    return Permission.objects.get(content_type__app_label=EXPORT_APP, codename=EXPORT_CODENAME)


def has_export_grant(account) -> bool:
    """Whether the account holds the per-user export grant (whatever its role now)."""
    if account.pk is None:
        return False
    return account.user_permissions.filter(
        content_type__app_label=EXPORT_APP, codename=EXPORT_CODENAME
    ).exists()


def can_export(user) -> bool:
    """A coordinator or school staff member holding the per-user grant.

    Read from the user's own grants: ``User.has_perm`` serves the admin site
    by role, and this permission never comes with a role or a group.
    """
    if not access.is_business_user(user):
        return False
    return user.user_permissions.filter(
        content_type__app_label=EXPORT_APP, codename=EXPORT_CODENAME
    ).exists()


def may_export_full(user) -> bool:
    """May the user's export carry full numbers for anyone at all?"""
    return access.personal_data_reveal_q(user) != access.NOTHING


@transaction.atomic
def set_export_permission(account, granted: bool, *, actor) -> bool:
    """Grant or withdraw ``account``'s export permission: the security administrator.

    Returns whether anything changed; a change is audited as "permission".
    """
    if not access.can_change_role_of(actor, account):
        raise PermissionDenied
    had = account.user_permissions.filter(
        content_type__app_label=EXPORT_APP, codename=EXPORT_CODENAME
    ).exists()
    if had == granted:
        return False
    if granted:
        account.user_permissions.add(_export_permission())
    else:
        account.user_permissions.remove(_export_permission())
    record(
        "permission",
        actor=actor,
        instance=account,
        changes={f"{EXPORT_APP}.{EXPORT_CODENAME}": [had, granted]},
    )
    return True


def _start_of_today() -> dt.datetime:
    return timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)


def exports_today(user) -> int:
    """Personal-data exports the user made since local midnight. Cost: one COUNT."""
    return AuditEntry.objects.filter(
        actor=user, action="export", at__gte=_start_of_today(), changes__kind=EXPORT_KIND
    ).count()


def exports_left(user) -> int:
    return max(0, settings.PII_EXPORT_DAILY_LIMIT - exports_today(user))


@transaction.atomic
def record_export(
    user, *, fmt: str, rows: int, full: bool, revealed_ids: Iterable[int], filters: dict
) -> None:
    """Count one export against today's limit and audit it, or raise LimitReached.

    Called before any row leaves. The user's row is locked, so two exports
    started at once by one user are counted one after the other. With full
    numbers a "reveal" entry lists whose numbers left in full.
    """
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    limit = settings.PII_EXPORT_DAILY_LIMIT
    if exports_today(user) >= limit:
        raise LimitReached(
            _("今天的人员信息导出已达上限(每天 %(limit)d 次),本次未导出任何数据。请明天再试。")
            % {"limit": limit}
        )
    revealed = sorted(revealed_ids) if full else []
    record(
        "export",
        actor=user,
        label=f"人员.{fmt}",
        changes={
            "kind": EXPORT_KIND,
            "format": fmt,
            "rows": rows,
            "full": bool(full),
            "revealed": len(revealed),
            "filters": filters,
        },
    )
    if revealed:
        record(
            "reveal",
            actor=user,
            label="人员导出",
            changes={"fields": ["id_number", "phone"], "export": True, "people": revealed},
        )
