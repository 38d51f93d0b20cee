from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from bangfu.core.models import DeletableModel, LiveQuerySet, TrackedModel


class InvalidStatusTransition(Exception):
    """A dispatch status change outside Dispatch.TRANSITIONS; the message is shown to the user."""


class DispatchBatch(models.Model):
    """第N批: a numbered batch of people sent by one organisation (九批902名援疆教师)."""

    sender = models.ForeignKey(
        "orgs.Organisation",
        on_delete=models.PROTECT,
        related_name="dispatch_batches",
        verbose_name=_("选派单位"),
    )
    number = models.PositiveSmallIntegerField(_("批次"))
    destination = models.ForeignKey(
        "regions.Region",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("派往地区"),
    )
    programme = models.CharField(
        _("方向"), max_length=50, blank=True, help_text=_("如 援疆、援藏、援青、援蒙")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        ordering = ["sender", "-year", "number"]
        verbose_name = _("选派批次")
        verbose_name_plural = _("选派批次")
        constraints = [
            models.UniqueConstraint(
                fields=["sender", "programme", "number"], name="dispatchbatch_unique_number"
            ),
            # 第N批 counts from one.
            models.CheckConstraint(
                condition=Q(number__gte=1), name="dispatchbatch_number_positive"
            ),
        ]

    def __str__(self):
        return _("第%(n)s批") % {"n": self.number}


class DispatchQuerySet(LiveQuerySet):
    def visible_to(self, user):
        from bangfu.core import access

        return self.filter(access.dispatch_visibility_q(user))


class Dispatch(DeletableModel):
    """援派/支教: a person sent to a recipient school or region for a term."""

    class Role(models.TextChoices):
        PRINCIPAL = "principal", _("校长/园长")
        CADRE = "cadre", _("干部")
        TEACHER = "teacher", _("教师")
        OTHER = "other", _("其他")

    class Term(models.TextChoices):
        MONTH = "month", _("一个月")
        HALF_YEAR = "half_year", _("半年")
        YEAR = "year", _("一年")
        CUSTOM = "custom", _("按起止日期")

    class Status(models.TextChoices):
        PLANNED = "planned", _("待派出")
        ACTIVE = "active", _("在岗")
        COMPLETED = "completed", _("已期满")
        WITHDRAWN = "withdrawn", _("提前结束")

    TRANSITIONS = {
        Status.PLANNED: {Status.ACTIVE, Status.WITHDRAWN},
        Status.ACTIVE: {Status.COMPLETED, Status.WITHDRAWN},
        Status.COMPLETED: set(),
        Status.WITHDRAWN: set(),
    }
    # Months added to the start date for the fixed terms (custom takes the typed end date).
    TERM_MONTHS = {Term.MONTH: 1, Term.HALF_YEAR: 6, Term.YEAR: 12}

    person = models.ForeignKey(
        "orgs.Person", on_delete=models.PROTECT, related_name="dispatches", verbose_name=_("人员")
    )
    batch = models.ForeignKey(
        DispatchBatch,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dispatches",
        verbose_name=_("批次"),
    )
    sender = models.ForeignKey(
        "orgs.Organisation",
        on_delete=models.PROTECT,
        related_name="sent_dispatches",
        verbose_name=_("派出单位"),
    )
    host = models.ForeignKey(
        "orgs.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hosted_dispatches",
        verbose_name=_("受援学校"),
    )
    host_region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("受援地区")
    )
    pairing = models.ForeignKey(
        "pairings.Pairing",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="dispatches",
        verbose_name=_("结对关系"),
    )
    role = models.CharField(_("岗位"), max_length=10, choices=Role.choices, default=Role.TEACHER)
    term = models.CharField(_("期限"), max_length=10, choices=Term.choices, default=Term.HALF_YEAR)
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"))
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    subjects = models.CharField(_("任教学科"), max_length=120, blank=True)
    # Backbone status when sent (a person's level may change later).
    was_backbone = models.BooleanField(_("派出时为骨干教师"), default=False)
    note = models.TextField(_("备注"), blank=True)
    is_generated = models.BooleanField(_("生成的示例数据"), default=False)

    objects = DispatchQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "id"]
        verbose_name = _("援派/支教")
        verbose_name_plural = _("援派/支教")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="dispatch_dates_in_order"
            ),
        ]
        indexes = [
            # Rotation: terms ending soon.
            models.Index(fields=["status", "end_date"], name="dispatch_status_end"),
        ]

    def __str__(self):
        return f"{self.person} → {self.host or self.host_region}"

    def can_transition(self, new_status: str) -> bool:
        return new_status in self.TRANSITIONS.get(self.status, set())

    def set_status(self, new_status: str, *, actor) -> None:
        """Move along an allowed transition; the caller runs it in a transaction and audits it."""
        if new_status not in self.Status.values:
            raise InvalidStatusTransition(_("选择一个有效的选项。"))
        if not self.can_transition(new_status):
            raise InvalidStatusTransition(
                _("不能从“%(old)s”变为“%(new)s”。")
                % {"old": self.get_status_display(), "new": self.Status(new_status).label}
            )
        self.status = new_status
        self.updated_by = actor
        self.save(update_fields=["status", "updated_by", "updated_at"])

    def term_has_ended(self, today) -> bool:
        return self.status == self.Status.COMPLETED or self.end_date <= today


