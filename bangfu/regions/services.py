"""Resolve the names users write (寧城, 莫旗, 东乡县, 长顺县鼓扬镇) to regions.

A name that fits several places is never guessed: callers get every candidate
and the user picks.
"""

from __future__ import annotations

from django.db.models import Q

from bangfu.lib import textnorm

from .models import Region, RegionAlias


def resolve(name: str, within: Region | None = None) -> list[Region]:
    """Every region the name may mean (empty when none). Cost: one or two queries."""
    folded = textnorm.fold(name)
    if not folded:
        return []
    qs = Region.objects.all()
    if within is not None:
        qs = qs.within(within)
    if folded.isdigit():
        return list(qs.filter(code=folded))
    alias_ids = RegionAlias.objects.filter(name=folded).values("region_id")
    matches = list(
        qs.filter(Q(name=folded) | Q(short_name=folded) | Q(pk__in=alias_ids))
        .select_related("parent__parent")
        .order_by("level", "code", "id")
    )
    return matches
