"""Writes to the activity ledger: activities, evidence, confirmation, sign-in and locks.

Every function checks the domain rules, raises ``ValidationError`` keyed by
form field name (``__all__`` for form-wide messages) and runs in one
transaction, in which each write leaves its audit entry
(``bangfu.audit.signals``). Rights are checked here too (``PermissionDenied``),
so a forged request never gets through; a view checks them first to answer 403.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bangfu.audit import services as audit
from bangfu.core.forms import save_versioned
from bangfu.lib import textnorm
from bangfu.lib.semester import semester_of, year_bounds
from bangfu.orgs.models import Organisation, Person
from bangfu.pairings.models import Pairing, PairingParty, RegionPairing
from bangfu.pairings.services import PAIRING_DELETED
from bangfu.plans.models import Project

from . import rules, uploads
from .models import (
    Activity,
    ActivityFile,
    ActivityType,
    InvalidConfirmation,
    LedgerLock,
    SignIn,
)

INVALID_CHOICE = gettext_lazy("选择一个有效的选项。")
LOCKED_MESSAGE = gettext_lazy(
    "该学期的台账已审核锁定,不能新增或修改活动。如需更正,请联系教育行政部门重新开放。"
)
NEGATIVE_MESSAGE = gettext_lazy("不能为负数。")

COUNT_FIELDS = ("helper_headcount", "recipient_headcount", "person_times")
NUMBER_FIELDS = ("sessions", *COUNT_FIELDS, "backbone_count")
TEXT_FIELDS = ("title", "place", "subjects", "lesson_titles", "outcome")
# Scalar fields a form may set; pairing and region pairing are fixed once recorded.
EDITABLE_FIELDS = [
    "type",
    "title",
    "start_date",
    "end_date",
    "mode",
    "direction",
    "place",
    "organiser",
    "sessions",
    "helper_headcount",
    "recipient_headcount",
    "person_times",
    "backbone_count",
    "subjects",
    "lesson_titles",
    "led_by",
    "outcome",
]
M2M_FIELDS = ("leaders", "plan_tasks", "projects", "needs")


def _raise(errors: dict[str, list]) -> None:
    if errors:
        raise ValidationError(errors)


def _add(errors: dict[str, list], field: str, message) -> None:
    errors.setdefault(field, []).append(message)


# --- locks -----------------------------------------------------------------


def _region_and_above(region) -> list[int]:
    if region is None:
        return []
    return [region.pk, *(r.pk for r in region.ancestors())]


def covering_locks(activity: Activity):
    """Active locks of the activity's semester over its pairing or a region holding it.

    Walks the two regions' ancestors (a few queries), then one query for the locks.
    """
    if activity.start_date is None:
        return LedgerLock.objects.none()
    semester = semester_of(activity.start_date)
    regions = _region_and_above(activity.recipient_region) + _region_and_above(
        activity.helper_region
    )
    scope = Q(region__in=regions)
    if activity.pairing_id:
        scope |= Q(pairing_id=activity.pairing_id)
    return LedgerLock.objects.filter(
        scope, academic_year=semester.year, term=semester.term, reopened_at__isnull=True
    )


def is_locked(activity: Activity) -> bool:
    return covering_locks(activity).exists()


def _refuse_if_locked(activity: Activity) -> None:
    if is_locked(activity):
        raise ValidationError({NON_FIELD_ERRORS: [LOCKED_MESSAGE]})


@audit.attributed
@transaction.atomic
def lock_period(
    *,
    actor,
    academic_year: int,
    term: int,
    pairing: Pairing | None = None,
    region=None,
) -> LedgerLock:
    """Lock a semester's ledger for one pairing or a whole region (审核锁定)."""
    errors: dict[str, list] = {}
    if (pairing is None) == (region is None):
        _add(errors, NON_FIELD_ERRORS, _("请选择结对关系或地区,二者选其一。"))
    if term not in (1, 2):
        _add(errors, "term", INVALID_CHOICE)
    if not academic_year or not 1990 <= academic_year <= 2100:
        _add(errors, "academic_year", _("请输入有效的学年。"))
    if pairing is not None and not (
        Pairing.objects.visible_to(actor).filter(pk=pairing.pk).exists()
        and rules.can_lock_pairing(actor, pairing)
    ):
        _add(errors, "pairing", INVALID_CHOICE)
    if region is not None and not rules.can_lock_region(actor, region):
        _add(errors, "region", _("您只能锁定本辖区的台账。"))
    _raise(errors)
    existing = LedgerLock.objects.filter(
        academic_year=academic_year, term=term, reopened_at__isnull=True
    ).filter(Q(pairing=pairing) if pairing is not None else Q(region=region))
    if existing.exists():
        raise ValidationError({NON_FIELD_ERRORS: [_("该学期台账已经锁定。")]})
    lock = LedgerLock(
        pairing=pairing, region=region, academic_year=academic_year, term=term, locked_by=actor
    )
    with audit.labelled(lock, "lock"):
        lock.save()
    return lock


