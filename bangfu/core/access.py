"""Who may see and change what: the one place that decides.

Visibility is expressed as Q objects used by each model's
``QuerySet.visible_to(user)``; single objects are fetched through
:func:`get_visible_or_404`, which answers 404 whether the object is missing or
off-limits. Changes are decided by the ``can_*`` functions; a view that gets
``False`` answers 403.

Scope by role:
- platform admin: everything.
- coordinator / auditor of a bureau: every pairing where a party's region is
  the bureau's region or below it; region pairings touching that subtree; the
  organisations in that subtree, in the partner regions of its region
  pairings, and every party of its pairings. Auditors never change anything.
- school staff: its own organisation's pairings; its own organisation and its
  partners; the organisations of partner regions (to propose pairings).
"""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404

NOTHING = Q(pk__in=[])


def _is_admin(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.is_platform_admin)


def _org(user):
    if not (user and user.is_authenticated and user.is_active):
        return None
    return user.organisation


def scope_region(user):
    """The region a coordinator or auditor oversees (its bureau's region)."""
    org = _org(user)
    if org is None or user.role not in ("coordinator", "auditor"):
        return None
    return org.region


def _pairing_ids_of_org(org):
    from bangfu.pairings.models import PairingParty

    return PairingParty.objects.filter(organisation=org).values("pairing_id")


def pairing_visibility_q(user) -> Q:
    from bangfu.pairings.models import PairingParty

    if _is_admin(user):
        return Q()
    region = scope_region(user)
    if region is not None:
        ids = PairingParty.objects.filter(region.subtree_q("organisation__region__")).values(
            "pairing_id"
        )
        return Q(pk__in=ids)
    org = _org(user)
    if org is None:
        return NOTHING
    return Q(pk__in=_pairing_ids_of_org(org))


def region_pairing_visibility_q(user) -> Q:
    if _is_admin(user):
        return Q()
    region = scope_region(user)
    if region is None:
        org = _org(user)
        if org is None:
            return NOTHING
        # School staff see the region pairings above their school's region.
        ancestors = [r.pk for r in org.region.ancestors()] + [org.region_id]
        return Q(helper_region__in=ancestors) | Q(recipient_region__in=ancestors)
    return region.subtree_q("helper_region__") | region.subtree_q("recipient_region__")


def partner_region_q(user, prefix: str = "region__") -> Q:
    """Organisations in the partner regions of the user's region pairings."""
    from bangfu.pairings.models import RegionPairing

    q = NOTHING
    pairs = RegionPairing.objects.filter(region_pairing_visibility_q(user)).select_related(
        "helper_region", "recipient_region"
    )
    for rp in pairs:
        q |= rp.helper_region.subtree_q(prefix) | rp.recipient_region.subtree_q(prefix)
    return q


def partner_org_ids(user):
    from bangfu.pairings.models import Pairing, PairingParty

    return PairingParty.objects.filter(
        pairing__in=Pairing.objects.filter(pairing_visibility_q(user))
    ).values("organisation_id")


def organisation_visibility_q(user) -> Q:
    if _is_admin(user):
        return Q()
    org = _org(user)
    if org is None:
        return NOTHING
    region = scope_region(user)
    q = Q(pk=org.pk) | Q(pk__in=partner_org_ids(user)) | partner_region_q(user)
    if region is not None:
        q |= region.subtree_q("region__")
    return q


def person_visibility_q(user) -> Q:
    """People of the user's own scope and of its partners (not whole partner regions)."""
    if _is_admin(user):
        return Q()
    org = _org(user)
    if org is None:
        return NOTHING
    q = Q(organisation=org) | Q(organisation__in=partner_org_ids(user))
    region = scope_region(user)
    if region is not None:
        q |= region.subtree_q("organisation__region__")
    return q


# --- changes -------------------------------------------------------------


def _writer(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and not user.read_only)