class WorkLog(models.Model):
    dispatch = models.ForeignKey(Dispatch, on_delete=models.CASCADE, related_name="work_logs")
    date = models.DateField(_("日期"))
    content = models.TextField(_("工作内容"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("工作日志")
        verbose_name_plural = _("工作日志")

    def __str__(self):
        return f"{self.date}"


class MonthlyReport(models.Model):
    dispatch = models.ForeignKey(Dispatch, on_delete=models.CASCADE, related_name="monthly_reports")
    month = models.DateField(_("月份"), help_text=_("该月第一天"))
    summary = models.TextField(_("月度小结"))
    submitted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-month"]
        verbose_name = _("月度报告")
        verbose_name_plural = _("月度报告")
        constraints = [
            models.UniqueConstraint(
                fields=["dispatch", "month"], name="monthlyreport_one_per_month"
            ),
        ]

    def __str__(self):
        return f"{self.month:%Y-%m}"


class DispatchAssessment(models.Model):
    """The host school's assessment at the end of the term."""

    class Grade(models.TextChoices):
        EXCELLENT = "excellent", _("优秀")
        GOOD = "good", _("良好")
        PASS = "pass", _("合格")
        FAIL = "fail", _("不合格")

    dispatch = models.OneToOneField(Dispatch, on_delete=models.CASCADE, related_name="assessment")
    grade = models.CharField(_("考核等次"), max_length=10, choices=Grade.choices)
    comments = models.TextField(_("评语"), blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    assessed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("期满考核")
        verbose_name_plural = _("期满考核")

    def __str__(self):
        return self.get_grade_display()


class VisitBatchQuerySet(LiveQuerySet):
    def visible_to(self, user):
        from bangfu.core import access

        return self.filter(access.visit_batch_visibility_q(user))


class VisitBatch(TrackedModel):
    """A batch of recipient teachers hosted at a helper organisation (跟岗/来我区培训)."""

    host = models.ForeignKey(
        "orgs.Organisation",
        on_delete=models.PROTECT,
        related_name="hosted_batches",
        verbose_name=_("接待单位"),
    )
    sending_region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("来自地区")
    )
    pairing = models.ForeignKey(
        "pairings.Pairing",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="visit_batches",
        verbose_name=_("结对关系"),
    )
    region_pairing = models.ForeignKey(
        "pairings.RegionPairing",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="visit_batches",
        verbose_name=_("对口关系"),
    )
    title = models.CharField(_("名称"), max_length=200)
    number = models.PositiveSmallIntegerField(_("批次"), default=1)
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"))
    forms_of_study = models.CharField(_("学习方式"), max_length=200, blank=True)
    is_generated = models.BooleanField(_("生成的示例数据"), default=False)

    objects = VisitBatchQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "id"]
        verbose_name = _("跟岗批次")
        verbose_name_plural = _("跟岗批次")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="visitbatch_dates_in_order"
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="visitbatch_number_positive"),
        ]

    def __str__(self):
        return self.title


