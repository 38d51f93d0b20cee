"""Importers of the work ledgers: support (money and goods) and shared resources, and the
base they share with the dispatches and visiting trainees of :mod:`.importers_dispatch`.

Each reads one sheet the way coordinators keep it in Excel and writes through
the apps' services, so every row gets the checks and audit entry of the form.
Names are looked up only among what the user may see; a row for an
organisation the user may not record for, or a name that fits several
records, is an error on that row, never a guess.
"""

from __future__ import annotations

import re
from collections import defaultdict

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from bangfu.audit import services as audit
from bangfu.lib import textnorm
from bangfu.orgs.models import Organisation, Person
from bangfu.pairings.models import Pairing, RegionPairing
from bangfu.regions.models import Region
from bangfu.resources import rules as resource_rules
from bangfu.resources import services as resource_services
from bangfu.resources.models import SharedResource
from bangfu.support import money
from bangfu.support import rules as support_rules
from bangfu.support import services as support_services
from bangfu.support.models import Support

from . import values as cells
from .columns import KINDS, RESOURCE, SUPPORT
from .importers import IMPORTERS, Importer, Plan, Planned
from .importers_people import LedgerImporter, business_writer, inside, refuse_if_used
from .models import ImportedRow
from .workbook import DATA_SHEET

_BATCH = re.compile(r"^第?(.+?)批?次?$")
_SUBJECTS = re.compile(r"[、,,;;/\s]+")


def parse_batch_number(value) -> int | None:
    """3, "3", "第3批", "第三批" → 3; None when empty. Raises BadValue below 1."""
    text = textnorm.to_simplified(cells.text(value)).replace(" ", "")
    if not text:
        return None
    match = _BATCH.match(text)
    number = cells.parse_int(match[1] if match else text)
    if not number:
        raise cells.BadValue(text)
    return number


def _subjects(text: str) -> set[str]:
    return {s for s in _SUBJECTS.split(textnorm.fold(text or "")) if s}


def _region_ids(region: Region) -> set[int]:
    """The region and every region above it, from its ancestor columns (no query)."""
    return {
        pk for pk in (region.pk, region.province_id, region.prefecture_id, region.county_id) if pk
    }


def place_label(org: Organisation | None, region: Region | None) -> str:
    return org.name if org is not None else (region.name if region is not None else "")


