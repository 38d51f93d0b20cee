"""Importers for needs lists and for projects with their quantified targets.

Plans themselves are not imported: a plan is drafted by the helper side,
confirmed by both sides and revised as versions, which a ledger row cannot
carry; its needs and the projects' targets are what arrive in sheets.
"""

from __future__ import annotations

from collections import defaultdict

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from bangfu.core import access
from bangfu.lib import textnorm
from bangfu.needs import services as need_services
from bangfu.needs.models import Need, NeedCategory
from bangfu.orgs.models import Organisation
from bangfu.pairings.models import Pairing, PairingParty
from bangfu.plans import rules as plan_rules
from bangfu.plans import services as plan_services
from bangfu.plans.models import Project, ProjectTarget

from .columns import NEED, PROJECT
from .importers import IMPORTERS, Planned, _plain
from .importers_people import LedgerImporter, business_writer, refuse_if_used
from .models import ImportedRow

HELPER, RECIPIENT = PairingParty.Side.HELPER, PairingParty.Side.RECIPIENT


def _error_rows(importer, plan, row: int, exc: ValidationError) -> list[dict]:
    """A service's ValidationError as rows of the import's error list."""
    by_field = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
    headers = {c.key: str(c.header) for c in importer.columns}
    headers["targets"] = headers.get("target", "")
    return [
        {"sheet": plan.sheet, "row": row, "column": headers.get(field, ""), "message": str(m)}
        for field, messages in by_field.items()
        for m in messages
    ]


# --- needs --------------------------------------------------------------------------


