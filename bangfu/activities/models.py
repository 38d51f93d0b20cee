import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from bangfu.core.models import DeletableModel, LiveQuerySet, Unit


class ActivityType(models.TextChoices):
    """Every kind of work the seed reports name (DOMAIN.md), with the unit it is counted in."""

    OUTREACH = "outreach", _("送教下乡")
    LESSON_DELIVERY = "lesson_delivery", _("送课")
    TRAINING_DELIVERY = "training_delivery", _("送培")
    MANAGEMENT_DELIVERY = "management_delivery", _("送管理")
    SHADOWING = "shadowing", _("跟岗学习")
    PARALLEL_LESSON = "parallel_lesson", _("同课异构")
    LECTURE = "lecture", _("讲座")
    DEMO_LESSON = "demo_lesson", _("现场课/示范课")
    OBSERVATION = "observation", _("听评课")
    ONLINE_RESEARCH = "online_research", _("网络教研")
    STUDIO = "studio", _("名师工作室活动")
    STUDENT_EXCHANGE = "student_exchange", _("手拉手")
    VIDEO_MEETING = "video_meeting", _("视频会议/线上交流")
    SYMPOSIUM = "symposium", _("协作研讨会")
    DIAGNOSTIC_VISIT = "diagnostic_visit", _("调研走访/把脉问诊")
    TRAINING_CLASS = "training_class", _("培训班")
    STUDY_TRIP = "study_trip", _("游学")
    CONTEST = "contest", _("艺体比赛")
    BASIC_SKILLS = "basic_skills", _("教学基本功指导")
    WORK_MEETING = "work_meeting", _("工作例会")
    OTHER = "other", _("其他")


# How the reports count each type's sessions: 讲座21场, 现场课12节, 网络教研10余次.
SESSION_UNITS = {
    ActivityType.LECTURE: Unit.SESSIONS,
    ActivityType.STUDIO: Unit.SESSIONS,
    ActivityType.SYMPOSIUM: Unit.SESSIONS,
    ActivityType.CONTEST: Unit.SESSIONS,
    ActivityType.DEMO_LESSON: Unit.LESSONS,
    ActivityType.LESSON_DELIVERY: Unit.LESSONS,
    ActivityType.PARALLEL_LESSON: Unit.LESSONS,
    ActivityType.BASIC_SKILLS: Unit.ITEMS,
}


def session_unit(activity_type: str) -> str:
    return SESSION_UNITS.get(activity_type, Unit.TIMES)


class ActivityQuerySet(LiveQuerySet):
    def visible_to(self, user):
        from bangfu.core import access

        return self.filter(access.activity_visibility_q(user))


class InvalidConfirmation(Exception):
    pass


def _signin_token() -> str:
    return secrets.token_urlsafe(9)


