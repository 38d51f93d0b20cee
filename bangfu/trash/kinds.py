"""The kinds of business record that go to the recycle bin, and who may delete and restore them.

Each kind's delete and restore are services of its own app (they know what may
not be deleted: a confirmed plan, an activity of a locked semester); this table
only lets the recycle bin's pages reach them by a short name in the URL.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable

from django.db import models
from django.urls import reverse


@dataclasses.dataclass(frozen=True)
class Kind:
    key: str
    model: type[models.Model]
    # (user, record) -> bool: may delete it, and may restore it once deleted.
    can_delete: Callable
    # (record, *, actor) -> record; raise ValidationError with a message for the user.
    delete: Callable
    restore: Callable
    detail_url_name: str
    list_url_name: str
    # select_related / prefetch_related for the recycle bin's rule checks.
    related: tuple[str, ...] = ()
    prefetch: tuple[str, ...] = ()
    # Records hidden with their deleted pairing are restored with it, not one by one.
    follows_pairing: bool = False

    @property
    def label(self) -> str:
        return str(self.model._meta.verbose_name)

    def detail_url(self, record) -> str:
        return reverse(self.detail_url_name, kwargs={"pk": record.pk})


@functools.cache
def kinds() -> dict[str, Kind]:
    from bangfu.activities import services as activities
    from bangfu.activities.models import Activity
    from bangfu.dispatch import services as dispatch
    from bangfu.dispatch.models import Dispatch
    from bangfu.needs import services as needs
    from bangfu.needs.models import Need
    from bangfu.pairings import services as pairings
    from bangfu.pairings.models import Pairing
    from bangfu.plans import services as plans
    from bangfu.plans.models import Plan
    from bangfu.resources import services as resources
    from bangfu.resources.models import SharedResource
    from bangfu.support import services as support
    from bangfu.support.models import Support

    pairing_sides = ("pairing__parties__organisation__region",)
    table = [
        Kind(
            "pairing",
            Pairing,
            pairings.can_delete_pairing,
            pairings.delete_pairing,
            pairings.restore_pairing,
            "pairings:detail",
            "pairings:list",
            prefetch=("parties__organisation__region",),
        ),
        Kind(
            "need",
            Need,
            needs.can_delete_need,
            needs.delete_need,
            needs.restore_need,
            "needs:detail",
            "needs:list",
            related=("pairing",),
            prefetch=pairing_sides,
            follows_pairing=True,
        ),
        Kind(
            "plan",
            Plan,
            plans.can_delete_plan,
            plans.delete_plan,
            plans.restore_plan,
            "plans:detail",
            "plans:list",
            related=("pairing",),
            prefetch=pairing_sides,
            follows_pairing=True,
        ),
        Kind(
            "activity",
            Activity,
            activities.can_delete_activity,
            activities.delete_activity,
            activities.restore_activity,
            "activities:detail",
            "activities:list",
            related=("pairing", "region_pairing__helper_region", "recipient_region"),
            prefetch=pairing_sides,
            follows_pairing=True,
        ),
        Kind(
            "dispatch",
            Dispatch,
            dispatch.can_delete_dispatch,
            dispatch.delete_dispatch,
            dispatch.restore_dispatch,
            "dispatch:detail",
            "dispatch:list",
            related=("person", "sender__region", "host", "host_region"),
        ),
        Kind(
            "support",
            Support,
            support.can_delete_support,
            support.delete_support,
            support.restore_support,
            "support:detail",
            "support:list",
            related=("donor__region", "recipient_region", "pairing"),
            prefetch=pairing_sides,
        ),
        Kind(
            "resource",
            SharedResource,
            resources.can_delete_resource,
            resources.delete_resource,
            resources.restore_resource,
            "resources:detail",
            "resources:list",
            related=("owner__region", "pairing"),
            follows_pairing=True,
        ),
    ]
    return {kind.key: kind for kind in table}


def kind_of(record) -> Kind | None:
    for kind in kinds().values():
        if isinstance(record, kind.model):
            return kind
    return None