class NeedImporter(LedgerImporter):
    """需求清单: listed by the recipient side; one need per pairing, recipient, title and start."""

    kind = "needs"
    columns = NEED
    model = Need
    FIELDS = ("category", "subject", "priority", "wished_end", "description")

    def prepare(self, rows, positions):
        listable = Pairing.objects.filter(
            access.side_pairings_q(self.user, RECIPIENT)
        ).prefetch_related("parties__organisation")
        self.pairings_of: dict[int, list[Pairing]] = defaultdict(list)
        for pairing in listable:
            for party in pairing.parties.all():
                if party.side == RECIPIENT:
                    self.pairings_of[party.organisation_id].append(pairing)
        self.categories = {c.name: c for c in NeedCategory.objects.all()}
        self.needs_of: dict[int, dict[tuple, Need]] = {}

    def _existing(self, pairing, key) -> Need | None:
        if pairing.pk not in self.needs_of:
            self.needs_of[pairing.pk] = {
                self.key_of(n.organisation_id, pairing, n.title, n.wished_start): n
                for n in Need.objects.filter(pairing=pairing).select_related("category")
            }
        return self.needs_of[pairing.pk].get(key)

    @staticmethod
    def key_of(org_id, pairing, title, wished_start) -> tuple:
        return (org_id, pairing.pk, textnorm.fold(title), wished_start)

    def _pairing(self, plan, planned, org) -> Pairing | None:
        pairings = self.pairings_of.get(org.pk, [])
        helper_name = planned.values.get("helper")
        if helper_name:
            helper = self.find_org(plan, planned, "helper", helper_name)
            if helper is None:
                return None
            pairings = [
                p
                for p in pairings
                if any(x.side == HELPER and x.organisation_id == helper.pk for x in p.parties.all())
            ]
            if not pairings:
                self.error(
                    plan,
                    planned.row,
                    self.col("helper"),
                    _("“%(helper)s”不是“%(org)s”的帮扶单位。")
                    % {"helper": helper.name, "org": org.name},
                )
                return None
        if len(pairings) > 1:
            self.error(
                plan,
                planned.row,
                self.col("helper"),
                _("“%(org)s”有多个结对关系,请填写帮扶单位:%(names)s。")
                % {"org": org.name, "names": "、".join(str(p) for p in pairings)},
            )
            return None
        return pairings[0]

    def _proposer_ok(self, plan, planned, pairing, org) -> bool:
        # The service files a need under the actor's own school, else the lead recipient.
        recipients = [p.organisation for p in pairing.parties.all() if p.side == RECIPIENT]
        own = [o for o in recipients if o.pk == self.user.organisation_id]
        if (own or recipients)[0].pk == org.pk:
            return True
        self.error(
            plan,
            planned.row,
            self.col("organisation"),
            _("结对关系“%(pairing)s”的需求由牵头受援单位“%(lead)s”登记。")
            % {"pairing": pairing, "lead": recipients[0].name},
        )
        return False

    def resolve(self, plan, planned):
        v = planned.values
        org = self.find_org(plan, planned, "organisation", v["organisation"])
        if org is None:
            return
        if not (self.may_edit(org) and org.pk in self.pairings_of):
            self.error(
                plan,
                planned.row,
                self.col("organisation"),
                _("您不能为“%(name)s”登记需求:需求由受援方本单位或其辖区协调员登记。")
                % {"name": org.name},
            )
            return
        pairing = self._pairing(plan, planned, org)
        if pairing is None or not self._proposer_ok(plan, planned, pairing, org):
            return
        if not self.check_period(
            plan,
            planned,
            "wished_start",
            "wished_end",
            _("希望完成日期不能早于希望开始日期。"),
        ):
            return
        v["category"] = self.categories[v["category"]]
        planned.extra.update(organisation=org, pairing=pairing)
        existing = self._existing(pairing, self.natural_key(planned))
        if existing is None:
            planned.action = "create"
            return
        planned.instance = existing
        status = v.get("status")
        if status and status != existing.status:
            self.error(
                plan,
                planned.row,
                self.col("status"),
                _("该需求已登记,状态为“%(status)s”;状态请在需求页面变更。")
                % {"status": existing.get_status_display()},
            )
            return
        planned.changes = self.changed(planned, existing, self.FIELDS)
        planned.action = "update" if planned.changes else "unchanged"

    def natural_key(self, planned):
        v = planned.values
        return self.key_of(
            planned.extra["organisation"].pk,
            planned.extra["pairing"],
            v["title"],
            v.get("wished_start"),
        )

    def describe(self, planned):
        v = planned.values
        return f"{v.get('title', '')}({v.get('organisation', '')})"

    def create(self, planned):
        v = planned.values
        need = need_services.create_need(
            actor=self.user,
            pairing=planned.extra["pairing"],
            category=v["category"],
            title=v["title"],
            description=v.get("description") or "",
            subject=v.get("subject") or "",
            priority=v.get("priority") or Need.Priority.MEDIUM,
            wished_start=v.get("wished_start"),
            wished_end=v.get("wished_end"),
        )
        status = v.get("status")
        if status and status != Need.Status.OPEN:
            need_services.change_need_status(need, status, actor=self.user)
        return need

    def update(self, planned):
        need = planned.instance
        return need_services.update_need(
            need, actor=self.user, version=need.version, **planned.changes
        )

    def revert(self, instance, before):
        if "category" in before:
            before["category"] = NeedCategory.objects.get(pk=before["category"])
        need_services.update_need(instance, actor=self.user, version=instance.version, **before)

    def check_undo_create(self, instance):
        if instance.claimed_by_id is not None:
            raise ValidationError(
                _("需求“%(title)s”导入后已被认领,该导入不能整体撤销。") % {"title": instance.title}
            )
        refuse_if_used(instance)


# --- projects and targets ---------------------------------------------------------------


