"""Writes to training classes (培训班), their enrolments and graduation (结业).

Same contract as ``services``: ValidationError keyed by field, one
transaction, an audit entry per write.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bangfu.audit import services as audit
from bangfu.core import access
from bangfu.core.forms import save_versioned
from bangfu.orgs.models import Organisation, Person
from bangfu.pairings.models import Pairing, RegionPairing

from .models import Enrolment, TrainingClass
from .services import INVALID_CHOICE, add_error, check_period, raise_errors

CLASS_FIELDS = ["name", "organiser", "region_pairing", "pairing", "start_date", "end_date", "note"]


def _check_class(errors, actor, v: dict) -> None:
    organiser = v.get("organiser")
    if (
        organiser is None
        or not Organisation.objects.filter(
            access.editable_organisations_q(actor), pk=organiser.pk
        ).exists()
    ):
        add_error(errors, "organiser", INVALID_CHOICE)
    if v.get("pairing") is not None and not (
        Pairing.objects.visible_to(actor).filter(pk=v["pairing"].pk).exists()
    ):
        add_error(errors, "pairing", INVALID_CHOICE)
    if v.get("region_pairing") is not None and not (
        RegionPairing.objects.visible_to(actor).filter(pk=v["region_pairing"].pk).exists()
    ):
        add_error(errors, "region_pairing", INVALID_CHOICE)
    check_period(errors, v.get("start_date"), v.get("end_date"))


@audit.attributed
@transaction.atomic
def create_training_class(*, actor, **values) -> TrainingClass:
    errors: dict[str, list[str]] = {}
    _check_class(errors, actor, values)
    raise_errors(errors)
    tc = TrainingClass.objects.create(
        **{f: values.get(f) for f in CLASS_FIELDS if f in values},
        created_by=actor,
        updated_by=actor,
    )
    return tc


@audit.attributed
@transaction.atomic
def update_training_class(
    tc: TrainingClass, *, actor, version: int | None, **values
) -> TrainingClass:
    """Raises StaleEdit when someone saved since ``version``."""
    merged = {f: values.get(f, getattr(tc, f)) for f in CLASS_FIELDS}
    errors: dict[str, list[str]] = {}
    _check_class(errors, actor, merged)
    raise_errors(errors)
    for field, value in merged.items():
        setattr(tc, field, value)
    tc.updated_by = actor
    save_versioned(tc, version, CLASS_FIELDS + ["updated_by", "updated_at"])
    return tc


@audit.attributed
@transaction.atomic
def enrol_person(tc: TrainingClass, *, actor, person: Person) -> Enrolment:
    if person is None or not Person.objects.visible_to(actor).filter(pk=person.pk).exists():
        raise ValidationError({"person": [INVALID_CHOICE]})
    if tc.graduated:
        raise ValidationError({"person": [_("培训班已结业,不能再报名。")]})
    if Enrolment.objects.filter(training_class=tc, person=person).exists():
        raise ValidationError({"person": [_("%(name)s 已在本班。") % {"name": person.name}]})
    enrolment = Enrolment.objects.create(training_class=tc, person=person)
    return enrolment


@audit.attributed
@transaction.atomic
def graduate_class(
    tc: TrainingClass,
    *,
    actor,
    excluded: Iterable[int] = (),
    today: dt.date | None = None,
) -> int:
    """Marks the class and every enrolment not in ``excluded`` (enrolment ids) graduated.

    Returns the number graduated. Two updates and the audit entry.
    """
    today = today or timezone.localdate()
    if tc.graduated:
        raise ValidationError(_("该培训班已结业。"))
    if today < tc.start_date:
        raise ValidationError(
            _("培训班 %(start)s 开班,开班前不能结业。") % {"start": tc.start_date}
        )
    excluded = {int(pk) for pk in excluded}
    enrolments = Enrolment.objects.filter(training_class=tc)
    count = enrolments.exclude(pk__in=excluded).update(graduated=True)
    enrolments.filter(pk__in=excluded).update(graduated=False)
    tc.graduated = True
    tc.updated_by = actor
    # The enrolments' updates above send no signals: this entry names them.
    with audit.labelled(tc, "status", graduates=count, excluded=sorted(excluded)):
        tc.save(update_fields=["graduated", "updated_by", "updated_at"])
    return count
