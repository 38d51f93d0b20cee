"""Who may see and change what: the one place that decides.

Visibility is expressed as Q objects used by each model's
``QuerySet.visible_to(user)``; single objects are fetched through
:func:`get_visible_or_404`, which answers 404 whether the object is missing or
off-limits. Changes are decided by the ``can_*`` functions; a view that gets
``False`` answers 403.

Scope by role:
- coordinator of a bureau: every pairing where a party's region is the
  bureau's region or below it; region pairings touching that subtree; the
  organisations in that subtree, in the partner regions of its region
  pairings, and every party of its pairings.
- school staff: its own organisation's pairings; its own organisation and its
  partners; the organisations of partner regions (to propose pairings).
- system administrator, security administrator, security auditor (三员分立)
  and accounts not yet granted a role: no business data at all. Each works in
  its own area (:data:`ROLE_AREAS`); every other page answers 403.
- the server operator of a management command (never a saved account):
  everything.
"""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404

NOTHING = Q(pk__in=[])


def _is_admin(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.is_platform_admin)


def _org(user):
    """The organisation a business user acts for; None for everyone else."""
    if not (user and user.is_authenticated and user.is_active and user.is_business_user):
        return None
    return user.organisation


def scope_region(user):
    """The region a coordinator oversees (its bureau's region)."""
    org = _org(user)
    if org is None or not user.is_coordinator:
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
    # An erased person (erasure on request) is never filled in again.
    return person.erased_at is None and can_edit_organisation(user, person.organisation)


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


# --- the work ledger -------------------------------------------------------
#
# Ledger records hang off a pairing (or a region pairing): whoever sees the
# pairing sees its records. Changes follow the sides: the helper side drafts
# plans and claims needs, the recipient side lists needs and confirms
# activities; coordinators act for every organisation in their region.


def visible_pairing_ids(user):
    from bangfu.pairings.models import Pairing

    return Pairing.objects.filter(pairing_visibility_q(user)).values("pk")


def visible_region_pairing_ids(user):
    from bangfu.pairings.models import RegionPairing

    return RegionPairing.objects.filter(region_pairing_visibility_q(user)).values("pk")


def via_pairing_q(user, prefix: str = "") -> Q:
    """Records with a required pairing foreign key."""
    if _is_admin(user):
        return Q()
    return Q(**{f"{prefix}pairing__in": visible_pairing_ids(user)})


def _via_either_pairing_q(user) -> Q:
    """Records linked to a pairing and/or a region pairing."""
    return Q(pairing__in=visible_pairing_ids(user)) | Q(
        region_pairing__in=visible_region_pairing_ids(user)
    )


def _own_or_scope_q(user, *org_fields: str, region_fields: tuple[str, ...] = ()) -> Q:
    org = _org(user)
    if org is None:
        return NOTHING
    q = NOTHING
    for field in org_fields:
        q |= Q(**{field: org.pk})
    region = scope_region(user)
    if region is not None:
        for field in org_fields:
            q |= region.subtree_q(f"{field}__region__")
        for field in region_fields:
            q |= region.subtree_q(f"{field}__")
    return q


def activity_visibility_q(user) -> Q:
    if _is_admin(user):
        return Q()
    if _org(user) is None:
        return NOTHING
    return _via_either_pairing_q(user) | _own_or_scope_q(
        user, "organiser", region_fields=("recipient_region", "helper_region")
    )


def project_visibility_q(user) -> Q:
    if _is_admin(user):
        return Q()
    if _org(user) is None:
        return NOTHING
    return Q(region_pairing__in=visible_region_pairing_ids(user)) | _own_or_scope_q(
        user, "owner", region_fields=("recipient_region",)
    )


def dispatch_visibility_q(user) -> Q:
    if _is_admin(user):
        return Q()
    if _org(user) is None:
        return NOTHING
    return Q(pairing__in=visible_pairing_ids(user)) | _own_or_scope_q(
        user, "sender", "host", region_fields=("host_region",)
    )


def visit_batch_visibility_q(user) -> Q:
    if _is_admin(user):
        return Q()
    if _org(user) is None:
        return NOTHING
    return _via_either_pairing_q(user) | _own_or_scope_q(
        user, "host", region_fields=("sending_region",)
    )


