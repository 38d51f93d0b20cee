from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from bangfu.core.models import DeletableModel, LiveQuerySet


class SupportQuerySet(LiveQuerySet):
    def visible_to(self, user):
        from bangfu.core import access

        return self.filter(access.support_visibility_q(user))


class Support(DeletableModel):
    """Material and money support: goods, student aid, consumption assistance, buildings, funds.

    Money is Decimal yuan, never float; "约/余/多" in a report is kept as ``is_approximate``.
    """

    class Kind(models.TextChoices):
        GOODS = "goods", _("捐赠物资")
        STUDENT_AID = "student_aid", _("学生资助")
        CONSUMPTION = "consumption", _("消费帮扶")
        BUILDING = "building", _("校舍建设")
        FUNDS = "funds", _("资金支持")

    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    title = models.CharField(_("名称"), max_length=200)
    date = models.DateField(_("日期"))
    donor = models.ForeignKey(
        "orgs.Organisation",
        on_delete=models.PROTECT,
        related_name="support_given",
        verbose_name=_("提供单位"),
    )
    recipient = models.ForeignKey(
        "orgs.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="support_received",
        verbose_name=_("受助单位"),
    )
    recipient_region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("受助地区")
    )
    pairing = models.ForeignKey(
        "pairings.Pairing",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="support",
        verbose_name=_("结对关系"),
    )
    region_pairing = models.ForeignKey(
        "pairings.RegionPairing",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="support",
        verbose_name=_("对口关系"),
    )
    amount_yuan = models.DecimalField(_("金额或价值(元)"), max_digits=14, decimal_places=2)
    is_approximate = models.BooleanField(_("约数"), default=False)
    beneficiaries = models.PositiveIntegerField(_("受助人数"), null=True, blank=True)
    description = models.TextField(_("说明"), blank=True)
    is_generated = models.BooleanField(_("生成的示例数据"), default=False)

    objects = SupportQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "id"]
        verbose_name = _("物资与资金帮扶")
        verbose_name_plural = _("物资与资金帮扶")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_yuan__gte=0), name="support_amount_not_negative"
            ),
        ]

    def __str__(self):
        return self.title


class SupportItem(models.Model):
    """An item of donated goods: 一次性防护口罩 6000 个."""

    support = models.ForeignKey(Support, on_delete=models.CASCADE, related_name="items")
    name = models.CharField(_("物品"), max_length=100)
    quantity = models.DecimalField(_("数量"), max_digits=12, decimal_places=2)
    unit = models.CharField(pgettext_lazy("unit of measure", "单位"), max_length=10)
    value_yuan = models.DecimalField(
        _("价值(元)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    is_approximate = models.BooleanField(_("约数"), default=False)

    class Meta:
        verbose_name = _("物资明细")
        verbose_name_plural = _("物资明细")
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="supportitem_quantity_positive"
            ),
        ]

    def __str__(self):
        return f"{self.name} {self.quantity}{self.unit}"
