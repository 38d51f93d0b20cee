from django import forms
from django.utils.translation import gettext_lazy as _

from bangfu.core.forms import VersionedFormMixin
from bangfu.pairings.models import Pairing

from . import rules
from .models import Need, NeedCategory


def _date_widget():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _blank(choices):
    return [("", _("全部"))] + list(choices)


def recipient_pairings(user):
    """Pairings the user lists needs for: visible and on the recipient side."""
    return (
        Pairing.objects.visible_to(user)
        .filter(rules.side_pairings_q(user, "recipient"))
        .order_by("-start_date", "id")
    )


class NeedForm(VersionedFormMixin, forms.Form):
    pairing = forms.ModelChoiceField(label=_("结对关系"), queryset=Pairing.objects.none())
    category = forms.ModelChoiceField(
        label=_("类别"), queryset=NeedCategory.objects.filter(is_active=True)
    )
    title = forms.CharField(label=_("需求"), max_length=200)
    description = forms.CharField(
        label=_("具体说明"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    subject = forms.CharField(label=_("学科"), max_length=50, required=False)
    priority = forms.ChoiceField(
        label=_("优先级"), choices=Need.Priority.choices, initial=Need.Priority.MEDIUM
    )
    wished_start = forms.DateField(label=_("希望开始"), required=False, widget=_date_widget())
    wished_end = forms.DateField(label=_("希望完成"), required=False, widget=_date_widget())

    FIELDS = (
        "category",
        "title",
        "description",
        "subject",
        "priority",
        "wished_start",
        "wished_end",
    )

    def __init__(self, *args, user, instance=None, **kwargs):
        self.instance = instance
        if instance is not None:
            kwargs.setdefault("initial", {}).update({f: getattr(instance, f) for f in self.FIELDS})
        super().__init__(*args, **kwargs)
        if instance is not None:
            # A need stays with its pairing; a category retired since is still shown.
            del self.fields["pairing"]
            self.fields["category"].queryset = NeedCategory.objects.filter(
                is_active=True
            ) | NeedCategory.objects.filter(pk=instance.category_id)
        else:
            self.fields["pairing"].queryset = recipient_pairings(user)

    def clean(self):
        data = super().clean()
        start, end = data.get("wished_start"), data.get("wished_end")
        if start and end and end < start:
            self.add_error("wished_end", _("希望完成日期不能早于希望开始日期。"))
        return data

    def service_values(self) -> dict:
        values = {f: self.cleaned_data[f] for f in self.FIELDS}
        if "pairing" in self.fields:
            values["pairing"] = self.cleaned_data["pairing"]
        return values


class NeedFilterForm(forms.Form):
    q = forms.CharField(label=_("搜索"), required=False)
    pairing = forms.ModelChoiceField(
        label=_("结对关系"), queryset=Pairing.objects.none(), required=False
    )
    status = forms.ChoiceField(label=_("状态"), choices=_blank(Need.Status.choices), required=False)
    category = forms.ModelChoiceField(
        label=_("类别"), queryset=NeedCategory.objects.all(), required=False
    )
    priority = forms.ChoiceField(
        label=_("优先级"), choices=_blank(Need.Priority.choices), required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pairing"].queryset = Pairing.objects.visible_to(user).order_by(
            "-start_date", "id"
        )
        self.fields["q"].widget.attrs["placeholder"] = _("需求、学科,可用拼音")


class NeedStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("新状态"), choices=Need.Status.choices)
