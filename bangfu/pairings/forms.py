from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bangfu.core.forms import VersionedFormMixin
from bangfu.orgs.models import Organisation
from bangfu.regions.forms import RegionField

from .models import Agreement, Pairing, RegionPairing

# A <select> never lists more than this many organisations at once; the
# filter box above it asks pairings:org_options for others.
OPTION_LIMIT = 100

DEFAULT_PRINCIPLES = "以强带弱、资源共享、紧密合作、均衡发展"


def _date_widget():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def org_label(org: Organisation) -> str:
    return f"{org.name}({org.region.name})"


def org_options(user, selected_ids=(), query: str = "", limit: int = OPTION_LIMIT):
    """(pk, label, selected) for the selected visible organisations, then up to ``limit`` matches.

    Two queries, whatever the number of organisations.
    """
    visible = Organisation.objects.visible_to(user).select_related("region")
    ids = [int(i) for i in selected_ids if str(i).isdigit()]
    chosen = list(visible.filter(pk__in=ids)) if ids else []
    matches = visible.search(query).exclude(pk__in=ids)[:limit]
    return [(o.pk, org_label(o), True) for o in chosen] + [
        (o.pk, org_label(o), False) for o in matches
    ]


class OrganisationsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return org_label(obj)


class RegionPairingForm(VersionedFormMixin, forms.Form):
    helper_region = RegionField(label=_("帮扶方区划"))
    recipient_region = RegionField(label=_("受援方区划"))
    level = forms.ChoiceField(label=_("层级"), choices=RegionPairing.Level.choices)
    start_date = forms.DateField(label=_("开始日期"), widget=_date_widget())
    end_date = forms.DateField(label=_("结束日期"), required=False, widget=_date_widget())
    note = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    field_order = ["helper_region", "recipient_region", "level", "start_date", "end_date", "note"]

    def __init__(self, *args, instance=None, **kwargs):
        self.instance = instance
        if instance is not None:
            kwargs.setdefault("initial", {}).update(
                {f: getattr(instance, f) for f in self.field_order}
            )
        super().__init__(*args, **kwargs)


class PairingForm(VersionedFormMixin, forms.Form):
    name = forms.CharField(
        label=_("名称"),
        max_length=200,
        required=False,
        help_text=_("留空则按双方单位名称自动命名"),
    )
    mode = forms.ChoiceField(label=_("结对模式"), choices=Pairing.Mode.choices)
    status = forms.ChoiceField(
        label=_("状态"),
        choices=[
            (Pairing.Status.PROPOSED, Pairing.Status.PROPOSED.label),
            (Pairing.Status.ACTIVE, Pairing.Status.ACTIVE.label),
        ],
    )
    helpers = OrganisationsField(
        label=_("帮扶方单位"),
        queryset=Organisation.objects.none(),
        help_text=_("可多选;在上方输入名称、拼音或首字母筛选"),
    )
    recipients = OrganisationsField(
        label=_("受援方单位"),
        queryset=Organisation.objects.none(),
        help_text=_("可多选;在上方输入名称、拼音或首字母筛选"),
    )
    start_date = forms.DateField(label=_("开始日期"), widget=_date_widget())
    end_date = forms.DateField(label=_("结束日期"), required=False, widget=_date_widget())
    region_pairing = forms.ModelChoiceField(
        label=_("所属对口关系"), queryset=RegionPairing.objects.none(), required=False
    )
    parent = forms.ModelChoiceField(
        label=_("所属结对项目"), queryset=Pairing.objects.none(), required=False
    )
    note = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    ORG_FIELDS = ("helpers", "recipients")

    def __init__(self, *args, user, instance=None, **kwargs):
        self.user = user
        self.instance = instance
        if instance is not None:
            initial = kwargs.setdefault("initial", {})
            for f in ("name", "mode", "start_date", "end_date", "region_pairing", "parent", "note"):
                initial[f] = getattr(instance, f)
            initial["helpers"] = [o.pk for o in instance.helpers()]
            initial["recipients"] = [o.pk for o in instance.recipients()]
        elif user.organisation_id and user.is_school_staff:
            kwargs.setdefault("initial", {}).setdefault("helpers", [user.organisation_id])
        super().__init__(*args, **kwargs)
        visible = Organisation.objects.visible_to(user).select_related("region")
        for name in self.ORG_FIELDS:
            field = self.fields[name]
            field.queryset = visible
            selected = (
                self.data.getlist(self.add_prefix(name))
                if self.is_bound
                else self.initial.get(name, [])
            )
            field.widget.choices = [(pk, label) for pk, label, _sel in org_options(user, selected)]
            field.widget.attrs.update({"size": 10, "class": "org-select"})
        self.fields["region_pairing"].queryset = RegionPairing.objects.visible_to(
            user
        ).select_related("helper_region", "recipient_region")
        parents = Pairing.objects.visible_to(user).filter(mode=Pairing.Mode.PROGRAMME)
        if instance is not None:
            parents = parents.filter(~Q(pk=instance.pk))
            del self.fields["status"]
        elif user.is_school_staff:
            # School proposals wait for a coordinator to make them active.
            del self.fields["status"]
        self.fields["parent"].queryset = parents

    def service_values(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        return data


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("新状态"), choices=Pairing.Status.choices)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)


