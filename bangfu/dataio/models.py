from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportJobQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A job is seen by the user who uploaded it, and by platform admins."""
        if not (user and user.is_authenticated and user.is_active):
            return self.none()
        if user.is_platform_admin:
            return self
        return self.filter(user=user)


class ImportJob(models.Model):
    """One uploaded workbook: its checks, preview, commit and undo."""

    class Kind(models.TextChoices):
        ORGANISATIONS = "organisations", _("单位")
        PEOPLE = "people", _("人员")
        PAIRINGS = "pairings", _("结对关系")
        REGION_PAIRINGS = "region_pairings", _("对口关系")
        NEEDS = "needs", _("需求清单")
        PROJECTS = "projects", _("项目与指标")
        ACTIVITIES = "activities", _("活动")
        DISPATCHES = "dispatches", _("选派/支教")
        TRAINEES = "trainees", _("跟岗学员")
        SUPPORT = "support", _("物资与资金帮扶")
        RESOURCES = "resources", _("共享资源")

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("已上传")
        VALIDATING = "validating", _("正在检查")
        PREVIEWED = "previewed", _("待确认导入")
        COMMITTING = "committing", _("正在导入")
        COMMITTED = "committed", _("已导入")
        FAILED = "failed", _("未通过")
        UNDONE = "undone", _("已撤销")

    RUNNING = (Status.UPLOADED, Status.VALIDATING, Status.COMMITTING)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    file_name = models.CharField(_("文件名"), max_length=200)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField(default=0)
    # The workbook itself, kept until the import is committed or refused: the
    # commit re-reads and re-checks it, since data may change after the preview.
    content = models.BinaryField(blank=True, default=b"")
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.UPLOADED
    )
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict, blank=True)
    # [{"sheet", "row", "column", "message"}]; row/column empty for file-wide errors.
    errors = models.JSONField(default=list, blank=True)
    # A sample of the rows per outcome, shown on the preview page.
    preview = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    committed_at = models.DateTimeField(null=True, blank=True)
    undone_at = models.DateTimeField(null=True, blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")
        indexes = [
            # The import page: a user's recent jobs.
            models.Index(fields=["user", "-created_at"], name="importjob_user_recent"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.file_name}"

    @property
    def is_running(self) -> bool:
        return self.status in self.RUNNING

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 0
        return min(100, self.processed_rows * 100 // self.total_rows)


class ImportedRow(models.Model):
    """A row an import created or updated, with the before-image that undo restores."""

    class Action(models.TextChoices):
        CREATE = "create", _("新增")
        UPDATE = "update", _("更新")

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="rows")
    row_number = models.PositiveIntegerField()
    action = models.CharField(max_length=10, choices=Action.choices)
    model = models.CharField(max_length=60)
    object_id = models.PositiveBigIntegerField()
    before = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["job", "id"]
        verbose_name = _("导入的行")
        verbose_name_plural = _("导入的行")

    def __str__(self):
        return f"{self.job_id}:{self.row_number}"
