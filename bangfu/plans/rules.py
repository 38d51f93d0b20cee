"""Rights on plans and projects, built from bangfu.core.access."""

from __future__ import annotations

from django.db.models import Q

from bangfu.core import access
from bangfu.needs.rules import side_pairings_q

HELPER, RECIPIENT = "helper", "recipient"

__all__ = [
    "can_confirm_plan",
    "can_create_project",
    "can_draft_plan",
    "can_edit_project",
    "confirmable_sides",
    "project_owner_q",
    "side_pairings_q",
]


def can_draft_plan(user, pairing) -> bool:
    """The helper side drafts and revises; the recipient side never edits a plan."""
    return access.can_act_for_side(user, pairing, HELPER)


def confirmable_sides(user, plan) -> list[str]:
    """The sides the user may confirm for (admins: both), whether confirmed yet or not."""
    return [s for s in (HELPER, RECIPIENT) if access.can_act_for_side(user, plan.pairing, s)]


def can_confirm_plan(user, plan) -> bool:
    return bool(confirmable_sides(user, plan))


def _writer(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and not user.read_only)


def can_create_project(user) -> bool:
    return _writer(user) and (user.is_platform_admin or user.is_coordinator)


def can_edit_project(user, project) -> bool:
    """Admins, and coordinators of the owner bureau's region."""
    if not _writer(user):
        return False
    if user.is_platform_admin:
        return True
    return user.is_coordinator and access.region_in_scope(user, project.owner.region)


def project_owner_q(user) -> Q:
    """Bureaus a project may be assigned to as owner by this user."""
    if not can_create_project(user):
        return access.NOTHING
    return access.editable_organisations_q(user) & Q(kind="bureau")
