from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from bangfu.core.models import DeletableModel, LiveQuerySet, TrackedModel, Unit
from bangfu.lib.semester import Semester, year_label


class InvalidPlanTransition(Exception):
    """A plan status change its TRANSITIONS do not allow; the message is for the user."""


class PlanQuerySet(LiveQuerySet):
    def visible_to(self, user):
        from bangfu.core import access

        return self.filter(access.via_pairing_q(user))

    def current(self):
        """The live version of each plan (drafts and confirmed ones, not superseded)."""
        return self.exclude(status=Plan.Status.SUPERSEDED)


class Plan(DeletableModel):
    """帮扶方案/计划 of a pairing for a semester or a year.

    Drafted by the helper side, confirmed by both sides. A confirmed plan is
    never edited: a change makes a new version (``previous`` → the old one,
    which becomes superseded and stays readable).
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        CONFIRMED = "confirmed", _("已确认")
        SUPERSEDED = "superseded", _("已被新版本取代")

    # Confirmed by both sides, then replaced by the next confirmed version.
    TRANSITIONS = {
        Status.DRAFT: {Status.CONFIRMED},
        Status.CONFIRMED: {Status.SUPERSEDED},
        Status.SUPERSEDED: set(),
    }

    pairing = models.ForeignKey(
        "pairings.Pairing",
        on_delete=models.PROTECT,
        related_name="plans",
        verbose_name=_("结对关系"),
    )
    academic_year = models.PositiveSmallIntegerField(
        _("学年"), help_text=_("学年开始的年份,如 2019 表示 2019–2020学年")
    )
    # 1 autumn, 2 spring; empty for a whole-year plan.
    term = models.PositiveSmallIntegerField(
        _("学期"), null=True, blank=True, choices=[(1, _("第一学期")), (2, _("第二学期"))]
    )
    title = models.CharField(_("名称"), max_length=200)
    goals = models.TextField(_("帮扶目标"), blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    version_no = models.PositiveSmallIntegerField(_("版本"), default=1)
    # One live revision per version (plan_one_live_revision): a deleted draft
    # revision leaves room for the next one.
    previous = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="revisions",
        verbose_name=_("上一版本"),
    )
    helper_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    helper_confirmed_at = models.DateTimeField(_("帮扶方确认时间"), null=True, blank=True)
    recipient_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recipient_confirmed_at = models.DateTimeField(_("受援方确认时间"), null=True, blank=True)
    is_generated = models.BooleanField(_("生成的示例数据"), default=False)

    objects = PlanQuerySet.as_manager()

    class Meta:
        ordering = ["-academic_year", "-term", "-version_no"]
        verbose_name = _("帮扶计划")
        verbose_name_plural = _("帮扶计划")
        constraints = [
            # Deleted plans (in the recycle bin) do not hold their period.
            models.UniqueConstraint(
                fields=["pairing", "academic_year", "term", "version_no"],
                condition=Q(deleted_at__isnull=True),
                name="plan_unique_version_per_period",
            ),
            models.UniqueConstraint(
                fields=["previous"],
                condition=Q(deleted_at__isnull=True),
                name="plan_one_live_revision",
            ),
        ]

    def __str__(self):
        return f"{self.title}(v{self.version_no})"

    @property
    def period_label(self) -> str:
        if self.term:
            return Semester(self.academic_year, self.term).label
        return year_label(self.academic_year)

    @property
    def period_bounds(self):
        if self.term:
            s = Semester(self.academic_year, self.term)
            return s.start, s.end
        from bangfu.lib.semester import year_bounds

        return year_bounds(self.academic_year)

    @property
    def is_locked_for_edit(self) -> bool:
        return self.status != self.Status.DRAFT

    @property
    def fully_confirmed(self) -> bool:
        return bool(self.helper_confirmed_at and self.recipient_confirmed_at)

    def can_transition(self, new_status: str) -> bool:
        return new_status in self.TRANSITIONS.get(self.status, set())

    def set_status(self, new_status: str, *, actor) -> str:
        """Move along an allowed transition and save; returns the old status.

        The caller runs inside a transaction and writes the audit entry.
        """
        if not self.can_transition(new_status):
            raise InvalidPlanTransition(
                _("计划状态不能从“%(old)s”变为“%(new)s”。")
                % {"old": self.get_status_display(), "new": self.Status(new_status).label}
            )
        old = self.status
        self.status = new_status
        self.updated_by = actor
        self.save(update_fields=["status", "updated_by", "updated_at"])
        return old


class PlanTask(models.Model):
    """A goal or task of a plan, with an optional quantified target and the needs it answers."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="tasks")
    order = models.PositiveSmallIntegerField(_("序号"), default=1)
    title = models.CharField(_("任务"), max_length=200)
    description = models.TextField(_("说明"), blank=True)
    target_value = models.PositiveIntegerField(_("目标数量"), null=True, blank=True)
    target_unit = models.CharField(
        pgettext_lazy("unit of measure", "单位"), max_length=4, choices=Unit.choices, blank=True
    )
    due_date = models.DateField(_("完成期限"), null=True, blank=True)
    needs = models.ManyToManyField(
        "needs.Need", blank=True, related_name="plan_tasks", verbose_name=_("对应需求")
    )

    class Meta:
        ordering = ["plan", "order", "id"]
        verbose_name = _("计划任务")
        verbose_name_plural = _("计划任务")
        constraints = [
            # A quantified target always says what it counts.
            models.CheckConstraint(
                condition=Q(target_value__isnull=True) | ~Q(target_unit=""),
                name="plantask_target_has_unit",
            ),
        ]

    def __str__(self):
        return self.title


