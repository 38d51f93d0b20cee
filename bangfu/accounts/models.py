from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    class Role(models.TextChoices):
        ADMIN = "admin", _("平台管理员")
        COORDINATOR = "coordinator", _("教育行政部门协调员")
        SCHOOL_STAFF = "school_staff", _("学校工作人员")
        AUDITOR = "auditor", _("审计员")

    # One role per account: roles never combine (the separation of duties).
    role = models.CharField(
        _("角色"), max_length=20, choices=Role.choices, default=Role.SCHOOL_STAFF
    )
    organisation = models.ForeignKey(
        "orgs.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        verbose_name=_("所属单位"),
    )
    display_name = models.CharField(_("姓名"), max_length=50, blank=True)
    # An initial or reset password must be replaced at the next sign-in.
    must_change_password = models.BooleanField(_("下次登录须修改密码"), default=False)
    password_changed_at = models.DateTimeField(_("密码修改时间"), null=True, blank=True)
    # Bumped when the role changes or the account is disabled: every session
    # opened under an older epoch is ended by SessionLimitsMiddleware.
    session_epoch = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role="admin") | models.Q(organisation__isnull=False),
                name="user_non_admin_has_organisation",
            ),
        ]

    def __str__(self):
        return self.display_name or self.username

    def end_other_sessions(self) -> None:
        """Every open session of this account ends at its next request."""
        self.session_epoch += 1
        self.save(update_fields=["session_epoch"])

    @property
    def is_platform_admin(self) -> bool:
        return self.is_active and (self.role == self.Role.ADMIN or self.is_superuser)

    @property
    def is_coordinator(self) -> bool:
        return self.role == self.Role.COORDINATOR

    @property
    def is_school_staff(self) -> bool:
        return self.role == self.Role.SCHOOL_STAFF

    @property
    def is_auditor(self) -> bool:
        return self.role == self.Role.AUDITOR

    @property
    def read_only(self) -> bool:
        return self.role == self.Role.AUDITOR


class PasswordHistory(models.Model):
    """Hashes of earlier passwords, so the last few cannot be reused."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("历史密码")
        verbose_name_plural = _("历史密码")

    def __str__(self):
        return f"{self.user} {self.created_at:%Y-%m-%d}"
