from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from bangfu.core.forms import VersionedFormMixin
from bangfu.orgs.models import Organisation
from bangfu.pairings.forms import org_label, org_options
from bangfu.pairings.models import Pairing, RegionPairing
from bangfu.regions.forms import RegionField

from . import money
from .models import Support


def _date_widget():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _blank(choices):
    return [("", _("全部"))] + list(choices)


class AmountField(forms.CharField):
    """Yuan as people write it (1万, 约44000元); cleans to a :class:`money.Amount`."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 40)
        super().__init__(*args, **kwargs)
        self.widget.attrs.setdefault("placeholder", _("如 44000、4.4万元、约676万元"))

    def clean(self, value):
        text = super().clean(value)
        if not text:
            return None
        return money.parse_amount(text)


class OrganisationField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return org_label(obj)


class SupportForm(VersionedFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=Support.Kind.choices)
    title = forms.CharField(label=_("名称"), max_length=200)
    date = forms.DateField(label=_("日期"), widget=_date_widget())
    donor = OrganisationField(label=_("提供单位"), queryset=Organisation.objects.none())
    recipient = OrganisationField(
        label=_("受助单位"), queryset=Organisation.objects.none(), required=False
    )
    recipient_region = RegionField(
        label=_("受助地区"), required=False, help_text=_("留空则取受助单位所在地区")
    )
    pairing = forms.ModelChoiceField(
        label=_("结对关系"), queryset=Pairing.objects.none(), required=False
    )
    region_pairing = forms.ModelChoiceField(
        label=_("对口关系"), queryset=RegionPairing.objects.none(), required=False
    )
    amount = AmountField(
        label=_("金额或价值（元）"),
        help_text=_("可写“万”“亿”；“约”“余”“多”“近”“左右”记为约数"),
    )
    beneficiaries = forms.IntegerField(
        label=_("受助人数"),
        required=False,
        min_value=0,
        error_messages={"min_value": _("受助人数不能为负数。")},
    )
    description = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    ORG_FIELDS = ("donor", "recipient")

    def __init__(self, *args, user, instance=None, **kwargs):
        self.user = user
        self.instance = instance
        initial = kwargs.setdefault("initial", {})
        if instance is not None:
            for f in ("kind", "title", "date", "beneficiaries", "description"):
                initial[f] = getattr(instance, f)
            for f in ("donor", "recipient", "recipient_region", "pairing", "region_pairing"):
                initial[f] = getattr(instance, f"{f}_id")
            initial["amount"] = money.input_text(instance.amount_yuan, instance.is_approximate)
        elif user.organisation_id and user.is_school_staff:
            initial.setdefault("donor", user.organisation_id)
        super().__init__(*args, **kwargs)
        visible = Organisation.objects.visible_to(user).select_related("region")
        for name in self.ORG_FIELDS:
            field = self.fields[name]
            field.queryset = visible
            selected = self.data.get(self.add_prefix(name)) if self.is_bound else initial.get(name)
            options = [(pk, label) for pk, label, _sel in org_options(user, [selected or ""])]
            field.widget.choices = [("", "---------")] + options
        self.fields["pairing"].queryset = Pairing.objects.visible_to(user).order_by("name")
        self.fields["region_pairing"].queryset = RegionPairing.objects.visible_to(
            user
        ).select_related("helper_region", "recipient_region")

    def service_values(self) -> dict:
        data = {f: self.cleaned_data.get(f) for f in self.fields if f not in ("version", "amount")}
        amount = self.cleaned_data.get("amount")
        data["amount_yuan"] = amount.value if amount else None
        data["is_approximate"] = amount.is_approximate if amount else False
        return data


class SupportItemForm(forms.Form):
    name = forms.CharField(label=_("物品"), max_length=100)
    quantity = forms.DecimalField(
        label=_("数量"),
        max_digits=12,
        decimal_places=2,
        min_value=0.01,
        error_messages={"min_value": _("数量必须大于零。")},
    )
    unit = forms.CharField(
        label=pgettext_lazy("unit of measure", "单位"), max_length=10, initial="个"
    )
    value = AmountField(label=_("价值（元）"), required=False)

    def service_values(self) -> dict:
        value = self.cleaned_data.get("value")
        return {
            "name": self.cleaned_data["name"],
            "quantity": self.cleaned_data["quantity"],
            "unit": self.cleaned_data["unit"],
            "value_yuan": value.value if value else None,
            "is_approximate": value.is_approximate if value else False,
        }


class SupportFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=_blank(Support.Kind.choices), required=False)
    year = forms.TypedChoiceField(label=_("学年"), coerce=int, required=False, empty_value=None)
    region = RegionField(label=_("受助地区"), required=False)
    donor = forms.CharField(label=_("提供单位"), required=False)

    def __init__(self, *args, years=(), **kwargs):
        from bangfu.lib.semester import year_label

        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", _("全部"))] + [(y, year_label(y)) for y in years]
        self.fields["region"].widget.attrs["placeholder"] = _("地区名称或代码")
        self.fields["donor"].widget.attrs["placeholder"] = _("名称、拼音或首字母")