@audit.attributed
@transaction.atomic
def reopen_period(lock: LedgerLock, *, actor, reason: str) -> LedgerLock:
    """Reopen a locked semester; the lock row stays with who reopened it and why."""
    if not rules.can_reopen_lock(actor, lock):
        raise PermissionDenied
    reason = (reason or "").strip()
    errors: dict[str, list] = {}
    if not lock.is_active:
        _add(errors, NON_FIELD_ERRORS, _("该锁定已经重新开放。"))
    if not reason:
        _add(errors, "reason", _("请填写重新开放的原因。"))
    _raise(errors)
    lock.reopened_by = actor
    lock.reopened_at = timezone.now()
    lock.reopen_reason = reason[:200]
    with audit.labelled(lock, "reopen"):
        lock.save(update_fields=["reopened_by", "reopened_at", "reopen_reason"])
    return lock


# --- activities --------------------------------------------------------------


def derive_regions(pairing: Pairing | None, region_pairing: RegionPairing | None):
    """``(helper_region, recipient_region, region_pairing)`` from the lead parties or the
    region pairing. One query for the parties."""
    if pairing is not None:
        parties = PairingParty.objects.filter(pairing=pairing).select_related(
            "organisation__region"
        )
        regions = {}
        for party in sorted(parties, key=lambda p: (not p.is_lead, p.pk)):
            regions.setdefault(party.side, party.organisation.region)
        return (
            regions.get(PairingParty.Side.HELPER),
            regions.get(PairingParty.Side.RECIPIENT),
            pairing.region_pairing,
        )
    return region_pairing.helper_region, region_pairing.recipient_region, region_pairing


def _default_organiser(actor, pairing, side):
    if pairing is not None:
        parties = PairingParty.objects.filter(pairing=pairing, side=side).select_related(
            "organisation"
        )
        if actor.organisation_id and any(
            p.organisation_id == actor.organisation_id for p in parties
        ):
            return actor.organisation
        lead = sorted(parties, key=lambda p: (not p.is_lead, p.pk))
        if lead:
            return lead[0].organisation
    return actor.organisation if actor.organisation_id else None


def _check_values(errors, values: dict) -> None:
    if values.get("type") not in ActivityType.values:
        _add(errors, "type", INVALID_CHOICE)
    for field in ("mode", "direction", "led_by"):
        choices = Activity._meta.get_field(field).choices
        if values.get(field) not in {c[0] for c in choices}:
            _add(errors, field, INVALID_CHOICE)
    if not (values.get("title") or "").strip():
        _add(errors, "title", _("请填写活动名称。"))
    start, end = values.get("start_date"), values.get("end_date")
    if start is None:
        _add(errors, "start_date", _("请填写开始日期。"))
    if end is None:
        _add(errors, "end_date", _("请填写结束日期。"))
    if start and end and end < start:
        _add(errors, "end_date", _("结束日期不能早于开始日期。"))
    numbers_ok = True
    for field in NUMBER_FIELDS:
        value = values.get(field)
        if not isinstance(value, int) or value < 0:
            _add(errors, field, NEGATIVE_MESSAGE)
            numbers_ok = False
    if numbers_ok:
        headcount = values["helper_headcount"] + values["recipient_headcount"]
        if values["person_times"] < headcount:
            _add(errors, "person_times", _("人次不能少于人数(帮扶方人数与受援方人数之和)。"))


