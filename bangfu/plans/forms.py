from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from bangfu.core.forms import VersionedFormMixin
from bangfu.core.models import Unit
from bangfu.lib.semester import academic_year
from bangfu.needs.models import Need
from bangfu.orgs.models import Organisation
from bangfu.pairings.models import Pairing, RegionPairing
from bangfu.regions.forms import RegionField

from . import rules
from .models import Plan, Project
from .services import (
    TARGET_NEEDS_UNIT,
    TARGET_POSITIVE,
    UNIT_NEEDS_TARGET,
    TargetValues,
    TaskValues,
)

TERM_CHOICES = [("", _("全学年")), (1, _("第一学期")), (2, _("第二学期"))]


def _date_widget():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _blank(choices):
    return [("", _("全部"))] + list(choices)


def _year_field(label, **kwargs):
    return forms.IntegerField(
        label=label,
        min_value=1990,
        max_value=2100,
        error_messages={
            "min_value": _("请输入有效的年份。"),
            "max_value": _("请输入有效的年份。"),
        },
        **kwargs,
    )


def helper_pairings(user):
    """Pairings the user drafts plans for: visible and on the helper side."""
    return (
        Pairing.objects.visible_to(user)
        .filter(rules.side_pairings_q(user, "helper"))
        .order_by("-start_date", "id")
    )


