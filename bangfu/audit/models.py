from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    """The audit trail is never edited or erased inside the application."""


class AuditQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The whole trail for the security auditor; nothing for anyone else."""
        from bangfu.core import access

        return self if access.can_read_audit_trail(user) else self.none()

    def update(self, **kwargs):
        raise AppendOnlyError("audit entries cannot be changed")

    def delete(self):
        raise AppendOnlyError("audit entries cannot be deleted")


class AuditEntry(models.Model):
    """One recorded action. Written only through bangfu.audit.services.record."""

    class Action(models.TextChoices):
        CREATE = "create", _("创建")
        UPDATE = "update", _("修改")
        DELETE = "delete", _("删除")
        RESTORE = "restore", _("恢复")
        STATUS = "status", _("状态变更")
        LOGIN = "login", _("登录")
        LOGIN_FAILED = "login_failed", _("登录失败")
        LOGOUT = "logout", _("退出")
        REVEAL = "reveal", _("查看完整个人信息")
        PASSWORD = "password", _("修改密码")
        CLAIM = "claim", _("认领")
        CONFIRM = "confirm", _("确认")
        LOCK = "lock", _("审核锁定")
        REOPEN = "reopen", _("重新开放")
        UPLOAD = "upload", _("上传")
        IMPORT = "import", _("导入")
        EXPORT = "export", _("导出")
        PERMISSION = "permission", _("权限变更")
        PURGE = "purge", _("清理过期审计记录")

    # Position in the tamper-evident chain: each entry's HMAC covers its own
    # content, its sequence number and the previous entry's HMAC.
    seq = models.PositiveBigIntegerField(unique=True, null=True, editable=False)
    prev_hash = models.CharField(max_length=64, blank=True, editable=False)
    hash = models.CharField(max_length=64, blank=True, editable=False)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=20, choices=Action.choices)
    model = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        indexes = [
            # A record's history on its detail page.
            models.Index(fields=["model", "object_id"], name="audit_model_object"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.get_action_display()} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("audit entries cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("audit entries cannot be deleted")


class AuditChainHead(models.Model):
    """The last link of the chain; its row lock serialises concurrent writers."""

    seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, blank=True)
    # The last entry removed by `manage.py purge_audit` (retention): the
    # chain is verified from the entry after it.
    purged_seq = models.PositiveBigIntegerField(default=0)
    purged_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("审计链")
        verbose_name_plural = _("审计链")

    def __str__(self):
        return f"#{self.seq}"