def _check_links(errors, actor, *, pairing, region_pairing, recipient_region, links) -> None:
    """Everything linked must be visible and of the same pairing (or region pairing)."""
    if links.get("organiser") is not None and not (
        Organisation.objects.visible_to(actor).filter(pk=links["organiser"].pk).exists()
    ):
        _add(errors, "organiser", INVALID_CHOICE)
    tasks = list(links.get("plan_tasks") or [])
    if any(pairing is None or t.plan.pairing_id != pairing.pk for t in tasks):
        _add(errors, "plan_tasks", INVALID_CHOICE)
    needs = list(links.get("needs") or [])
    if any(pairing is None or n.pairing_id != pairing.pk for n in needs):
        _add(errors, "needs", INVALID_CHOICE)
    projects = list(links.get("projects") or [])
    if projects:
        visible = set(
            Project.objects.visible_to(actor)
            .filter(pk__in=[p.pk for p in projects])
            .values_list("pk", flat=True)
        )
        rp_id = region_pairing.pk if region_pairing is not None else None
        for project in projects:
            same = (rp_id is not None and project.region_pairing_id == rp_id) or (
                recipient_region is not None and project.recipient_region_id == recipient_region.pk
            )
            if project.pk not in visible or not same:
                _add(errors, "projects", INVALID_CHOICE)
                break
    leaders = list(links.get("leaders") or [])
    if leaders:
        ids = {p.pk for p in leaders}
        seen = set(Person.objects.visible_to(actor).filter(pk__in=ids).values_list("pk", flat=True))
        if ids - seen:
            _add(errors, "leaders", INVALID_CHOICE)


def _search_text(activity: Activity) -> str:
    return textnorm.search_blob(activity.title, *activity.lesson_title_list)


def _set_links(activity: Activity, links: dict) -> None:
    for field in M2M_FIELDS:
        if field in links and links[field] is not None:
            getattr(activity, field).set(list(links[field]))


def _split(values: dict) -> tuple[dict, dict]:
    links = {f: values.pop(f) for f in (*M2M_FIELDS, "organiser") if f in values}
    for field in TEXT_FIELDS:
        if field in values and values[field] is not None:
            values[field] = values[field].strip()
    return values, links


