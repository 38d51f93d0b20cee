from django import forms
from django.utils.translation import gettext_lazy as _

from bangfu.core.forms import VersionedFormMixin
from bangfu.lib.semester import academic_year
from bangfu.needs.models import Need
from bangfu.orgs.models import Organisation, Person
from bangfu.pairings.forms import org_label, org_options
from bangfu.pairings.models import Pairing, RegionPairing
from bangfu.plans.models import Plan, PlanTask, Project
from bangfu.regions.forms import RegionField
from bangfu.regions.models import Region

from . import rules
from .models import Activity, ActivityFile, ActivityType, SignIn

TERM_CHOICES = [(1, _("第一学期")), (2, _("第二学期"))]


def _date_widget():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _count(label, **kwargs):
    return forms.IntegerField(
        label=label,
        min_value=0,
        initial=0,
        error_messages={"min_value": _("不能为负数。"), "invalid": _("请输入整数。")},
        widget=forms.NumberInput(attrs={"min": 0}),
        **kwargs,
    )


class OrganisationField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return org_label(obj)


class TaskField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.plan.title} · {obj.title}"


class ActivityForm(VersionedFormMixin, forms.Form):
    pairing = forms.ModelChoiceField(
        label=_("结对关系"), queryset=Pairing.objects.none(), required=False
    )
    region_pairing = forms.ModelChoiceField(
        label=_("对口关系"),
        queryset=RegionPairing.objects.none(),
        required=False,
        help_text=_("区级活动没有具体结对学校时选择对口关系"),
    )
    type = forms.ChoiceField(label=_("活动类型"), choices=ActivityType.choices)
    title = forms.CharField(label=_("活动名称"), max_length=200)
    start_date = forms.DateField(label=_("开始日期"), widget=_date_widget())
    end_date = forms.DateField(label=_("结束日期"), widget=_date_widget())
    mode = forms.ChoiceField(label=_("形式"), choices=Activity.Mode.choices)
    direction = forms.ChoiceField(label=_("方向"), choices=Activity.Direction.choices)
    place = forms.CharField(label=_("地点"), max_length=200, required=False)
    organiser = OrganisationField(
        label=_("组织单位"),
        queryset=Organisation.objects.none(),
        required=False,
        help_text=_("留空则为本单位(或填报方的牵头单位)"),
    )
    sessions = _count(_("场次"), help_text=_("讲座按场、示范课按节、其他按次计"))
    helper_headcount = _count(_("帮扶方人数"))
    recipient_headcount = _count(_("受援方人数"))
    person_times = _count(_("人次"), help_text=_("开放签到后由签到自动统计"))
    backbone_count = _count(_("其中骨干教师人数"))
    subjects = forms.CharField(label=_("学科"), max_length=200, required=False)
    lesson_titles = forms.CharField(
        label=_("课题"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("每行一个课题,如《离散型随机变量》"),
    )
    led_by = forms.ChoiceField(label=_("主导方"), choices=Activity.LedBy.choices)
    leaders = forms.ModelMultipleChoiceField(
        label=_("主讲/主导教师"), queryset=Person.objects.none(), required=False
    )
    plan_tasks = TaskField(
        label=_("对应计划任务"), queryset=PlanTask.objects.none(), required=False
    )
    needs = forms.ModelMultipleChoiceField(
        label=_("对应需求"), queryset=Need.objects.none(), required=False
    )
    projects = forms.ModelMultipleChoiceField(
        label=_("对应项目"), queryset=Project.objects.none(), required=False
    )
    outcome = forms.CharField(
        label=_("成效与备注"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    SCALAR = (
        "type",
        "title",
        "start_date",
        "end_date",
        "mode",
        "direction",
        "place",
        "organiser",
        "sessions",
        "helper_headcount",
        "recipient_headcount",
        "person_times",
        "backbone_count",
        "subjects",
        "lesson_titles",
        "led_by",
        "outcome",
    )
    LINKS = ("leaders", "plan_tasks", "needs", "projects")

    def __init__(self, *args, user, instance=None, pairing=None, **kwargs):
        self.user = user
        self.instance = instance
        initial = kwargs.setdefault("initial", {})
        if instance is not None:
            initial.update({f: getattr(instance, f) for f in self.SCALAR})
            for f in self.LINKS:
                initial[f] = list(getattr(instance, f).values_list("pk", flat=True))
            pairing = instance.pairing
        elif pairing is not None:
            initial["pairing"] = pairing.pk
        super().__init__(*args, **kwargs)
        if rules.can_create_activity(user):
            self.fields["pairing"].queryset = Pairing.objects.visible_to(user)
            self.fields["region_pairing"].queryset = RegionPairing.objects.visible_to(
                user
            ).select_related("helper_region", "recipient_region")
        if instance is not None:
            # The pairing is fixed once recorded: its sides decide who may edit.
            del self.fields["pairing"]
            del self.fields["region_pairing"]
        organisations = Organisation.objects.visible_to(user).select_related("region")
        self.fields["organiser"].queryset = organisations
        selected = (
            self.data.get(self.add_prefix("organiser"))
            if self.is_bound
            else (instance.organiser_id if instance is not None else None)
        )
        self.fields["organiser"].widget.choices = [("", "---------")] + [
            (pk, label) for pk, label, _sel in org_options(user, [selected] if selected else [])
        ]
        # Links offered: those of the pairing when known; the service checks them anyway.
        tasks = PlanTask.objects.filter(plan__in=Plan.objects.visible_to(user)).select_related(
            "plan"
        )
        needs = Need.objects.visible_to(user)
        people = Person.objects.visible_to(user)
        projects = Project.objects.visible_to(user)
        if pairing is not None:
            tasks = tasks.filter(plan__pairing=pairing)
            needs = needs.filter(pairing=pairing)
            people = people.filter(organisation__pairing_parties__pairing=pairing).distinct()
            if pairing.region_pairing_id:
                projects = projects.filter(region_pairing_id=pairing.region_pairing_id)
        self.fields["plan_tasks"].queryset = tasks
        self.fields["needs"].queryset = needs
        self.fields["leaders"].queryset = people
        self.fields["projects"].queryset = projects
        for name in self.LINKS:
            self.fields[name].widget.attrs["size"] = 6

    def service_values(self) -> dict:
        data = {f: self.cleaned_data.get(f) for f in self.SCALAR}
        for f in self.LINKS:
            data[f] = list(self.cleaned_data.get(f) or [])
        for f in ("place", "subjects", "lesson_titles", "outcome"):
            data[f] = data[f] or ""
        if self.instance is None:
            data["pairing"] = self.cleaned_data.get("pairing")
            data["region_pairing"] = self.cleaned_data.get("region_pairing")
        return data


class ConfirmForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("评分"),
        coerce=int,
        choices=[(i, str(i)) for i in range(5, 0, -1)],
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择 1–5 分的评分。")},
    )
    feedback = forms.CharField(
        label=_("反馈意见"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    disputed = forms.BooleanField(label=_("有异议,需要协商"), required=False)


class EvidenceForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=ActivityFile.Kind.choices)
    file = forms.FileField(
        label=_("文件"),
        help_text=_("照片:JPEG、PNG、WebP;文档:PDF、Word(.docx)、Excel(.xlsx)"),
        widget=forms.FileInput(attrs={"accept": ".jpg,.jpeg,.png,.webp,.pdf,.docx,.xlsx"}),
        error_messages={"required": _("请选择要上传的文件。")},
    )
    caption = forms.CharField(label=_("说明"), max_length=200, required=False)


class SignInForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    organisation_name = forms.CharField(label=_("单位(学校)"), max_length=120)
    role = forms.ChoiceField(label=_("身份"), choices=SignIn.Role.choices)
    side = forms.ChoiceField(label=_("所属方"), choices=SignIn.Side.choices)


class LockForm(forms.Form):
    academic_year = forms.IntegerField(
        label=_("学年"),
        min_value=1990,
        max_value=2100,
        help_text=_("学年开始的年份,如 2019 表示 2019–2020学年"),
    )
    term = forms.TypedChoiceField(label=_("学期"), coerce=int, choices=TERM_CHOICES)
    pairing = forms.ModelChoiceField(
        label=_("结对关系"), queryset=Pairing.objects.none(), required=False
    )
    region = RegionField(label=_("或整个地区"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pairing"].queryset = Pairing.objects.visible_to(user)
        self.fields["academic_year"].initial = academic_year(_today())


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("重新开放原因"), max_length=200)


def _blank(choices):
    return [("", _("全部"))] + list(choices)


class ActivityFilterForm(forms.Form):
    q = forms.CharField(label=_("搜索活动名称或课题"), required=False)
    year = forms.IntegerField(label=_("学年"), required=False, min_value=1990, max_value=2100)
    term = forms.TypedChoiceField(
        label=_("学期"), coerce=int, choices=_blank(TERM_CHOICES), required=False, empty_value=None
    )
    type = forms.ChoiceField(
        label=_("活动类型"), choices=_blank(ActivityType.choices), required=False
    )
    pairing = forms.ModelChoiceField(
        label=_("结对关系"), queryset=Pairing.objects.none(), required=False
    )
    region = RegionField(label=_("地区"), required=False)
    # Links from other pages name the region by id.
    region_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    school = forms.CharField(label=_("组织单位"), required=False)
    confirmation = forms.ChoiceField(
        label=_("确认状态"), choices=_blank(Activity.Confirmation.choices), required=False
    )
    led_by = forms.ChoiceField(
        label=_("主导方"), choices=_blank(Activity.LedBy.choices), required=False
    )
    missing_symposium = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pairing"].queryset = Pairing.objects.visible_to(user)
        self.fields["region"].widget.attrs["placeholder"] = _("地区名称或代码")
        self.fields["school"].widget.attrs["placeholder"] = _("单位名称、拼音或首字母")

    def clean(self):
        data = super().clean()
        if not data.get("region") and data.get("region_id"):
            data["region"] = Region.objects.filter(pk=data["region_id"]).first()
        return data


def _today():
    from django.utils import timezone

    return timezone.localdate()
