"""Small factories for support records."""

import datetime as dt
from decimal import Decimal

from bangfu.support.models import Support, SupportItem


def make_support(w, **extra) -> Support:
    values = dict(
        kind=Support.Kind.GOODS,
        title="防疫物资捐赠",
        date=dt.date(2020, 2, 20),
        donor=w.bj9,
        recipient=w.xizi,
        recipient_region=w.ningcheng,
        pairing=w.p_bj9_xizi,
        amount_yuan=Decimal("44000"),
        is_approximate=True,
    )
    values.update(extra)
    return Support.objects.create(**values)


def make_item(support, **extra) -> SupportItem:
    values = dict(name="一次性防护口罩", quantity=Decimal("6000"), unit="个")
    values.update(extra)
    return SupportItem.objects.create(support=support, **values)
