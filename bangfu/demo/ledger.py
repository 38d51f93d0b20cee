"""Find-or-create primitives for the work ledger (活动、项目、援派、跟岗、物资 …).

Like :mod:`bangfu.demo.builder`, every row is found by a natural key before it
is created and existing rows are never changed, so a second load adds nothing.
Rows that come in dozens (trainees, generated people) are written with one
query for the keys present and one ``bulk_create`` for the rest.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.utils import timezone

from bangfu.activities.models import Activity
from bangfu.dispatch.models import (
    Dispatch,
    DispatchBatch,
    Enrolment,
    Trainee,
    TrainingClass,
    VisitBatch,
)
from bangfu.lib import textnorm
from bangfu.needs.models import Need, NeedCategory
from bangfu.orgs.models import Organisation, Person
from bangfu.pairings.models import Pairing, RegionPairing
from bangfu.plans.models import Plan, PlanTask, Project, ProjectTarget
from bangfu.support.models import Support, SupportItem

from .builder import SUFFIX, DemoBuilder, fake_id_number

A = Activity
ACTIVITY_FIELDS = {f.name for f in Activity._meta.get_fields()}


def ledger_extras(activity: Activity) -> None:
    """The side that recorded the entry and its search text, as the activities service sets them.

    Every demo activity is recorded by its organiser, the helper side; one
    without a pairing is region-level and has no side.
    """
    if "recorded_side" in ACTIVITY_FIELDS:
        activity.recorded_side = "helper" if activity.pairing_id else ""
    if "search_text" in ACTIVITY_FIELDS:
        titles = [line.strip() for line in activity.lesson_titles.splitlines() if line.strip()]
        activity.search_text = textnorm.search_blob(activity.title, *titles)


class LedgerBuilder(DemoBuilder):
    """Primitives for the ledger rows; the articles live in the ledger_* modules."""

    # --- look-ups -----------------------------------------------------------

    def rp(self, helper_key: str, recipient_key: str) -> RegionPairing:
        """The region pairing the loader made between two registry keys."""
        cache = self.__dict__.setdefault("_rp_cache", {})
        key = (helper_key, recipient_key)
        if key not in cache:
            cache[key] = RegionPairing.objects.filter(
                helper_region=self.r[helper_key], recipient_region=self.r[recipient_key]
            ).earliest("start_date")
        return cache[key]

    def category(self, name: str) -> NeedCategory:
        # The defaults come from a data migration; a missing one (renamed by
        # an admin) is added rather than failing the load.
        category, created = NeedCategory.objects.get_or_create(name=name)
        if created:
            self.summary.count("need categories")
        return category

    # --- people -------------------------------------------------------------

    def people(
        self,
        prefix: str,
        orgs: Sequence[Organisation],
        count: int,
        *,
        first: int = 1,
        kind: str = Person.Kind.TEACHER,
        position: str = "",
        subjects: Sequence[str] = ("",),
        backbone: Sequence[str] = ("",),
    ) -> list[Person]:
        """Generated people "宁城教师017(示例)", spread over ``orgs`` in turn.

        Cost: one query for those present, one bulk insert for the rest.
        """
        wanted = []
        for i in range(count):
            n = first + i
            wanted.append(
                (
                    orgs[i % len(orgs)],
                    f"{prefix}{n:03d}{SUFFIX}",
                    subjects[i % len(subjects)],
                    backbone[i % len(backbone)],
                )
            )
        names = {name for _, name, _, _ in wanted}
        found = {
            (p.organisation_id, p.name): p
            for p in Person.objects.filter(organisation__in={o.pk for o in orgs}, name__in=names)
        }
        seq = Person.objects.filter(is_generated=True).count()
        new = []
        for org, name, subject, level in wanted:
            if (org.pk, name) in found:
                continue
            seq += 1
            person = Person(
                name=name,
                organisation=org,
                kind=kind,
                position=position,
                subjects=subject,
                backbone_level=level,
                is_generated=True,
            )
            person.set_id_number(fake_id_number(org.region, seq))
            person.set_phone(f"1390000{seq % 10000:04d}")
            person.refresh_search()
            new.append(person)
        for person in Person.objects.bulk_create(new):
            found[(person.organisation_id, person.name)] = person
        self.summary.count("people", len(new))
        return [found[(org.pk, name)] for org, name, _, _ in wanted]

    # --- activities ---------------------------------------------------------

    def activity(
        self,
        type: str,
        title: str,
        start: dt.date,
        *,
        organiser: Organisation,
        end: dt.date | None = None,
        pairing: Pairing | None = None,
        region_pairing: RegionPairing | None = None,
        receivers: Iterable[Organisation] = (),
        leaders: Iterable[Person] = (),
        projects: Iterable[Project] = (),
        needs: Iterable[Need] = (),
        plan_tasks: Iterable[PlanTask] = (),
        generated: bool = False,
        **fields,
    ) -> Activity:
        """One ledger entry, keyed by organiser, type, title and start date.

        The regions it is counted under come from the region pairing (its own
        or its pairing's), else from the pairing's lead helper and first
        recipient.
        """
        if generated and not title.endswith(SUFFIX):
            title += SUFFIX
        activity = Activity.objects.filter(
            organiser=organiser, type=type, title=title, start_date=start
        ).first()
        if activity is not None:
            return activity
        if region_pairing is None and pairing is not None:
            region_pairing = pairing.region_pairing
        helper_region, recipient_region = self.regions_of(pairing, region_pairing)
        fields.setdefault("confirmation", A.Confirmation.CONFIRMED)
        if "person_times" not in fields:
            fields["person_times"] = fields.get("helper_headcount", 0) + fields.get(
                "recipient_headcount", 0
            )
        activity = Activity(
            type=type,
            title=title,
            start_date=start,
            end_date=end or start,
            organiser=organiser,
            pairing=pairing,
            region_pairing=region_pairing,
            helper_region=helper_region,
            recipient_region=recipient_region,
            is_generated=generated,
            **fields,
        )
        if activity.confirmation != A.Confirmation.PENDING and activity.confirmed_at is None:
            # Past work in the articles counts as confirmed on its last day.
            activity.confirmed_at = timezone.make_aware(
                dt.datetime.combine(activity.end_date, dt.time(18, 0))
            )
        ledger_extras(activity)
        activity.save()
        for relation, rows in (
            (activity.receivers, receivers),
            (activity.leaders, leaders),
            (activity.projects, projects),
            (activity.needs, needs),
            (activity.plan_tasks, plan_tasks),
        ):
            rows = list(rows)
            if rows:
                relation.add(*rows)
        self.summary.count("activities")
        return activity

    def regions_of(self, pairing, region_pairing):
        if region_pairing is not None:
            return region_pairing.helper_region, region_pairing.recipient_region
        helpers = [p for p in pairing.parties.all() if p.side == "helper"]
        recipients = [p for p in pairing.parties.all() if p.side == "recipient"]
        lead = next((p for p in helpers if p.is_lead), helpers[0])
        return lead.organisation.region, recipients[0].organisation.region

    # --- projects, needs, plans ---------------------------------------------

    def project(self, name, level, owner, region, year, *, rp=None, generated=False, **fields):
        project = Project.objects.filter(name=name, year=year, level=level).first()
        if project is None:
            fields.setdefault("start_date", dt.date(year, 1, 1))
            fields.setdefault("end_date", dt.date(year, 12, 31))
            project = Project.objects.create(
                name=name,
                level=level,
                owner=owner,
                recipient_region=region,
                region_pairing=rp,
                year=year,
                is_generated=generated,
                **fields,
            )
            self.summary.count("projects")
        return project

    def target(self, project, description, value, unit):
        _, created = ProjectTarget.objects.get_or_create(
            project=project,
            description=description,
            defaults={"target_value": value, "unit": unit},
        )
        if created:
            self.summary.count("project targets")

    def need(self, pairing, org, category, title, raised_on, *, generated=False, **fields):
        if generated:
            title += SUFFIX
        need = Need.objects.filter(pairing=pairing, organisation=org, title=title).first()
        if need is None:
            raised = dt.datetime.combine(raised_on, dt.time(9), tzinfo=dt.UTC)
            if fields.get("claimed_by") is not None:
                fields.setdefault("claimed_at", raised + dt.timedelta(days=1))
            need = Need.objects.create(
                pairing=pairing,
                organisation=org,
                category=self.category(category),
                title=title,
                is_generated=generated,
                **fields,
            )
            # created_at is auto_now_add: the day the need was raised is set after.
            Need.objects.filter(pk=need.pk).update(created_at=raised, updated_at=raised)
            self.summary.count("needs")
        return need

    def plan(self, pairing, year, term, title, *, generated=False, **fields) -> Plan:
        if generated:
            title += SUFFIX
        plan = Plan.objects.filter(
            pairing=pairing, academic_year=year, term=term, version_no=1
        ).first()
        if plan is None:
            plan = Plan.objects.create(
                pairing=pairing,
                academic_year=year,
                term=term,
                title=title,
                is_generated=generated,
                **fields,
            )
            self.summary.count("plans")
        return plan

    def task(self, plan, order, title, *, needs=(), **fields) -> PlanTask:
        task = PlanTask.objects.filter(plan=plan, order=order).first()
        if task is None:
            task = PlanTask.objects.create(plan=plan, order=order, title=title, **fields)
            if needs:
                task.needs.add(*needs)
            self.summary.count("plan tasks")
        return task

    # --- dispatch, visits, classes --------------------------------------------

    def dispatch_batch(self, sender, programme, number, year, *, destination=None, note=""):
        batch, created = DispatchBatch.objects.get_or_create(
            sender=sender,
            programme=programme,
            number=number,
            defaults={"year": year, "destination": destination, "note": note},
        )
        if created:
            self.summary.count("dispatch batches")
        return batch

    def dispatch(self, person, sender, host_region, start, end, *, batch=None, **fields):
        dispatch = Dispatch.objects.filter(person=person, sender=sender, start_date=start).first()
        if dispatch is None:
            fields.setdefault("status", Dispatch.Status.COMPLETED)
            fields.setdefault("subjects", person.subjects)
            dispatch = Dispatch.objects.create(
                person=person,
                sender=sender,
                host_region=host_region,
                start_date=start,
                end_date=end,
                batch=batch,
                **fields,
            )
            self.summary.count("dispatches")
        return dispatch

    def visit_batch(self, host, title, sending_region, start, end, **fields) -> VisitBatch:
        if fields.get("is_generated"):
            title += SUFFIX
        batch = VisitBatch.objects.filter(host=host, title=title).first()
        if batch is None:
            batch = VisitBatch.objects.create(
                host=host,
                title=title,
                sending_region=sending_region,
                start_date=start,
                end_date=end,
                **fields,
            )
            self.summary.count("visit batches")
        return batch

    def trainees(self, batch, people, *, mentors=(), goals=()) -> None:
        """Trainee rows for ``people`` (mentor and 一人一案 goal in turn). Cost: two queries."""
        present = set(Trainee.objects.filter(batch=batch).values_list("person_id", flat=True))
        new = [
            Trainee(
                batch=batch,
                person=person,
                mentor=mentors[i % len(mentors)] if mentors else None,
                goals=goals[i % len(goals)] if goals else "",
            )
            for i, person in enumerate(people)
            if person.pk not in present
        ]
        Trainee.objects.bulk_create(new)
        self.summary.count("trainees", len(new))

    def training_class(self, name, organiser, start, end, people, **fields) -> TrainingClass:
        tc = TrainingClass.objects.filter(organiser=organiser, name=name).first()
        if tc is None:
            tc = TrainingClass.objects.create(
                name=name, organiser=organiser, start_date=start, end_date=end, **fields
            )
            self.summary.count("training classes")
        present = set(tc.enrolments.values_list("person_id", flat=True))
        new = [
            Enrolment(training_class=tc, person=p, graduated=tc.graduated)
            for p in people
            if p.pk not in present
        ]
        Enrolment.objects.bulk_create(new)
        self.summary.count("enrolments", len(new))
        return tc

    # --- material and money support --------------------------------------------

    def support(self, kind, title, date, donor, region, amount, *, items=(), **fields):
        """Support with its items ``(name, quantity, unit, approximate)``."""
        support = Support.objects.filter(donor=donor, kind=kind, title=title).first()
        if support is None:
            support = Support.objects.create(
                kind=kind,
                title=title,
                date=date,
                donor=donor,
                recipient_region=region,
                amount_yuan=Decimal(amount),
                **fields,
            )
            SupportItem.objects.bulk_create(
                SupportItem(
                    support=support,
                    name=name,
                    quantity=Decimal(quantity),
                    unit=unit,
                    is_approximate=approximate,
                )
                for name, quantity, unit, approximate in items
            )
            self.summary.count("support")
            self.summary.count("support items", len(items))
        return support
