from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class UserQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Accounts a user may look up: every account for the two administrators, none otherwise."""
        from bangfu.core import access

        return self.filter(access.account_visibility_q(user))


class BangfuUserManager(UserManager.from_queryset(UserQuerySet)):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        # Separation of duties (三员分立): nobody holds every permission. The
        # first system administrator, security administrator and auditor come
        # from `manage.py create_first_admins`.
        raise ValidationError(
            "bangfu has no superuser accounts (separation of duties); "
            "run `manage.py create_first_admins` instead."
        )


class User(AbstractUser):
    class Role(models.TextChoices):
        SYSADMIN = "sysadmin", _("系统管理员")
        SECADMIN = "secadmin", _("安全管理员")
        AUDITOR = "auditor", _("安全审计员")
        COORDINATOR = "coordinator", _("教育行政部门协调员")
        SCHOOL_STAFF = "school_staff", _("学校工作人员")
        PENDING = "pending", _("待授权")

    # The roles that work on the platform's business data, scoped by their organisation.
    BUSINESS_ROLES = (Role.COORDINATOR, Role.SCHOOL_STAFF)
    # The three administrators of the separation of duties (三员): accounts,
    # permissions, audit trail. None of them sees business data.
    ADMIN_ROLES = (Role.SYSADMIN, Role.SECADMIN, Role.AUDITOR)
    # The transient operator of management commands run on the server
    # (see server_operator()); a saved account can never hold it.
    SERVER_OPERATOR = "server_operator"

    # One role per account: roles never combine (the separation of duties).
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, default=Role.PENDING)
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
    # Optimistic locking of the account pages (bangfu.core.forms.save_versioned).
    version = models.PositiveIntegerField(default=0, editable=False)

    objects = BangfuUserManager()

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    role__in=[
                        "sysadmin",
                        "secadmin",
                        "auditor",
                        "coordinator",
                        "school_staff",
                        "pending",
                    ]
                ),
                name="user_role_known",
            ),
            # Nobody bypasses the separation of duties.
            models.CheckConstraint(
                condition=models.Q(is_superuser=False), name="user_never_superuser"
            ),
            # The Django admin is the system administrator's alone.
            models.CheckConstraint(
                condition=models.Q(is_staff=False) | models.Q(role="sysadmin"),
                name="user_staff_is_sysadmin",
            ),
            models.CheckConstraint(
                condition=~models.Q(role__in=["coordinator", "school_staff"])
                | models.Q(organisation__isnull=False),
                name="user_business_role_has_organisation",
            ),
        ]

    def __str__(self):
        return self.display_name or self.username

    @classmethod
    def server_operator(cls) -> "User":
        """The operator of a management command on the server: sees every record, never saved."""
        return cls(username="manage.py", role=cls.SERVER_OPERATOR, is_active=True)

    def end_other_sessions(self) -> None:
        """Every open session of this account ends at its next request."""
        self.session_epoch += 1
        self.save(update_fields=["session_epoch"])

    # Django admin permissions come from the role alone (bangfu.core.access),
    # never from groups or per-user grants.
    def has_perm(self, perm, obj=None):
        from bangfu.core import access

        return access.admin_site_allows(self, perm)

    def has_module_perms(self, app_label):
        from bangfu.core import access

        return access.admin_site_allows_app(self, app_label)

    @property
    def is_platform_admin(self) -> bool:
        """Sees and changes every business record: only the server operator of a command."""
        return self.is_active and self.pk is None and self.role == self.SERVER_OPERATOR

    @property
    def is_business_user(self) -> bool:
        return self.role in self.BUSINESS_ROLES

    @property
    def is_coordinator(self) -> bool:
        return self.role == self.Role.COORDINATOR

    @property
    def is_school_staff(self) -> bool:
        return self.role == self.Role.SCHOOL_STAFF

    @property
    def is_sysadmin(self) -> bool:
        return self.role == self.Role.SYSADMIN

    @property
    def is_secadmin(self) -> bool:
        return self.role == self.Role.SECADMIN

    @property
    def is_auditor(self) -> bool:
        return self.role == self.Role.AUDITOR

    @property
    def is_pending(self) -> bool:
        return self.role == self.Role.PENDING

    @property
    def read_only(self) -> bool:
        """Changes no business record: everyone but coordinators, school staff and the operator."""
        return not (self.is_business_user or self.is_platform_admin)


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
