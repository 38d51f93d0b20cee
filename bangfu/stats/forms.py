"""The scope and period a user picks for figures, drill-downs and bulletins."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from bangfu.core import access
from bangfu.orgs.models import Organisation
from bangfu.pairings.models import Pairing
from bangfu.regions.forms import RegionField

from .engine import Period, Scope, ScopeNotVisible


class ScopeForm(forms.Form):
    region = RegionField(label=_("地区"), required=False)
    org = forms.IntegerField(label=_("单位编号"), required=False, min_value=1)
    pairing = forms.IntegerField(label=_("结对关系编号"), required=False, min_value=1)
    country = forms.BooleanField(label=_("全国"), required=False)
    date_from = forms.DateField(label=_("开始日期"), required=False)
    date_until = forms.DateField(label=_("结束日期"), required=False)

    def __init__(self, data, *, user, **kwargs):
        self.user = user
        data = data.copy()
        # Short parameter names in links: from / until.
        for short, name in (("from", "date_from"), ("until", "date_until")):
            if short in data and name not in data:
                data[name] = data[short]
        if not any(data.get(k) for k in ("region", "org", "pairing", "country")):
            data.update(default_scope(user))
        super().__init__(data, **kwargs)

    def clean(self):
        data = super().clean()
        given = [k for k in ("region", "org", "pairing", "country") if data.get(k)]
        if len(given) != 1:
            raise forms.ValidationError(_("请选择一个统计范围:地区、单位或结对关系之一。"))
        today = dt.date.today()
        date_from = data.get("date_from") or dt.date(today.year, 1, 1)
        date_until = data.get("date_until") or today
        try:
            data["period"] = Period(date_from, date_until)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None
        return data

    def scope(self) -> Scope:
        """The chosen scope; raises ScopeNotVisible (the view answers 404)."""
        data = self.cleaned_data
        if data.get("country"):
            return Scope(country=True, user=self.user)
        if data.get("region"):
            return Scope(region=data["region"], user=self.user)
        if data.get("org"):
            org = Organisation.objects.filter(pk=data["org"]).select_related("region").first()
            if org is None:
                raise ScopeNotVisible
            return Scope(organisation=org, user=self.user)
        pairing = Pairing.objects.filter(pk=data["pairing"]).first()
        if pairing is None:
            raise ScopeNotVisible
        return Scope(pairing=pairing, user=self.user)


def default_scope(user) -> dict:
    """A coordinator's region, a school's own organisation; nothing for admins."""
    region = access.scope_region(user)
    if region is not None:
        return {"region": region.code or region.name}
    if getattr(user, "organisation_id", None):
        return {"org": str(user.organisation_id)}
    return {}