class ProjectImporter(LedgerImporter):
    """项目与指标: one row per target; the rows of one project repeat its columns.

    A project is the same when owner, recipient region, year and name are. An
    import adds and changes targets but never removes one the sheet leaves out.
    """

    kind = "projects"
    columns = PROJECT
    model = Project
    FIELDS = ("level", "start_date", "end_date", "status", "description")
    TARGET_FIELDS = ("target_value", "unit", "is_minimum")

    @classmethod
    def can_import(cls, user):
        return business_writer(user) and user.is_coordinator

    def prepare(self, rows, positions):
        self.owners: dict[int, bool] = {}
        self.projects: dict[tuple, dict[str, Project]] = {}
        self.groups: dict[tuple, dict] = {}

    def _owner(self, plan, planned) -> Organisation | None:
        name = planned.values.get("owner")
        if name:
            org = self.find_org(plan, planned, "owner", name)
        else:
            org = self.user.organisation
        if org is None:
            return None
        if org.pk not in self.owners:
            self.owners[org.pk] = (
                Organisation.objects.filter(plan_rules.project_owner_q(self.user))
                .filter(pk=org.pk)
                .exists()
            )
        if not self.owners[org.pk]:
            self.error(
                plan,
                planned.row,
                self.col("owner"),
                _("“%(name)s”不是您辖区内的教育行政部门,不能作为负责单位。") % {"name": org.name},
            )
            return None
        return org

    def _target(self, plan, planned) -> bool:
        v = planned.values
        if v.get("basis"):
            v["is_minimum"] = v["basis"] == "minimum"
        if not (v.get("target") or v.get("target_value") is not None or v.get("unit")):
            return True
        ok = True
        if not v.get("target"):
            self.error(
                plan, planned.row, self.col("target"), _("填写了目标数量或单位,请填写指标。")
            )
            ok = False
        if not v.get("target_value"):
            self.error(
                plan, planned.row, self.col("target_value"), str(plan_services.TARGET_POSITIVE)
            )
            ok = False
        if not v.get("unit"):
            self.error(plan, planned.row, self.col("unit"), str(plan_services.TARGET_NEEDS_UNIT))
            ok = False
        return ok

    def _existing(self, owner, region, year, name) -> Project | None:
        found = self.projects.get((owner.pk, region.pk, year))
        if found is None:
            found = self.projects[(owner.pk, region.pk, year)] = {
                textnorm.fold(p.name): p
                for p in Project.objects.filter(
                    owner=owner, recipient_region=region, year=year
                ).prefetch_related("targets")
            }
        return found.get(textnorm.fold(name))

    def resolve(self, plan, planned):
        v = planned.values
        owner = self._owner(plan, planned)
        region = self.find_region(plan, planned, "recipient_region", v["recipient_region"])
        period_ok = self.check_period(plan, planned)
        target_ok = self._target(plan, planned)
        v["year"] = v.get("year") or v["start_date"].year
        if not 1990 <= v["year"] <= 2100:
            self.error(plan, planned.row, self.col("year"), _("请输入有效的年度。"))
            return
        if owner is None or region is None or not (period_ok and target_ok):
            return
        key = (owner.pk, region.pk, v["year"], textnorm.fold(v["name"]))
        group = self.groups.get(key)
        if group is None:
            project = self._existing(owner, region, v["year"], v["name"])
            group = self.groups[key] = {
                "head": planned,
                "project": project,
                "targets": {
                    textnorm.fold(t.description): t
                    for t in (project.targets.all() if project else [])
                },
            }
        elif not self._agrees(plan, planned, group["head"]):
            return
        planned.extra.update(owner=owner, region=region, key=key, group=group)
        project = group["project"]
        if project is None:
            if not (v.get("end_date") or group["head"].values.get("end_date")):
                self.error(plan, planned.row, self.col("end_date"), _("必填,不能为空。"))
                return
            planned.action = "create"
            return
        if not plan_rules.can_edit_project(self.user, project):
            self.error(
                plan, planned.row, None, _("您无权修改项目“%(name)s”。") % {"name": project.name}
            )
            return
        planned.instance = project
        changes = self.changed(planned, project, self.FIELDS)
        action = "update" if changes else "unchanged"
        if v.get("target"):
            target = group["targets"].get(textnorm.fold(v["target"]))
            if target is None:
                action = "create"
            else:
                planned.extra["target"] = target
                target_changes = self.changed(planned, target, self.TARGET_FIELDS)
                if "is_minimum" in target_changes:  # shown on the preview under its column
                    target_changes["basis"] = target_changes.pop("is_minimum")
                changes.update(target_changes)
                if target_changes:
                    action = "update"
        planned.changes = changes
        planned.action = action

    def _agrees(self, plan, planned, head: Planned) -> bool:
        """The project columns of a later row of the same project repeat the first row's."""
        for field in self.FIELDS:
            mine, first = planned.values.get(field), head.values.get(field)
            if mine not in (None, "") and first not in (None, "") and mine != first:
                self.error(
                    plan,
                    planned.row,
                    self.col(field),
                    _("与同一项目的第 %(row)s 行不一致。") % {"row": head.row},
                )
                return False
        return True

    def natural_key(self, planned):
        return (*planned.extra["key"], textnorm.fold(planned.values.get("target") or ""))

    def describe(self, planned):
        v = planned.values
        target = v.get("target") or ""
        if target:
            target = f" · {target} {v.get('target_value') or ''}{v.get('unit') or ''}"
        return f"{v.get('name', '')}({v.get('recipient_region', '')} {v.get('year', '')}){target}"

    # --- writing: one service call per project, with all its rows' targets -------------

    def apply(self, plan, job):
        errors = []
        groups: dict[int, list[Planned]] = {}
        for planned in plan.rows:
            if planned.action in ("create", "update"):
                groups.setdefault(id(planned.extra["group"]), []).append(planned)
        total = len(groups)
        for done, rows in enumerate(groups.values()):
            self.progress(done, total)
            try:
                self._write(rows, job)
            except ValidationError as exc:
                errors.extend(_error_rows(self, plan, rows[0].row, exc))
        self.progress(total, total)
        return errors

    @staticmethod
    def _target_values(planned: Planned, target: ProjectTarget | None):
        v = planned.values
        if target is None:
            return plan_services.TargetValues(
                description=v["target"],
                target_value=v["target_value"],
                unit=v["unit"],
                is_minimum=v.get("is_minimum", True),
            )
        return plan_services.TargetValues(
            pk=target.pk,
            description=target.description,
            target_value=v.get("target_value") or target.target_value,
            unit=v.get("unit") or target.unit,
            is_minimum=v.get("is_minimum", target.is_minimum),
        )

    def _write(self, rows: list[Planned], job) -> None:
        group = rows[0].extra["group"]
        project = group["project"]
        label = Project._meta.label
        targets = [
            self._target_values(r, r.extra.get("target")) for r in rows if r.values.get("target")
        ]
        if project is None:
            head = group["head"]
            # Each project column from the first row that fills it.
            values = {
                field: next((r.values[field] for r in rows if r.values.get(field)), None)
                for field in self.FIELDS
            }
            project = plan_services.create_project(
                actor=self.user,
                targets=targets,
                name=head.values["name"],
                owner=head.extra["owner"],
                recipient_region=head.extra["region"],
                year=head.values["year"],
                level=values["level"] or Project.Level.DISTRICT,
                start_date=values["start_date"],
                end_date=values["end_date"],
                status=values["status"] or Project.Status.PLANNED,
                description=values["description"] or "",
            )
            ImportedRow.objects.create(
                job=job, row_number=rows[0].row, action="create", model=label, object_id=project.pk
            )
            return
        # Fresh, so the service's audit entry sees the targets as they are after the write.
        project = Project.objects.get(pk=project.pk)
        changes = {}
        for r in rows:
            changes.update({f: r.changes[f] for f in self.FIELDS if f in r.changes})
        before = {f: _plain(getattr(project, f)) for f in changes}
        touched = {t.pk for t in targets if t.pk}
        before["targets"] = [
            {f: _plain(getattr(t, f)) for f in ("pk", "description", *self.TARGET_FIELDS)}
            for t in project.targets.all()
            if t.pk in touched
        ]
        known = {t.pk for t in project.targets.all()}
        plan_services.update_project(
            project, actor=self.user, version=project.version, targets=targets, **changes
        )
        before["created_targets"] = list(
            ProjectTarget.objects.filter(project=project)
            .exclude(pk__in=known)
            .values_list("pk", flat=True)
        )
        ImportedRow.objects.create(
            job=job,
            row_number=rows[0].row,
            action="update",
            model=label,
            object_id=project.pk,
            before=before,
        )

    def undo(self, imported: ImportedRow) -> None:
        if imported.action == ImportedRow.Action.CREATE:
            return super().undo(imported)
        project = Project.objects.filter(pk=imported.object_id).first()
        if project is None:
            return
        before = dict(imported.before)
        old_targets = before.pop("targets", [])
        created = before.pop("created_targets", [])
        fields = {f: Project._meta.get_field(f).to_python(value) for f, value in before.items()}
        current = {t.pk for t in project.targets.all()}
        targets = [
            plan_services.TargetValues(
                pk=t["pk"],
                description=t["description"],
                target_value=t["target_value"],
                unit=t["unit"],
                is_minimum=t["is_minimum"],
            )
            for t in old_targets
            if t["pk"] in current
        ]
        targets += [
            plan_services.TargetValues(pk=pk, delete=True) for pk in created if pk in current
        ]
        plan_services.update_project(
            project, actor=self.user, version=project.version, targets=targets, **fields
        )

    def check_undo_create(self, instance):
        refuse_if_used(instance, own=(ProjectTarget,))


IMPORTERS.update({cls.kind: cls for cls in (NeedImporter, ProjectImporter)})
