"""Forms of dispatches, visiting batches and training classes.

Choices are scoped to what the user may see (or act for); the services check
again, so a forged id is refused there with the same message.
"""

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bangfu.core import access
from bangfu.core.forms import VersionedFormMixin
from bangfu.lib import semester
from bangfu.orgs.models import Organisation, Person
from bangfu.pairings.models import Pairing, RegionPairing
from bangfu.regions.forms import RegionField

from . import rules
from .models import (
    Dispatch,
    DispatchAssessment,
    DispatchBatch,
    Enrolment,
    TrainingClass,
    VisitBatch,
)


def _date_widget():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _blank(choices):
    return [("", _("全部"))] + list(choices)


def year_choices():
    current = semester.academic_year(timezone.localdate())
    return _blank((y, semester.year_label(y)) for y in range(current + 1, 2009, -1))


class OrgField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}({obj.region.name})"


class PersonField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        badge = f" · {obj.get_backbone_level_display()}" if obj.backbone_level else ""
        return f"{obj.name}({obj.organisation.name}){badge}"


def editable_orgs(user):
    return (
        Organisation.objects.filter(access.editable_organisations_q(user))
        .select_related("region")
        .order_by("name")
    )


def visible_orgs(user):
    return Organisation.objects.visible_to(user).select_related("region").order_by("name")


def visible_people(user):
    return Person.objects.visible_to(user).select_related("organisation")


def visible_batches(user):
    return DispatchBatch.objects.filter(rules.batch_visibility_q(user)).select_related("sender")


class InitialFromInstance:
    """Fills ``initial`` from the instance for the fields listed in FIELDS."""

    FIELDS: tuple[str, ...] = ()

    def _initial(self, kwargs, instance):
        self.instance = instance
        if instance is not None:
            kwargs.setdefault("initial", {}).update({f: getattr(instance, f) for f in self.FIELDS})

    def service_values(self) -> dict:
        return {f: self.cleaned_data.get(f) for f in self.FIELDS}


# --- dispatches -------------------------------------------------------------


class BatchLabelField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        programme = f" {obj.programme}" if obj.programme else ""
        return f"{obj.sender.short_name or obj.sender.name}{programme} {obj}({obj.year})"


class BatchForm(forms.Form):
    sender = OrgField(label=_("选派单位"), queryset=Organisation.objects.none())
    programme = forms.CharField(
        label=_("方向"), max_length=50, required=False, help_text=_("如 援疆、援藏、援青、援蒙")
    )
    number = forms.IntegerField(label=_("第几批"), min_value=1, max_value=999)
    year = forms.IntegerField(label=_("年度"), min_value=1990, max_value=2100)
    destination = RegionField(label=_("派往地区"), required=False)
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sender"].queryset = editable_orgs(user)
        if user.organisation_id and user.is_school_staff:
            self.fields["sender"].initial = user.organisation_id
        self.fields["year"].initial = timezone.localdate().year


class BackboneSelect(forms.NullBooleanSelect):
    # "Unknown" means: take it from the person's backbone level when saving.
    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("unknown", _("按人员骨干级别")), ("true", _("是")), ("false", _("否"))]


class DispatchForm(InitialFromInstance, VersionedFormMixin, forms.Form):
    sender = OrgField(label=_("派出单位"), queryset=Organisation.objects.none())
    person = PersonField(label=_("人员"), queryset=Person.objects.none())
    batch = BatchLabelField(label=_("批次"), queryset=DispatchBatch.objects.none(), required=False)
    status = forms.ChoiceField(
        label=_("状态"),
        choices=[
            (Dispatch.Status.PLANNED, Dispatch.Status.PLANNED.label),
            (Dispatch.Status.ACTIVE, Dispatch.Status.ACTIVE.label),
        ],
    )
    host = OrgField(label=_("受援学校"), queryset=Organisation.objects.none(), required=False)
    host_region = RegionField(
        label=_("受援地区"), required=False, help_text=_("选择受援学校时可留空,取该校所在地区")
    )
    pairing = forms.ModelChoiceField(
        label=_("结对关系"), queryset=Pairing.objects.none(), required=False
    )
    role = forms.ChoiceField(label=_("岗位"), choices=Dispatch.Role.choices)
    term = forms.ChoiceField(label=_("期限"), choices=Dispatch.Term.choices)
    start_date = forms.DateField(label=_("开始日期"), widget=_date_widget())
    end_date = forms.DateField(
        label=_("结束日期"),
        required=False,
        widget=_date_widget(),
        help_text=_("期限为一个月、半年或一年时可留空,按开始日期推算"),
    )
    subjects = forms.CharField(label=_("任教学科"), max_length=120, required=False)
    was_backbone = forms.NullBooleanField(
        label=_("派出时为骨干教师"),
        required=False,
        widget=BackboneSelect,
    )
    note = forms.CharField(
        label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    FIELDS = (
        "sender",
        "person",
        "batch",
        "host",
        "host_region",
        "pairing",
        "role",
        "term",
        "start_date",
        "end_date",
        "subjects",
        "was_backbone",
        "note",
    )

    def __init__(self, *args, user, instance=None, **kwargs):
        self._initial(kwargs, instance)
        if instance is None and user.organisation_id and user.is_school_staff:
            kwargs.setdefault("initial", {}).setdefault("sender", user.organisation_id)
        super().__init__(*args, **kwargs)
        self.fields["sender"].queryset = editable_orgs(user)
        self.fields["person"].queryset = visible_people(user)
        self.fields["batch"].queryset = visible_batches(user)
        self.fields["host"].queryset = visible_orgs(user)
        self.fields["pairing"].queryset = Pairing.objects.visible_to(user)
        if instance is not None:
            del self.fields["status"]

    def service_values(self) -> dict:
        values = super().service_values()
        if "status" in self.fields:
            values["status"] = self.cleaned_data["status"]
        return values


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("新状态"), choices=Dispatch.Status.choices)


