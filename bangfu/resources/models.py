from django.db import models
from django.utils.translation import gettext_lazy as _

from bangfu.core.models import DeletableModel, LiveQuerySet


class ResourceQuerySet(LiveQuerySet):
    def visible_to(self, user):
        from bangfu.core import access

        return self.filter(access.resource_visibility_q(user))


class SharedResource(DeletableModel):
    """资源共享: courseware, recorded lessons and documents shared inside a pairing or with all partners."""

    class Kind(models.TextChoices):
        COURSEWARE = "courseware", _("课件")
        RECORDED_LESSON = "recorded_lesson", _("课堂实录")
        TEACHING_MATERIAL = "teaching_material", _("教学资料")
        DOCUMENT = "document", _("文档")
        OTHER = "other", _("其他")

    class Scope(models.TextChoices):
        PAIRING = "pairing", _("本结对")
        ALL_PARTNERS = "all_partners", _("本单位所有结对学校")

    title = models.CharField(_("名称"), max_length=200)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    owner = models.ForeignKey(
        "orgs.Organisation",
        on_delete=models.PROTECT,
        related_name="resources",
        verbose_name=_("提供单位"),
    )
    scope = models.CharField(
        _("共享范围"), max_length=14, choices=Scope.choices, default=Scope.PAIRING
    )
    pairing = models.ForeignKey(
        "pairings.Pairing",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="resources",
        verbose_name=_("结对关系"),
    )
    subject = models.CharField(_("学科"), max_length=50, blank=True)
    stage = models.CharField(_("学段"), max_length=20, blank=True)
    description = models.TextField(_("说明"), blank=True)
    file = models.FileField(_("文件"), upload_to="resources/%Y/%m/", blank=True)
    original_name = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(default=0)
    is_generated = models.BooleanField(_("生成的示例数据"), default=False)

    objects = ResourceQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "id"]
        verbose_name = _("共享资源")
        verbose_name_plural = _("共享资源")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(scope="all_partners") | models.Q(pairing__isnull=False),
                name="resource_pairing_scope_needs_pairing",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def stage_label(self) -> str:
        """学段 is stored as an organisation stage key (junior, primary …)."""
        from bangfu.orgs.models import Organisation

        return dict(Organisation.Stage.choices).get(self.stage, self.stage)
