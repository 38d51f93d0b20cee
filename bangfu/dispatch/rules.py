"""Who may change dispatches, visiting batches and training classes.

Built only from ``bangfu.core.access``: acting for an organisation means what
``access.can_edit_organisation`` says (its own staff, the coordinator whose
region contains it, admins; never auditors).
"""

from __future__ import annotations

from bangfu.core import access


def can_record(user) -> bool:
    """May open the forms that create records at all (the sender/host is checked on save)."""
    return access.can_create_person(user)


def acts_for_sender(user, dispatch) -> bool:
    return access.can_edit_organisation(user, dispatch.sender)


def acts_for_host(user, dispatch) -> bool:
    """The host school's staff or coordinator; without a host school, the host region's coordinator."""
    if dispatch.host_id is not None:
        return access.can_edit_organisation(user, dispatch.host)
    if not (user.is_authenticated and user.is_active) or user.read_only:
        return False
    if user.is_platform_admin:
        return True
    return user.is_coordinator and access.region_in_scope(user, dispatch.host_region)


def can_edit_dispatch(user, dispatch) -> bool:
    return acts_for_sender(user, dispatch)


def can_log_dispatch(user, dispatch) -> bool:
    """Work logs and monthly reports: either the sending or the hosting side."""
    return acts_for_sender(user, dispatch) or acts_for_host(user, dispatch)


def can_assess_dispatch(user, dispatch) -> bool:
    return acts_for_host(user, dispatch)


def can_manage_visit(user, batch) -> bool:
    return access.can_edit_organisation(user, batch.host)


def can_manage_class(user, training_class) -> bool:
    return access.can_edit_organisation(user, training_class.organiser)


def batch_visibility_q(user):
    """Batches of the organisations the user can see: a batch is a label, not personal data."""
    from django.db.models import Q

    from bangfu.orgs.models import Organisation

    return Q(sender__in=Organisation.objects.filter(access.organisation_visibility_q(user)))