class Trainee(models.Model):
    """One visiting teacher in a batch, with an individual plan (一人一案) and a mentor (师徒结对)."""

    batch = models.ForeignKey(VisitBatch, on_delete=models.CASCADE, related_name="trainees")
    person = models.ForeignKey(
        "orgs.Person", on_delete=models.PROTECT, related_name="traineeships", verbose_name=_("学员")
    )
    mentor = models.ForeignKey(
        "orgs.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="mentees",
        verbose_name=_("导师"),
    )
    goals = models.TextField(_("个人培养目标(一人一案)"), blank=True)
    outcome = models.TextField(_("学习成果"), blank=True)

    class Meta:
        ordering = ["batch", "id"]
        verbose_name = _("跟岗学员")
        verbose_name_plural = _("跟岗学员")
        constraints = [
            models.UniqueConstraint(fields=["batch", "person"], name="trainee_once_per_batch"),
        ]

    def __str__(self):
        return str(self.person)


class MentorSession(models.Model):
    trainee = models.ForeignKey(Trainee, on_delete=models.CASCADE, related_name="sessions")
    date = models.DateField(_("日期"))
    topic = models.CharField(_("主题"), max_length=200)
    notes = models.TextField(_("记录"), blank=True)

    class Meta:
        ordering = ["date", "id"]
        verbose_name = _("带教记录")
        verbose_name_plural = _("带教记录")

    def __str__(self):
        return self.topic


class TrainingClassQuerySet(LiveQuerySet):
    def visible_to(self, user):
        from bangfu.core import access

        return self.filter(access.training_class_visibility_q(user))


class TrainingClass(TrackedModel):
    """培训班: a class of trainees that graduates (结业)."""

    name = models.CharField(_("名称"), max_length=200)
    organiser = models.ForeignKey(
        "orgs.Organisation",
        on_delete=models.PROTECT,
        related_name="training_classes",
        verbose_name=_("承办单位"),
    )
    region_pairing = models.ForeignKey(
        "pairings.RegionPairing",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="training_classes",
        verbose_name=_("对口关系"),
    )
    pairing = models.ForeignKey(
        "pairings.Pairing",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="training_classes",
        verbose_name=_("结对关系"),
    )
    start_date = models.DateField(_("开班日期"))
    end_date = models.DateField(_("结业日期"))
    graduated = models.BooleanField(_("已结业"), default=False)
    note = models.TextField(_("备注"), blank=True)
    is_generated = models.BooleanField(_("生成的示例数据"), default=False)

    objects = TrainingClassQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "id"]
        verbose_name = _("培训班")
        verbose_name_plural = _("培训班")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="trainingclass_dates_in_order"
            ),
        ]

    def __str__(self):
        return self.name


class Enrolment(models.Model):
    training_class = models.ForeignKey(
        TrainingClass, on_delete=models.CASCADE, related_name="enrolments"
    )
    person = models.ForeignKey("orgs.Person", on_delete=models.PROTECT, related_name="enrolments")
    graduated = models.BooleanField(_("结业"), default=False)

    class Meta:
        verbose_name = _("培训班学员")
        verbose_name_plural = _("培训班学员")
        constraints = [
            models.UniqueConstraint(fields=["training_class", "person"], name="enrolment_once"),
        ]

    def __str__(self):
        return str(self.person)