def region_in_scope(user, region) -> bool:
    """True when ``region`` is the coordinator's region or below it."""
    scope = scope_region(user)
    if scope is None or region is None:
        return False
    return region.pk == scope.pk or any(a.pk == scope.pk for a in region.ancestors())


def can_create_organisation(user) -> bool:
    return _writer(user) and (_is_admin(user) or user.is_coordinator)


def can_manage_region(user, region) -> bool:
    """May register organisations in this region: own subtree or a partner region."""
    if not _writer(user):
        return False
    if _is_admin(user):
        return True
    if not user.is_coordinator:
        return False
    if region_in_scope(user, region):
        return True
    from bangfu.regions.models import Region

    return Region.objects.filter(partner_region_q(user, prefix=""), pk=region.pk).exists()


def can_edit_organisation(user, org) -> bool:
    if not _writer(user):
        return False
    if _is_admin(user):
        return True
    if user.is_coordinator:
        return region_in_scope(user, org.region)
    return user.is_school_staff and user.organisation_id == org.pk


def editable_organisations_q(user) -> Q:
    """Organisations the user may change (and add people to): the query form of
    :func:`can_edit_organisation`."""
    if not _writer(user):
        return NOTHING
    if _is_admin(user):
        return Q()
    region = scope_region(user)
    if user.is_coordinator and region is not None:
        return region.subtree_q("region__")
    if user.is_school_staff and user.organisation_id:
        return Q(pk=user.organisation_id)
    return NOTHING


def can_edit_person(user, person) -> bool:
    return can_edit_organisation(user, person.organisation)


def can_create_person(user) -> bool:
    return _writer(user) and (_is_admin(user) or user.is_coordinator or user.is_school_staff)


def can_reveal_personal_data(user, person) -> bool:
    """Full ID and phone numbers: the person's own organisation or its coordinator."""
    if not _writer(user) or _is_admin(user):
        return False
    if user.is_coordinator:
        return region_in_scope(user, person.organisation.region)
    return user.is_school_staff and user.organisation_id == person.organisation_id


def can_create_pairing(user) -> bool:
    return _writer(user) and (_is_admin(user) or user.is_coordinator or user.is_school_staff)


def can_edit_pairing(user, pairing) -> bool:
    """Mode, period, status and notes: admins and coordinators of either side."""
    if not _writer(user):
        return False
    if _is_admin(user):
        return True
    if user.is_coordinator:
        return any(region_in_scope(user, p.organisation.region) for p in pairing.parties.all())
    # Staff of the helper side may still edit a pairing they proposed.
    return (
        user.is_school_staff
        and pairing.status == pairing.Status.PROPOSED
        and any(
            p.organisation_id == user.organisation_id and p.side == p.Side.HELPER
            for p in pairing.parties.all()
        )
    )


def can_edit_party(user, party) -> bool:
    """A side's own details: that side's staff, its coordinator, admins."""
    if not _writer(user):
        return False
    if _is_admin(user):
        return True
    if user.is_coordinator:
        return region_in_scope(user, party.organisation.region)
    return user.is_school_staff and user.organisation_id == party.organisation_id


def can_manage_agreements(user, pairing) -> bool:
    if not _writer(user):
        return False
    if _is_admin(user) or can_edit_pairing(user, pairing):
        return True
    return user.is_school_staff and any(
        p.organisation_id == user.organisation_id for p in pairing.parties.all()
    )


def can_manage_region_pairing(user, region_pairing=None, helper_region=None) -> bool:
    if not _writer(user):
        return False
    if _is_admin(user):
        return True
    if not user.is_coordinator:
        return False
    region = helper_region or (region_pairing.helper_region if region_pairing else None)
    return region is None or region_in_scope(user, region)


def get_visible_or_404(model_or_qs, user, **lookup):
    """The one way a view fetches a single object: 404 if missing or off-limits."""
    qs = model_or_qs if hasattr(model_or_qs, "model") and hasattr(model_or_qs, "query") else None
    if qs is None:
        qs = model_or_qs.objects.all()
    try:
        return qs.visible_to(user).get(**lookup)
    except (qs.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