class PartyForm(VersionedFormMixin, forms.Form):
    contact_name = forms.CharField(label=_("联系人"), max_length=50, required=False)
    goals = forms.CharField(
        label=_("本方目标与承诺"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )

    def __init__(self, *args, instance, **kwargs):
        self.instance = instance
        kwargs.setdefault("initial", {}).update(
            {"contact_name": instance.contact_name, "goals": instance.goals}
        )
        super().__init__(*args, **kwargs)


class AgreementForm(VersionedFormMixin, forms.Form):
    title = forms.CharField(label=_("协议名称"), max_length=200)
    signed_on = forms.DateField(label=_("签署日期"), widget=_date_widget())
    term_start = forms.DateField(label=_("有效期开始"), widget=_date_widget())
    term_end = forms.DateField(label=_("有效期结束"), required=False, widget=_date_widget())
    principles = forms.CharField(
        label=_("帮扶原则"), max_length=200, required=False, initial=DEFAULT_PRINCIPLES
    )
    method = forms.ChoiceField(label=_("签署方式"), choices=Agreement.Method.choices)
    document = forms.FileField(
        label=_("协议文件"),
        required=False,
        help_text=_("PDF、Word(.docx/.doc)或 JPEG/PNG 图片"),
        widget=forms.FileInput(attrs={"accept": ".pdf,.doc,.docx,.jpg,.jpeg,.png"}),
    )
    note = forms.CharField(
        label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    FIELDS = ("title", "signed_on", "term_start", "term_end", "principles", "method", "note")

    def __init__(self, *args, instance=None, **kwargs):
        self.instance = instance
        if instance is not None:
            kwargs.setdefault("initial", {}).update({f: getattr(instance, f) for f in self.FIELDS})
        super().__init__(*args, **kwargs)
        if instance is not None and instance.document:
            self.fields["document"].help_text = _("已上传:%(name)s。选择新文件将替换它。") % {
                "name": instance.document_name
            }

    def service_values(self) -> dict:
        data = {f: self.cleaned_data[f] for f in self.FIELDS}
        data["document"] = self.cleaned_data.get("document") or None
        return data


def _blank(choices):
    return [("", _("全部"))] + list(choices)


class PairingFilterForm(forms.Form):
    q = forms.CharField(label=_("搜索单位"), required=False)
    mode = forms.ChoiceField(
        label=_("结对模式"), choices=_blank(Pairing.Mode.choices), required=False
    )
    status = forms.ChoiceField(
        label=_("状态"), choices=_blank(Pairing.Status.choices), required=False
    )
    region = RegionField(label=_("地区"), required=False)
    side = forms.ChoiceField(
        label=_("本单位角色"),
        choices=_blank([("helper", _("本单位为帮扶方")), ("recipient", _("本单位为受援方"))]),
        required=False,
    )
    year = forms.IntegerField(label=_("年份"), required=False, min_value=1990, max_value=2100)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].widget.attrs["placeholder"] = _("地区名称或代码")
        if not user.organisation_id:
            del self.fields["side"]


class RegionPairingFilterForm(forms.Form):
    q = forms.CharField(label=_("搜索地区"), required=False)
