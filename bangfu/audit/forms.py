"""The audit trail's search form: every filter of the list page and its export."""

from __future__ import annotations

import datetime as dt
import json

from django import forms
from django.apps import apps
from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import AuditEntry


def model_choices():
    """(label, name) of every model the trail may name; no query."""
    choices = []
    for model in apps.get_models():
        label = model._meta.label
        choices.append((label, f"{model._meta.verbose_name}({label})"))
    return sorted(choices, key=lambda c: c[0])


def model_name(label: str) -> str:
    """“单位” for orgs.Organisation; the label itself for a model that no longer exists."""
    if not label:
        return ""
    try:
        return str(apps.get_model(label)._meta.verbose_name)
    except (LookupError, ValueError):
        return label


def _date_widget():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AuditFilterForm(forms.Form):
    q = forms.CharField(label=_("关键词"), required=False, max_length=200)
    actor = forms.CharField(label=_("操作人"), required=False, max_length=150)
    action = forms.ChoiceField(
        label=_("操作"), required=False, choices=[("", _("全部"))] + AuditEntry.Action.choices
    )
    model = forms.ChoiceField(label=_("对象类型"), required=False)
    object_id = forms.CharField(label=_("对象编号"), required=False, max_length=64)
    date_from = forms.DateField(label=_("开始日期"), required=False, widget=_date_widget())
    date_to = forms.DateField(label=_("结束日期"), required=False, widget=_date_widget())
    ip = forms.CharField(label=_("来源地址"), required=False, max_length=45)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["model"].choices = [("", _("全部"))] + model_choices()
        self.fields["q"].widget.attrs["placeholder"] = _("对象名称、操作人、变更内容")
        self.fields["ip"].widget.attrs["placeholder"] = _("如 10.1.2.3 或 10.1.")
        for name in ("date_from", "date_to"):
            self.fields[name].error_messages["invalid"] = _("请输入有效的日期,如 2024-05-08。")
        self.fields["action"].error_messages["invalid_choice"] = _("请选择有效的操作。")
        self.fields["model"].error_messages["invalid_choice"] = _("请选择有效的对象类型。")

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("结束日期不能早于开始日期。"))
        return data

    def active_filters(self) -> dict:
        """The filters in use, for the export's own audit entry."""
        if not self.is_bound or not self.is_valid():
            return {}
        return {k: str(v) for k, v in self.cleaned_data.items() if v not in (None, "")}

    def filter(self, qs):
        """Narrow ``qs``; an invalid form gives nothing (its errors are shown instead)."""
        if not self.is_bound:
            return qs
        if not self.is_valid():
            return qs.none()
        data = self.cleaned_data
        if data["actor"]:
            qs = qs.filter(actor_name__icontains=data["actor"].strip())
        if data["action"]:
            qs = qs.filter(action=data["action"])
        if data["model"]:
            qs = qs.filter(model=data["model"])
        if data["object_id"]:
            qs = qs.filter(object_id=data["object_id"].strip())
        tz = timezone.get_current_timezone()
        if data["date_from"]:
            qs = qs.filter(at__gte=dt.datetime.combine(data["date_from"], dt.time(), tz))
        if data["date_to"]:
            day_after = data["date_to"] + dt.timedelta(days=1)
            qs = qs.filter(at__lt=dt.datetime.combine(day_after, dt.time(), tz))
        if data["ip"]:
            qs = qs.filter(ip__startswith=data["ip"].strip())
        if data["q"]:
            text = data["q"].strip()
            # SQLite keeps JSON with \uXXXX escapes, PostgreSQL as written: match either form.
            escaped = json.dumps(text)[1:-1]
            qs = qs.annotate(changes_text=Cast("changes", TextField())).filter(
                Q(object_repr__icontains=text)
                | Q(actor_name__icontains=text)
                | Q(model__icontains=text)
                | Q(object_id=text)
                | Q(changes_text__icontains=text)
                | Q(changes_text__icontains=escaped)
            )
        return qs
