"""Small builders for the API tests (own ones, so other apps' factories can change freely)."""

import datetime as dt
from decimal import Decimal

ID_NUMBER = "11010519491231002X"
PHONE = "13812345678"


def make_person(w, org=None, name="张老师"):
    from bangfu.orgs.models import Person

    person = Person(name=name, organisation=org or w.xizi, kind="teacher")
    person.set_id_number(ID_NUMBER)
    person.set_phone(PHONE)
    person.refresh_search()
    person.save()
    return person


def make_activity(w, pairing=None, **extra):
    """A lecture recorded by the helper side of 北京九中 ↔ 汐子中学 (or ``pairing``)."""
    from bangfu.activities import services

    values = dict(
        type="lecture",
        title="初中数学专题讲座",
        start_date=dt.date(2019, 10, 8),
        end_date=dt.date(2019, 10, 8),
        helper_headcount=2,
        recipient_headcount=30,
        person_times=40,
    )
    values.update(extra)
    pairing = pairing or w.p_bj9_xizi
    actor = w.helper if pairing == w.p_bj9_xizi else w.other_coordinator
    return services.record_activity(actor=actor, pairing=pairing, **values)


def make_need(w, pairing=None, title="初中数学教研指导", **extra):
    from bangfu.needs.models import Need, NeedCategory

    pairing = pairing or w.p_bj9_xizi
    recipient = next(p.organisation for p in pairing.parties.all() if p.side == "recipient")
    need = Need(
        pairing=pairing,
        organisation=recipient,
        category=NeedCategory.objects.get_or_create(name="学科教学")[0],
        title=title,
        **extra,
    )
    need.refresh_search()
    need.save()
    return need


def make_plan(w, pairing=None):
    from bangfu.plans.models import Plan, PlanTask

    plan = Plan.objects.create(
        pairing=pairing or w.p_bj9_xizi, academic_year=2019, term=1, title="秋季帮扶计划"
    )
    PlanTask.objects.create(plan=plan, title="送教下乡", target_value=4, target_unit="次")
    return plan


def make_dispatch(w):
    from bangfu.dispatch.models import Dispatch

    return Dispatch.objects.create(
        person=make_person(w, org=w.bj9, name="李老师"),
        sender=w.bj9,
        host=w.xizi,
        host_region=w.ningcheng,
        pairing=w.p_bj9_xizi,
        start_date=dt.date(2019, 3, 1),
        end_date=dt.date(2019, 8, 31),
        status="active",
    )


def make_support(w):
    from bangfu.support.models import Support, SupportItem

    support = Support.objects.create(
        kind="goods",
        title="防疫物资捐赠",
        date=dt.date(2020, 2, 20),
        donor=w.bj9,
        recipient=w.xizi,
        recipient_region=w.ningcheng,
        pairing=w.p_bj9_xizi,
        amount_yuan=Decimal("44000.00"),
        is_approximate=True,
    )
    SupportItem.objects.create(support=support, name="一次性防护口罩", quantity=6000, unit="个")
    return support
