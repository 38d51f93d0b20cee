from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bangfu.core import access
from bangfu.core.forms import VersionedFormMixin
from bangfu.lib import crypto, idcard, textnorm
from bangfu.regions.forms import RegionField

from .models import Organisation, Person

DUPLICATE_NAME_MESSAGE = _("该地区已有同名单位,请检查是否重复登记,或使用更完整的名称。")


def _check_unique_name(form, name: str, region, exclude_pk=None) -> None:
    if not name or region is None:
        return
    clash = Organisation.objects.filter(region=region, name=name)
    if exclude_pk:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        form.add_error("name", DUPLICATE_NAME_MESSAGE)


def editable_organisations(user):
    """The organisations offered when adding a person: those the user may edit.

    Narrows the choice list by query; :func:`access.can_edit_organisation`
    still decides for the organisation actually chosen.
    """
    return (
        Organisation.objects.filter(access.editable_organisations_q(user))
        .select_related("region")
        .order_by("sort_key", "id")
    )


class OrganisationForm(VersionedFormMixin, forms.ModelForm):
    region = RegionField(label=_("所在区划"))

    class Meta:
        model = Organisation
        fields = ["name", "short_name", "kind", "stage", "region", "address", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}
        error_messages = {
            "name": {"required": _("请填写单位名称。")},
            "kind": {"invalid_choice": _("请选择有效的单位类型。")},
            "stage": {"invalid_choice": _("请选择有效的学段。")},
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["region"].error_messages["required"] = _("请填写所在地区。")
        self.fields["stage"].help_text = _("仅学校填写。")

    def clean(self):
        data = super().clean()
        kind, stage = data.get("kind"), data.get("stage")
        if kind and kind != Organisation.Kind.SCHOOL and stage:
            self.add_error("stage", _("只有学校填写学段;其他类型的单位请留空。"))
        region = data.get("region")
        region_changed = self.instance.pk is None or (
            region is not None and region.pk != self.initial.get("region")
        )
        if (
            region is not None
            and region_changed
            and not access.can_manage_region(self.user, region)
        ):
            self.add_error("region", _("您无权在该地区登记单位。"))
        # Beside the name field rather than the constraint's form-wide message.
        _check_unique_name(self, data.get("name"), region, self.instance.pk)
        return data


class RenameForm(VersionedFormMixin, forms.Form):
    new_name = forms.CharField(
        label=_("新名称"),
        max_length=120,
        error_messages={"required": _("请填写新名称。")},
    )
    valid_until = forms.DateField(
        label=_("原名称使用至"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("请输入有效的日期,例如 2020-08-31。")},
        help_text=_("原名称停止使用的日期,可留空。"),
    )
    note = forms.CharField(label=_("说明"), max_length=200, required=False)

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.fields["version"].initial = organisation.version

    def clean_new_name(self):
        name = self.cleaned_data["new_name"].strip()
        if name == self.organisation.name:
            raise forms.ValidationError(_("新名称与现用名称相同。"))
        return name

    def clean(self):
        data = super().clean()
        name = data.get("new_name")
        if name:
            _check_unique_name(self, name, self.organisation.region, self.organisation.pk)
        return data

    def add_error(self, field, error):
        # The shared duplicate-name check names the field "name"; here it is new_name.
        super().add_error("new_name" if field == "name" else field, error)


class NoEchoTextInput(forms.TextInput):
    """Never writes a value back into the page, so a full number is never echoed."""

    def format_value(self, value):
        return None


class PersonForm(VersionedFormMixin, forms.ModelForm):
    """The ID and phone numbers are never pre-filled: empty keeps the stored value."""

    id_number = forms.CharField(
        label=_("身份证号码"),
        required=False,
        max_length=30,
        widget=NoEchoTextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    clear_id_number = forms.BooleanField(label=_("清除已存的身份证号码"), required=False)
    phone = forms.CharField(
        label=_("手机号码"),
        required=False,
        max_length=30,
        widget=NoEchoTextInput(attrs={"autocomplete": "off", "inputmode": "tel"}),
    )
    clear_phone = forms.BooleanField(label=_("清除已存的手机号码"), required=False)

    class Meta:
        model = Person
        fields = ["name", "kind", "organisation", "position", "subjects", "backbone_level"]
        error_messages = {
            "name": {"required": _("请填写姓名。")},
            "organisation": {
                "required": _("请选择所在单位。"),
                "invalid_choice": _("请选择您有权管理的单位。"),
            },
            "kind": {"invalid_choice": _("请选择有效的人员类别。")},
            "backbone_level": {"invalid_choice": _("请选择有效的骨干级别。")},
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["organisation"].queryset = editable_organisations(user)
        for field, masked in (("id_number", "id_number_masked"), ("phone", "phone_masked")):
            stored = getattr(self.instance, masked, "") if self.instance.pk else ""
            if stored:
                self.fields[field].widget.attrs["placeholder"] = stored
                self.fields[field].help_text = _(
                    "已存:%(masked)s。留空则保留原号码,输入新号码则替换。"
                ) % {"masked": stored}
            else:
                self.fields[f"clear_{field}"].widget = forms.HiddenInput()
        if not self.instance.pk:
            del self.fields["clear_id_number"]
            del self.fields["clear_phone"]

    def clean_id_number(self):
        value = self.cleaned_data["id_number"]
        if not value.strip():
            return ""
        try:
            return idcard.validate_id_number(value)
        except idcard.InvalidNumber as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean_phone(self):
        value = self.cleaned_data["phone"]
        if not value.strip():
            return ""
        try:
            return idcard.validate_phone(value)
        except idcard.InvalidNumber as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean_organisation(self):
        org = self.cleaned_data["organisation"]
        if org is not None and not access.can_edit_organisation(self.user, org):
            raise forms.ValidationError(_("请选择您有权管理的单位。"))
        return org

    def personal_data(self) -> dict[str, str | None]:
        """For the service: None keeps the stored number, "" clears it."""
        data = {}
        for field in ("id_number", "phone"):
            value = self.cleaned_data.get(field) or ""
            if value:
                data[field] = value
            elif self.cleaned_data.get(f"clear_{field}"):
                data[field] = ""
            else:
                data[field] = None
        return data


# --- list filters ----------------------------------------------------------

ANY = [("", _("全部"))]


class OrganisationFilterForm(forms.Form):
    q = forms.CharField(label=_("搜索"), required=False)
    kind = forms.ChoiceField(
        label=_("类型"), required=False, choices=ANY + Organisation.Kind.choices
    )
    stage = forms.ChoiceField(
        label=_("学段"), required=False, choices=ANY + Organisation.Stage.choices
    )
    region = RegionField(label=_("地区"), required=False)
    region_id = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = _("名称、拼音或首字母")

    def filter(self, qs):
        if not self.is_valid():
            return qs.none()
        data = self.cleaned_data
        qs = qs.search(data["q"])
        if data["kind"]:
            qs = qs.filter(kind=data["kind"])
        if data["stage"]:
            qs = qs.filter(stage=data["stage"])
        region = data["region"]
        if region is None and data["region_id"]:
            from bangfu.regions.models import Region

            region = Region.objects.filter(pk=data["region_id"]).first()
            if region is None:
                return qs.none()
        if region is not None:
            qs = qs.filter(region.subtree_q("region__"))
        return qs


NUMBER_LOOKUP_MESSAGE = _("请输入完整的身份证号码(18位)或手机号码。")


def number_lookup_hash(value: str) -> str:
    """The keyed hash a person's ID or phone number is found by; raises InvalidNumber."""
    number = idcard.normalise_id_number(value)
    if len(number) == 18:
        number = idcard.validate_id_number(number)
    else:
        number = idcard.validate_phone(value)
    return crypto.lookup_hash(number)


class PersonFilterForm(forms.Form):
    """The person list's search. Sent by POST and kept in the session (see
    orgs.views.person_list): names and numbers never travel in a URL. The
    number is matched by its keyed hash only."""

    # Filters that may travel in a URL (links from other pages): nothing personal.
    PUBLIC_FIELDS = ("organisation", "kind", "backbone", "subject")

    q = forms.CharField(label=_("搜索"), required=False)
    number = forms.CharField(
        label=_("身份证号或手机号"),
        required=False,
        max_length=30,
        widget=NoEchoTextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    organisation = forms.CharField(label=_("单位"), required=False)
    kind = forms.ChoiceField(label=_("类别"), required=False, choices=ANY + Person.Kind.choices)
    backbone = forms.ChoiceField(
        label=_("骨干级别"),
        required=False,
        choices=ANY
        + [("none", _("非骨干")), ("any", _("各级骨干"))]
        + [c for c in Person.Backbone.choices if c[0]],
    )
    subject = forms.CharField(label=_("学科"), required=False)

    def __init__(self, *args, number_hash: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        # A stored search carries the number as its hash only.
        self.number_hash = number_hash
        self.fields["q"].widget.attrs["placeholder"] = _("姓名、拼音或首字母")
        self.fields["number"].widget.attrs["placeholder"] = (
            _("已按号码查找;输入新号码可重新查找") if number_hash else _("完整号码,精确查找")
        )
        self.fields["organisation"].widget.attrs.update(
            {"placeholder": _("单位名称或拼音"), "list": "org-suggestions"}
        )

    def clean_number(self):
        value = self.cleaned_data["number"].strip()
        if not value:
            return ""
        try:
            self.number_hash = number_lookup_hash(value)
        except idcard.InvalidNumber:
            raise forms.ValidationError(NUMBER_LOOKUP_MESSAGE) from None
        return ""  # never kept: only its hash is

    def to_store(self) -> dict:
        """What the session keeps of a valid search: the fields as typed, the number as its hash."""
        data = {name: self.data.get(name, "") for name in self.fields if name != "number"}
        return {"data": data, "number_hash": self.number_hash}

    @classmethod
    def from_store(cls, stored: dict | None) -> PersonFilterForm:
        stored = stored or {}
        return cls(stored.get("data") or {}, number_hash=stored.get("number_hash", ""))

    def filter(self, qs):
        if not self.is_valid():
            return qs.none()
        data = self.cleaned_data
        if self.number_hash:
            qs = qs.filter(Q(phone_hash=self.number_hash) | Q(id_number_hash=self.number_hash))
        qs = qs.search(data["q"])
        org = data["organisation"].strip()
        if org.isdigit():
            qs = qs.filter(organisation_id=int(org))
        elif org:
            qs = qs.filter(organisation__search_text__contains=textnorm.fold_query(org))
        if data["kind"]:
            qs = qs.filter(kind=data["kind"])
        backbone = data["backbone"]
        if backbone == "none":
            qs = qs.filter(backbone_level="")
        elif backbone == "any":
            qs = qs.exclude(backbone_level="")
        elif backbone:
            qs = qs.filter(backbone_level=backbone)
        if data["subject"].strip():
            qs = qs.filter(subjects__icontains=textnorm.to_simplified(data["subject"].strip()))
        return qs


def filter_people(qs, stored: dict | None):
    """Narrow ``qs`` by a stored person-list search (None: no narrowing)."""
    if not stored:
        return qs
    return PersonFilterForm.from_store(stored).filter(qs)


class PersonExportForm(forms.Form):
    FORMATS = [("xlsx", _("Excel 工作簿(xlsx)")), ("csv", _("CSV 文本"))]

    format = forms.ChoiceField(
        label=_("格式"),
        choices=FORMATS,
        initial="xlsx",
        widget=forms.RadioSelect,
        error_messages={
            "required": _("请选择导出格式。"),
            "invalid_choice": _("请选择导出格式。"),
        },
    )
    full = forms.BooleanField(
        label=_("导出完整的身份证号码和手机号码"),
        required=False,
        help_text=_(
            "仅限您有权查看完整号码的人员,其余人员仍只导出部分号码;导出完整号码将记入审计记录。"
        ),
    )
    s = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, can_full: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not can_full:
            # Without the reveal right the numbers stay masked whatever is posted.
            del self.fields["full"]


class PersonEraseForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("我已核实删除请求,确认删除此人的个人信息,删除后无法恢复。"),
        error_messages={"required": _("请勾选确认:删除后无法恢复。")},
    )
