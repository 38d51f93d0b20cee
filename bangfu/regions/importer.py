"""Load the national register of divisions (行政区划) from the data packaged in jionlp.

Source: ``jionlp/dictionary/china_location.zip`` (Apache-2.0), one
``china_location.txt`` tab-indented tree: depth 0 province ``name\\tcode\\tshort``,
depth 1 prefecture, depth 2 county, depth 3 town (name only), depth 4 village
(skipped). ``china_location_change.txt`` lists renamings (襄樊市 => 襄阳市), which
become aliases of kind OLD. The file is read straight from the installed
package: importing jionlp itself takes seconds and loads dictionaries we do
not need.

Keys (``Region.code``):

- A node keeps the source's 6-digit GB/T 2260 code when no node loaded before
  it already took that code.
- The source repeats codes in a few places and we keep its shape: a
  municipality's second level (上海市 → 上海市, both 310000) takes the GB/T 2260
  block for the municipality's districts (310100); other repeats (东莞市 →
  市直辖行政区划, the Hong Kong and Macau districts) and nodes without a code
  (the districts under 台北市 …) get a derived key.
- Towns have no code in the source. Their key, like every derived key, is the
  parent's key, a hyphen and a 3-digit number: ``522728-001``. At first load the
  numbers follow the pinyin order of the names within the parent (the order
  the pages list them in). Later runs match towns on (parent, name) and keep
  their keys; a new town takes the next free number, so a key never changes
  once given. The hyphen keeps keys visibly apart from official 9-digit town
  codes; resolution also accepts the key typed without it.

Re-running is idempotent: nodes are matched on their code (towns and other
keyless nodes on parent and name); rows equal to the source are left alone and
nothing is ever deleted (organisations refer to regions).
"""

from __future__ import annotations

import importlib.util
import zipfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.db.models import F

from bangfu.lib import textnorm

from . import supplement
from .models import Region, RegionAlias

MAX_DEPTH = 3  # towns; villages below are skipped
BATCH = 2000
COMPARED_FIELDS = (
    "name",
    "short_name",
    "level",
    "parent_id",
    "province_id",
    "prefecture_id",
    "county_id",
    "full_name",
    "is_supplement",
    "name_key",
    "short_key",
    "search_text",
    "sort_key",
)


def packaged_paths() -> tuple[Path, Path]:
    """The tree zip and the change file inside the installed jionlp package."""
    spec = importlib.util.find_spec("jionlp")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("jionlp is not installed")
    base = Path(spec.submodule_search_locations[0]) / "dictionary"
    return base / "china_location.zip", base / "china_location_change.txt"


@dataclass(eq=False)
class Node:
    name: str
    level: int
    source_code: str = ""
    short_name: str = ""
    parent: Node | None = None
    is_supplement: bool = False
    aliases: dict[str, tuple[str, str]] = field(default_factory=dict)  # name → (kind, note)
    children: list[Node] = field(default_factory=list)
    region: Region | None = None

    def path(self) -> tuple[str, ...]:
        chain, node = [], self
        while node is not None:
            chain.append(node.name)
            node = node.parent
        return tuple(reversed(chain))


def is_placeholder(name: str) -> bool:
    """Source groupings such as 省直辖行政区划 that are not places of their own."""
    return name.endswith("直辖行政区划")


def parse_tree(text: str) -> list[Node]:
    """The provinces of a china_location.txt text, with their subtrees to town level."""
    roots: list[Node] = []
    stack: list[Node | None] = [None] * (MAX_DEPTH + 1)
    for raw in text.splitlines():
        if not raw.strip():
            continue
        depth = len(raw) - len(raw.lstrip("\t"))
        if depth > MAX_DEPTH:
            continue
        parts = [p.strip() for p in raw.strip("\t").split("\t")]
        name = parts[0]
        parent = stack[depth - 1] if depth else None
        if depth and parent is None:
            continue  # below a skipped duplicate: its subtree was merged
        siblings = parent.children if parent else roots
        existing = next((n for n in siblings if n.name == name), None)
        if existing is not None:
            # The source repeats a few names under one parent (市保税区): one region.
            stack[depth] = existing
            continue
        node = Node(
            name=name,
            level=depth + 1,
            source_code=parts[1] if len(parts) > 1 else "",
            short_name=parts[2] if len(parts) > 2 and parts[2] != name else "",
            parent=parent,
        )
        siblings.append(node)
        stack[depth] = node
        for deeper in range(depth + 1, MAX_DEPTH + 1):
            stack[deeper] = None
    return roots


