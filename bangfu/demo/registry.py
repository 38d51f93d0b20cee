"""The regions the demo stands on, found in the national registry.

Counties by their GB/T 2260 code, towns by county and name. The loader needs
only these rows, so tests build a registry of exactly these and nothing more.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.management import call_command
from django.core.management.base import CommandError

from bangfu.regions.models import Region

# A national registry has about 2,850 county-level rows; fewer means it was
# never loaded (or only a test's handful is present).
FULL_REGISTRY_COUNTIES = 2800

# key → (GB/T 2260 code, expected name). Codes checked against the packaged
# division dictionary the regions loader reads.
CODES = {
    "北京市": ("110000", "北京市"),
    "河北省": ("130000", "河北省"),
    "石景山区": ("110107", "石景山区"),
    "朝阳区": ("110105", "朝阳区"),
    "宁城县": ("150429", "宁城县"),
    "莫旗": ("150722", "莫力达瓦达斡尔族自治旗"),
    "顺平县": ("130636", "顺平县"),
    "称多县": ("632723", "称多县"),
    "竹山县": ("420323", "竹山县"),
    "南明区": ("520102", "南明区"),
    "普安县": ("522323", "普安县"),
    "长顺县": ("522729", "长顺县"),
    "望谟县": ("522326", "望谟县"),
    "罗甸县": ("522728", "罗甸县"),
    "六枝特区": ("520203", "六枝特区"),
    "从江县": ("522633", "从江县"),
    "湖里区": ("350206", "湖里区"),
    "康保县": ("130723", "康保县"),
    "东乡县": ("622926", "东乡族自治县"),
    "永宁县": ("640121", "永宁县"),
    "和田地区": ("653200", "和田地区"),
    "拉萨市": ("540100", "拉萨市"),
    "玉树州": ("632700", "玉树藏族自治州"),
    "商都县": ("150923", "商都县"),
}

# key → (county key, town name).
TOWNS = {
    "鼓扬镇": ("长顺县", "鼓扬镇"),
    "石屯镇": ("望谟县", "石屯镇"),
    "龙坪镇": ("罗甸县", "龙坪镇"),
    "尕朵乡": ("称多县", "尕朵乡"),
    # The article places 闽宁镇 in 临夏; the registry's only 闽宁镇 is in
    # 宁夏永宁县 (the 闽宁 cooperation's own town), so the demo uses that one.
    "闽宁镇": ("永宁县", "闽宁镇"),
}

# 雄安新区 is not in the national source; the regions loader adds it as a
# supplement row. Without it the demo files its schools under 河北省.
XIONGAN = ("133100", "雄安新区")


class RegistryMissing(Exception):
    pass


@dataclass
class Regions:
    by_key: dict[str, Region]
    notes: list[str] = field(default_factory=list)

    def __getitem__(self, key: str) -> Region:
        return self.by_key[key]


def ensure_registry(stdout=None) -> None:
    """Load the national registry when it is absent. Cost: one count query, or a full load."""
    if Region.objects.filter(level=Region.Level.COUNTY).count() >= FULL_REGISTRY_COUNTIES:
        return
    try:
        call_command("load_regions", stdout=stdout)
    except CommandError as exc:
        # Only "unknown command" is tolerable: the lookups below then say
        # precisely which region is missing.
        if "Unknown command" not in str(exc):
            raise
        if stdout is not None:
            stdout.write(f"load_regions is not available ({exc}); using the regions present.\n")


def _by_code(code: str, name: str, notes: list[str]) -> Region:
    region = Region.objects.filter(code=code).first()
    if region is not None and region.name == name:
        return region
    # A wrong or changed code: fall back to the one region of that name.
    candidates = list(Region.objects.filter(name=name, level__lte=Region.Level.COUNTY)[:2])
    if len(candidates) == 1:
        notes.append(f"{name}: code {code} not found, used {candidates[0].code}")
        return candidates[0]
    if region is not None:
        notes.append(f"{code}: registry name {region.name}, expected {name}")
        return region
    raise RegistryMissing(f"region {name} ({code}) is not in the registry")


def lookup() -> Regions:
    """Every region the demo uses. Cost: about 30 small queries."""
    notes: list[str] = []
    found = {key: _by_code(code, name, notes) for key, (code, name) in CODES.items()}
    for key, (county_key, name) in TOWNS.items():
        town = Region.objects.filter(parent=found[county_key], name=name).first()
        if town is None:
            raise RegistryMissing(f"town {name} is not in the registry under {county_key}")
        found[key] = town
    notes.append("闽宁镇: the article says 临夏闽宁镇; the registry's 闽宁镇 is in 宁夏永宁县")
    xiongan = Region.objects.filter(code=XIONGAN[0]).first()
    if xiongan is None:
        xiongan = found["河北省"]
        notes.append("雄安新区 (133100) is absent: its schools are filed under 河北省")
    found["雄安新区"] = xiongan
    return Regions(found, notes)