def training_class_visibility_q(user) -> Q:
    if _is_admin(user):
        return Q()
    if _org(user) is None:
        return NOTHING
    return _via_either_pairing_q(user) | _own_or_scope_q(user, "organiser")


def support_visibility_q(user) -> Q:
    if _is_admin(user):
        return Q()
    if _org(user) is None:
        return NOTHING
    return _via_either_pairing_q(user) | _own_or_scope_q(
        user, "donor", "recipient", region_fields=("recipient_region",)
    )


def resource_visibility_q(user) -> Q:
    """Shared in a pairing: that pairing's viewers. Shared with all partners: every partner."""
    if _is_admin(user):
        return Q()
    org = _org(user)
    if org is None:
        return NOTHING
    return (
        Q(scope="pairing", pairing__in=visible_pairing_ids(user))
        | Q(scope="all_partners", owner__in=partner_org_ids(user))
        | _own_or_scope_q(user, "owner")
    )


def side_of(user, pairing) -> str | None:
    """'helper' or 'recipient' when the user acts for a side of the pairing, else None.

    School staff act for their own organisation's side; a coordinator for the
    side whose organisations lie in its region (helper first).
    """
    if not _writer(user) or _is_admin(user):
        return None
    parties = list(pairing.parties.all())
    if user.is_school_staff:
        for party in parties:
            if party.organisation_id == user.organisation_id:
                return party.side
        return None
    if user.is_coordinator:
        for side in ("helper", "recipient"):
            if any(
                p.side == side and region_in_scope(user, p.organisation.region) for p in parties
            ):
                return side
    return None


def can_act_for_side(user, pairing, side: str) -> bool:
    """Admins act for either side; others only for the side they belong to."""
    if not _writer(user):
        return False
    if _is_admin(user):
        return True
    if user.is_coordinator:
        return any(
            p.side == side and region_in_scope(user, p.organisation.region)
            for p in pairing.parties.all()
        )
    return side_of(user, pairing) == side


def side_pairings_q(user, side: str, prefix: str = "") -> Q:
    """Pairings where ``user`` may act for ``side``: the query form of :func:`can_act_for_side`.

    One subquery, whatever the number of pairings, so list pages and choice
    fields stay at a constant query count.
    """
    if not _writer(user):
        return NOTHING
    if _is_admin(user):
        return Q()
    from bangfu.pairings.models import PairingParty

    parties = PairingParty.objects.filter(side=side)
    if user.is_coordinator:
        region = scope_region(user)
        if region is None:
            return NOTHING
        parties = parties.filter(region.subtree_q("organisation__region__"))
    elif user.is_school_staff and user.organisation_id:
        parties = parties.filter(organisation_id=user.organisation_id)
    else:
        return NOTHING
    return Q(**{f"{prefix}pk__in": parties.values("pairing_id")})


# Public names for the building blocks other apps' rules are made of.
is_writer = _writer
is_admin = _is_admin


def can_record_in_pairing(user, pairing) -> bool:
    """Either side may record ledger entries of a pairing it belongs to."""
    return can_act_for_side(user, pairing, "helper") or can_act_for_side(user, pairing, "recipient")


# --- statistics: may figures be read from the roll-ups? ---------------------------


def sees_every_activity(user) -> bool:
    """True when no activity is hidden from the user (figures for the whole country)."""
    return activity_visibility_q(user) == Q()


def sees_whole_region(user, region) -> bool:
    """True when every activity with a side in ``region`` is visible to the user.

    A coordinator sees every activity whose helper or recipient region lies in
    their region; so a region at or below theirs is seen whole.
    """
    if sees_every_activity(user):
        return True
    return bool(getattr(user, "is_coordinator", False)) and region_in_scope(user, region)


# --- separation of duties (三员分立) ----------------------------------------
#
# The system administrator keeps accounts and configuration, the security
# administrator grants roles and unlocks accounts, the security auditor reads
# the audit trail. None of them sees business data, and an account waiting for
# its role sees only its own profile.


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def is_business_user(user) -> bool:
    """Coordinators and school staff: the roles that work with the business data."""
    return _active(user) and user.is_business_user


def can_manage_accounts(user) -> bool:
    """Create, edit, disable and re-enable accounts, reset passwords: the system administrator."""
    return _active(user) and user.is_sysadmin


