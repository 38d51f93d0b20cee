"""Writes to organisations and people: each in one transaction, each audited.

Updates go through :func:`bangfu.core.forms.save_versioned`, so a save made
from a form opened on an older version raises :class:`StaleEdit` and changes
nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from bangfu.audit.services import attributed, record
from bangfu.core import access
from bangfu.core.forms import save_versioned
from bangfu.lib import textnorm

from .models import Organisation, OrganisationName, Person

ORGANISATION_FIELDS = {
    "name",
    "short_name",
    "kind",
    "stage",
    "region",
    "parent",
    "address",
    "note",
    "is_generated",
}
PERSON_FIELDS = {
    "name",
    "kind",
    "organisation",
    "position",
    "subjects",
    "backbone_level",
    "is_generated",
}


def _check_fields(fields: dict[str, Any], allowed: set[str]) -> None:
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"unknown fields: {', '.join(sorted(unknown))}")


def _actor_or_none(actor):
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


# --- organisations ---------------------------------------------------------


@attributed
@transaction.atomic
def create_organisation(*, actor, **fields) -> Organisation:
    """Insert an organisation (its audit entry: bangfu.audit.signals). Cost: two INSERTs."""
    _check_fields(fields, ORGANISATION_FIELDS)
    org = Organisation(**fields)
    org.created_by = org.updated_by = _actor_or_none(actor)
    org.refresh_search()
    org.save()
    return org


@attributed
@transaction.atomic
def update_organisation(
    org: Organisation, *, actor, expected_version: int | None, **fields
) -> Organisation:
    """Change the given fields unless someone saved since ``expected_version`` (StaleEdit).

    Cost: one SELECT for the audit's "before", one UPDATE, one INSERT.
    """
    _check_fields(fields, ORGANISATION_FIELDS)
    for name, value in fields.items():
        setattr(org, name, value)
    org.updated_by = _actor_or_none(actor)
    org.refresh_search()
    save_versioned(
        org,
        expected_version,
        [*fields, "search_text", "sort_key", "updated_by", "updated_at"],
    )
    return org


@attributed
@transaction.atomic
def rename_organisation(
    org: Organisation,
    new_name: str,
    *,
    actor,
    valid_until: dt.date | None,
    note: str = "",
    expected_version: int | None = None,
) -> Organisation:
    """Give the organisation a new name and keep the old one as a former name.

    Both names stay searchable (城关小学 → 城关朝阳希望小学). ``expected_version``
    defaults to the version the instance was loaded with.
    """
    new_name = new_name.strip()
    old_name = Organisation.objects.only("name").get(pk=org.pk).name
    if expected_version is None:
        expected_version = org.version
    if new_name == old_name:
        return org
    former, created = OrganisationName.objects.get_or_create(
        organisation=org, name=old_name, defaults={"valid_until": valid_until, "note": note}
    )
    if not created:
        former.valid_until = valid_until
        former.note = note or former.note
        former.save(update_fields=["valid_until", "note"])
    org.name = new_name
    org.updated_by = _actor_or_none(actor)
    org.refresh_search()
    save_versioned(
        org, expected_version, ["name", "search_text", "sort_key", "updated_by", "updated_at"]
    )
    return org


def refresh_organisation_search(org: Organisation) -> None:
    """After former names were edited elsewhere (the admin inline)."""
    org.refresh_search()
    Organisation.objects.filter(pk=org.pk).update(
        search_text=org.search_text, sort_key=org.sort_key
    )


# --- people ----------------------------------------------------------------


def _apply_personal_data(person: Person, id_number: str | None, phone: str | None) -> list[str]:
    """None keeps the stored value; "" clears it; anything else replaces it."""
    changed = []
    if id_number is not None:
        person.set_id_number(id_number)
        changed += ["id_number_enc", "id_number_hash", "id_number_masked"]
    if phone is not None:
        person.set_phone(phone)
        changed += ["phone_enc", "phone_hash", "phone_masked"]
    return changed


@attributed
@transaction.atomic
def create_person(
    *, actor, id_number: str | None = None, phone: str | None = None, **fields
) -> Person:
    """Insert a person; the ID and phone numbers are stored encrypted, hashed and masked."""
    _check_fields(fields, PERSON_FIELDS)
    person = Person(**fields)
    _apply_personal_data(person, id_number, phone)
    person.created_by = person.updated_by = _actor_or_none(actor)
    person.refresh_search()
    person.save()
    return person


@attributed
@transaction.atomic
def update_person(
    person: Person,
    *,
    actor,
    expected_version: int | None,
    id_number: str | None = None,
    phone: str | None = None,
    **fields,
) -> Person:
    """Change a person unless someone saved since ``expected_version`` (StaleEdit).

    ``id_number``/``phone``: None keeps the stored number, "" clears it. The
    audit entry holds only the masked forms.
    """
    _check_fields(fields, PERSON_FIELDS)
    current = Person.objects.get(pk=person.pk)
    if current.erased_at is not None:
        raise AlreadyErased
    for name, value in fields.items():
        setattr(person, name, value)
    secret_fields = _apply_personal_data(person, id_number, phone)
    person.updated_by = _actor_or_none(actor)
    person.refresh_search()
    save_versioned(
        person,
        expected_version,
        [*fields, *secret_fields, "search_text", "sort_key", "updated_by", "updated_at"],
    )
    return person


@transaction.atomic
def reveal_personal_data(person: Person, *, actor) -> dict[str, str]:
    """The full ID and phone numbers, for a user allowed to see them; audited as "reveal"."""
    if not access.can_reveal_personal_data(actor, person):
        raise PermissionDenied
    record(
        "reveal",
        actor=actor,
        instance=person,
        changes={"fields": ["id_number", "phone"]},
    )
    return {"id_number": person.id_number(), "phone": person.phone()}


# --- erasure on request ----------------------------------------------------------

# The name an erased person is shown under: the same for everyone, so nothing
# about the person can be read from it.
ERASED_NAME = "已删除人员"
# What erasure clears (and the audit entry names, without their values).
ERASED_FIELDS = ("name", "position", "phone", "id_number", "search_text")


class AlreadyErased(Exception):
    pass


@transaction.atomic
def erase_person(person: Person, *, actor) -> Person:
    """Erase a person's personal data on request; it cannot be undone.

    The name becomes :data:`ERASED_NAME`; the ID and phone numbers (ciphertext,
    lookup hash and masked form), the position and the search text are
    cleared. The row stays with its organisation, kind, subjects and backbone
    level, so the dispatches, trainee places, enrolments and activities that
    name the person still count. The audit entry names the cleared fields,
    never their values.

    Cost: one SELECT ... FOR UPDATE, one UPDATE, the audit INSERT. The UPDATE
    is a queryset update on purpose: it writes no per-field "before" anywhere.
    """
    locked = (
        Person.objects.select_for_update().select_related("organisation__region").get(pk=person.pk)
    )
    if locked.erased_at is not None:
        raise AlreadyErased
    if not access.can_erase_person(actor, locked):
        raise PermissionDenied
    now = timezone.now()
    values = {
        "name": ERASED_NAME,
        "position": "",
        "phone_enc": "",
        "phone_hash": "",
        "phone_masked": "",
        "id_number_enc": "",
        "id_number_hash": "",
        "id_number_masked": "",
        "search_text": "",
        "sort_key": textnorm.sort_key(ERASED_NAME),
        "erased_at": now,
        "updated_at": now,
        "updated_by": _actor_or_none(actor),
    }
    Person.objects.filter(pk=locked.pk).update(version=F("version") + 1, **values)
    person.refresh_from_db()
    record("delete", actor=actor, instance=person, changes={"erased": list(ERASED_FIELDS)})
    return person