class WorkImporter(LedgerImporter):
    """What the ledgers of work share: people and links a row implies, batch numbers and money."""

    def plan(self) -> Plan:
        # Also checked before the upload; a job stored before a role change must not run.
        if not self.can_import(self.user):
            plan = Plan(sheet=DATA_SHEET)
            self.error(
                plan, None, None, _("您的账号不能导入%(label)s。") % {"label": KINDS[self.kind][0]}
            )
            return plan
        return super().plan()

    def prepare(self, rows, positions):
        self._people: dict[tuple, list[Person]] = {}
        self._pairings: dict[tuple, Pairing | None] = {}
        self._region_pairings: dict[tuple, RegionPairing | None] = {}
        # Records the commit writes once for several rows (a new person, a new batch).
        self._made: dict[tuple, object] = {}

    def undo(self, imported: ImportedRow) -> None:
        # The records written alongside a row (a new person, a batch) are taken
        # back only when nothing else came to use them since.
        if (
            imported.action == ImportedRow.Action.CREATE
            and imported.model != self.model._meta.label
        ):
            other = apps.get_model(imported.model).objects.filter(pk=imported.object_id).first()
            if other is not None:
                refuse_if_used(other)
        super().undo(imported)

    def before_image(self, planned: Planned) -> dict:
        before = super().before_image(planned)
        # The version the update leaves: undo refuses once someone saved the record since.
        before["version"] = planned.instance.version + 1
        return before

    @staticmethod
    def unchanged_since(instance, before: dict) -> dict:
        """``before`` without its version; ValidationError when the record was saved since."""
        version = before.pop("version", None)
        if version is not None and instance.version != version:
            raise ValidationError(
                _("“%(record)s”在导入后已被修改,不能撤销该导入。") % {"record": instance}
            )
        return before

    # --- cell types of these ledgers -------------------------------------------

    def _convert(self, column, value):
        if column.type == "batch":
            return parse_batch_number(value)
        if column.type == "money":
            text = cells.text(value)
            if not text:
                return None
            try:
                return money.parse_amount(text)
            except ValidationError:
                raise cells.BadValue(text) from None
        return super()._convert(column, value)

    @staticmethod
    def _bad_value_message(column, value) -> str:
        if column.type == "batch":
            return _("“%(value)s”不是批次,请写 3、第3批 或 第三批。") % {"value": cells.text(value)}
        if column.type == "money":
            try:
                money.parse_amount(cells.text(value))
            except ValidationError as exc:
                return exc.messages[0]
        return Importer._bad_value_message(column, value)

    # --- names -------------------------------------------------------------------

    def org(self, plan: Plan, planned: Planned, key: str) -> Organisation | None:
        return self.find_org(plan, planned, key, planned.values[key])

    def region(self, plan: Plan, planned: Planned, key: str) -> Region | None:
        return self.find_region(plan, planned, key, planned.values[key])

    def people_named(self, org: Organisation, name: str) -> list[Person]:
        """The people of ``org`` the user sees, called ``name``: one query per name."""
        folded = textnorm.fold(name)
        key = (org.pk, folded)
        if key not in self._people:
            rows = (
                Person.objects.visible_to(self.user)
                .filter(organisation=org)
                .filter(Q(search_text__startswith=folded + "|") | Q(search_text=folded))
            )
            self._people[key] = [p for p in rows if textnorm.fold(p.name) == folded]
        return self._people[key]

    def match_person(
        self, plan: Plan, planned: Planned, key: str, org: Organisation, subjects: str = ""
    ) -> tuple[bool, Person | None]:
        """(found without doubt, person); the person is None when ``org`` has nobody of that name.

        Namesakes are told apart by the row's subjects; otherwise the row is an error.
        """
        name = planned.values[key]
        found = self.people_named(org, name)
        wanted = _subjects(subjects)
        if len(found) > 1 and wanted:
            found = [p for p in found if wanted <= _subjects(p.subjects)] or found
        if len(found) > 1:
            self.error(
                plan,
                planned.row,
                self.col(key),
                _(
                    "“%(org)s”有多名“%(name)s”,请在“任教学科”列写明学科以区分,"
                    "或先在人员页面修改:%(candidates)s。"
                )
                % {
                    "org": org.name,
                    "name": name,
                    "candidates": "、".join(
                        f"{p.name}({p.subjects or p.get_kind_display()})" for p in found
                    ),
                },
            )
            return False, None
        return True, (found[0] if found else None)

    def within(self, plan, planned, key: str, org: Organisation, region: Region) -> bool:
        """An organisation and a region written on one row must agree."""
        if inside(org.region, region):
            return True
        self.error(
            plan,
            planned.row,
            self.col(key),
            _("“%(org)s”不在“%(region)s”。") % {"org": org.name, "region": region.name},
        )
        return False

    # --- links a row implies -------------------------------------------------------

    def pairing_between(self, a: Organisation, b: Organisation) -> Pairing | None:
        """The one visible pairing joining two organisations; None when none or several."""
        key = (a.pk, b.pk)
        if key not in self._pairings:
            rows = list(
                Pairing.objects.visible_to(self.user)
                .filter(parties__organisation=a)
                .filter(parties__organisation=b)
                .distinct()[:2]
            )
            self._pairings[key] = rows[0] if len(rows) == 1 else None
        return self._pairings[key]

    def region_pairing_between(self, helper: Region, recipient: Region) -> RegionPairing | None:
        """The one visible region pairing whose sides contain the two regions."""
        key = (helper.pk, recipient.pk)
        if key not in self._region_pairings:
            rows = list(
                RegionPairing.objects.visible_to(self.user).filter(
                    helper_region__in=_region_ids(helper),
                    recipient_region__in=_region_ids(recipient),
                )[:2]
            )
            self._region_pairings[key] = rows[0] if len(rows) == 1 else None
        return self._region_pairings[key]

    def one_existing(self, plan, planned, rows: list):
        """The stored record a row's key names; False (with the error) when several share it."""
        if len(rows) > 1:
            self.error(
                plan,
                planned.row,
                None,
                _("已登记多条与本行相同的记录,无法确定修改哪一条,请在页面上处理。"),
            )
            return False
        return rows[0] if rows else None

    @staticmethod
    def differences(instance, candidates: dict) -> dict:
        """The given values (an empty cell changes nothing) that differ from the stored ones."""
        return {
            f: value
            for f, value in candidates.items()
            if value not in (None, "") and value != getattr(instance, f)
        }


