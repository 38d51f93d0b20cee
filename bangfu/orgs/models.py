from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bangfu.core.models import SearchableQuerySet, TrackedModel
from bangfu.lib import crypto, idcard, textnorm


class OrganisationQuerySet(SearchableQuerySet):
    def visible_to(self, user):
        from bangfu.core import access

        return self.filter(access.organisation_visibility_q(user))


class Organisation(TrackedModel):
    class Kind(models.TextChoices):
        BUREAU = "bureau", _("教育行政部门")
        SCHOOL = "school", _("学校")
        COLLEGE = "college", _("教师培训机构")
        ENTERPRISE = "enterprise", _("企业")
        SOCIAL = "social", _("社会组织")
        OTHER = "other", _("其他")

    class Stage(models.TextChoices):
        KINDERGARTEN = "kindergarten", _("幼儿园")
        PRIMARY = "primary", _("小学")
        JUNIOR = "junior", _("初中")
        SENIOR = "senior", _("高中")
        COMPLETE = "complete", _("完全中学")
        NINE_YEAR = "nine_year", _("九年一贯制")
        TWELVE_YEAR = "twelve_year", _("十二年一贯制")
        VOCATIONAL = "vocational", _("职业学校")
        HIGHER = "higher", _("高校")
        SPECIAL = "special", _("特殊教育学校")

    name = models.CharField(_("名称"), max_length=120)
    short_name = models.CharField(_("简称"), max_length=60, blank=True)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices, default=Kind.SCHOOL)
    stage = models.CharField(_("学段"), max_length=20, choices=Stage.choices, blank=True)
    region = models.ForeignKey(
        "regions.Region",
        on_delete=models.PROTECT,
        related_name="organisations",
        verbose_name=_("所在区划"),
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
        verbose_name=_("上级单位"),
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    note = models.TextField(_("备注"), blank=True)
    # Rows the seed articles do not name, generated to fill the demo.
    is_generated = models.BooleanField(_("生成的示例数据"), default=False)
    search_text = models.TextField(blank=True, editable=False)
    sort_key = models.CharField(max_length=255, blank=True, editable=False)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["sort_key", "id"]
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        constraints = [
            models.UniqueConstraint(
                fields=["region", "name"], name="organisation_unique_name_in_region"
            ),
            models.CheckConstraint(
                condition=Q(kind="school") | Q(stage=""), name="organisation_stage_only_for_schools"
            ),
        ]
        indexes = [
            # Organisation lists sorted by pinyin.
            models.Index(fields=["sort_key"], name="organisation_sort"),
        ]

    def __str__(self):
        return self.name

    def refresh_search(self) -> None:
        """Call after a name change and after adding a former name."""
        former = []
        if self.pk:
            former = list(self.names.values_list("name", flat=True))
        self.search_text = textnorm.search_blob(self.name, self.short_name, *former)
        self.sort_key = textnorm.sort_key(self.name)

    @property
    def is_school(self) -> bool:
        return self.kind == self.Kind.SCHOOL


class OrganisationName(models.Model):
    """A name the organisation had before (城关小学 → 城关朝阳希望小学 in 2020)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="names")
    name = models.CharField(_("曾用名"), max_length=120)
    valid_until = models.DateField(_("使用至"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        ordering = ["-valid_until", "id"]
        verbose_name = _("曾用名")
        verbose_name_plural = _("曾用名")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"], name="organisationname_unique"
            ),
        ]

    def __str__(self):
        return self.name


class PersonQuerySet(SearchableQuerySet):
    def visible_to(self, user):
        from bangfu.core import access

        return self.filter(access.person_visibility_q(user))


class Person(TrackedModel):
    class Kind(models.TextChoices):
        CADRE = "cadre", _("干部")
        TEACHER = "teacher", _("教师")

    class Backbone(models.TextChoices):
        NONE = "", _("非骨干")
        DISTRICT = "district", _("区级骨干")
        CITY = "city", _("市级骨干")
        PROVINCE = "province", _("省级骨干")
        NATIONAL = "national", _("国家级骨干")

    name = models.CharField(_("姓名"), max_length=50)
    kind = models.CharField(_("类别"), max_length=10, choices=Kind.choices, default=Kind.TEACHER)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="people", verbose_name=_("所在单位")
    )
    position = models.CharField(_("职务"), max_length=60, blank=True)
    subjects = models.CharField(
        _("任教学科"), max_length=120, blank=True, help_text=_("多个学科用顿号或逗号分隔")
    )
    backbone_level = models.CharField(
        _("骨干级别"), max_length=10, choices=Backbone.choices, blank=True, default=""
    )
    # Personal data: ciphertext, a keyed hash for look-ups, and the masked
    # form shown everywhere by default. A database dump alone reveals neither.
    phone_enc = models.TextField(blank=True, editable=False)
    phone_hash = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    phone_masked = models.CharField(_("手机号码"), max_length=20, blank=True, editable=False)
    id_number_enc = models.TextField(blank=True, editable=False)
    id_number_hash = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    id_number_masked = models.CharField(_("身份证号码"), max_length=20, blank=True, editable=False)
    is_generated = models.BooleanField(_("生成的示例数据"), default=False)
    search_text = models.TextField(blank=True, editable=False)
    sort_key = models.CharField(max_length=255, blank=True, editable=False)
    # Set when the personal data was erased on request; the row stays so every
    # ledger record that names the person still counts. Never cleared.
    erased_at = models.DateTimeField(_("个人信息删除时间"), null=True, blank=True, editable=False)

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["sort_key", "id"]
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        permissions = [
            # Granted per user; the export is masked unless the user may also
            # reveal the numbers and asks for them (bangfu.security.pii).
            ("export_personal_data", _("导出人员个人信息")),
        ]
        indexes = [
            # People of one organisation, sorted by pinyin.
            models.Index(fields=["organisation", "sort_key"], name="person_org_sort"),
        ]

    def __str__(self):
        return self.name

    def refresh_search(self) -> None:
        self.search_text = textnorm.search_blob(self.name)
        self.sort_key = textnorm.sort_key(self.name)

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None

    @property
    def is_backbone(self) -> bool:
        return bool(self.backbone_level)

    def set_phone(self, phone: str) -> None:
        phone = idcard.normalise_phone(phone) if phone else ""
        self.phone_enc = crypto.encrypt(phone)
        self.phone_hash = crypto.lookup_hash(phone)
        self.phone_masked = idcard.mask_phone(phone)

    def set_id_number(self, number: str) -> None:
        number = idcard.normalise_id_number(number) if number else ""
        self.id_number_enc = crypto.encrypt(number)
        self.id_number_hash = crypto.lookup_hash(number)
        self.id_number_masked = idcard.mask_id_number(number)

    def phone(self) -> str:
        return crypto.decrypt(self.phone_enc)

    def id_number(self) -> str:
        return crypto.decrypt(self.id_number_enc)
