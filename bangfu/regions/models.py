from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bangfu.core.models import SearchableQuerySet
from bangfu.lib import textnorm


class RegionQuerySet(SearchableQuerySet):
    def within(self, region: "Region"):
        """The region and every region below it (one indexed equality, no recursion)."""
        return self.filter(region.subtree_q())


class Region(models.Model):
    """A division of China (GB/T 2260): province, prefecture, county, and towns below them."""

    class Level(models.IntegerChoices):
        PROVINCE = 1, _("省级")
        PREFECTURE = 2, _("地级")
        COUNTY = 3, _("县级")
        TOWN = 4, _("乡级")

    # 6-digit GB/T 2260 code for levels 1-3. Towns carry none in the source, so
    # the importer gives them a key of bangfu's own ("522728-001", see importer).
    code = models.CharField(_("区划代码"), max_length=20, unique=True, null=True, blank=True)
    name = models.CharField(_("名称"), max_length=100)
    short_name = models.CharField(_("简称"), max_length=50, blank=True)
    # Folded forms for exact look-ups: folding is not the identity on simplified
    # names (乾安县 folds to 干安县), so queries must meet names folded too.
    name_key = models.CharField(max_length=100, blank=True, editable=False, db_index=True)
    short_key = models.CharField(max_length=50, blank=True, editable=False, db_index=True)
    level = models.PositiveSmallIntegerField(_("级别"), choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("上级"),
    )
    # Ancestors (self at its own level) so "this region and below" is one
    # equality on an indexed column.
    province = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    prefecture = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    county = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    full_name = models.CharField(_("全称"), max_length=200, blank=True)
    # Not from the national source (e.g. 雄安新区): a supplement of bangfu's own.
    is_supplement = models.BooleanField(default=False)
    search_text = models.TextField(blank=True, editable=False)
    sort_key = models.CharField(max_length=255, blank=True, editable=False, db_index=True)

    objects = RegionQuerySet.as_manager()

    class Meta:
        ordering = ["level", "code", "sort_key"]
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        constraints = [
            # Idempotent loading of towns, which have no code: matched on (parent, name).
            models.UniqueConstraint(fields=["parent", "name"], name="region_unique_name_in_parent"),
        ]

    def __str__(self):
        return self.name

    LEVEL_FIELDS = {1: "province", 2: "prefecture", 3: "county"}

    def subtree_q(self, prefix: str = "") -> Q:
        field = self.LEVEL_FIELDS.get(self.level)
        if field is None:
            return Q(**{f"{prefix}pk": self.pk})
        return Q(**{f"{prefix}{field}": self.pk})

    def ancestors(self) -> list["Region"]:
        chain, node = [], self.parent
        while node is not None:
            chain.append(node)
            node = node.parent
        return list(reversed(chain))

    def display_path(self) -> str:
        return " / ".join([r.name for r in self.ancestors()] + [self.name])

    @property
    def is_town(self) -> bool:
        return self.level == self.Level.TOWN

    @property
    def has_gb_code(self) -> bool:
        return bool(self.code) and len(self.code) == 6 and self.code.isdigit()

    def refresh_search(self, aliases=()) -> None:
        self.name_key = textnorm.fold(self.name)
        self.short_key = textnorm.fold(self.short_name)
        self.search_text = textnorm.search_blob(self.name, self.short_name, *aliases)
        self.sort_key = textnorm.sort_key(self.name)


class RegionAlias(models.Model):
    """Another name a region is known by: an old name or a common short form (莫旗, 东乡县)."""

    class Kind(models.TextChoices):
        SHORT = "short", _("简称")
        OLD = "old", _("曾用名")
        COMMON = "common", _("俗称")

    region = models.ForeignKey(
        Region, on_delete=models.CASCADE, related_name="aliases", verbose_name=_("行政区划")
    )
    name = models.CharField(_("别名"), max_length=100)
    # Folded like Region.name_key so 寧城 meets 宁城.
    name_key = models.CharField(max_length=100, editable=False, db_index=True)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("区划别名")
        verbose_name_plural = _("区划别名")
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="regionalias_unique"),
        ]

    def __str__(self):
        return f"{self.name} → {self.region.name}"

    def save(self, *args, **kwargs):
        self.name_key = textnorm.fold(self.name)
        super().save(*args, **kwargs)
