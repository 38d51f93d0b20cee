from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportDraftQuerySet(models.QuerySet):
    def visible_to(self, user):
        from bangfu.core.access import _is_admin

        if not user.is_authenticated:
            return self.none()
        if _is_admin(user):
            return self
        return self.filter(author=user)


class ReportDraft(models.Model):
    """A pasted or uploaded report, the records proposed from it and the user's decisions."""

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="report_drafts"
    )
    title = models.CharField(_("标题"), max_length=200, blank=True)
    text = models.TextField(_("报道原文"))
    items = models.JSONField(_("提取结果"), default=dict)
    # {"<kind>:<index>": {"decision": "accepted|rejected", "values": {...}, "record": "..."}}
    decisions = models.JSONField(_("处理结果"), default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ReportDraftQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("报道提取草稿")
        verbose_name_plural = _("报道提取草稿")

    def __str__(self):
        return self.title or f"#{self.pk}"