@audit.attributed
@transaction.atomic
def record_activity(
    *,
    actor,
    pairing: Pairing | None = None,
    region_pairing: RegionPairing | None = None,
    **fields,
) -> Activity:
    """Record an activity for a pairing (either side) or a region pairing (its coordinator).

    ``fields`` are the model's editable fields plus lists for leaders,
    plan_tasks, projects and needs.
    """
    values, links = _split(dict(fields))
    values = {**{f: Activity._meta.get_field(f).get_default() for f in NUMBER_FIELDS}, **values}
    values.setdefault("mode", Activity.Mode.OFFLINE)
    values.setdefault("direction", Activity.Direction.TO_RECIPIENT)
    values.setdefault("led_by", Activity.LedBy.HELPER)
    errors: dict[str, list] = {}
    _check_values(errors, values)
    if pairing is None and region_pairing is None:
        _add(errors, "pairing", _("请选择结对关系或对口关系。"))
    elif pairing is not None:
        if not (
            Pairing.objects.visible_to(actor).filter(pk=pairing.pk).exists()
            and rules.can_record(actor, pairing=pairing)
        ):
            _add(errors, "pairing", INVALID_CHOICE)
    elif not (
        RegionPairing.objects.visible_to(actor).filter(pk=region_pairing.pk).exists()
        and rules.can_record(actor, region_pairing=region_pairing)
    ):
        _add(errors, "region_pairing", INVALID_CHOICE)
    _raise(errors)

    helper_region, recipient_region, region_pairing = derive_regions(pairing, region_pairing)
    _check_links(
        errors,
        actor,
        pairing=pairing,
        region_pairing=region_pairing,
        recipient_region=recipient_region,
        links=links,
    )
    side = rules.recording_side(actor, pairing) if pairing is not None else ""
    organiser = links.get("organiser") or _default_organiser(actor, pairing, side or "helper")
    if organiser is None:
        _add(errors, "organiser", _("请选择组织单位。"))
    _raise(errors)

    activity = Activity(
        pairing=pairing,
        region_pairing=region_pairing,
        helper_region=helper_region,
        recipient_region=recipient_region,
        organiser=organiser,
        recorded_side=side,
        count_source=Activity.CountSource.REPORTED,
        created_by=actor,
        updated_by=actor,
        **{f: values[f] for f in EDITABLE_FIELDS if f in values and f != "organiser"},
    )
    _refuse_if_locked(activity)
    activity.search_text = _search_text(activity)
    activity.save()
    _set_links(activity, links)
    if pairing is not None:
        activity.receivers.set(
            PairingParty.objects.filter(pairing=pairing, side="recipient").values_list(
                "organisation_id", flat=True
            )
        )
    return activity


@audit.attributed
@transaction.atomic
def update_activity(activity: Activity, *, actor, version: int | None, **fields) -> Activity:
    """Change an activity; raises StaleEdit when someone saved since ``version``.

    Counts typed over sign-in figures are kept and marked as reported.
    """
    if not rules.can_edit_activity(actor, activity):
        raise PermissionDenied
    _refuse_if_locked(activity)
    values, links = _split(dict(fields))
    merged = {f: values.get(f, getattr(activity, f)) for f in EDITABLE_FIELDS if f != "organiser"}
    errors: dict[str, list] = {}
    _check_values(errors, merged)
    _raise(errors)
    _check_links(
        errors,
        actor,
        pairing=activity.pairing,
        region_pairing=activity.region_pairing,
        recipient_region=activity.recipient_region,
        links=links,
    )
    _raise(errors)

    counts_changed = any(merged[f] != getattr(activity, f) for f in COUNT_FIELDS)
    for field, value in merged.items():
        setattr(activity, field, value)
    if links.get("organiser") is not None:
        activity.organiser = links["organiser"]
    if counts_changed:
        activity.count_source = Activity.CountSource.REPORTED
    # The new dates may move the activity into a locked semester.
    _refuse_if_locked(activity)
    activity.search_text = _search_text(activity)
    activity.updated_by = actor
    save_versioned(
        activity,
        version,
        [*EDITABLE_FIELDS, "count_source", "search_text", "updated_by", "updated_at"],
    )
    _set_links(activity, links)
    return activity


@audit.attributed
@transaction.atomic
def confirm_activity(
    activity: Activity, *, actor, rating: int | None, feedback: str, disputed: bool = False
) -> Activity:
    """The recipient side confirms (or disputes) an activity and rates it (反馈协商制)."""
    if not rules.can_confirm_activity(actor, activity):
        raise PermissionDenied
    _refuse_if_locked(activity)
    feedback = (feedback or "").strip()
    errors: dict[str, list] = {}
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        _add(errors, "rating", _("评分须为 1–5 分。"))
    if disputed and not feedback:
        _add(errors, "feedback", _("有异议时请写明反馈意见。"))
    _raise(errors)
    status = Activity.Confirmation.DISPUTED if disputed else Activity.Confirmation.CONFIRMED
    try:
        activity.set_confirmation(
            status, actor=actor, rating=rating, feedback=feedback, when=timezone.now()
        )
    except InvalidConfirmation as exc:
        raise ValidationError({NON_FIELD_ERRORS: [str(exc)]}) from None
    with audit.labelled(activity, "confirm"):
        activity.save(
            update_fields=[
                "confirmation",
                "rating",
                "feedback",
                "confirmed_by",
                "confirmed_at",
                "updated_at",
            ]
        )
    return activity


