"""Who may change the activity ledger, built only from bangfu.core.access.

Candidates for core.access once other apps need them: region-level recording
(``can_record_in_region_pairing``) and the ledger-lock scope functions.
"""

from __future__ import annotations

from django.db.models import Q

from bangfu.core import access


def _writer(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and not user.read_only)


def _admin(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.is_platform_admin)


def can_create_activity(user) -> bool:
    return _writer(user) and (_admin(user) or user.is_coordinator or user.is_school_staff)


def can_record_in_region_pairing(user, region_pairing) -> bool:
    """A region-level activity: a coordinator over the helper region, or an admin."""
    if not _writer(user):
        return False
    if _admin(user):
        return True
    return user.is_coordinator and access.region_in_scope(user, region_pairing.helper_region)


def can_record(user, *, pairing=None, region_pairing=None) -> bool:
    if pairing is not None:
        return access.can_record_in_pairing(user, pairing)
    if region_pairing is not None:
        return can_record_in_region_pairing(user, region_pairing)
    return False


def recording_side(user, pairing) -> str:
    """The side an entry recorded by ``user`` belongs to (admins record for the helper)."""
    return access.side_of(user, pairing) or "helper"


def can_edit_activity(user, activity) -> bool:
    """The recording side, its coordinator, or an admin; the other side only confirms."""
    if not _writer(user):
        return False
    if _admin(user):
        return True
    if activity.pairing_id:
        return access.can_act_for_side(user, activity.pairing, activity.recorded_side or "helper")
    return can_record_in_region_pairing(user, activity.region_pairing)


def can_confirm_activity(user, activity) -> bool:
    """Only the recipient side (its staff, its coordinator) or an admin."""
    if not _writer(user):
        return False
    if activity.pairing_id:
        return access.can_act_for_side(user, activity.pairing, "recipient")
    return _admin(user) or (
        user.is_coordinator
        and access.region_in_scope(user, activity.region_pairing.recipient_region)
    )


def can_lock_pairing(user, pairing) -> bool:
    """A coordinator whose region holds a party of the pairing, or an admin."""
    if not _writer(user):
        return False
    if _admin(user):
        return True
    return user.is_coordinator and any(
        access.region_in_scope(user, p.organisation.region) for p in pairing.parties.all()
    )


def can_lock_region(user, region) -> bool:
    if not _writer(user):
        return False
    return _admin(user) or (user.is_coordinator and access.region_in_scope(user, region))


def can_lock_anything(user) -> bool:
    return _writer(user) and (_admin(user) or user.is_coordinator)


def can_reopen_lock(user, lock) -> bool:
    if lock.pairing_id:
        return can_lock_pairing(user, lock.pairing)
    return can_lock_region(user, lock.region)


def lock_visibility_q(user) -> Q:
    """Locks of visible pairings; region locks of the user's scope, or above its school."""
    if _admin(user):
        return Q()
    if not (user and user.is_authenticated and user.is_active and user.organisation_id):
        return access.NOTHING
    q = Q(pairing__in=access.visible_pairing_ids(user))
    region = access.scope_region(user)
    if region is not None:
        q |= region.subtree_q("region__")
        q |= Q(region__in=[r.pk for r in region.ancestors()])
    else:
        own = user.organisation.region
        q |= Q(region__in=[own.pk, *(r.pk for r in own.ancestors())])
    return q
