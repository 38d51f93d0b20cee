"""Importers of the ledgers of dispatches (选派/支教) and visiting trainees (跟岗学员).

Both build on :class:`.importers_work.WorkImporter`: names are found among what
the user sees, a person missing from their organisation is registered with the
row, and a batch named by the rows (第N批) is registered with its first row.
"""

from __future__ import annotations

from collections import defaultdict

from django.utils.translation import gettext as _

from bangfu.dispatch import rules as dispatch_rules
from bangfu.dispatch import services as dispatch_services
from bangfu.dispatch import visit_services
from bangfu.dispatch.models import Dispatch, DispatchBatch, Trainee, VisitBatch
from bangfu.lib import textnorm
from bangfu.orgs import services as org_services
from bangfu.orgs.models import Organisation, Person

from .columns import DISPATCH, TRAINEE, TRAINEE_BATCH_KEYS
from .importers import IMPORTERS, Planned
from .importers_people import business_writer
from .importers_work import WorkImporter, place_label


def _yes_no(code: str | None) -> bool | None:
    return {"yes": True, "no": False}.get(code or "")


# --- dispatches (选派/支教) -------------------------------------------------------------


class DispatchImporter(WorkImporter):
    """One row per person sent: the key is person, host (school, else region) and start date."""

    kind = "dispatches"
    columns = DISPATCH
    model = Dispatch
    WRITTEN = tuple(dispatch_services.DISPATCH_FIELDS)

    @classmethod
    def can_import(cls, user) -> bool:
        return business_writer(user) and dispatch_rules.can_record(user)

    def prepare(self, rows, positions):
        super().prepare(rows, positions)
        self._sent: dict[int, dict[tuple, list[Dispatch]]] = {}
        self._batches: dict[tuple, DispatchBatch | None] = {}

    def _existing(self, sender: Organisation) -> dict[tuple, list[Dispatch]]:
        """Every dispatch of the sender, by key: one query per sender."""
        if sender.pk not in self._sent:
            index = defaultdict(list)
            for d in Dispatch.objects.visible_to(self.user).filter(sender=sender):
                host_region = None if d.host_id else d.host_region_id
                index[(d.person_id, d.host_id, host_region, d.start_date)].append(d)
            self._sent[sender.pk] = index
        return self._sent[sender.pk]

    def _batch(self, key: tuple) -> DispatchBatch | None:
        if key not in self._batches:
            sender_id, programme, number = key
            self._batches[key] = DispatchBatch.objects.filter(
                sender_id=sender_id, programme=programme, number=number
            ).first()
        return self._batches[key]

    def resolve(self, plan, planned):
        v, col, row = planned.values, self.by_key, planned.row
        sender = self.org(plan, planned, "sender")
        host = self.org(plan, planned, "host") if v.get("host") else None
        region = self.region(plan, planned, "host_region") if v.get("host_region") else None
        if sender is None or (v.get("host") and host is None):
            return
        if v.get("host_region") and region is None:
            return
        if not self.may_edit(sender):
            self.error(
                plan, row, col["sender"], _("您无权为“%(name)s”登记选派。") % {"name": sender.name}
            )
            return
        if host is None and region is None:
            self.error(plan, row, col["host"], _("请填写受援学校或受援地区。"))
            return
        if host is not None:
            if host.pk == sender.pk:
                self.error(plan, row, col["host"], _("受援学校不能是派出单位本身。"))
                return
            if region is not None and not self.within(plan, planned, "host_region", host, region):
                return
            region = host.region

        start, end, term = v["start_date"], v.get("end_date"), v.get("term") or ""
        if not term:
            if end is None:
                self.error(plan, row, col["term"], _("请填写期限或结束日期。"))
                return
            term = Dispatch.Term.CUSTOM
        if end is None:
            if term == Dispatch.Term.CUSTOM:
                self.error(plan, row, col["end_date"], _("期限为“按起止日期”时请填写结束日期。"))
                return
            end = dispatch_services.term_end(start, term)
        if end < start:
            self.error(plan, row, col["end_date"], _("结束日期不能早于开始日期。"))
            return

        programme = v.get("programme") or ""
        if programme and not v.get("batch"):
            self.error(plan, row, col["batch"], _("填写了方向,请同时填写批次。"))
            return
        batch_key = (sender.pk, programme, v["batch"]) if v.get("batch") else None

        found, person = self.match_person(plan, planned, "person", sender, v.get("subjects", ""))
        if not found:
            return
        backbone = _yes_no(v.get("was_backbone"))
        planned.extra.update(
            sender=sender,
            host=host,
            host_region=region,
            person=person,
            term=term,
            end_date=end,
            batch_key=batch_key,
            was_backbone=backbone if backbone is not None else bool(person and person.is_backbone),
            pairing=self.pairing_between(sender, host) if host is not None else None,
        )
        if person is None:
            planned.action = "create"
            return
        key = (person.pk, host.pk if host else None, None if host else region.pk, start)
        existing = self.one_existing(plan, planned, self._existing(sender).get(key, []))
        if existing is False:
            return
        if existing is None:
            planned.action = "create"
            return
        planned.instance = existing
        batch = self._batch(batch_key) if batch_key else None
        changes = self.differences(
            existing,
            {
                "role": v.get("role"),
                "term": v.get("term"),
                # A typed end date, or one the typed term gives.
                "end_date": end if (v.get("end_date") or v.get("term")) else None,
                "subjects": v.get("subjects"),
                "note": v.get("note"),
                "was_backbone": backbone,
            },
        )
        if batch_key and (batch is None or batch.pk != existing.batch_id):
            changes["batch"] = batch
        if not changes:
            planned.action = "unchanged"
            return
        if not dispatch_rules.can_edit_dispatch(self.user, existing):
            self.error(plan, row, None, _("您无权修改已登记的该条选派记录。"))
            return
        planned.action = "update"
        planned.changes = changes

    def natural_key(self, planned):
        e, v = planned.extra, planned.values
        person = (
            ("person", e["person"].pk)
            if e["person"]
            else ("new", e["sender"].pk, textnorm.fold(v["person"]))
        )
        host = e["host"].pk if e["host"] else None
        return (person, host, None if host else e["host_region"].pk, v["start_date"])

    def describe(self, planned):
        e, v = planned.extra, planned.values
        return (
            f"{v.get('start_date') or ''} {v.get('person', '')}"
            f"({v.get('sender', '')} → {place_label(e.get('host'), e.get('host_region'))})"
        )

    def _person(self, planned) -> Person:
        e, v = planned.extra, planned.values
        if e["person"] is not None:
            return e["person"]
        key = ("person", e["sender"].pk, textnorm.fold(v["person"]))
        if key not in self._made:
            cadre = v.get("role") in (Dispatch.Role.PRINCIPAL, Dispatch.Role.CADRE)
            person = org_services.create_person(
                actor=self.user,
                name=v["person"],
                organisation=e["sender"],
                kind=Person.Kind.CADRE if cadre else Person.Kind.TEACHER,
                subjects=v.get("subjects", ""),
            )
            self.alongside("create", person)
            self._made[key] = person
        return self._made[key]

    def _batch_for(self, planned) -> DispatchBatch | None:
        key = planned.extra["batch_key"]
        if key is None:
            return None
        batch = self._batch(key) or self._made.get(("batch", key))
        if batch is None:
            sender_id, programme, number = key
            batch = dispatch_services.create_batch(
                actor=self.user,
                sender=planned.extra["sender"],
                number=number,
                year=planned.values["start_date"].year,
                programme=programme,
            )
            self.alongside("create", batch)
            self._made[("batch", key)] = batch
        return batch

    def create(self, planned):
        e, v = planned.extra, planned.values
        start, end = v["start_date"], e["end_date"]
        dispatch = dispatch_services.create_dispatch(
            actor=self.user,
            status=Dispatch.Status.PLANNED if start > self.today else Dispatch.Status.ACTIVE,
            person=self._person(planned),
            batch=self._batch_for(planned),
            sender=e["sender"],
            host=e["host"],
            host_region=e["host_region"],
            pairing=e["pairing"],
            role=v.get("role") or Dispatch.Role.TEACHER,
            term=e["term"],
            start_date=start,
            end_date=end,
            subjects=v.get("subjects", ""),
            was_backbone=e["was_backbone"],
            note=v.get("note", ""),
        )
        if end < self.today:
            # A ledger of past terms: the status follows the dates, as rotation reads it.
            dispatch_services.change_dispatch_status(
                dispatch, Dispatch.Status.COMPLETED, actor=self.user
            )
        return dispatch

    def update(self, planned):
        dispatch = planned.instance
        values = {f: getattr(dispatch, f) for f in self.WRITTEN}
        values.update(planned.changes)
        if "batch" in planned.changes:
            values["batch"] = self._batch_for(planned)
        return dispatch_services.update_dispatch(
            dispatch, actor=self.user, version=dispatch.version, **values
        )

    def revert(self, instance, before):
        values = {f: getattr(instance, f) for f in self.WRITTEN}
        values.update(self.unchanged_since(instance, before))
        if "batch" in before:
            values["batch"] = DispatchBatch.objects.filter(pk=before["batch"]).first()
        dispatch_services.update_dispatch(
            instance, actor=self.user, version=instance.version, **values
        )