def can_grant_roles(user) -> bool:
    """Grant and change roles and organisations: the security administrator."""
    return _active(user) and user.is_secadmin


def can_unlock_accounts(user) -> bool:
    """Unlock accounts locked by failed sign-ins, reset two-factor devices: the security administrator."""
    return _active(user) and user.is_secadmin


def can_read_audit_trail(user) -> bool:
    """Read and export the audit trail: the security auditor."""
    return _active(user) and user.is_auditor


def account_visibility_q(user) -> Q:
    """Accounts the system and the security administrator look up: all of them."""
    if can_manage_accounts(user) or can_grant_roles(user):
        return Q()
    return NOTHING


def can_change_role_of(user, account) -> bool:
    """Nobody grants a role to themselves."""
    return can_grant_roles(user) and account.pk != user.pk


def can_manage_account(user, account) -> bool:
    """The system administrator manages every account but never disables or resets their own here."""
    return can_manage_accounts(user) and account.pk != user.pk


# URL namespaces (and names) each role outside the business may open; every
# other URL answers 403 for them (bangfu.accounts.middleware.RoleAreaMiddleware).
# Inside an area each view still checks its own can_* rule.
ROLE_AREAS = {
    "sysadmin": frozenset({"accounts", "otp", "admin"}),
    "secadmin": frozenset({"accounts", "otp"}),
    "auditor": frozenset({"accounts", "otp", "audit"}),
    "pending": frozenset({"accounts", "otp"}),
}
OPEN_URL_NAMES = frozenset({"set_language", "core:healthz"})
# Where each of them starts: the home page shows business figures.
LANDING = {
    "sysadmin": "accounts:user_list",
    "secadmin": "accounts:role_list",
    "auditor": "audit:list",
    "pending": "accounts:profile",
}


def landing_url_name(user) -> str | None:
    """The start page of a role outside the business; None for business users."""
    if not _active(user) or user.is_business_user:
        return None
    return LANDING.get(user.role)


def may_open(user, namespace: str, view_name: str) -> bool:
    """May ``user`` open a URL of this namespace at all? Business users: yes, the view decides."""
    if not _active(user) or user.is_business_user:
        return True
    if view_name in OPEN_URL_NAMES:
        return True
    return namespace in ROLE_AREAS.get(user.role, frozenset())


# Django admin: model permissions by role, never by group or per-user grant.
# The system administrator reaches accounts and configuration only; regions
# are reference data to look at. Business models, the audit trail, the
# lockout records and two-factor devices are not theirs.
ADMIN_SITE_PERMISSIONS = {
    "sysadmin": frozenset(
        {
            "accounts.view_user",
            "accounts.add_user",
            "accounts.change_user",
            "needs.view_needcategory",
            "needs.add_needcategory",
            "needs.change_needcategory",
            "regions.view_region",
            "regions.view_regionalias",
        }
    ),
}


def admin_site_allows(user, perm: str) -> bool:
    return _active(user) and user.is_staff and perm in ADMIN_SITE_PERMISSIONS.get(user.role, ())


def admin_site_allows_app(user, app_label: str) -> bool:
    if not (_active(user) and user.is_staff):
        return False
    return any(p.startswith(f"{app_label}.") for p in ADMIN_SITE_PERMISSIONS.get(user.role, ()))


# --- personal data and two-factor sign-in ------------------------------------


def personal_data_reveal_q(user, prefix: str = "") -> Q:
    """People whose full numbers the user may see: the query form of
    :func:`can_reveal_personal_data` (``prefix`` leads to a Person)."""
    if not _writer(user) or _is_admin(user):
        return NOTHING
    if user.is_coordinator:
        region = scope_region(user)
        return region.subtree_q(f"{prefix}organisation__region__") if region else NOTHING
    if user.is_school_staff and user.organisation_id:
        return Q(**{f"{prefix}organisation_id": user.organisation_id})
    return NOTHING


def can_erase_person(user, person) -> bool:
    """Erasure on request (PIPL): the person's own organisation or its coordinator,
    by the write rules of :func:`can_edit_person`; never the server operator."""
    return can_edit_person(user, person) and not _is_admin(user)


def can_reset_two_factor(user, account) -> bool:
    """Remove another account's two-factor devices: the security administrator."""
    return can_unlock_accounts(user) and account.pk != user.pk