class WorkLogForm(forms.Form):
    date = forms.DateField(label=_("日期"), widget=_date_widget())
    content = forms.CharField(label=_("工作内容"), widget=forms.Textarea(attrs={"rows": 3}))

    prefix = "log"


class MonthlyReportForm(forms.Form):
    month = forms.DateField(
        label=_("月份"),
        input_formats=["%Y-%m", "%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
        error_messages={"invalid": _("请按“年-月”填写月份,如 2019-03。")},
    )
    summary = forms.CharField(label=_("月度小结"), widget=forms.Textarea(attrs={"rows": 4}))

    prefix = "report"


class AssessmentForm(forms.Form):
    grade = forms.ChoiceField(label=_("考核等次"), choices=DispatchAssessment.Grade.choices)
    comments = forms.CharField(
        label=_("评语"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )


class DispatchFilterForm(forms.Form):
    q = forms.CharField(label=_("搜索人员"), required=False)
    status = forms.ChoiceField(
        label=_("状态"), choices=_blank(Dispatch.Status.choices), required=False
    )
    batch = BatchLabelField(label=_("批次"), queryset=DispatchBatch.objects.none(), required=False)
    sender = OrgField(label=_("派出单位"), queryset=Organisation.objects.none(), required=False)
    host_region = RegionField(label=_("受援地区"), required=False)
    year = forms.TypedChoiceField(label=_("学年"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["batch"].queryset = visible_batches(user)
        senders = Dispatch.objects.visible_to(user).values("sender_id")
        self.fields["sender"].queryset = visible_orgs(user).filter(pk__in=senders)
        self.fields["year"].choices = year_choices()


# --- visiting trainees ------------------------------------------------------


class VisitBatchForm(InitialFromInstance, VersionedFormMixin, forms.Form):
    title = forms.CharField(label=_("名称"), max_length=200)
    host = OrgField(label=_("接待单位"), queryset=Organisation.objects.none())
    sending_region = RegionField(label=_("来自地区"))
    pairing = forms.ModelChoiceField(
        label=_("结对关系"), queryset=Pairing.objects.none(), required=False
    )
    region_pairing = forms.ModelChoiceField(
        label=_("对口关系"), queryset=RegionPairing.objects.none(), required=False
    )
    number = forms.IntegerField(label=_("批次"), min_value=1, max_value=999, initial=1)
    start_date = forms.DateField(label=_("开始日期"), widget=_date_widget())
    end_date = forms.DateField(label=_("结束日期"), widget=_date_widget())
    forms_of_study = forms.CharField(
        label=_("学习方式"),
        max_length=200,
        required=False,
        help_text=_("如 跟岗听课、师徒结对、参与教研、专题讲座"),
    )

    FIELDS = (
        "title",
        "host",
        "sending_region",
        "pairing",
        "region_pairing",
        "number",
        "start_date",
        "end_date",
        "forms_of_study",
    )

    def __init__(self, *args, user, instance=None, **kwargs):
        self._initial(kwargs, instance)
        if instance is None and user.organisation_id and user.is_school_staff:
            kwargs.setdefault("initial", {}).setdefault("host", user.organisation_id)
        super().__init__(*args, **kwargs)
        self.fields["host"].queryset = editable_orgs(user)
        self.fields["pairing"].queryset = Pairing.objects.visible_to(user)
        self.fields["region_pairing"].queryset = RegionPairing.objects.visible_to(
            user
        ).select_related("helper_region", "recipient_region")


class TraineeForm(forms.Form):
    person = PersonField(
        label=_("已有人员"),
        queryset=Person.objects.none(),
        required=False,
        help_text=_("或在下方填写新学员"),
    )
    new_name = forms.CharField(label=_("新学员姓名"), max_length=50, required=False)
    new_organisation = OrgField(
        label=_("新学员所在单位"), queryset=Organisation.objects.none(), required=False
    )
    new_subjects = forms.CharField(label=_("新学员任教学科"), max_length=120, required=False)
    mentor = PersonField(
        label=_("导师"),
        queryset=Person.objects.none(),
        required=False,
        help_text=_("接待单位的骨干教师"),
    )
    goals = forms.CharField(
        label=_("个人培养目标(一人一案)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    outcome = forms.CharField(
        label=_("学习成果"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, user, batch: VisitBatch, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = visible_people(user).exclude(organisation=batch.host_id)
        self.fields["new_organisation"].queryset = visible_orgs(user).exclude(pk=batch.host_id)
        self.fields["mentor"].queryset = Person.objects.filter(
            organisation=batch.host_id
        ).select_related("organisation")

    def clean(self):
        data = super().clean()
        if not data.get("person") and not data.get("new_name") and not self.errors:
            self.add_error("person", _("请选择已有人员,或填写新学员的姓名和单位。"))
        if not data.get("person") and data.get("new_name") and not data.get("new_organisation"):
            self.add_error("new_organisation", _("请选择新学员所在单位。"))
        return data


class TraineeEditForm(forms.Form):
    mentor = PersonField(label=_("导师"), queryset=Person.objects.none(), required=False)
    goals = forms.CharField(
        label=_("个人培养目标(一人一案)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    outcome = forms.CharField(
        label=_("学习成果"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, trainee, **kwargs):
        kwargs.setdefault("initial", {}).update(
            {"mentor": trainee.mentor_id, "goals": trainee.goals, "outcome": trainee.outcome}
        )
        super().__init__(*args, **kwargs)
        self.fields["mentor"].queryset = Person.objects.filter(
            organisation=trainee.batch.host_id
        ).select_related("organisation")


class SessionForm(forms.Form):
    date = forms.DateField(label=_("日期"), widget=_date_widget())
    topic = forms.CharField(label=_("主题"), max_length=200)
    notes = forms.CharField(
        label=_("记录"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class VisitFilterForm(forms.Form):
    q = forms.CharField(label=_("搜索名称"), required=False)
    sending_region = RegionField(label=_("来自地区"), required=False)
    host = OrgField(label=_("接待单位"), queryset=Organisation.objects.none(), required=False)
    year = forms.TypedChoiceField(label=_("学年"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        hosts = VisitBatch.objects.visible_to(user).values("host_id")
        self.fields["host"].queryset = visible_orgs(user).filter(pk__in=hosts)
        self.fields["year"].choices = year_choices()


# --- training classes -------------------------------------------------------


class TrainingClassForm(InitialFromInstance, VersionedFormMixin, forms.Form):
    name = forms.CharField(label=_("名称"), max_length=200)
    organiser = OrgField(
        label=_("承办单位"),
        queryset=Organisation.objects.none(),
        help_text=_("如 北京教育学院石景山分院"),
    )
    region_pairing = forms.ModelChoiceField(
        label=_("对口关系"), queryset=RegionPairing.objects.none(), required=False
    )
    pairing = forms.ModelChoiceField(
        label=_("结对关系"), queryset=Pairing.objects.none(), required=False
    )
    start_date = forms.DateField(label=_("开班日期"), widget=_date_widget())
    end_date = forms.DateField(label=_("结业日期"), widget=_date_widget())
    note = forms.CharField(
        label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    FIELDS = ("name", "organiser", "region_pairing", "pairing", "start_date", "end_date", "note")

    def __init__(self, *args, user, instance=None, **kwargs):
        self._initial(kwargs, instance)
        super().__init__(*args, **kwargs)
        self.fields["organiser"].queryset = editable_orgs(user)
        self.fields["pairing"].queryset = Pairing.objects.visible_to(user)
        self.fields["region_pairing"].queryset = RegionPairing.objects.visible_to(
            user
        ).select_related("helper_region", "recipient_region")


class EnrolForm(forms.Form):
    person = PersonField(label=_("学员"), queryset=Person.objects.none())

    def __init__(self, *args, user, training_class: TrainingClass, **kwargs):
        super().__init__(*args, **kwargs)
        enrolled = Enrolment.objects.filter(training_class=training_class).values("person_id")
        self.fields["person"].queryset = visible_people(user).exclude(pk__in=enrolled)


class GraduateForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("确认结业"), error_messages={"required": _("请勾选“确认结业”。")}
    )
    excluded = forms.ModelMultipleChoiceField(
        label=_("不予结业的学员"),
        queryset=Enrolment.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, training_class: TrainingClass, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["excluded"].queryset = training_class.enrolments.select_related("person")


class ClassFilterForm(forms.Form):
    q = forms.CharField(label=_("搜索名称"), required=False)
    organiser = OrgField(label=_("承办单位"), queryset=Organisation.objects.none(), required=False)
    graduated = forms.ChoiceField(
        label=_("结业"),
        choices=_blank([("yes", _("已结业")), ("no", _("未结业"))]),
        required=False,
    )
    year = forms.TypedChoiceField(label=_("学年"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        organisers = TrainingClass.objects.visible_to(user).values("organiser_id")
        self.fields["organiser"].queryset = visible_orgs(user).filter(pk__in=organisers)
        self.fields["year"].choices = year_choices()


def overlaps_year_q(year: int, start: str = "start_date", end: str = "end_date") -> Q:
    """Records whose period overlaps the academic year (Sept – Aug)."""
    first, last = semester.year_bounds(year)
    return Q(**{f"{start}__lte": last, f"{end}__gte": first})
