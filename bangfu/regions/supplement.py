"""bangfu's own additions to the national register (loaded with ``is_supplement``).

Only what the packaged source lacks belongs here; the importer skips an alias
the source already gives. A name that fits several places (和田: 和田地区,
和田市, 和田县) must not be aliased to one of them: resolution offers them all.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class SupplementRegion:
    code: str
    name: str
    short_name: str
    level: int
    parent_code: str
    note: str


@dataclass(frozen=True)
class SupplementAlias:
    name: str
    code: str
    kind: str  # a RegionAlias.Kind value
    note: str


REGIONS = [
    # A national new area (国家级新区, 2017) run as a prefecture-level unit;
    # 133100 is the code in wide use, not one the source carries. Its counties
    # (雄县, 容城县, 安新县) stay under 保定市 as the source gives them.
    SupplementRegion(
        code="133100",
        name="雄安新区",
        short_name="雄安",
        level=2,
        parent_code="130000",
        note="国家级新区,源数据未收录",
    ),
]

ALIASES = [
    SupplementAlias("莫力达瓦旗", "150722", "common", "常见写法"),
    SupplementAlias("积石山县", "622927", "common", "常见写法"),
    SupplementAlias("河北雄安新区", "133100", "common", "常见写法"),
]
