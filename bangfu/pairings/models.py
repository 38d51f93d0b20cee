from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from bangfu.core.models import DeletableModel, LiveQuerySet


class InvalidStatusTransition(Exception):
    pass


class RegionPairingQuerySet(models.QuerySet):
    def visible_to(self, user):
        from bangfu.core import access

        return self.filter(access.region_pairing_visibility_q(user))


class RegionPairing(models.Model):
    """对口关系: a helper region supports a recipient region."""

    class Level(models.TextChoices):
        NATIONAL = "national", _("国家级")
        PROVINCE = "province", _("省级")
        CITY = "city", _("市级")
        DISTRICT = "district", _("区级")

    helper_region = models.ForeignKey(
        "regions.Region",
        on_delete=models.PROTECT,
        related_name="helped_pairings",
        verbose_name=_("帮扶方区划"),
    )
    recipient_region = models.ForeignKey(
        "regions.Region",
        on_delete=models.PROTECT,
        related_name="received_pairings",
        verbose_name=_("受援方区划"),
    )
    level = models.CharField(
        _("层级"), max_length=10, choices=Level.choices, default=Level.DISTRICT
    )
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"), null=True, blank=True)
    note = models.TextField(_("说明"), blank=True)
    is_generated = models.BooleanField(default=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = RegionPairingQuerySet.as_manager()

    class Meta:
        ordering = ["helper_region__code", "recipient_region__code", "-start_date"]
        verbose_name = _("对口关系")
        verbose_name_plural = _("对口关系")
        constraints = [
            models.CheckConstraint(
                condition=~Q(helper_region=F("recipient_region")), name="regionpairing_not_self"
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="regionpairing_dates_in_order",
            ),
            models.UniqueConstraint(
                fields=["helper_region", "recipient_region", "start_date"],
                name="regionpairing_unique_period",
            ),
        ]

    def __str__(self):
        return f"{self.helper_region} → {self.recipient_region}"


class PairingQuerySet(LiveQuerySet):
    def visible_to(self, user):
        from bangfu.core import access

        return self.filter(access.pairing_visibility_q(user))


class Pairing(DeletableModel):
    """结对关系 between organisations: helper side(s) and recipient side(s)."""

    class Mode(models.TextChoices):
        ONE_TO_ONE = "one_to_one", _("一对一")
        GROUP = "group", _("组团式")
        ENTRUSTED = "entrusted", _("托管式")
        PROGRAMME = "programme", _("多校结对项目")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("拟结对")
        ACTIVE = "active", _("进行中")
        ENDED = "ended", _("已结束")

    TRANSITIONS = {
        Status.PROPOSED: {Status.ACTIVE, Status.ENDED},
        Status.ACTIVE: {Status.ENDED},
        Status.ENDED: set(),
    }

    name = models.CharField(_("名称"), max_length=200, blank=True)
    mode = models.CharField(
        _("结对模式"), max_length=20, choices=Mode.choices, default=Mode.ONE_TO_ONE
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.PROPOSED
    )
    region_pairing = models.ForeignKey(
        RegionPairing,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="pairings",
        verbose_name=_("所属对口关系"),
    )
    # A one-to-one pairing inside a many-school programme.
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
        verbose_name=_("所属结对项目"),
    )
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"), null=True, blank=True)
    note = models.TextField(_("说明"), blank=True)
    is_generated = models.BooleanField(_("生成的示例数据"), default=False)

    objects = PairingQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "id"]
        verbose_name = _("结对关系")
        verbose_name_plural = _("结对关系")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="pairing_dates_in_order",
            ),
        ]
        indexes = [
            # Pairing lists filtered by status, newest first.
            models.Index(fields=["status", "-start_date"], name="pairing_status_start"),
        ]

    def __str__(self):
        return self.name or f"{_('结对')} #{self.pk}"

    def helpers(self):
        return [p.organisation for p in self.parties.all() if p.side == PairingParty.Side.HELPER]

    def recipients(self):
        return [p.organisation for p in self.parties.all() if p.side == PairingParty.Side.RECIPIENT]

    def can_transition(self, new_status: str) -> bool:
        return new_status in self.TRANSITIONS.get(self.status, set())

    def set_status(self, new_status: str, *, actor, note: str = "") -> "PairingStatusChange":
        """Change status along an allowed transition and record it; the caller saves in a transaction."""
        if not self.can_transition(new_status):
            raise InvalidStatusTransition(
                _("不能从“%(old)s”变为“%(new)s”。")
                % {"old": self.get_status_display(), "new": self.Status(new_status).label}
            )
        old = self.status
        self.status = new_status
        self.save(update_fields=["status", "updated_at"])
        return PairingStatusChange.objects.create(
            pairing=self, from_status=old, to_status=new_status, changed_by=actor, note=note
        )


