"""Resolve the names users write (寧城, 莫旗, 东乡县, 长顺县鼓扬镇) to regions.

A name that fits several places is never guessed: callers get every candidate
and the user picks.
"""

from __future__ import annotations

import re

from django.db.models import Q

from bangfu.lib import textnorm

from .models import Region, RegionAlias

# Endings of division names, so a name written without one (宁城, 和田, 六枝)
# meets every division it may mean (宁城县; 和田地区, 和田市, 和田县; 六枝特区).
SUFFIXES = (
    "省",
    "市",
    "自治区",
    "特别行政区",
    "地区",
    "盟",
    "自治州",
    "州",
    "县",
    "自治县",
    "旗",
    "自治旗",
    "区",
    "特区",
    "林区",
    "新区",
    "镇",
    "乡",
    "民族乡",
    "苏木",
    "街道",
)
# A 6-digit code, or a derived key (see importer) typed with or without hyphens.
_KEY = re.compile(r"^\d{6}(?:-?\d{3})*$")
# Users paste paths as shown on pages (贵州省 / 罗甸县) or lists (罗甸县、龙坪镇).
_SEPARATORS = re.compile(r"[/,,、·>›]+")
MIN_PART = 2  # shortest name a compound is split into (a single character is never a place)


def normalise_key(text: str) -> str | None:
    """``522728006`` or ``522728-006`` → ``522728-006``; None when not a key."""
    if not _KEY.match(text):
        return None
    digits = text.replace("-", "")
    groups = [digits[:6]] + [digits[i : i + 3] for i in range(6, len(digits), 3)]
    return "-".join(groups)


def _base_queryset(within: Region | None):
    qs = Region.objects.select_related("parent__parent__parent")
    if within is not None:
        qs = qs.within(within)
    return qs.order_by("level", "code", "id")


def _direct(folded: str, within: Region | None) -> list[Region]:
    """Matches of the whole text: exact names win; else short names, aliases and suffix-less forms."""
    key = normalise_key(folded)
    qs = _base_queryset(within)
    if key is not None:
        return list(qs.filter(code=key))
    names = {folded} | {folded + suffix for suffix in SUFFIXES}
    alias_ids = RegionAlias.objects.filter(name_key=folded).values("region_id")
    rows = list(qs.filter(Q(name_key__in=names) | Q(short_key=folded) | Q(pk__in=alias_ids)))
    exact = [r for r in rows if r.name_key == folded]
    return exact or rows


def resolve(name: str, within: Region | None = None) -> list[Region]:
    """Every region the name may mean (empty when none), ordered by level and code.

    Cost: one indexed query for a plain name; a compound name (贵州省罗甸县龙坪镇)
    costs one query per prefix tried.
    """
    folded = _SEPARATORS.sub("", textnorm.fold(name)).strip("-")
    if not folded:
        return []
    found = _direct(folded, within)
    if found or len(folded) < 2 * MIN_PART:
        return found
    return _compound(folded, within)


def _compound(folded: str, within: Region | None) -> list[Region]:
    """The longest prefix that names a region, then the rest resolved inside it."""
    for cut in range(len(folded) - MIN_PART, MIN_PART - 1, -1):
        heads = _direct(folded[:cut], within)
        if not heads:
            continue
        rest = folded[cut:]
        found: dict[int, Region] = {}
        for head in heads:
            for region in resolve(rest, within=head):
                if region.pk != head.pk:
                    found.setdefault(region.pk, region)
        if found:
            return sorted(found.values(), key=lambda r: (r.level, r.code or "", r.pk))
    return []


def label(region: Region) -> str:
    """How a candidate is shown to a user picking one: full path and key."""
    return f"{region.full_name or region.display_path()}({region.code or region.pk})"


def suggest(query: str, limit: int = 15) -> list[Region]:
    """Regions for an autocomplete: what the text resolves to, then what contains it."""
    if not textnorm.fold_query(query):
        return []
    picked = {r.pk: r for r in resolve(query)[:limit]}
    if len(picked) < limit:
        more = (
            Region.objects.search(query)
            .exclude(pk__in=list(picked))
            .order_by("level", "sort_key")[: limit - len(picked)]
        )
        picked.update((r.pk, r) for r in more)
    return list(picked.values())
