"""Who may share resources, built from bangfu.core.access."""

from __future__ import annotations

from bangfu.core import access


def can_start_sharing(user) -> bool:
    """May open the form: anyone who may change some organisation (staff, coordinators, admins)."""
    return bool(
        user
        and user.is_authenticated
        and user.is_active
        and not user.read_only
        and (user.is_platform_admin or user.is_coordinator or user.is_school_staff)
    )


def can_share_for(user, owner) -> bool:
    """Staff of the owner organisation, its coordinator, admins: who may change the owner."""
    return owner is not None and access.can_edit_organisation(user, owner)


def can_edit_resource(user, resource) -> bool:
    return can_share_for(user, resource.owner)