class Activity(DeletableModel):
    """One entry of the ledger (活动台账)."""

    class Mode(models.TextChoices):
        OFFLINE = "offline", _("线下")
        ONLINE = "online", _("线上")
        HYBRID = "hybrid", _("线上线下结合")

    class Direction(models.TextChoices):
        TO_RECIPIENT = "to_recipient", _("帮扶方到受援地")
        AT_HELPER = "at_helper", _("受援方到帮扶方")
        REMOTE = "remote", _("远程")
        OTHER = "other", _("其他")

    class LedBy(models.TextChoices):
        HELPER = "helper", _("帮扶方教师主导")
        RECIPIENT = "recipient", _("受援方教师主导")
        JOINT = "joint", _("双方共同主导")

    class Confirmation(models.TextChoices):
        PENDING = "pending", _("待受援方确认")
        CONFIRMED = "confirmed", _("受援方已确认")
        DISPUTED = "disputed", _("受援方有异议")

    class CountSource(models.TextChoices):
        REPORTED = "reported", _("填报")
        SIGNED = "signed", _("签到统计")

    type = models.CharField(_("活动类型"), max_length=24, choices=ActivityType.choices)
    title = models.CharField(_("活动名称"), max_length=200)
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"))
    mode = models.CharField(_("形式"), max_length=10, choices=Mode.choices, default=Mode.OFFLINE)
    direction = models.CharField(
        _("方向"), max_length=14, choices=Direction.choices, default=Direction.TO_RECIPIENT
    )
    place = models.CharField(_("地点"), max_length=200, blank=True)
    pairing = models.ForeignKey(
        "pairings.Pairing",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="activities",
        verbose_name=_("结对关系"),
    )
    region_pairing = models.ForeignKey(
        "pairings.RegionPairing",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="activities",
        verbose_name=_("对口关系"),
    )
    organiser = models.ForeignKey(
        "orgs.Organisation",
        on_delete=models.PROTECT,
        related_name="organised_activities",
        verbose_name=_("组织单位"),
    )
    receivers = models.ManyToManyField(
        "orgs.Organisation",
        blank=True,
        related_name="received_activities",
        verbose_name=_("受援单位"),
    )
    # The regions each figure is counted under (derived from the pairing or
    # the organisations when the activity is saved through its service).
    helper_region = models.ForeignKey(
        "regions.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recipient_region = models.ForeignKey(
        "regions.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sessions = models.PositiveIntegerField(
        _("场次"), default=1, help_text=_("讲座按场、示范课按节、其他按次计")
    )
    helper_headcount = models.PositiveIntegerField(_("帮扶方人数"), default=0)
    recipient_headcount = models.PositiveIntegerField(_("受援方人数"), default=0)
    person_times = models.PositiveIntegerField(_("人次"), default=0)
    count_source = models.CharField(
        _("人数来源"), max_length=10, choices=CountSource.choices, default=CountSource.REPORTED
    )
    backbone_count = models.PositiveIntegerField(_("其中骨干教师人数"), default=0)
    subjects = models.CharField(_("学科"), max_length=200, blank=True)
    lesson_titles = models.TextField(_("课题"), blank=True, help_text=_("每行一个课题"))
    led_by = models.CharField(
        _("主导方"), max_length=10, choices=LedBy.choices, default=LedBy.HELPER
    )
    leaders = models.ManyToManyField(
        "orgs.Person", blank=True, related_name="led_activities", verbose_name=_("主讲/主导教师")
    )
    outcome = models.TextField(_("成效与备注"), blank=True)
    plan_tasks = models.ManyToManyField(
        "plans.PlanTask", blank=True, related_name="activities", verbose_name=_("对应计划任务")
    )
    projects = models.ManyToManyField(
        "plans.Project", blank=True, related_name="activities", verbose_name=_("对应项目")
    )
    needs = models.ManyToManyField(
        "needs.Need", blank=True, related_name="activities", verbose_name=_("对应需求")
    )
    confirmation = models.CharField(
        _("确认状态"), max_length=10, choices=Confirmation.choices, default=Confirmation.PENDING
    )
    rating = models.PositiveSmallIntegerField(_("评分"), null=True, blank=True)
    feedback = models.TextField(_("受援方反馈"), blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    signin_token = models.CharField(
        max_length=20, unique=True, default=_signin_token, editable=False
    )
    signin_open = models.BooleanField(_("开放签到"), default=False)
    # The side that recorded the entry: it (or its coordinator) may change it;
    # the other side only confirms. Empty for a region-level activity.
    recorded_side = models.CharField(
        _("填报方"),
        max_length=10,
        blank=True,
        choices=[("helper", _("帮扶方")), ("recipient", _("受援方"))],
    )
    # Folded title and lesson titles (bangfu.lib.textnorm): 幫扶 finds 帮扶.
    search_text = models.TextField(blank=True, editable=False)
    is_generated = models.BooleanField(_("生成的示例数据"), default=False)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "-id"]
        verbose_name = _("活动")
        verbose_name_plural = _("活动")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="activity_dates_in_order"
            ),
            models.CheckConstraint(
                condition=Q(person_times__gte=F("helper_headcount") + F("recipient_headcount"))
                | Q(person_times=0),
                name="activity_person_times_cover_headcount",
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="activity_rating_1_to_5",
            ),
            models.CheckConstraint(
                condition=Q(pairing__isnull=False) | Q(region_pairing__isnull=False),
                name="activity_belongs_to_a_pairing",
            ),
        ]
        indexes = [
            # A pairing's timeline and ledger, newest first.
            models.Index(fields=["pairing", "-start_date"], name="activity_pairing_date"),
            # Statistics by region and period (bangfu.stats): a province-year is
            # an index range; on PostgreSQL the INCLUDE columns make it an
            # index-only scan (measured by make bench: 0.4-0.7 s → 38 ms for a
            # province-year over 5M rows, after VACUUM). SQLite ignores INCLUDE.
            # Partial: every query of the default manager asks for live rows, and
            # the index then answers it without reading deleted_at from the table.
            models.Index(
                fields=["recipient_region", "start_date"],
                include=["type", "sessions", "person_times", "led_by"],
                condition=Q(deleted_at__isnull=True),
                name="activity_recipient_date_cover",
            ),
            models.Index(
                fields=["helper_region", "start_date"],
                include=["type", "sessions", "person_times", "led_by"],
                condition=Q(deleted_at__isnull=True),
                name="activity_helper_date_cover",
            ),
            # The whole country's partial months (bangfu/stats/rollup.py reads whole
            # months from the roll-ups, the days at either end from here).
            models.Index(
                fields=["start_date"],
                include=["type", "direction", "led_by", "sessions", "person_times"],
                condition=Q(deleted_at__isnull=True),
                name="activity_date_cover",
            ),
            # Reminders: activities awaiting the recipient's confirmation.
            models.Index(fields=["confirmation", "pairing"], name="activity_confirmation"),
        ]

    def __str__(self):
        return self.title

    @property
    def session_unit(self) -> str:
        return session_unit(self.type)

    @property
    def headcount(self) -> int:
        return self.helper_headcount + self.recipient_headcount

    @property
    def lesson_title_list(self) -> list[str]:
        return [line.strip() for line in self.lesson_titles.splitlines() if line.strip()]

    # 反馈协商制: a disputed activity can be confirmed (or disputed again) after
    # the two sides talk; a confirmed one is final.
    CONFIRMATION_TRANSITIONS = {
        Confirmation.PENDING: {Confirmation.CONFIRMED, Confirmation.DISPUTED},
        Confirmation.DISPUTED: {Confirmation.CONFIRMED, Confirmation.DISPUTED},
        Confirmation.CONFIRMED: set(),
    }

    def can_confirm_as(self, new_status: str) -> bool:
        return new_status in self.CONFIRMATION_TRANSITIONS.get(self.confirmation, set())

    def set_confirmation(self, new_status: str, *, actor, rating: int, feedback: str, when) -> None:
        """Move along an allowed confirmation transition; the caller saves and audits."""
        if not self.can_confirm_as(new_status):
            raise InvalidConfirmation(
                _("不能从“%(old)s”变为“%(new)s”。")
                % {
                    "old": self.get_confirmation_display(),
                    "new": self.Confirmation(new_status).label,
                }
            )
        self.confirmation = new_status
        self.rating = rating
        self.feedback = feedback
        self.confirmed_by = actor
        self.confirmed_at = when