class ProjectQuerySet(LiveQuerySet):
    def visible_to(self, user):
        from bangfu.core import access

        return self.filter(access.project_visibility_q(user))


class Project(TrackedModel):
    """区级/市级项目 assigned to a recipient region, with quantified targets."""

    class Level(models.TextChoices):
        NATIONAL = "national", _("国家级")
        PROVINCE = "province", _("省级")
        CITY = "city", _("市级")
        DISTRICT = "district", _("区级")

    class Status(models.TextChoices):
        PLANNED = "planned", _("未开始")
        ACTIVE = "active", _("实施中")
        DONE = "done", _("已完成")
        CANCELLED = "cancelled", _("已取消")

    name = models.CharField(_("项目名称"), max_length=200)
    level = models.CharField(
        _("级别"), max_length=10, choices=Level.choices, default=Level.DISTRICT
    )
    owner = models.ForeignKey(
        "orgs.Organisation",
        on_delete=models.PROTECT,
        related_name="owned_projects",
        verbose_name=_("负责单位"),
    )
    recipient_region = models.ForeignKey(
        "regions.Region",
        on_delete=models.PROTECT,
        related_name="projects",
        verbose_name=_("受援地区"),
    )
    region_pairing = models.ForeignKey(
        "pairings.RegionPairing",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="projects",
        verbose_name=_("所属对口关系"),
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"))
    description = models.TextField(_("说明"), blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    is_generated = models.BooleanField(_("生成的示例数据"), default=False)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "recipient_region__code", "name"]
        verbose_name = _("帮扶项目")
        verbose_name_plural = _("帮扶项目")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="project_dates_in_order"
            ),
        ]
        indexes = [
            # Project counts per recipient region and year (the seed's 32 district projects).
            models.Index(
                fields=["year", "level", "recipient_region"], name="project_year_level_region"
            ),
        ]

    def __str__(self):
        return self.name


class ProjectTarget(models.Model):
    """A quantified target of a project: 培训当地教师不少于350人次."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="targets")
    description = models.CharField(_("指标"), max_length=200)
    target_value = models.PositiveIntegerField(_("目标数量"))
    unit = models.CharField(
        pgettext_lazy("unit of measure", "单位"), max_length=4, choices=Unit.choices
    )
    is_minimum = models.BooleanField(_("不少于"), default=True)

    class Meta:
        ordering = ["project", "id"]
        verbose_name = _("项目指标")
        verbose_name_plural = _("项目指标")
        constraints = [
            models.CheckConstraint(condition=Q(target_value__gt=0), name="projecttarget_positive"),
        ]

    def __str__(self):
        return f"{self.description} {self.target_value}{self.unit}"