# --- evidence ----------------------------------------------------------------


@audit.attributed
@transaction.atomic
def add_evidence(
    activity: Activity, *, actor, upload, kind: str, caption: str = ""
) -> ActivityFile:
    """Store a photo (re-encoded, metadata stripped) or a document checked by content.

    Reads the upload's first bytes; a photo is decoded and re-encoded in memory.
    """
    if not rules.can_edit_activity(actor, activity):
        raise PermissionDenied
    _refuse_if_locked(activity)
    if upload is None:
        raise ValidationError({"file": [_("请选择要上传的文件。")]})
    try:
        if kind == ActivityFile.Kind.PHOTO:
            content, mime, ext = uploads.clean_photo(upload)
        elif kind == ActivityFile.Kind.DOCUMENT:
            mime, ext = uploads.check_document(upload)
            upload.seek(0)
            content = upload
        else:
            raise ValidationError({"kind": [INVALID_CHOICE]})
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            raise
        raise ValidationError({"file": exc.messages}) from None
    evidence = ActivityFile(
        activity=activity,
        kind=kind,
        original_name=(getattr(upload, "name", "") or f"file.{ext}")[:200],
        content_type=mime,
        caption=(caption or "").strip()[:200],
        uploaded_by=actor,
    )
    # Stored under a random name with the detected extension, whatever the upload was called.
    evidence.file.save(f"{uuid.uuid4().hex}.{ext}", content, save=False)
    evidence.size = evidence.file.size
    with audit.labelled(evidence, "upload"):
        evidence.save()
    return evidence


# --- sign-in -----------------------------------------------------------------


def _set_signin(activity: Activity, *, actor, open_: bool) -> Activity:
    if not rules.can_edit_activity(actor, activity):
        raise PermissionDenied
    _refuse_if_locked(activity)
    activity.signin_open = open_
    activity.updated_by = actor
    activity.save(update_fields=["signin_open", "updated_by", "updated_at"])
    return activity


@audit.attributed
@transaction.atomic
def open_signin(activity: Activity, *, actor) -> Activity:
    return _set_signin(activity, actor=actor, open_=True)


@audit.attributed
@transaction.atomic
def close_signin(activity: Activity, *, actor) -> Activity:
    return _set_signin(activity, actor=actor, open_=False)


def recount(activity: Activity) -> None:
    """Counts from the sign-ins: person-times, and headcount by side. Two queries."""
    totals = activity.signins.aggregate(
        total=Count("pk"),
        helpers=Count("pk", filter=Q(side=SignIn.Side.HELPER)),
        recipients=Count("pk", filter=Q(side=SignIn.Side.RECIPIENT)),
    )
    # The version moves on, so an edit form opened before these sign-ins is stale.
    # update() sends no signals: track() keeps the statistics roll-ups right.
    from bangfu.stats import rollup

    with rollup.track([activity.pk]):
        Activity.objects.filter(pk=activity.pk).update(
            person_times=totals["total"],
            helper_headcount=totals["helpers"],
            recipient_headcount=totals["recipients"],
            count_source=Activity.CountSource.SIGNED,
            version=F("version") + 1,
        )
    activity.refresh_from_db(
        fields=[
            "person_times",
            "helper_headcount",
            "recipient_headcount",
            "count_source",
            "version",
        ]
    )


