"""Forms of the account pages (system and security administrator)."""

from __future__ import annotations

import re

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bangfu.core.forms import VersionedFormMixin
from bangfu.orgs.models import Organisation

from .models import User

STATUS_CHOICES = [("", _("全部")), ("active", _("启用")), ("disabled", _("停用"))]


def org_label(org: Organisation) -> str:
    return f"{org.name}({org.region.name})"


class AccountFilterForm(forms.Form):
    q = forms.CharField(label=_("搜索"), required=False, max_length=100)
    role = forms.ChoiceField(
        label=_("角色"), required=False, choices=[("", _("全部"))] + User.Role.choices
    )
    status = forms.ChoiceField(label=_("状态"), required=False, choices=STATUS_CHOICES)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = _("用户名、姓名、电子邮箱或单位")

    def filter(self, qs):
        if not self.is_valid():
            return qs.none()
        data = self.cleaned_data
        if data["q"]:
            q = data["q"].strip()
            qs = qs.filter(
                Q(username__icontains=q)
                | Q(display_name__icontains=q)
                | Q(email__icontains=q)
                | Q(organisation__name__icontains=q)
            )
        if data["role"]:
            qs = qs.filter(role=data["role"])
        if data["status"]:
            qs = qs.filter(is_active=data["status"] == "active")
        return qs


class _PasswordPair(forms.Form):
    password1 = forms.CharField(
        label=_("密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("再次输入密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def _account_for_validation(self):
        return None

    def clean(self):
        data = super().clean()
        one, two = data.get("password1"), data.get("password2")
        if one and two and one != two:
            self.add_error("password2", _("两次输入的密码不一致。"))
        elif one:
            try:
                password_validation.validate_password(one, self._account_for_validation())
            except ValidationError as exc:
                self.add_error("password1", exc)
        return data


class AccountCreateForm(_PasswordPair):
    username = forms.CharField(
        label=_("用户名"),
        max_length=150,
        help_text=_("字母、数字和 @ . + - _,不超过 150 个字符。"),
    )
    display_name = forms.CharField(label=_("姓名"), max_length=50, required=False)
    email = forms.EmailField(label=_("电子邮箱"), required=False)

    field_order = ["username", "display_name", "email", "password1", "password2"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password1"].label = _("初始密码")
        self.fields["password1"].help_text = _("账号首次登录时须修改初始密码。")

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        try:
            UnicodeUsernameValidator()(username)
        except ValidationError:
            raise ValidationError(_("用户名只能包含字母、数字和 @ . + - _。")) from None
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError(_("该用户名已被使用。"))
        return username

    def _account_for_validation(self):
        # The similarity check compares the password with the name being created.
        return User(
            username=self.cleaned_data.get("username", ""),
            display_name=self.cleaned_data.get("display_name", ""),
            email=self.cleaned_data.get("email", ""),
        )


class AccountEditForm(VersionedFormMixin, forms.Form):
    display_name = forms.CharField(label=_("姓名"), max_length=50, required=False)
    email = forms.EmailField(label=_("电子邮箱"), required=False)

    def __init__(self, *args, instance: User, **kwargs):
        self.instance = instance
        kwargs.setdefault("initial", {}).update(
            {"display_name": instance.display_name, "email": instance.email}
        )
        super().__init__(*args, **kwargs)


class PasswordResetForm(_PasswordPair):
    def __init__(self, *args, account: User, **kwargs):
        self.account = account
        super().__init__(*args, **kwargs)
        self.fields["password1"].label = _("新密码")
        self.fields["password1"].help_text = _("账号下次登录时须修改此密码。")

    def _account_for_validation(self):
        return self.account


class OrganisationNameField(forms.CharField):
    """An organisation typed as “名称” or “名称(所在地区)”, as the suggestions offer it."""

    LABELLED = re.compile(r"^(?P<name>.+)[((](?P<region>[^()()]+)[))]$")

    def clean(self, value):
        text = super().clean(value).strip()
        if not text:
            return None
        match = self.LABELLED.match(text)
        if match:
            matches = Organisation.objects.filter(
                name=match["name"].strip(), region__name=match["region"].strip()
            )
        else:
            matches = Organisation.objects.filter(name=text)
        found = list(matches.select_related("region")[:2])
        if not found:
            raise ValidationError(
                _("找不到单位“%(name)s”。请输入单位全称,或从输入时出现的建议中选择。"),
                params={"name": text},
            )
        if len(found) > 1:
            raise ValidationError(
                _("有多个名为“%(name)s”的单位,请从建议中选择带所在地区的名称。"),
                params={"name": text},
            )
        return found[0]


class RoleGrantForm(VersionedFormMixin, forms.Form):
    role = forms.ChoiceField(label=_("角色"), choices=User.Role.choices)
    organisation = OrganisationNameField(
        label=_("所属单位"),
        required=False,
        max_length=250,
        help_text=_("协调员和学校工作人员必填;其他角色不属于任何单位。"),
    )
    export_personal_data = forms.BooleanField(
        label=_("可导出人员个人信息"),
        required=False,
        help_text=_(
            "仅对协调员和学校工作人员有效;导出默认脱敏,每人每日有次数上限,每次导出均记入审计日志。"
        ),
    )

    def __init__(self, *args, instance: User, **kwargs):
        from bangfu.security import pii

        self.instance = instance
        initial = kwargs.setdefault("initial", {})
        initial["role"] = instance.role
        initial["export_personal_data"] = pii.has_export_grant(instance)
        if instance.organisation_id:
            initial["organisation"] = org_label(instance.organisation)
        super().__init__(*args, **kwargs)
        self.fields["role"].error_messages["invalid_choice"] = _("请选择有效的角色。")
        widget = self.fields["organisation"].widget
        widget.attrs.update({"list": "org-suggestions", "autocomplete": "off"})

    def clean(self):
        data = super().clean()
        role, org = data.get("role"), data.get("organisation")
        if role in User.BUSINESS_ROLES and org is None and "organisation" not in self.errors:
            self.add_error("organisation", _("协调员和学校工作人员须指定所属单位。"))
        return data


class UnlockForm(forms.Form):
    username = forms.CharField(label=_("用户名"), max_length=255)