class PairingParty(models.Model):
    """One organisation on one side of a pairing, with that side's own details."""

    class Side(models.TextChoices):
        HELPER = "helper", _("帮扶方")
        RECIPIENT = "recipient", _("受援方")

    pairing = models.ForeignKey(Pairing, on_delete=models.CASCADE, related_name="parties")
    organisation = models.ForeignKey(
        "orgs.Organisation",
        on_delete=models.PROTECT,
        related_name="pairing_parties",
        verbose_name=_("单位"),
    )
    side = models.CharField(_("角色"), max_length=10, choices=Side.choices)
    is_lead = models.BooleanField(_("牵头单位"), default=False)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    goals = models.TextField(_("本方目标与承诺"), blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["side", "-is_lead", "id"]
        verbose_name = _("结对方")
        verbose_name_plural = _("结对方")
        constraints = [
            # An organisation stands once in a pairing, so never on both sides.
            models.UniqueConstraint(
                fields=["pairing", "organisation"], name="pairingparty_unique_org"
            ),
        ]
        indexes = [
            # Visibility: the pairings an organisation belongs to.
            models.Index(fields=["organisation", "pairing"], name="pairingparty_org_pairing"),
        ]

    def __str__(self):
        return f"{self.get_side_display()}: {self.organisation}"


class PairingStatusChange(models.Model):
    pairing = models.ForeignKey(Pairing, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=10, choices=Pairing.Status.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=Pairing.Status.choices)
    changed_at = models.DateTimeField(auto_now_add=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["changed_at", "id"]
        verbose_name = _("状态变更")
        verbose_name_plural = _("状态变更")

    def __str__(self):
        return f"{self.from_status} → {self.to_status}"


def agreement_upload_to(instance, filename):
    import uuid

    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"agreements/{instance.pairing_id}/{uuid.uuid4().hex}.{ext}"


class Agreement(models.Model):
    """帮扶协议 of a pairing."""

    class Method(models.TextChoices):
        PAPER = "paper", _("线下纸质签署")
        ONLINE = "online", _("线上签约")

    pairing = models.ForeignKey(Pairing, on_delete=models.CASCADE, related_name="agreements")
    title = models.CharField(_("协议名称"), max_length=200)
    signed_on = models.DateField(_("签署日期"))
    term_start = models.DateField(_("有效期开始"))
    term_end = models.DateField(_("有效期结束"), null=True, blank=True)
    principles = models.CharField(_("帮扶原则"), max_length=200, blank=True)
    method = models.CharField(
        _("签署方式"), max_length=10, choices=Method.choices, default=Method.PAPER
    )
    document = models.FileField(_("协议文件"), upload_to=agreement_upload_to, blank=True)
    document_name = models.CharField(max_length=200, blank=True)
    document_type = models.CharField(max_length=100, blank=True)
    note = models.TextField(_("备注"), blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-signed_on", "id"]
        verbose_name = _("帮扶协议")
        verbose_name_plural = _("帮扶协议")
        constraints = [
            models.CheckConstraint(
                condition=Q(term_end__isnull=True) | Q(term_end__gte=F("term_start")),
                name="agreement_term_in_order",
            ),
        ]

    def __str__(self):
        return self.title