class ActivityFile(models.Model):
    """Evidence of an activity: photos (re-encoded, EXIF stripped) and documents."""

    class Kind(models.TextChoices):
        PHOTO = "photo", _("照片")
        DOCUMENT = "document", _("文档")

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="files")
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    file = models.FileField(upload_to="activities/%Y/%m/")
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    caption = models.CharField(_("说明"), max_length=200, blank=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("活动材料")
        verbose_name_plural = _("活动材料")

    def __str__(self):
        return self.original_name


class SignIn(models.Model):
    """A participant's own sign-in on the public phone page (no account)."""

    class Role(models.TextChoices):
        TEACHER = "teacher", _("教师")
        CADRE = "cadre", _("干部")
        STUDENT = "student", _("学生")
        OTHER = "other", _("其他")

    class Side(models.TextChoices):
        HELPER = "helper", _("帮扶方")
        RECIPIENT = "recipient", _("受援方")

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="signins")
    name = models.CharField(_("姓名"), max_length=50)
    organisation_name = models.CharField(_("单位"), max_length=120)
    # Folded forms (simplified script, no spaces) so 張老師 and 张老师 are one person.
    name_key = models.CharField(max_length=50, editable=False)
    organisation_key = models.CharField(max_length=120, editable=False)
    role = models.CharField(_("身份"), max_length=10, choices=Role.choices, default=Role.TEACHER)
    side = models.CharField(_("所属方"), max_length=10, choices=Side.choices)
    signed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["signed_at", "id"]
        verbose_name = _("签到")
        verbose_name_plural = _("签到")
        constraints = [
            # A duplicate sign-in is refused.
            models.UniqueConstraint(
                fields=["activity", "name_key", "organisation_key"], name="signin_unique_person"
            ),
        ]

    def __str__(self):
        return f"{self.name}({self.organisation_name})"


