"""Rights on needs, built from bangfu.core.access (which stays the one place deciding sides)."""

from __future__ import annotations

from django.db.models import Q

from bangfu.core import access


def side_pairings_q(user, side: str, prefix: str = "") -> Q:
    """Pairings where ``user`` may act for ``side``: the query form of ``access.can_act_for_side``.

    One subquery, whatever the number of pairings, so list pages and choice
    fields stay at a constant query count. (A candidate for core.access.)
    """
    if not (user and user.is_authenticated and user.is_active) or user.read_only:
        return access.NOTHING
    if user.is_platform_admin:
        return Q()
    from bangfu.pairings.models import PairingParty

    parties = PairingParty.objects.filter(side=side)
    if user.is_coordinator:
        region = access.scope_region(user)
        if region is None:
            return access.NOTHING
        parties = parties.filter(region.subtree_q("organisation__region__"))
    elif user.is_school_staff and user.organisation_id:
        parties = parties.filter(organisation_id=user.organisation_id)
    else:
        return access.NOTHING
    return Q(**{f"{prefix}pk__in": parties.values("pairing_id")})


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
