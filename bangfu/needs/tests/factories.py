"""Small factories for needs tests (and the access matrix)."""

from bangfu.needs.models import Need, NeedCategory


def category(name="学科教学"):
    return NeedCategory.objects.get_or_create(name=name)[0]


def make_need(world, pairing=None, title="初中数学教研指导", **extra):
    pairing = pairing or world.p_bj9_xizi
    recipient = next(p.organisation for p in pairing.parties.all() if p.side == "recipient")
    need = Need(
        pairing=pairing,
        organisation=recipient,
        category=extra.pop("category", None) or category(),
        title=title,
        **extra,
    )
    need.refresh_search()
    need.save()
    return need