# --- material and money support (物资与资金) ------------------------------------------------


class SupportImporter(WorkImporter):
    """The key is giver, receiver (school, else region), date, kind and amount."""

    kind = "support"
    columns = SUPPORT
    model = Support

    @classmethod
    def can_import(cls, user) -> bool:
        return business_writer(user) and support_rules.can_start_support(user)

    def prepare(self, rows, positions):
        super().prepare(rows, positions)
        self._given: dict[int, dict[tuple, list[Support]]] = {}

    def _existing(self, donor: Organisation) -> dict[tuple, list[Support]]:
        if donor.pk not in self._given:
            index = defaultdict(list)
            for s in Support.objects.visible_to(self.user).filter(donor=donor):
                key = self._key(
                    s.recipient_id, s.recipient_region_id, s.date, s.kind, s.amount_yuan
                )
                index[key].append(s)
            self._given[donor.pk] = index
        return self._given[donor.pk]

    @staticmethod
    def _key(recipient_id, region_id, date, kind, amount) -> tuple:
        """The receiver is the school when there is one, else the region."""
        return (recipient_id, None if recipient_id else region_id, date, kind, amount)

    @classmethod
    def _key_of(cls, fields: dict) -> tuple:
        recipient = fields["recipient"]
        return cls._key(
            recipient.pk if recipient else None,
            fields["recipient_region"].pk,
            fields["date"],
            fields["kind"],
            fields["amount_yuan"],
        )

    def resolve(self, plan, planned):
        v, col, row = planned.values, self.by_key, planned.row
        donor = self.org(plan, planned, "donor")
        recipient = self.org(plan, planned, "recipient") if v.get("recipient") else None
        region = (
            self.region(plan, planned, "recipient_region") if v.get("recipient_region") else None
        )
        if donor is None or (v.get("recipient") and recipient is None):
            return
        if v.get("recipient_region") and region is None:
            return
        if recipient is None and region is None:
            self.error(plan, row, col["recipient"], _("请填写受助单位或受助地区。"))
            return
        if recipient is not None:
            if recipient.pk == donor.pk:
                self.error(plan, row, col["recipient"], _("受助单位不能是提供单位本身。"))
                return
            if region is not None and not self.within(
                plan, planned, "recipient_region", recipient, region
            ):
                return
            region = recipient.region
        if v["date"] > self.today:
            self.error(
                plan,
                row,
                col["date"],
                _("台账只登记已发生的帮扶,日期不能晚于今天(%(today)s)。")
                % {"today": self.today.isoformat()},
            )
            return
        if v["kind"] == Support.Kind.STUDENT_AID and not v.get("beneficiaries"):
            self.error(plan, row, col["beneficiaries"], _("学生资助须填写受助人数。"))
            return
        pairing = self.pairing_between(donor, recipient) if recipient is not None else None
        if not support_rules.can_record_support(
            self.user, donor=donor, recipient_region=region, pairing=pairing
        ):
            self.error(
                plan,
                row,
                col["donor"],
                _("您无权为“%(name)s”登记帮扶记录。") % {"name": donor.name},
            )
            return
        amount = v["amount"]
        fields = {
            "kind": v["kind"],
            "date": v["date"],
            "donor": donor,
            "recipient": recipient,
            "recipient_region": region,
            "pairing": pairing,
            "region_pairing": self.region_pairing_between(donor.region, region),
            "amount_yuan": amount.value,
            "is_approximate": amount.is_approximate,
            "beneficiaries": v.get("beneficiaries"),
            "description": v.get("description", ""),
            "title": v.get("title")
            or _("%(kind)s(%(receiver)s)")
            % {"kind": Support.Kind(v["kind"]).label, "receiver": place_label(recipient, region)},
        }
        planned.extra.update(fields=fields)
        existing = self.one_existing(
            plan, planned, self._existing(donor).get(self._key_of(fields), [])
        )
        if existing is False:
            return
        if existing is None:
            planned.action = "create"
            return
        planned.instance = existing
        changes = self.differences(
            existing,
            {
                "title": v.get("title"),
                "beneficiaries": v.get("beneficiaries"),
                "description": v.get("description"),
            },
        )
        if amount.is_approximate != existing.is_approximate:
            changes["is_approximate"] = amount.is_approximate
        if not changes:
            planned.action = "unchanged"
            return
        if not support_rules.can_edit_support(self.user, existing):
            self.error(plan, row, col["donor"], _("您无权修改已登记的该条帮扶记录。"))
            return
        planned.action = "update"
        planned.changes = changes

    def natural_key(self, planned):
        fields = planned.extra["fields"]
        return (fields["donor"].pk, *self._key_of(fields))

    def describe(self, planned):
        f = planned.extra.get("fields")
        if not f:
            return planned.values.get("donor", "")
        amount = money.format_amount(f["amount_yuan"], f["is_approximate"])
        return f"{f['date']} {f['donor'].name} → {f['title']} {amount}"

    def create(self, planned):
        return support_services.create_support(actor=self.user, **planned.extra["fields"])

    def update(self, planned):
        support = planned.instance
        return support_services.update_support(
            support, actor=self.user, version=support.version, **planned.changes
        )

    def revert(self, instance, before):
        before = self.unchanged_since(instance, before)
        support_services.update_support(
            instance, actor=self.user, version=instance.version, **before
        )


