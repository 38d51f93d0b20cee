"""Importers for the ledgers of people, pairings and region pairings.

Names are resolved the way users write them (full, short or former names, in
either script; 第一中学(宁城) narrows a name by region). A name that fits
several records is an error listing them, never a guess. Each row is checked
against what the user may change: school staff their own organisation,
coordinators their region; a row naming anything else is refused.

Needs and projects with their targets are in :mod:`.importers_plans`, which
builds on the helpers defined here. Each module registers its importers in
``IMPORTERS``; the app's ``ready()`` loads them.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import router
from django.db.models import ProtectedError, QuerySet
from django.db.models.deletion import Collector
from django.utils.translation import gettext as _

from bangfu.core import access
from bangfu.lib import crypto, idcard, textnorm
from bangfu.orgs import services as org_services
from bangfu.orgs.models import Organisation, Person
from bangfu.pairings import services as pairing_services
from bangfu.pairings.models import Pairing, PairingParty, PairingStatusChange, RegionPairing
from bangfu.regions import services as regions

from .columns import KINDS, PAIRING, PERSON, REGION_PAIRING, Column
from .importers import IMPORTERS, Importer, Plan, Planned, _plain
from .models import ImportedRow
from .workbook import DATA_SHEET

# 第一中学(宁城): after folding, full-width brackets are ASCII ones.
_QUALIFIED = re.compile(r"^(?P<name>.+?)\((?P<region>[^()]+)\)$")
_NAME_LIST = re.compile(r"[、,,;;\n]+")
_SUBJECTS = re.compile(r"[、,,;;/\s]+")


def business_writer(user) -> bool:
    """Coordinators and school staff keep the ledgers; no administrator, auditor or
    account waiting for its role imports business data."""
    return bool(
        access.is_writer(user)
        and (user.is_coordinator or user.is_school_staff)
        and user.organisation_id
    )


def inside(region, scope) -> bool:
    """``region`` is ``scope`` or lies below it (no query: the ancestor columns are on the row)."""
    if region is None or scope is None:
        return False
    field = scope.LEVEL_FIELDS.get(scope.level)
    if field is None:
        return region.pk == scope.pk
    return getattr(region, f"{field}_id") == scope.pk


def split_names(text: str) -> list[str]:
    return [part.strip() for part in _NAME_LIST.split(text or "") if part.strip()]


def refuse_if_used(instance, own: tuple = ()) -> None:
    """Raise ProtectedError when deleting ``instance`` would take other records with it.

    Undo removes what the import wrote and nothing else: a record that later
    records refer to (an activity, a plan task, a dispatch, an agreement) stays.
    ``own`` are the models written together with the record (a pairing's
    parties, a project's targets). Cost: one query per relation.
    """
    model = type(instance)
    collector = _collector(instance)
    used = []
    for other, objs in collector.data.items():
        if other is not model and other not in own:
            used.extend(objs)
    for qs in collector.fast_deletes:
        if qs.model is not model and qs.model not in own and qs.exists():
            used.append(qs.model)
    for objs_list in collector.field_updates.values():
        for objs in objs_list:
            if objs.exists() if isinstance(objs, QuerySet) else objs:
                used.append(objs)
    if used:
        raise ProtectedError(_("已被其他记录引用。"), set(map(str, used)))


def _collector(instance) -> Collector:
    collector = Collector(using=router.db_for_write(type(instance)))
    collector.collect([instance])
    return collector


class OrganisationFinder:
    """Organisations the user sees, found by the names users write.

    A full name wins over short and former names; ``第一中学(宁城)`` keeps the
    organisations of that name in 宁城. Cost: one query per distinct name.
    """

    def __init__(self, user):
        self.user = user
        self._cache: dict[str, list[Organisation]] = {}
        self._visible = None

    def find(self, name: str) -> list[Organisation]:
        folded = textnorm.fold(name)
        if folded not in self._cache:
            found = self._matches(folded)
            match = _QUALIFIED.match(folded)
            if not found and match:
                found = self._within(self._matches(match["name"]), match["region"])
            self._cache[folded] = found
        return self._cache[folded]

    def _matches(self, folded: str) -> list[Organisation]:
        if not folded:
            return []
        if self._visible is None:
            # Built once: the user's scope is itself a query (their region pairings).
            self._visible = Organisation.objects.visible_to(self.user)
        rows = list(self._visible.search(folded).select_related("region").prefetch_related("names"))
        full = [o for o in rows if textnorm.fold(o.name) == folded]
        if full:
            return full
        return [
            o
            for o in rows
            if folded == textnorm.fold(o.short_name)
            or any(folded == textnorm.fold(n.name) for n in o.names.all())
        ]

    @staticmethod
    def _within(found: list[Organisation], region_name: str) -> list[Organisation]:
        places = regions.resolve(region_name)
        return [o for o in found if any(inside(o.region, place) for place in places)]


class LedgerImporter(Importer):
    """Base of the ledger importers (here, :mod:`.importers_plans`, :mod:`.importers_work`)."""

    # Choice columns may accept more words than their labels: {column key: {word: code}}.
    ALIASES: dict[str, dict[str, str]] = {}

    @classmethod
    def can_import(cls, user) -> bool:
        """May ``user`` import this kind at all? Each row is still checked on its own."""
        return business_writer(user)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.finder = OrganisationFinder(self.user)
        self.by_key = {c.key: c for c in self.columns}
        self._regions: dict[str, list] = {}
        self._editable: dict[int, bool] = {}

    def col(self, key: str) -> Column:
        return self.by_key[key]

    def plan(self) -> Plan:
        # Checked before the upload too; a job stored before a role change must not run.
        if not self.can_import(self.user):
            plan = Plan(sheet=DATA_SHEET)
            self.error(
                plan, None, None, _("您的账号不能导入%(label)s。") % {"label": KINDS[self.kind][0]}
            )
            return plan
        return super().plan()

    def _lookup(self, column):
        table = super()._lookup(column)
        for word, code in self.ALIASES.get(column.key, {}).items():
            table.setdefault(textnorm.fold(word), code)
        return table

    def find_org(self, plan: Plan, planned: Planned, key: str, name: str):
        """The one organisation ``name`` means, or None with the error noted."""
        found = self.finder.find(name)
        column = self.col(key)
        if not found:
            # The same answer whether the organisation is missing or out of sight.
            self.error(plan, planned.row, column, _("未找到单位“%(name)s”。") % {"name": name})
            return None
        if len(found) > 1:
            self.error(
                plan,
                planned.row,
                column,
                _("单位名称“%(name)s”不唯一,请写全称或在名称后用括号注明地区:%(candidates)s。")
                % {
                    "name": name,
                    "candidates": "、".join(f"{o.name}({o.region.name})" for o in found),
                },
            )
            return None
        return found[0]

    def find_region(self, plan: Plan, planned: Planned, key: str, name: str):
        folded = textnorm.fold(name)
        if folded not in self._regions:
            self._regions[folded] = regions.resolve(name)
        found = self._regions[folded]
        column = self.col(key)
        if not found:
            self.error(plan, planned.row, column, _("未找到地区“%(name)s”。") % {"name": name})
            return None
        if len(found) > 1:
            self.error(
                plan,
                planned.row,
                column,
                _("地区“%(name)s”有多个同名地区,请写明上级或区划代码:%(candidates)s。")
                % {"name": name, "candidates": "、".join(regions.label(r) for r in found)},
            )
            return None
        return found[0]

    def may_edit(self, org: Organisation) -> bool:
        """School staff: their own organisation; coordinators: their region's."""
        if org.pk not in self._editable:
            self._editable[org.pk] = (
                Organisation.objects.filter(access.editable_organisations_q(self.user))
                .filter(pk=org.pk)
                .exists()
            )
        return self._editable[org.pk]

    def changed(self, planned: Planned, instance, fields) -> dict:
        """Filled cells that differ from the record (an empty cell keeps what is stored)."""
        v = planned.values
        return {
            f: v[f] for f in fields if v.get(f) not in (None, "") and v[f] != getattr(instance, f)
        }

    def check_period(self, plan, planned, start="start_date", end="end_date", message="") -> bool:
        v = planned.values
        if v.get(start) and v.get(end) and v[end] < v[start]:
            message = message or _("结束日期不能早于开始日期。")
            self.error(plan, planned.row, self.col(end), message)
            return False
        return True

    def undo(self, imported: ImportedRow) -> None:
        own = imported.model == self.model._meta.label
        if own and imported.action == ImportedRow.Action.CREATE:
            instance = self.model.objects.filter(pk=imported.object_id).first()
            if instance is not None:
                self.check_undo_create(instance)
        super().undo(imported)

    def check_undo_create(self, instance) -> None:
        refuse_if_used(instance)


# --- people -----------------------------------------------------------------------


class PersonImporter(LedgerImporter):
    """人员: matched in their organisation by ID number, else by name and phone number."""

    kind = "people"
    columns = PERSON
    model = Person
    FIELDS = ("kind", "position", "subjects", "backbone_level")
    SECRETS = {"id_number": idcard.validate_id_number, "phone": idcard.validate_phone}

    def prepare(self, rows, positions):
        self.people_of: dict[int, list[Person]] = {}

    def _people(self, org) -> list[Person]:
        if org.pk not in self.people_of:
            # An erased person is never matched: a row naming them registers someone new.
            self.people_of[org.pk] = list(
                Person.objects.filter(organisation=org, erased_at__isnull=True)
            )
        return self.people_of[org.pk]

    def _secrets(self, plan, planned) -> bool:
        """Validate the ID and phone numbers; a masked one (from an export) keeps the stored one."""
        ok = True
        for field, validate in self.SECRETS.items():
            value = planned.values.pop(field, "")
            if not value:
                continue
            if "*" in value:
                planned.extra[f"{field}_masked"] = value
                continue
            try:
                number = validate(value)
            except idcard.InvalidNumber as exc:
                self.error(plan, planned.row, self.col(field), str(exc))
                ok = False
                continue
            planned.extra[field] = number
            planned.extra[f"{field}_hash"] = crypto.lookup_hash(number)
        return ok

    def _match(self, plan, planned, org):
        """(the person the row means or None, False when the row is ambiguous)."""
        name = textnorm.fold(planned.values["name"])
        people = self._people(org)
        id_hash = planned.extra.get("id_number_hash", "")
        phone_hash = planned.extra.get("phone_hash", "")
        same_name = [p for p in people if textnorm.fold(p.name) == name]
        if id_hash:
            by_id = [p for p in people if p.id_number_hash == id_hash]
            if by_id:
                return by_id[0], True
            # Registered before without an ID number: the row adds it.
            candidates = [
                p
                for p in same_name
                if not p.id_number_hash
                and (not phone_hash or not p.phone_hash or p.phone_hash == phone_hash)
            ]
        elif phone_hash:
            candidates = [p for p in same_name if p.phone_hash == phone_hash] or [
                p for p in same_name if not p.phone_hash
            ]
        else:
            candidates = same_name
        if len(candidates) > 1:
            self.error(
                plan,
                planned.row,
                self.col("name"),
                _(
                    "“%(org)s”有 %(n)s 名人员名为“%(name)s”,请填写身份证号码或手机号码以区分:%(candidates)s。"
                )
                % {
                    "org": org.name,
                    "n": len(candidates),
                    "name": planned.values["name"],
                    "candidates": "、".join(
                        f"{p.name}({p.id_number_masked or p.phone_masked or _('未登记号码')})"
                        for p in candidates
                    ),
                },
            )
            return None, False
        return (candidates[0] if candidates else None), True

    def _registered_elsewhere(self, plan, planned, org) -> bool:
        id_hash = planned.extra.get("id_number_hash")
        if not id_hash:
            return False
        other = (
            Person.objects.visible_to(self.user)
            .filter(id_number_hash=id_hash)
            .exclude(organisation=org)
            .select_related("organisation")
            .first()
        )
        if other is None:
            return False
        self.error(
            plan,
            planned.row,
            self.col("id_number"),
            _("该身份证号码已登记为“%(org)s”的人员“%(name)s”;调动单位请在人员页面修改。")
            % {"org": other.organisation.name, "name": other.name},
        )
        return True

    def resolve(self, plan, planned):
        v = planned.values
        org = self.find_org(plan, planned, "organisation", v["organisation"])
        if org is None:
            return
        if not self.may_edit(org):
            self.error(
                plan,
                planned.row,
                self.col("organisation"),
                _("您无权为单位“%(name)s”导入人员。") % {"name": org.name},
            )
            return
        planned.extra["organisation"] = org
        if v.get("subjects"):
            v["subjects"] = "、".join(s for s in _SUBJECTS.split(v["subjects"]) if s)
        if not self._secrets(plan, planned):
            return
        person, ok = self._match(plan, planned, org)
        if not ok:
            return
        for field in self.SECRETS:
            masked = planned.extra.get(f"{field}_masked")
            if masked and (person is None or getattr(person, f"{field}_masked") != masked):
                self.error(
                    plan,
                    planned.row,
                    self.col(field),
                    _("“%(value)s”是部分隐藏的号码,请填写完整号码,或留空保留已登记的号码。")
                    % {"value": masked},
                )
                return
        if person is None:
            if not self._registered_elsewhere(plan, planned, org):
                planned.action = "create"
            return
        planned.instance = person
        changes = self.changed(planned, person, self.FIELDS)
        if textnorm.fold(v["name"]) != textnorm.fold(person.name):
            changes["name"] = v["name"]  # matched by ID number: the name is corrected
        for field in self.SECRETS:
            number = planned.extra.get(field)
            if number and planned.extra[f"{field}_hash"] != getattr(person, f"{field}_hash"):
                changes[field] = number
        planned.changes = changes
        planned.action = "update" if changes else "unchanged"

    def natural_key(self, planned):
        if planned.instance is not None:
            return ("person", planned.instance.pk)
        org = planned.extra["organisation"]
        if planned.extra.get("id_number_hash"):
            return (org.pk, planned.extra["id_number_hash"])
        return (org.pk, textnorm.fold(planned.values["name"]), planned.extra.get("phone_hash", ""))

    def describe(self, planned):
        v = planned.values
        return f"{v.get('name', '')}({v.get('organisation', '')})"

    def create(self, planned):
        v = planned.values
        return org_services.create_person(
            actor=self.user,
            name=v["name"],
            organisation=planned.extra["organisation"],
            kind=v.get("kind") or Person.Kind.TEACHER,
            id_number=planned.extra.get("id_number"),
            phone=planned.extra.get("phone"),
            **{f: v[f] for f in ("position", "subjects", "backbone_level") if v.get(f)},
        )

    def update(self, planned):
        person = planned.instance
        fields = {f: value for f, value in planned.changes.items() if f not in self.SECRETS}
        return org_services.update_person(
            person,
            actor=self.user,
            expected_version=person.version,
            id_number=planned.changes.get("id_number"),
            phone=planned.changes.get("phone"),
            **fields,
        )

    def before_image(self, planned):
        # The numbers are kept as the stored ciphertext, never in plain text.
        fields = [f"{f}_enc" if f in self.SECRETS else f for f in planned.changes]
        return {f: _plain(getattr(planned.instance, f)) for f in fields}

    def revert(self, instance, before):
        if instance.erased_at is not None:
            # Erased on request since: the old numbers must not come back.
            raise ValidationError(
                _("“%(name)s”的个人信息已按申请删除,不能恢复导入前的号码,该导入不能整体撤销。")
                % {"name": instance.name}
            )
        secrets = {
            f: crypto.decrypt(before.pop(f"{f}_enc")) for f in self.SECRETS if f"{f}_enc" in before
        }
        org_services.update_person(
            instance, actor=self.user, expected_version=instance.version, **secrets, **before
        )


# --- pairings ---------------------------------------------------------------------


class PairingImporter(LedgerImporter):
    """结对关系: the same helpers, recipients, mode and start date are the same pairing."""

    kind = "pairings"
    columns = PAIRING
    model = Pairing
    FIELDS = ("end_date", "name", "note")
    ALIASES = {
        "mode": {
            "托管": Pairing.Mode.ENTRUSTED,
            "组团": Pairing.Mode.GROUP,
            "N+1": Pairing.Mode.GROUP,
            "项目": Pairing.Mode.PROGRAMME,
            "多校结对": Pairing.Mode.PROGRAMME,
        }
    }

    def _orgs(self, plan, planned, key) -> list[Organisation] | None:
        found, ok = [], True
        for name in split_names(planned.values[key]):
            org = self.find_org(plan, planned, key, name)
            if org is None:
                ok = False
            elif org in found:
                self.error(
                    plan,
                    planned.row,
                    self.col(key),
                    _("单位“%(name)s”重复填写。") % {"name": org.name},
                )
                ok = False
            else:
                found.append(org)
        return found if ok else None

    def _existing(self, helpers, recipients, mode, start) -> Pairing | None:
        sides = ({o.pk for o in helpers}, {o.pk for o in recipients})
        candidates = (
            Pairing.objects.visible_to(self.user)
            .filter(mode=mode, start_date=start, parties__organisation=helpers[0])
            .prefetch_related("parties__organisation__region")
        )
        for pairing in candidates:
            parties = pairing.parties.all()
            if (
                {p.organisation_id for p in parties if p.side == PairingParty.Side.HELPER},
                {p.organisation_id for p in parties if p.side == PairingParty.Side.RECIPIENT},
            ) == sides:
                return pairing
        return None

    def resolve(self, plan, planned):
        v = planned.values
        helpers = self._orgs(plan, planned, "helpers")
        recipients = self._orgs(plan, planned, "recipients")
        if helpers is None or recipients is None or not self.check_period(plan, planned):
            return
        planned.extra.update(helpers=helpers, recipients=recipients)
        user = self.user
        if user.is_coordinator and not any(
            inside(o.region, access.scope_region(user)) for o in helpers + recipients
        ):
            self.error(
                plan, planned.row, self.col("helpers"), _("结对双方中至少要有一方属于您的辖区。")
            )
            return
        existing = self._existing(helpers, recipients, v["mode"], v["start_date"])
        if existing is None:
            self._check_new(plan, planned)
            return
        planned.instance = existing
        status = v.get("status")
        if status and status != existing.status:
            self.error(
                plan,
                planned.row,
                self.col("status"),
                _("该结对关系已登记,状态为“%(status)s”;状态请在结对页面变更。")
                % {"status": existing.get_status_display()},
            )
            return
        planned.changes = self.changed(planned, existing, self.FIELDS)
        if not planned.changes:
            planned.action = "unchanged"
        elif not access.can_edit_pairing(user, existing):
            self.error(
                plan,
                planned.row,
                None,
                _("您无权修改结对关系“%(name)s”。") % {"name": existing},
            )
        else:
            planned.action = "update"

    def _check_new(self, plan, planned):
        v = planned.values
        errors: dict[str, list[str]] = {}
        pairing_services._check_pairing(
            errors,
            actor=self.user,
            mode=v["mode"],
            helpers=planned.extra["helpers"],
            recipients=planned.extra["recipients"],
            start_date=v["start_date"],
            end_date=v.get("end_date"),
            region_pairing=None,
            parent=None,
        )
        status = v.get("status") or Pairing.Status.PROPOSED
        if status == Pairing.Status.ENDED:
            errors.setdefault("status", []).append(
                _("新登记的结对关系状态只能是“拟结对”或“进行中”。")
            )
        elif status != Pairing.Status.PROPOSED and self.user.is_school_staff:
            errors.setdefault("status", []).append(
                _("学校用户建立的结对须经教育行政部门确认,状态为“拟结对”。")
            )
        for field, messages in errors.items():
            for message in messages:
                self.error(plan, planned.row, self.by_key.get(field), str(message))
        if not errors:
            planned.action = "create"

    def natural_key(self, planned):
        v = planned.values
        return (
            frozenset(o.pk for o in planned.extra["helpers"]),
            frozenset(o.pk for o in planned.extra["recipients"]),
            v["mode"],
            v["start_date"],
        )

    def describe(self, planned):
        v = planned.values
        return f"{v.get('helpers', '')} ↔ {v.get('recipients', '')}({v.get('start_date') or ''})"

    def create(self, planned):
        v = planned.values
        return pairing_services.create_pairing(
            actor=self.user,
            mode=v["mode"],
            helpers=planned.extra["helpers"],
            recipients=planned.extra["recipients"],
            start_date=v["start_date"],
            end_date=v.get("end_date"),
            name=v.get("name") or "",
            note=v.get("note") or "",
            status=v.get("status") or Pairing.Status.PROPOSED,
        )

    def update(self, planned):
        pairing = planned.instance
        return pairing_services.update_pairing(
            pairing, actor=self.user, version=pairing.version, **planned.changes
        )

    def revert(self, instance, before):
        pairing_services.update_pairing(
            instance, actor=self.user, version=instance.version, **before
        )

    def check_undo_create(self, instance):
        # Its parties and first status came with it; a later status change or a
        # side's own details mean the pairing has been worked on since.
        if instance.status_changes.count() > 1 or instance.parties.filter(version__gt=1).exists():
            raise ValidationError(
                _("结对关系“%(name)s”导入后已变更状态或填写了结对方信息,该导入不能整体撤销。")
                % {"name": instance}
            )
        refuse_if_used(instance, own=(PairingParty, PairingStatusChange))


# --- region pairings ------------------------------------------------------------------


class RegionPairingImporter(LedgerImporter):
    """对口关系: a helper region, a recipient region and a start date (the table's own key)."""

    kind = "region_pairings"
    columns = REGION_PAIRING
    model = RegionPairing
    FIELDS = ("level", "end_date", "note")

    @classmethod
    def can_import(cls, user):
        return business_writer(user) and user.is_coordinator

    def resolve(self, plan, planned):
        v = planned.values
        helper = self.find_region(plan, planned, "helper_region", v["helper_region"])
        recipient = self.find_region(plan, planned, "recipient_region", v["recipient_region"])
        if helper is None or recipient is None or not self.check_period(plan, planned):
            return
        if helper.pk == recipient.pk:
            self.error(
                plan,
                planned.row,
                self.col("recipient_region"),
                _("帮扶方和受援方不能是同一个地区。"),
            )
            return
        if not access.can_manage_region_pairing(self.user, helper_region=helper):
            self.error(
                plan,
                planned.row,
                self.col("helper_region"),
                _("您只能为本辖区建立或修改对口关系:“%(name)s”不在您的辖区内。")
                % {"name": helper.name},
            )
            return
        planned.extra.update(helper=helper, recipient=recipient)
        existing = RegionPairing.objects.filter(
            helper_region=helper, recipient_region=recipient, start_date=v["start_date"]
        ).first()
        if existing is None:
            planned.action = "create"
            return
        planned.instance = existing
        planned.changes = self.changed(planned, existing, self.FIELDS)
        planned.action = "update" if planned.changes else "unchanged"

    def natural_key(self, planned):
        return (
            planned.extra["helper"].pk,
            planned.extra["recipient"].pk,
            planned.values["start_date"],
        )

    def describe(self, planned):
        v = planned.values
        start = v.get("start_date") or ""
        return f"{v.get('helper_region', '')} → {v.get('recipient_region', '')}({start})"

    def create(self, planned):
        v = planned.values
        return pairing_services.create_region_pairing(
            actor=self.user,
            helper_region=planned.extra["helper"],
            recipient_region=planned.extra["recipient"],
            level=v.get("level") or RegionPairing.Level.DISTRICT,
            start_date=v["start_date"],
            end_date=v.get("end_date"),
            note=v.get("note") or "",
        )

    def update(self, planned):
        rp = planned.instance
        return pairing_services.update_region_pairing(
            rp, actor=self.user, version=rp.version, **planned.changes
        )

    def revert(self, instance, before):
        pairing_services.update_region_pairing(
            instance, actor=self.user, version=instance.version, **before
        )


IMPORTERS.update(
    {cls.kind: cls for cls in (PersonImporter, PairingImporter, RegionPairingImporter)}
)
