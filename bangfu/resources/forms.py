from django import forms
from django.utils.translation import gettext_lazy as _

from bangfu.core import access
from bangfu.core.forms import VersionedFormMixin
from bangfu.orgs.models import Organisation
from bangfu.pairings.forms import OPTION_LIMIT, org_label
from bangfu.pairings.models import Pairing

from . import uploads
from .models import SharedResource

STAGES = Organisation.Stage.choices


def _blank(choices):
    return [("", _("全部"))] + list(choices)


class OrganisationField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return org_label(obj)


class ResourceForm(VersionedFormMixin, forms.Form):
    title = forms.CharField(label=_("名称"), max_length=200)
    kind = forms.ChoiceField(label=_("类型"), choices=SharedResource.Kind.choices)
    owner = OrganisationField(label=_("提供单位"), queryset=Organisation.objects.none())
    scope = forms.ChoiceField(label=_("共享范围"), choices=SharedResource.Scope.choices)
    pairing = forms.ModelChoiceField(
        label=_("结对关系"),
        queryset=Pairing.objects.none(),
        required=False,
        help_text=_("共享范围为本结对时必填"),
    )
    subject = forms.CharField(label=_("学科"), max_length=50, required=False)
    stage = forms.ChoiceField(label=_("学段"), choices=[("", "—")] + STAGES, required=False)
    description = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    file = forms.FileField(
        label=_("文件"),
        required=False,
        help_text=_("PDF、Word、PowerPoint、Excel、MP4 视频或 JPEG/PNG 图片"),
        widget=forms.FileInput(attrs={"accept": uploads.ACCEPT}),
    )

    FIELDS = ("title", "kind", "scope", "subject", "stage", "description")

    def __init__(self, *args, user, instance=None, **kwargs):
        self.instance = instance
        initial = kwargs.setdefault("initial", {})
        if instance is not None:
            initial.update({f: getattr(instance, f) for f in self.FIELDS})
            initial["owner"] = instance.owner_id
            initial["pairing"] = instance.pairing_id
        elif user.organisation_id:
            initial.setdefault("owner", user.organisation_id)
        super().__init__(*args, **kwargs)
        # Only organisations the user may share for; the service checks again.
        owners = Organisation.objects.filter(access.editable_organisations_q(user))
        owners = owners.select_related("region").order_by("name")
        self.fields["owner"].queryset = owners
        selected = self.data.get("owner") if self.is_bound else initial.get("owner")
        chosen = list(owners.filter(pk=selected)) if str(selected or "").isdigit() else []
        others = owners.exclude(pk__in=[o.pk for o in chosen])[:OPTION_LIMIT]
        self.fields["owner"].widget.choices = [("", "---------")] + [
            (o.pk, org_label(o)) for o in [*chosen, *others]
        ]
        self.fields["pairing"].queryset = Pairing.objects.visible_to(user).order_by("name")
        if instance is not None and instance.file:
            self.fields["file"].help_text = _("已上传：%(name)s。选择新文件将替换它。") % {
                "name": instance.original_name
            }

    def service_values(self) -> dict:
        data = {f: self.cleaned_data[f] for f in self.FIELDS}
        data["owner"] = self.cleaned_data["owner"]
        data["pairing"] = self.cleaned_data.get("pairing")
        data["file"] = self.cleaned_data.get("file") or None
        return data


class ResourceFilterForm(forms.Form):
    q = forms.CharField(label=_("搜索"), required=False)
    kind = forms.ChoiceField(
        label=_("类型"), choices=_blank(SharedResource.Kind.choices), required=False
    )
    subject = forms.CharField(label=_("学科"), required=False)
    stage = forms.ChoiceField(label=_("学段"), choices=_blank(STAGES), required=False)
    pairing = forms.ModelChoiceField(
        label=_("结对关系"), queryset=Pairing.objects.none(), required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pairing"].queryset = Pairing.objects.visible_to(user).order_by("name")
        self.fields["q"].widget.attrs["placeholder"] = _("名称或说明")