class PlanForm(VersionedFormMixin, forms.Form):
    pairing = forms.ModelChoiceField(label=_("结对关系"), queryset=Pairing.objects.none())
    academic_year = _year_field(_("学年"), help_text=_("学年开始的年份,如 2019 表示 2019–2020学年"))
    term = forms.TypedChoiceField(
        label=_("学期"), choices=TERM_CHOICES, coerce=int, empty_value=None, required=False
    )
    title = forms.CharField(label=_("名称"), max_length=200)
    goals = forms.CharField(
        label=_("帮扶目标"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    FIELDS = ("academic_year", "term", "title", "goals")

    def __init__(self, *args, user, instance=None, **kwargs):
        self.instance = instance
        initial = kwargs.setdefault("initial", {})
        if instance is not None:
            initial.update({f: getattr(instance, f) for f in self.FIELDS})
        else:
            initial.setdefault("academic_year", academic_year(timezone.localdate()))
        super().__init__(*args, **kwargs)
        if instance is not None:
            del self.fields["pairing"]
            if instance.previous_id:
                # Versions of one plan share its period.
                self.fields["academic_year"].disabled = True
                self.fields["term"].disabled = True
        else:
            self.fields["pairing"].queryset = helper_pairings(user)

    def service_values(self) -> dict:
        values = {f: self.cleaned_data[f] for f in self.FIELDS}
        if "pairing" in self.fields:
            values["pairing"] = self.cleaned_data["pairing"]
        return values


class NeedsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.title}({obj.get_status_display()})"


class TaskForm(forms.Form):
    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    order = forms.IntegerField(label=_("序号"), min_value=1, max_value=999, required=False)
    title = forms.CharField(label=_("任务"), max_length=200)
    description = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    target_value = forms.IntegerField(
        label=_("目标数量"),
        min_value=1,
        required=False,
        error_messages={"min_value": TARGET_POSITIVE},
    )
    target_unit = forms.ChoiceField(
        label=pgettext_lazy("unit of measure", "单位"),
        choices=[("", "—")] + list(Unit.choices),
        required=False,
    )
    due_date = forms.DateField(label=_("完成期限"), required=False, widget=_date_widget())
    needs = NeedsField(
        label=_("对应需求"),
        queryset=Need.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, needs_qs=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the plan's own pairing's needs: any other id is an invalid choice.
        self.fields["needs"].queryset = needs_qs if needs_qs is not None else Need.objects.none()

    def clean(self):
        data = super().clean()
        value, unit = data.get("target_value"), data.get("target_unit")
        if value is not None and not unit:
            self.add_error("target_unit", TARGET_NEEDS_UNIT)
        if unit and value is None and "target_value" not in self.errors:
            self.add_error("target_value", UNIT_NEEDS_TARGET)
        return data

    def values(self) -> TaskValues:
        d = self.cleaned_data
        return TaskValues(
            pk=d.get("id"),
            order=d.get("order"),
            title=d.get("title", ""),
            description=d.get("description", ""),
            target_value=d.get("target_value"),
            target_unit=d.get("target_unit", ""),
            due_date=d.get("due_date"),
            needs=list(d.get("needs") or []),
            delete=bool(d.get("DELETE")),
        )


TaskFormSet = forms.formset_factory(TaskForm, extra=2, can_delete=True, max_num=100)


def task_formset(plan: Plan, data=None):
    needs_qs = plan.pairing.needs.select_related("category").order_by("created_at", "id")
    initial = [
        {
            "id": t.pk,
            "order": t.order,
            "title": t.title,
            "description": t.description,
            "target_value": t.target_value,
            "target_unit": t.target_unit,
            "due_date": t.due_date,
            "needs": [n.pk for n in t.needs.all()],
        }
        for t in plan.tasks.prefetch_related("needs")
    ]
    return TaskFormSet(data, initial=initial, prefix="tasks", form_kwargs={"needs_qs": needs_qs})


def formset_values(formset) -> list:
    """The rows a user filled in (untouched blank rows are left out)."""
    rows = []
    for form in formset.forms:
        if not form.has_changed() and not form.cleaned_data.get("id"):
            continue
        rows.append(form.values())
    return rows


class PlanFilterForm(forms.Form):
    pairing = forms.ModelChoiceField(
        label=_("结对关系"), queryset=Pairing.objects.none(), required=False
    )
    academic_year = _year_field(_("学年"), required=False)
    term = forms.TypedChoiceField(
        label=_("学期"),
        choices=_blank([(1, _("第一学期")), (2, _("第二学期")), (0, _("全学年计划"))]),
        coerce=int,
        empty_value=None,
        required=False,
    )
    status = forms.ChoiceField(label=_("状态"), choices=_blank(Plan.Status.choices), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pairing"].queryset = Pairing.objects.visible_to(user).order_by(
            "-start_date", "id"
        )
        self.fields["academic_year"].widget.attrs["placeholder"] = _("如 2019")


# --- projects --------------------------------------------------------------


class ProjectForm(VersionedFormMixin, forms.Form):
    name = forms.CharField(label=_("项目名称"), max_length=200)
    level = forms.ChoiceField(
        label=_("级别"), choices=Project.Level.choices, initial=Project.Level.DISTRICT
    )
    owner = forms.ModelChoiceField(label=_("负责单位"), queryset=Organisation.objects.none())
    recipient_region = RegionField(label=_("受援地区"))
    region_pairing = forms.ModelChoiceField(
        label=_("所属对口关系"), queryset=RegionPairing.objects.none(), required=False
    )
    year = _year_field(_("年度"))
    start_date = forms.DateField(label=_("开始日期"), widget=_date_widget())
    end_date = forms.DateField(label=_("结束日期"), widget=_date_widget())
    status = forms.ChoiceField(
        label=_("状态"), choices=Project.Status.choices, initial=Project.Status.PLANNED
    )
    description = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    FIELDS = (
        "name",
        "level",
        "owner",
        "recipient_region",
        "region_pairing",
        "year",
        "start_date",
        "end_date",
        "status",
        "description",
    )

    def __init__(self, *args, user, instance=None, **kwargs):
        self.instance = instance
        initial = kwargs.setdefault("initial", {})
        if instance is not None:
            initial.update({f: getattr(instance, f) for f in self.FIELDS})
        else:
            initial.setdefault("year", timezone.localdate().year)
            if user.is_coordinator:
                initial.setdefault("owner", user.organisation_id)
        super().__init__(*args, **kwargs)
        owners = Organisation.objects.filter(rules.project_owner_q(user)).select_related("region")
        if instance is not None:
            owners = owners | Organisation.objects.filter(pk=instance.owner_id)
        self.fields["owner"].queryset = owners.order_by("region__code", "name")
        self.fields["region_pairing"].queryset = RegionPairing.objects.visible_to(
            user
        ).select_related("helper_region", "recipient_region")

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("结束日期不能早于开始日期。"))
        return data

    def service_values(self) -> dict:
        return {f: self.cleaned_data[f] for f in self.FIELDS}


class TargetForm(forms.Form):
    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    description = forms.CharField(label=_("指标"), max_length=200, help_text=_("如:培训当地教师"))
    # A select, not a checkbox: an untouched blank row must post its initial value.
    is_minimum = forms.TypedChoiceField(
        label=_("口径"),
        choices=[(1, _("不少于")), (0, _("恰好"))],
        coerce=lambda v: v in (1, "1", True, "True"),
        initial=1,
    )
    target_value = forms.IntegerField(
        label=_("目标数量"), min_value=1, error_messages={"min_value": TARGET_POSITIVE}
    )
    unit = forms.ChoiceField(
        label=pgettext_lazy("unit of measure", "单位"),
        choices=[("", "—")] + list(Unit.choices),
        error_messages={"required": TARGET_NEEDS_UNIT},
    )

    def values(self) -> TargetValues:
        d = self.cleaned_data
        return TargetValues(
            pk=d.get("id"),
            description=d.get("description", ""),
            target_value=d.get("target_value"),
            unit=d.get("unit", ""),
            is_minimum=bool(d.get("is_minimum")),
            delete=bool(d.get("DELETE")),
        )


TargetFormSet = forms.formset_factory(TargetForm, extra=2, can_delete=True, max_num=50)


def target_formset(project: Project | None, data=None):
    initial = [
        {
            "id": t.pk,
            "description": t.description,
            "is_minimum": 1 if t.is_minimum else 0,
            "target_value": t.target_value,
            "unit": t.unit,
        }
        for t in (project.targets.all() if project is not None else [])
    ]
    return TargetFormSet(data, initial=initial, prefix="targets")


class ProjectFilterForm(forms.Form):
    q = forms.CharField(label=_("搜索项目"), required=False)
    year = _year_field(_("年度"), required=False)
    level = forms.ChoiceField(
        label=_("级别"), choices=_blank(Project.Level.choices), required=False
    )
    region = RegionField(label=_("受援地区"), required=False)
    status = forms.ChoiceField(
        label=_("状态"), choices=_blank(Project.Status.choices), required=False
    )