# --- visiting trainees (跟岗学员) ----------------------------------------------------------


class TraineeImporter(WorkImporter):
    """One row per trainee, the batch's columns repeated: the key is batch and person.

    A batch is host, sending region, number and start date; it is registered
    with its first row and its later rows must agree with that row.
    """

    kind = "trainees"
    columns = TRAINEE
    model = Trainee
    OWN = ("mentor", "goals", "outcome")

    @classmethod
    def can_import(cls, user) -> bool:
        return business_writer(user) and dispatch_rules.can_record(user)

    def prepare(self, rows, positions):
        super().prepare(rows, positions)
        self._visit_batches: dict[tuple, list[VisitBatch]] = {}
        self._trainees: dict[int, dict[tuple, Trainee]] = {}
        self._first_rows: dict[tuple, Planned] = {}

    def _trainees_of(self, batch: VisitBatch) -> dict[tuple, Trainee]:
        if batch.pk not in self._trainees:
            rows = Trainee.objects.filter(batch=batch).select_related("person", "mentor")
            self._trainees[batch.pk] = {
                (t.person.organisation_id, textnorm.fold(t.person.name)): t for t in rows
            }
        return self._trainees[batch.pk]

    def _stored_batch(self, plan, planned, key):
        if key not in self._visit_batches:
            host_id, region_id, number, start = key
            self._visit_batches[key] = list(
                VisitBatch.objects.filter(
                    host_id=host_id, sending_region_id=region_id, number=number, start_date=start
                )
            )
        return self.one_existing(plan, planned, self._visit_batches[key])

    def _mentor(self, plan, planned, host) -> Person | None | bool:
        name = planned.values.get("mentor")
        if not name:
            return None
        found = self.people_named(host, name)
        column = self.col("mentor")
        if not found:
            self.error(
                plan,
                planned.row,
                column,
                _("“%(org)s”没有名为“%(name)s”的人员。") % {"org": host.name, "name": name},
            )
            return False
        if len(found) > 1:
            self.error(
                plan,
                planned.row,
                column,
                _("“%(org)s”有多名“%(name)s”,请先在人员页面区分:%(candidates)s。")
                % {
                    "org": host.name,
                    "name": name,
                    "candidates": "、".join(f"{p.name}({p.subjects or '—'})" for p in found),
                },
            )
            return False
        if not found[0].is_backbone:
            self.error(
                plan,
                planned.row,
                column,
                _("导师须是骨干教师:%(name)s 不是骨干教师。") % {"name": name},
            )
            return False
        return found[0]

    def resolve(self, plan, planned):
        v, col, row = planned.values, self.by_key, planned.row
        host = self.org(plan, planned, "host")
        school = self.org(plan, planned, "organisation")
        region = self.region(plan, planned, "sending_region") if v.get("sending_region") else None
        if host is None or school is None or (v.get("sending_region") and region is None):
            return
        if not self.may_edit(host):
            self.error(
                plan, row, col["host"], _("您无权为“%(name)s”登记跟岗学员。") % {"name": host.name}
            )
            return
        if school.pk == host.pk:
            self.error(
                plan, row, col["organisation"], _("学员须来自受援方单位,不能是接待单位本身。")
            )
            return
        if region is None:
            region = school.region.county if school.region.county_id else school.region
        if v["end_date"] < v["start_date"]:
            self.error(plan, row, col["end_date"], _("结束日期不能早于开始日期。"))
            return
        number = v.get("number") or 1
        key = (host.pk, region.pk, number, v["start_date"])
        first = self._first_rows.setdefault(key, planned)
        if first is not planned:
            for f in TRAINEE_BATCH_KEYS:
                if (v.get(f) or "") != (first.values.get(f) or ""):
                    self.error(
                        plan,
                        row,
                        col[f],
                        _("与同一批次的第 %(row)s 行不一致。") % {"row": first.row},
                    )
                    return
        batch = self._stored_batch(plan, planned, key)
        mentor = self._mentor(plan, planned, host)
        if batch is False or mentor is False:
            return

        trainee = None
        if batch is not None:
            trainee = self._trainees_of(batch).get((school.pk, textnorm.fold(v["person"])))
        person = trainee.person if trainee else None
        if trainee is None:
            found, person = self.match_person(
                plan, planned, "person", school, v.get("subjects", "")
            )
            if not found:
                return
        planned.extra.update(
            host=host, school=school, region=region, key=key, batch=batch, person=person
        )
        batch_changes = {}
        if batch is not None and first is planned:
            batch_changes = self.differences(batch, {f: v.get(f) for f in TRAINEE_BATCH_KEYS})
        planned.extra["batch_changes"] = batch_changes
        own = {"mentor": mentor, "goals": v.get("goals"), "outcome": v.get("outcome")}
        if trainee is None:
            planned.extra["own"] = own
            planned.action = "create"
            return
        planned.instance = trainee
        changes = self.differences(trainee, own)
        if not changes and not batch_changes:
            planned.action = "unchanged"
            return
        if not dispatch_rules.can_manage_visit(self.user, batch):
            self.error(plan, row, col["host"], _("您无权修改该跟岗批次。"))
            return
        planned.action = "update"
        planned.changes = {**changes, **batch_changes}

    def natural_key(self, planned):
        e, v = planned.extra, planned.values
        if e["person"] is not None:
            return (e["key"], "person", e["person"].pk)
        return (e["key"], "new", e["school"].pk, textnorm.fold(v["person"]))

    def describe(self, planned):
        v = planned.values
        return (
            f"{v.get('start_date') or ''} {v.get('host', '')} "
            f"{v.get('person', '')}({v.get('organisation', '')})"
        )

    def before_image(self, planned):
        trainee = planned.instance
        before = {"mentor": trainee.mentor_id, "goals": trainee.goals, "outcome": trainee.outcome}
        return {f: before[f] for f in self.OWN if f in planned.changes}

    def _batch_for(self, planned) -> VisitBatch:
        e = planned.extra
        batch = e["batch"] or self._made.get(("batch", e["key"]))
        if batch is None:
            first = self._first_rows[e["key"]].values
            number = first.get("number") or 1
            region = e["region"]
            batch = visit_services.create_visit_batch(
                actor=self.user,
                host=e["host"],
                sending_region=region,
                region_pairing=self.region_pairing_between(e["host"].region, region),
                title=first.get("title")
                or _("%(region)s第%(number)s批跟岗学习")
                % {"region": region.short_name or region.name, "number": number},
                number=number,
                start_date=first["start_date"],
                end_date=first["end_date"],
                forms_of_study=first.get("forms_of_study", ""),
            )
            self.alongside("create", batch)
            self._made[("batch", e["key"])] = batch
        elif e["batch_changes"]:
            before = {
                f: getattr(batch, f).isoformat() if f == "end_date" else getattr(batch, f)
                for f in e["batch_changes"]
            }
            visit_services.update_visit_batch(
                batch, actor=self.user, version=batch.version, **e["batch_changes"]
            )
            self.alongside("update", batch, {**before, "version": batch.version})
        return batch

    def create(self, planned):
        e, v = planned.extra, planned.values
        batch = self._batch_for(planned)
        own = {f: e["own"][f] or ("" if f != "mentor" else None) for f in self.OWN}
        key = ("person", e["school"].pk, textnorm.fold(v["person"]))
        person = e["person"] or self._made.get(key)
        if person is not None:
            return visit_services.add_trainee(batch, actor=self.user, person=person, **own)
        trainee = visit_services.add_trainee(
            batch,
            actor=self.user,
            new_name=v["person"],
            new_organisation=e["school"],
            new_subjects=v.get("subjects", ""),
            **own,
        )
        self.alongside("create", trainee.person)
        self._made[key] = trainee.person
        return trainee

    def update(self, planned):
        trainee = planned.instance
        self._batch_for(planned)
        if any(f in planned.changes for f in self.OWN):
            values = {f: planned.changes.get(f, getattr(trainee, f)) for f in self.OWN}
            visit_services.update_trainee(trainee, actor=self.user, **values)
        return trainee

    def revert(self, instance, before):
        if isinstance(instance, VisitBatch):
            before = self.unchanged_since(instance, before)
            visit_services.update_visit_batch(
                instance, actor=self.user, version=instance.version, **before
            )
            return
        if not before:
            return  # only the batch changed with this row: it has its own before-image
        values = {f: getattr(instance, f) for f in self.OWN}
        values.update(before)
        if "mentor" in before:
            values["mentor"] = Person.objects.filter(pk=before["mentor"]).first()
        visit_services.update_trainee(instance, actor=self.user, **values)


IMPORTERS.update({cls.kind: cls for cls in (DispatchImporter, TraineeImporter)})
