"""Writes to visiting batches (跟岗), their trainees (一人一案, 师徒结对) and mentor sessions.

Same contract as ``services``: ValidationError keyed by field, one
transaction, an audit entry per write.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from bangfu.audit import services as audit
from bangfu.core import access
from bangfu.core.forms import save_versioned
from bangfu.orgs.models import Organisation, Person
from bangfu.pairings.models import Pairing, RegionPairing

from .models import MentorSession, Trainee, VisitBatch
from .services import INVALID_CHOICE, add_error, check_period, raise_errors

BATCH_FIELDS = [
    "host",
    "sending_region",
    "pairing",
    "region_pairing",
    "title",
    "number",
    "start_date",
    "end_date",
    "forms_of_study",
]


def _check_batch(errors, actor, v: dict) -> None:
    host = v.get("host")
    if (
        host is None
        or not Organisation.objects.filter(
            access.editable_organisations_q(actor), pk=host.pk
        ).exists()
    ):
        add_error(errors, "host", INVALID_CHOICE)
        host = None
    pairing, region_pairing = v.get("pairing"), v.get("region_pairing")
    if pairing is not None:
        if not Pairing.objects.visible_to(actor).filter(pk=pairing.pk).exists():
            add_error(errors, "pairing", INVALID_CHOICE)
        elif (
            host is not None
            and not pairing.parties.filter(organisation=host, side="helper").exists()
        ):
            add_error(errors, "pairing", _("接待单位须是所选结对关系的帮扶方。"))
    if region_pairing is not None and not (
        RegionPairing.objects.visible_to(actor).filter(pk=region_pairing.pk).exists()
    ):
        add_error(errors, "region_pairing", INVALID_CHOICE)
    if v.get("number") is not None and v["number"] < 1:
        add_error(errors, "number", _("批次须从 1 开始。"))
    check_period(errors, v.get("start_date"), v.get("end_date"))


@audit.attributed
@transaction.atomic
def create_visit_batch(*, actor, **values) -> VisitBatch:
    errors: dict[str, list[str]] = {}
    _check_batch(errors, actor, values)
    raise_errors(errors)
    batch = VisitBatch.objects.create(
        **{f: values.get(f) for f in BATCH_FIELDS if f in values},
        created_by=actor,
        updated_by=actor,
    )
    return batch


@audit.attributed
@transaction.atomic
def update_visit_batch(batch: VisitBatch, *, actor, version: int | None, **values) -> VisitBatch:
    """Raises StaleEdit when someone saved since ``version``."""
    merged = {f: values.get(f, getattr(batch, f)) for f in BATCH_FIELDS}
    errors: dict[str, list[str]] = {}
    _check_batch(errors, actor, merged)
    raise_errors(errors)
    for field, value in merged.items():
        setattr(batch, field, value)
    batch.updated_by = actor
    save_versioned(batch, version, BATCH_FIELDS + ["updated_by", "updated_at"])
    return batch


def _check_mentor(errors, batch: VisitBatch, mentor: Person | None) -> None:
    if mentor is None:
        return
    if mentor.organisation_id != batch.host_id:
        add_error(errors, "mentor", _("导师须是接待单位(%(host)s)的教师。") % {"host": batch.host})
    elif not mentor.is_backbone:
        add_error(
            errors, "mentor", _("导师须是骨干教师:%(name)s 不是骨干教师。") % {"name": mentor.name}
        )


def _new_person(errors, actor, batch, name: str, organisation, subjects: str) -> Person | None:
    if not name:
        add_error(errors, "new_name", _("请选择已有人员,或填写新学员的姓名和单位。"))
    if organisation is None or not (
        Organisation.objects.visible_to(actor).filter(pk=organisation.pk).exists()
    ):
        add_error(errors, "new_organisation", INVALID_CHOICE)
    elif organisation.pk == batch.host_id:
        add_error(errors, "new_organisation", _("学员须来自受援方单位,不能是接待单位本身。"))
    if errors:
        return None
    person = Person(name=name, organisation=organisation, subjects=subjects, created_by=actor)
    person.refresh_search()
    person.save()
    return person


@audit.attributed
@transaction.atomic
def add_trainee(
    batch: VisitBatch,
    *,
    actor,
    person: Person | None = None,
    new_name: str = "",
    new_organisation: Organisation | None = None,
    new_subjects: str = "",
    mentor: Person | None = None,
    goals: str = "",
    outcome: str = "",
) -> Trainee:
    """An existing visible person, or a new one created in a recipient organisation."""
    errors: dict[str, list[str]] = {}
    _check_mentor(errors, batch, mentor)
    if person is not None:
        if not Person.objects.visible_to(actor).filter(pk=person.pk).exists():
            add_error(errors, "person", INVALID_CHOICE)
        elif person.organisation_id == batch.host_id:
            add_error(errors, "person", _("学员须来自受援方单位,不能是接待单位的人员。"))
        elif Trainee.objects.filter(batch=batch, person=person).exists():
            add_error(errors, "person", _("%(name)s 已在本批次中。") % {"name": person.name})
        raise_errors(errors)
    else:
        raise_errors(errors)
        person = _new_person(errors, actor, batch, new_name, new_organisation, new_subjects)
        raise_errors(errors)
    trainee = Trainee.objects.create(
        batch=batch, person=person, mentor=mentor, goals=goals, outcome=outcome
    )
    return trainee


@audit.attributed
@transaction.atomic
def update_trainee(
    trainee: Trainee, *, actor, mentor: Person | None, goals: str, outcome: str
) -> Trainee:
    errors: dict[str, list[str]] = {}
    _check_mentor(errors, trainee.batch, mentor)
    raise_errors(errors)
    trainee.mentor, trainee.goals, trainee.outcome = mentor, goals, outcome
    trainee.save(update_fields=["mentor", "goals", "outcome"])
    return trainee


@audit.attributed
@transaction.atomic
def add_mentor_session(
    trainee: Trainee, *, actor, date: dt.date, topic: str, notes: str = ""
) -> MentorSession:
    session = MentorSession.objects.create(trainee=trainee, date=date, topic=topic, notes=notes)
    return session
