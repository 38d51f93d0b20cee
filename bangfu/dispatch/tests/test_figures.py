import datetime as dt
from decimal import Decimal

from bangfu.dispatch.figures import dispatch_figures, share_percent
from bangfu.dispatch.models import Dispatch

from . import factories as f


def test_six_batches_31_person_times_11_people_8_backbone_is_72_73_percent(world):
    batches = [f.batch(world.bj9, number=n) for n in range(1, 7)]
    people = [f.person(world.bj9, f"老师{i}", backbone="city" if i < 8 else "") for i in range(11)]
    # 31 rows: every person at least once, the first ones again in later batches.
    rows = [(people[i % 11], batches[i % 6]) for i in range(31)]
    for who, batch in rows:
        f.dispatch(
            world,
            who=who,
            batch=batch,
            was_backbone=who.is_backbone,
            start=dt.date(2019, 3, 1),
            end=dt.date(2019, 3, 31),
            status="completed",
        )
    figures = dispatch_figures(Dispatch.objects.all())
    assert figures == {
        "batches": 6,
        "person_times": 31,
        "people": 11,
        "backbone_people": 8,
        "backbone_share": Decimal("72.73"),
    }


def test_share_of_nothing_is_zero():
    assert share_percent(0, 0) == Decimal("0.00")
    assert share_percent(1, 3) == Decimal("33.33")