# --- shared resources (资源共享) -----------------------------------------------------------


@audit.attributed
@transaction.atomic
def register_resource(*, actor, **values) -> SharedResource:
    """A resource listed in a ledger: the checks of ``create_resource`` but the file.

    The file is uploaded later on the resource's edit page; until then the
    page shows none. Audited by bangfu.audit.signals, as ``create_resource``.
    """
    values = resource_services._clean(values)
    resource_services._check(values, None, actor=actor, require_file=False)
    return SharedResource.objects.create(created_by=actor, updated_by=actor, **values)


class ResourceImporter(WorkImporter):
    """The key is the providing organisation and the title."""

    kind = "resources"
    columns = RESOURCE
    model = SharedResource

    @classmethod
    def can_import(cls, user) -> bool:
        return business_writer(user) and resource_rules.can_start_sharing(user)

    def prepare(self, rows, positions):
        super().prepare(rows, positions)
        self._owned: dict[int, dict[str, list[SharedResource]]] = {}
        self._pairings_of: dict[int, list[Pairing]] = {}

    def _existing(self, owner: Organisation) -> dict[str, list[SharedResource]]:
        if owner.pk not in self._owned:
            index = defaultdict(list)
            for r in SharedResource.objects.visible_to(self.user).filter(owner=owner):
                index[textnorm.fold(r.title)].append(r)
            self._owned[owner.pk] = index
        return self._owned[owner.pk]

    def _pairing(self, plan, planned, owner: Organisation) -> Pairing | None:
        if owner.pk not in self._pairings_of:
            self._pairings_of[owner.pk] = list(
                Pairing.objects.visible_to(self.user)
                .filter(parties__organisation=owner)
                .distinct()
                .prefetch_related("parties")
            )
        pairings = self._pairings_of[owner.pk]
        column = self.col("partner")
        if planned.values.get("partner"):
            partner = self.org(plan, planned, "partner")
            if partner is None:
                return None
            pairings = [
                p for p in pairings if any(x.organisation_id == partner.pk for x in p.parties.all())
            ]
            if not pairings:
                self.error(
                    plan,
                    planned.row,
                    column,
                    _("“%(receiver)s”不是“%(org)s”的结对单位。")
                    % {"receiver": partner.name, "org": owner.name},
                )
                return None
        elif not pairings:
            self.error(
                plan,
                planned.row,
                column,
                _("“%(org)s”没有结对关系,共享范围请选“本单位所有结对学校”。") % {"org": owner.name},
            )
            return None
        if len(pairings) > 1:
            self.error(
                plan,
                planned.row,
                column,
                _("“%(org)s”有多个结对关系,请填写结对单位:%(names)s。")
                % {"org": owner.name, "names": "、".join(str(p) for p in pairings)},
            )
            return None
        return pairings[0]

    def resolve(self, plan, planned):
        v, col, row = planned.values, self.by_key, planned.row
        owner = self.org(plan, planned, "owner")
        if owner is None:
            return
        if not resource_rules.can_share_for(self.user, owner):
            self.error(
                plan,
                row,
                col["owner"],
                _("您无权以“%(name)s”的名义共享资源。") % {"name": owner.name},
            )
            return
        existing = self.one_existing(
            plan, planned, self._existing(owner).get(textnorm.fold(v["title"]), [])
        )
        if existing is False:
            return
        scope = v.get("scope") or (existing.scope if existing else SharedResource.Scope.PAIRING)
        pairing = None
        if scope == SharedResource.Scope.PAIRING:
            pairing = self._pairing(plan, planned, owner)
            if pairing is None:
                return
        fields = {
            "title": v["title"],
            "kind": v["kind"],
            "owner": owner,
            "scope": scope,
            "pairing": pairing,
            "subject": v.get("subject", ""),
            "stage": v.get("stage", ""),
            "description": v.get("description", ""),
        }
        planned.extra.update(fields=fields)
        if existing is None:
            planned.action = "create"
            return
        planned.instance = existing
        changes = self.differences(
            existing,
            {f: fields[f] for f in ("kind", "scope", "pairing", "subject", "stage", "description")},
        )
        if changes.get("scope") == SharedResource.Scope.ALL_PARTNERS:
            # Kept in the before-image, so undo can put the resource back in its pairing.
            changes["pairing"] = None
        if not changes:
            planned.action = "unchanged"
            return
        if not resource_rules.can_edit_resource(self.user, existing):
            self.error(plan, row, col["owner"], _("您无权修改已登记的该资源。"))
            return
        planned.action = "update"
        planned.changes = changes

    def natural_key(self, planned):
        return (planned.extra["fields"]["owner"].pk, textnorm.fold(planned.values["title"]))

    def describe(self, planned):
        return f"{planned.values.get('title', '')}({planned.values.get('owner', '')})"

    def create(self, planned):
        return register_resource(actor=self.user, **planned.extra["fields"])

    def update(self, planned):
        resource = planned.instance
        return resource_services.update_resource(
            resource, actor=self.user, version=resource.version, **planned.changes
        )

    def revert(self, instance, before):
        before = self.unchanged_since(instance, before)
        if "pairing" in before:
            before["pairing"] = Pairing.objects.filter(pk=before["pairing"]).first()
        resource_services.update_resource(
            instance, actor=self.user, version=instance.version, **before
        )


IMPORTERS.update({cls.kind: cls for cls in (SupportImporter, ResourceImporter)})

# Dispatches and visiting trainees build on WorkImporter above, so they load (and register) after it.
from . import importers_dispatch  # noqa: E402, F401
