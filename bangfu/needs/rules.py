"""Rights on needs, built from bangfu.core.access (which stays the one place deciding sides)."""

from __future__ import annotations

from bangfu.core import access

# Kept as a name of this module: the rule itself lives in core.access.
side_pairings_q = access.side_pairings_q


def can_list_need(user, pairing) -> bool:
    """Needs are listed (and edited) by the recipient side."""
    return access.can_act_for_side(user, pairing, "recipient")


def can_edit_need(user, need) -> bool:
    return access.can_act_for_side(user, need.pairing, "recipient")


def can_claim_need(user, need) -> bool:
    return access.can_act_for_side(user, need.pairing, "helper")


def can_change_need_status(user, need) -> bool:
    """Either side moves a need along; withdrawing is checked in the service."""
    return access.can_record_in_pairing(user, need.pairing)