def parse_changes(text: str) -> list[tuple[tuple[str, ...], str, str, str]]:
    """(new path, old name, old short name, note) for each renaming line."""
    changes = []
    for raw in text.splitlines():
        if "=>" not in raw:
            continue
        old, new = raw.split("=>", 1)
        old_parts = old.strip().split("\t")
        new_path = tuple(p.strip() for p in new.strip().split("\t") if p.strip())
        if len(old_parts) < 4 or not new_path:
            continue
        date, approval = old_parts[0], old_parts[1]
        changes.append((new_path, old_parts[-2], old_parts[-1], f"{date} {approval}"))
    return changes


def walk(roots: list[Node]):
    for node in roots:
        yield node
        yield from walk(node.children)


class RegionImporter:
    """Load the register into the database; ``run()`` returns the counts it reports."""

    def __init__(self, tree_text: str, change_text: str = "", with_supplement: bool = True):
        self.roots = parse_tree(tree_text)
        self.changes = parse_changes(change_text)
        self.with_supplement = with_supplement
        self.stats: Counter = Counter()

    @classmethod
    def from_package(cls, **kwargs) -> RegionImporter:
        return cls.from_files(*packaged_paths(), **kwargs)

    @classmethod
    def from_files(
        cls, zip_path: Path, change_path: Path | None = None, **kwargs
    ) -> RegionImporter:
        with zipfile.ZipFile(zip_path) as archive:
            name = next(n for n in archive.namelist() if n.endswith(".txt"))
            tree_text = archive.read(name).decode("utf-8")
        has_changes = change_path is not None and Path(change_path).exists()
        change_text = Path(change_path).read_text("utf-8") if has_changes else ""
        return cls(tree_text, change_text, **kwargs)

    # --- preparing the in-memory tree ------------------------------------

    def _add_supplement(self) -> None:
        by_code = {n.source_code: n for n in walk(self.roots) if n.source_code}
        for item in supplement.REGIONS:
            parent = by_code.get(item.parent_code)
            if item.code in by_code or parent is None:
                continue
            node = Node(
                name=item.name,
                level=item.level,
                source_code=item.code,
                short_name=item.short_name,
                parent=parent,
                is_supplement=True,
            )
            parent.children.append(node)
            by_code[item.code] = node

    def _attach_aliases(self) -> None:
        by_path = {n.path(): n for n in walk(self.roots)}
        by_code = {n.source_code: n for n in walk(self.roots) if n.source_code}
        for node in by_path.values():
            # A short form that is not just the name cut short (莫旗, 东乡县) is
            # worth an alias row of its own; 宁城 for 宁城县 is found anyway.
            if node.short_name and not node.name.startswith(node.short_name):
                node.aliases[node.short_name] = (RegionAlias.Kind.SHORT, "")
        for new_path, old_name, old_short, note in self.changes:
            node = by_path.get(new_path)
            if node is None:
                self.stats["changes_unmatched"] += 1
                continue
            for alias in (old_name, old_short):
                if alias and alias not in (node.name, node.short_name):
                    node.aliases.setdefault(alias, (RegionAlias.Kind.OLD, note))
        if not self.with_supplement:
            return
        for item in supplement.ALIASES:
            node = by_code.get(item.code)
            if node is not None and item.name not in (node.name, node.short_name):
                node.aliases.setdefault(item.name, (item.kind, item.note))

    # --- writing ----------------------------------------------------------

    @transaction.atomic
    def run(self) -> Counter:
        if self.with_supplement:
            self._add_supplement()
        self._attach_aliases()
        self.existing_aliases: dict[int, set[str]] = defaultdict(set)
        for region_id, name in RegionAlias.objects.values_list("region_id", "name"):
            self.existing_aliases[region_id].add(name)
        self.claimed: set[str] = set()
        self.used_codes: set[str] = set(
            Region.objects.exclude(code=None).values_list("code", flat=True)
        )
        level_nodes: list[Node] = self.roots
        while level_nodes:
            self._write_level(level_nodes)
            level_nodes = [child for node in level_nodes for child in node.children]
        self._write_aliases()
        return self.stats

    def _write_level(self, nodes: list[Node]) -> None:
        level = nodes[0].level
        existing = list(Region.objects.filter(level=level))
        by_code = {r.code: r for r in existing if r.code}
        by_parent_name = {(r.parent_id, r.name): r for r in existing}
        keyless: dict[int | None, list[Node]] = defaultdict(list)

        for node in nodes:
            parent_id = node.parent.region.pk if node.parent else None
            code = self._natural_code(node)
            match = by_code.get(code) if code else by_parent_name.get((parent_id, node.name))
            if match is None and code is None:
                keyless[parent_id].append(node)
            node.region = match or Region(code=code)
        for parent_id, group in keyless.items():
            self._derive_keys(parent_id, group)

        to_create, to_update = [], []
        for node in nodes:
            region = node.region
            before = {f: getattr(region, f) for f in COMPARED_FIELDS} if region.pk else None
            self._fill(region, node)
            if before is None:
                to_create.append(region)
            elif any(getattr(region, f) != before[f] for f in COMPARED_FIELDS):
                to_update.append(region)
        Region.objects.bulk_create(to_create, batch_size=BATCH)
        if to_update:
            Region.objects.bulk_update(to_update, COMPARED_FIELDS, batch_size=BATCH)
        own = Region.LEVEL_FIELDS.get(level)
        if own and to_create:
            # A region is its own ancestor at its level: known only once it has a pk.
            Region.objects.filter(level=level, **{f"{own}__isnull": True}).update(**{own: F("pk")})
            for region in to_create:
                setattr(region, f"{own}_id", region.pk)
        self.stats[f"level{level}_total"] += len(nodes)
        self.stats[f"level{level}_created"] += len(to_create)
        self.stats[f"level{level}_updated"] += len(to_update)

    def _natural_code(self, node: Node) -> str | None:
        code = node.source_code
        if not (len(code) == 6 and code.isdigit()):
            return None
        parent = node.parent
        if parent is not None and parent.level == 1 and parent.name == node.name:
            # A municipality repeated as its own prefecture (北京市 → 北京市):
            # GB/T 2260 numbers the municipality's districts in the XX0100 block.
            code = code[:2] + "0100"
        if code in self.claimed:
            return None
        self.claimed.add(code)
        return code

    def _derive_keys(self, parent_id: int | None, group: list[Node]) -> None:
        parent_node = group[0].parent
        prefix = f"{parent_node.region.code}-" if parent_node else "X-"
        used = [c for c in self.used_codes if c.startswith(prefix)]
        taken = {int(c[len(prefix) :]) for c in used if c[len(prefix) :].isdigit()}
        number = max(taken, default=0)
        for node in sorted(group, key=lambda n: textnorm.sort_key(n.name)):
            number += 1
            node.region.code = f"{prefix}{number:03d}"
            self.used_codes.add(node.region.code)

    def _fill(self, region: Region, node: Node) -> None:
        parent = node.parent.region if node.parent else None
        region.name = node.name
        region.short_name = node.short_name
        region.level = node.level
        region.parent_id = parent.pk if parent else None
        region.is_supplement = node.is_supplement
        for lvl, column in Region.LEVEL_FIELDS.items():
            if lvl < node.level and parent is not None:
                setattr(region, f"{column}_id", getattr(parent, f"{column}_id"))
            elif lvl > node.level:
                setattr(region, f"{column}_id", None)
            elif region.pk:
                setattr(region, f"{column}_id", region.pk)
        parts, chain = [], node
        while chain is not None:
            if not is_placeholder(chain.name) and (not parts or parts[-1] != chain.name):
                parts.append(chain.name)
            chain = chain.parent
        region.full_name = "".join(reversed(parts))[:200]
        names = set(node.aliases)
        if region.pk:
            names |= self.existing_aliases.get(region.pk, set())
        region.refresh_search(sorted(names))

    def _write_aliases(self) -> None:
        wanted = []
        for node in walk(self.roots):
            have = self.existing_aliases.get(node.region.pk, set())
            for name, (kind, note) in sorted(node.aliases.items()):
                if name not in have:
                    wanted.append(
                        RegionAlias(
                            region=node.region,
                            name=name,
                            name_key=textnorm.fold(name),
                            kind=kind,
                            note=note,
                        )
                    )
        RegionAlias.objects.bulk_create(wanted, batch_size=BATCH)
        self.stats["aliases_created"] += len(wanted)