@transaction.atomic
def sign_in(activity: Activity, name: str, organisation_name: str, role: str, side: str) -> SignIn:
    """A participant signs in on the public page (no account); duplicates are refused.

    A person is the same whatever the script or spacing: 張三 and 张三 of one school.
    """
    # Serialise sign-ins of one activity so the counts stay exact.
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    if not activity.signin_open:
        raise ValidationError({NON_FIELD_ERRORS: [_("本活动的签到已结束。")]})
    _refuse_if_locked(activity)
    name, organisation_name = (name or "").strip(), (organisation_name or "").strip()
    errors: dict[str, list] = {}
    if not name:
        _add(errors, "name", _("请填写姓名。"))
    if not organisation_name:
        _add(errors, "organisation_name", _("请填写单位(学校)。"))
    if role not in SignIn.Role.values:
        _add(errors, "role", INVALID_CHOICE)
    if side not in SignIn.Side.values:
        _add(errors, "side", INVALID_CHOICE)
    _raise(errors)
    signin = SignIn(
        activity=activity,
        name=name[:50],
        organisation_name=organisation_name[:120],
        name_key=textnorm.fold(name)[:50],
        organisation_key=textnorm.fold(organisation_name)[:120],
        role=role,
        side=side,
    )
    duplicate = ValidationError({"name": [_("您已签到,无需重复签到。")]})
    if SignIn.objects.filter(
        activity=activity, name_key=signin.name_key, organisation_key=signin.organisation_key
    ).exists():
        raise duplicate
    try:
        # No account signs in here: the entry names the public page.
        with transaction.atomic(), audit.acting_as(None, label=_("公开签到页")):
            signin.save()
    except IntegrityError:
        raise duplicate from None
    recount(activity)
    return signin


# --- yearly symposium --------------------------------------------------------


def pairings_missing_symposium(pairings: Iterable[Pairing] | object, year: int):
    """Active pairings (of the given queryset) with no 协作研讨会 in academic ``year``.

    Returns a queryset: one query when evaluated.
    """
    start, end = year_bounds(year)
    held = Activity.objects.filter(
        type=ActivityType.SYMPOSIUM,
        start_date__range=(start, end),
        pairing__isnull=False,  # NOT IN over a NULL would match nothing
    ).values("pairing_id")
    qs = (
        pairings
        if hasattr(pairings, "filter")
        else Pairing.objects.filter(pk__in=[p.pk for p in pairings])
    )
    return qs.filter(status=Pairing.Status.ACTIVE).exclude(pk__in=held)


def today() -> dt.date:
    return timezone.localdate()


# --- deletion (recycle bin) --------------------------------------------------------


def any_locked(activities: Iterable[Activity]) -> bool:
    """Is any of these activities in an approved (locked) semester?

    One lock query per distinct semester, pairing and regions (a few for a pairing's ledger).
    """
    seen = set()
    for activity in activities:
        key = (
            semester_of(activity.start_date),
            activity.pairing_id,
            activity.helper_region_id,
            activity.recipient_region_id,
        )
        if key not in seen:
            seen.add(key)
            if is_locked(activity):
                return True
    return False


def can_delete_activity(user, activity: Activity) -> bool:
    """Whoever may change it, while its semester is not locked."""
    return rules.can_edit_activity(user, activity) and not is_locked(activity)


@audit.attributed
@transaction.atomic
def delete_activity(activity: Activity, *, actor) -> Activity:
    """Move the activity to the recycle bin: it leaves the ledger, its figures and look-ups."""
    activity = Activity.objects.select_for_update(of=("self",)).get(pk=activity.pk)
    if not rules.can_edit_activity(actor, activity):
        raise PermissionDenied
    _refuse_if_locked(activity)
    activity.mark_deleted(actor=actor, when=timezone.now())
    return activity


@audit.attributed
@transaction.atomic
def restore_activity(activity: Activity, *, actor) -> Activity:
    activity = (
        Activity.objects.with_deleted()
        .select_for_update(of=("self",))
        .get(pk=activity.pk, deleted_at__isnull=False)
    )
    if not rules.can_edit_activity(actor, activity):
        raise PermissionDenied
    if activity.pairing_id and activity.pairing.is_deleted:
        raise ValidationError({NON_FIELD_ERRORS: [PAIRING_DELETED]})
    _refuse_if_locked(activity)
    activity.mark_restored()
    return activity
