"""Small factories for this app's tests, on the ``world`` fixture of conftest.py."""

import datetime as dt

from bangfu.dispatch.models import Dispatch, DispatchBatch
from bangfu.orgs.models import Person


def person(org, name="李老师", backbone=""):
    p = Person(name=name, organisation=org, backbone_level=backbone)
    p.refresh_search()
    p.save()
    return p


def batch(sender, number=1, programme="援蒙", year=2019):
    return DispatchBatch.objects.create(
        sender=sender, number=number, programme=programme, year=year
    )


def dispatch(
    w,
    *,
    who=None,
    host=None,
    start=dt.date(2019, 3, 1),
    end=dt.date(2019, 8, 31),
    status="active",
    batch=None,
    was_backbone=False,
):
    host = host if host is not None else w.xizi
    return Dispatch.objects.create(
        person=who or person(w.bj9),
        sender=w.bj9,
        host=host,
        host_region=host.region,
        pairing=w.p_bj9_xizi,
        batch=batch,
        start_date=start,
        end_date=end,
        status=status,
        was_backbone=was_backbone,
    )
