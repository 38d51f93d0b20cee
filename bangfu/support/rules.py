"""Who may record material and money support, built from bangfu.core.access.

Candidates for core.access once the other ledger apps need the same shape.
"""

from __future__ import annotations

from bangfu.core import access


def _writer(user) -> bool:
    # The same test as core.access._writer, which is private there.
    return bool(user and user.is_authenticated and user.is_active and not user.read_only)


def can_start_support(user) -> bool:
    """May open the form at all: anyone who could record for some organisation."""
    return _writer(user) and (user.is_platform_admin or user.is_coordinator or user.is_school_staff)


def can_record_support(user, *, donor, recipient_region=None, pairing=None) -> bool:
    """Staff of the donor or of either side of the linked pairing; coordinators whose
    region holds the donor or the recipient region; admins."""
    if not _writer(user):
        return False
    if user.is_platform_admin:
        return True
    if pairing is not None and access.can_record_in_pairing(user, pairing):
        return True
    if user.is_school_staff:
        return donor is not None and user.organisation_id == donor.pk
    if user.is_coordinator:
        return (donor is not None and access.region_in_scope(user, donor.region)) or (
            recipient_region is not None and access.region_in_scope(user, recipient_region)
        )
    return False


def can_edit_support(user, support) -> bool:
    return can_record_support(
        user,
        donor=support.donor,
        recipient_region=support.recipient_region,
        pairing=support.pairing,
    )
