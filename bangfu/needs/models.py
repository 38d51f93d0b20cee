from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bangfu.core.models import DeletableModel, SearchableQuerySet


class InvalidNeedTransition(Exception):
    """A status change the need's TRANSITIONS do not allow; the message is for the user."""


class NeedCategory(models.Model):
    """需求类别: extensible by platform admins (Django admin)."""

    name = models.CharField(_("名称"), max_length=50, unique=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=100)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("需求类别")
        verbose_name_plural = _("需求类别")

    def __str__(self):
        return self.name


class NeedQuerySet(SearchableQuerySet):
    def visible_to(self, user):
        from bangfu.core import access

        return self.filter(access.via_pairing_q(user))


class Need(DeletableModel):
    """One line of a recipient's needs list (需求清单), claimed (认领) by a helper."""

    class Priority(models.TextChoices):
        HIGH = "high", _("高")
        MEDIUM = "medium", _("中")
        LOW = "low", _("低")

    class Status(models.TextChoices):
        OPEN = "open", _("待认领")
        PLANNED = "planned", _("已纳入计划")
        IN_PROGRESS = "in_progress", _("落实中")
        MET = "met", _("已满足")
        WITHDRAWN = "withdrawn", _("已撤回")

    TRANSITIONS = {
        Status.OPEN: {Status.PLANNED, Status.IN_PROGRESS, Status.MET, Status.WITHDRAWN},
        Status.PLANNED: {Status.IN_PROGRESS, Status.MET, Status.WITHDRAWN, Status.OPEN},
        Status.IN_PROGRESS: {Status.MET, Status.WITHDRAWN, Status.PLANNED},
        Status.MET: {Status.IN_PROGRESS},
        Status.WITHDRAWN: {Status.OPEN},
    }

    pairing = models.ForeignKey(
        "pairings.Pairing",
        on_delete=models.PROTECT,
        related_name="needs",
        verbose_name=_("结对关系"),
    )
    organisation = models.ForeignKey(
        "orgs.Organisation",
        on_delete=models.PROTECT,
        related_name="needs",
        verbose_name=_("提出单位"),
    )
    category = models.ForeignKey(
        NeedCategory, on_delete=models.PROTECT, related_name="needs", verbose_name=_("类别")
    )
    title = models.CharField(_("需求"), max_length=200)
    description = models.TextField(_("具体说明"), blank=True)
    subject = models.CharField(_("学科"), max_length=50, blank=True)
    priority = models.CharField(
        _("优先级"), max_length=10, choices=Priority.choices, default=Priority.MEDIUM
    )
    wished_start = models.DateField(_("希望开始"), null=True, blank=True)
    wished_end = models.DateField(_("希望完成"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.OPEN)
    claimed_by = models.ForeignKey(
        "orgs.Organisation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="claimed_needs",
        verbose_name=_("认领单位"),
    )
    claimed_at = models.DateTimeField(_("认领时间"), null=True, blank=True)
    claimed_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_generated = models.BooleanField(_("生成的示例数据"), default=False)
    # Folded title, subject and description (bangfu.lib.textnorm): 幫扶 finds 帮扶.
    search_text = models.TextField(blank=True, editable=False)

    objects = NeedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "id"]
        verbose_name = _("需求")
        verbose_name_plural = _("需求")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(wished_end__isnull=True)
                | models.Q(wished_start__isnull=True)
                | models.Q(wished_end__gte=models.F("wished_start")),
                name="need_wished_dates_in_order",
            ),
        ]
        indexes = [
            # Reminders: needs still open, oldest first, per pairing.
            models.Index(fields=["pairing", "status", "created_at"], name="need_pairing_status"),
        ]

    def __str__(self):
        return self.title

    def can_transition(self, new_status: str) -> bool:
        return new_status in self.TRANSITIONS.get(self.status, set())

    def next_statuses(self) -> list["Need.Status"]:
        return [s for s in self.Status if self.can_transition(s)]

    def refresh_search(self) -> None:
        from bangfu.lib import textnorm

        # Pinyin only for the short fields; the description is matched in characters.
        blob = textnorm.search_blob(self.title, self.subject)
        self.search_text = f"{blob}|{textnorm.fold(self.description)}"

    def set_status(self, new_status: str, *, actor) -> str:
        """Move along an allowed transition and save; returns the old status.

        The caller runs inside a transaction and writes the audit entry.
        """
        if not self.can_transition(new_status):
            raise InvalidNeedTransition(
                _("需求状态不能从“%(old)s”变为“%(new)s”。")
                % {"old": self.get_status_display(), "new": self.Status(new_status).label}
            )
        old = self.status
        self.status = new_status
        self.updated_by = actor
        self.save(update_fields=["status", "updated_by", "updated_at"])
        return old