class LedgerLockQuerySet(models.QuerySet):
    def visible_to(self, user):
        from .rules import lock_visibility_q

        return self.filter(lock_visibility_q(user))


class LedgerLock(models.Model):
    """A semester's ledger approved by a coordinator: locked for a pairing or a whole region.

    Reopening is recorded (reopened_by/at) and audited; the row stays.
    """

    pairing = models.ForeignKey(
        "pairings.Pairing", null=True, blank=True, on_delete=models.CASCADE, related_name="locks"
    )
    region = models.ForeignKey(
        "regions.Region", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    academic_year = models.PositiveSmallIntegerField(_("学年"))
    term = models.PositiveSmallIntegerField(_("学期"))
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    locked_at = models.DateTimeField(auto_now_add=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reopened_at = models.DateTimeField(null=True, blank=True)
    reopen_reason = models.CharField(_("重新开放原因"), max_length=200, blank=True)

    objects = LedgerLockQuerySet.as_manager()

    class Meta:
        ordering = ["-academic_year", "-term", "-locked_at"]
        verbose_name = _("台账审核锁定")
        verbose_name_plural = _("台账审核锁定")
        constraints = [
            models.CheckConstraint(
                condition=Q(pairing__isnull=False) ^ Q(region__isnull=False),
                name="ledgerlock_pairing_or_region",
            ),
            # One active lock per pairing (or region) and semester.
            models.UniqueConstraint(
                fields=["pairing", "academic_year", "term"],
                condition=Q(reopened_at__isnull=True, pairing__isnull=False),
                name="ledgerlock_one_active_per_pairing",
            ),
            models.UniqueConstraint(
                fields=["region", "academic_year", "term"],
                condition=Q(reopened_at__isnull=True, region__isnull=False),
                name="ledgerlock_one_active_per_region",
            ),
            models.CheckConstraint(condition=Q(term__in=[1, 2]), name="ledgerlock_term_1_or_2"),
        ]
        indexes = [
            # is_locked(): the active locks of one semester.
            models.Index(
                fields=["academic_year", "term", "reopened_at"], name="ledgerlock_semester"
            ),
        ]

    def __str__(self):
        from bangfu.lib.semester import Semester

        return Semester(self.academic_year, self.term).label

    @property
    def scope(self):
        return self.pairing if self.pairing_id else self.region

    @property
    def is_active(self) -> bool:
        return self.reopened_at is None
