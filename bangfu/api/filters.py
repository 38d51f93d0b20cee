"""Query-string filters of the list endpoints (django-filter), the same choices as the list pages.

Filters only narrow a queryset already scoped to the user: naming a record the
user cannot see in a filter finds nothing, it never widens the list.
"""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from bangfu.activities.models import Activity, ActivityType
from bangfu.dispatch.models import Dispatch
from bangfu.lib import textnorm
from bangfu.lib.semester import Semester, year_bounds
from bangfu.needs.models import Need
from bangfu.orgs.models import Organisation, Person
from bangfu.pairings.models import Pairing, PairingParty
from bangfu.plans.models import Plan
from bangfu.regions.models import Region
from bangfu.support.models import Support

REGION_HELP = _("行政区划编号:该地区及其下级地区")
TERM_CHOICES = [(1, _("第一学期")), (2, _("第二学期"))]


class IdFilter(filters.NumberFilter):
    """A record's id (or a year): whole numbers only."""

    field_class = forms.IntegerField


def _region(value):
    return Region.objects.filter(pk=value).first() if value else None


def _in_region(qs, prefixes: tuple[str, ...], value):
    """Rows whose region (under any of ``prefixes``) is the region ``value`` or below it."""
    region = _region(value)
    if region is None:
        return qs.none()
    q = Q(pk__in=[])
    for prefix in prefixes:
        q |= region.subtree_q(prefix)
    return qs.filter(q)


def _search(qs, name, value):
    return qs.search(value) if value else qs


class RegionFilter(filters.FilterSet):
    q = filters.CharFilter(method=_search, label=_("名称、拼音或首字母"))
    code = filters.CharFilter(field_name="code", label=_("区划代码"))
    level = filters.TypedChoiceFilter(choices=Region.Level.choices, coerce=int, label=_("级别"))
    parent = IdFilter(field_name="parent_id", label=_("上级区划编号"))

    class Meta:
        model = Region
        fields = []


class OrganisationFilter(filters.FilterSet):
    q = filters.CharFilter(method=_search, label=_("名称、拼音或首字母"))
    kind = filters.ChoiceFilter(choices=Organisation.Kind.choices, label=_("类型"))
    stage = filters.ChoiceFilter(choices=Organisation.Stage.choices, label=_("学段"))
    region = IdFilter(method="filter_region", label=REGION_HELP)

    class Meta:
        model = Organisation
        fields = []

    def filter_region(self, qs, name, value):
        return _in_region(qs, ("region__",), value)


class PersonFilter(filters.FilterSet):
    q = filters.CharFilter(method=_search, label=_("姓名、拼音或首字母"))
    organisation = IdFilter(field_name="organisation_id", label=_("单位编号"))
    kind = filters.ChoiceFilter(choices=Person.Kind.choices, label=_("类别"))
    backbone_level = filters.ChoiceFilter(
        choices=[c for c in Person.Backbone.choices if c[0]], label=_("骨干级别")
    )

    class Meta:
        model = Person
        fields = []


class PairingFilter(filters.FilterSet):
    q = filters.CharFilter(method="filter_q", label=_("单位名称、拼音或首字母"))
    mode = filters.ChoiceFilter(choices=Pairing.Mode.choices, label=_("结对模式"))
    status = filters.ChoiceFilter(choices=Pairing.Status.choices, label=_("状态"))
    organisation = IdFilter(method="filter_organisation", label=_("结对单位编号"))
    region = IdFilter(method="filter_region", label=REGION_HELP)
    region_pairing = IdFilter(field_name="region_pairing_id", label=_("对口关系编号"))

    class Meta:
        model = Pairing
        fields = []

    def filter_q(self, qs, name, value):
        folded = textnorm.fold_query(value or "")
        if not folded:
            return qs
        parties = PairingParty.objects.filter(organisation__search_text__contains=folded)
        return qs.filter(pk__in=parties.values("pairing_id"))

    def filter_organisation(self, qs, name, value):
        return qs.filter(
            pk__in=PairingParty.objects.filter(organisation_id=value).values("pairing_id")
        )

    def filter_region(self, qs, name, value):
        region = _region(value)
        if region is None:
            return qs.none()
        parties = PairingParty.objects.filter(region.subtree_q("organisation__region__"))
        return qs.filter(pk__in=parties.values("pairing_id"))


class NeedFilter(filters.FilterSet):
    q = filters.CharFilter(method=_search, label=_("需求、学科,可用拼音"))
    pairing = IdFilter(field_name="pairing_id", label=_("结对关系编号"))
    status = filters.ChoiceFilter(choices=Need.Status.choices, label=_("状态"))
    category = IdFilter(field_name="category_id", label=_("类别编号"))
    priority = filters.ChoiceFilter(choices=Need.Priority.choices, label=_("优先级"))

    class Meta:
        model = Need
        fields = []


class PlanFilter(filters.FilterSet):
    pairing = IdFilter(field_name="pairing_id", label=_("结对关系编号"))
    academic_year = IdFilter(field_name="academic_year", label=_("学年"))
    term = filters.TypedChoiceFilter(choices=TERM_CHOICES, coerce=int, label=_("学期"))
    status = filters.ChoiceFilter(choices=Plan.Status.choices, label=_("状态"))

    class Meta:
        model = Plan
        fields = []


class ActivityFilter(filters.FilterSet):
    q = filters.CharFilter(method="filter_q", label=_("活动名称或课题"))
    pairing = IdFilter(field_name="pairing_id", label=_("结对关系编号"))
    region_pairing = IdFilter(field_name="region_pairing_id", label=_("对口关系编号"))
    organiser = IdFilter(field_name="organiser_id", label=_("组织单位编号"))
    type = filters.ChoiceFilter(choices=ActivityType.choices, label=_("活动类型"))
    confirmation = filters.ChoiceFilter(choices=Activity.Confirmation.choices, label=_("确认状态"))
    led_by = filters.ChoiceFilter(choices=Activity.LedBy.choices, label=_("主导方"))
    region = IdFilter(method="filter_region", label=REGION_HELP)
    academic_year = IdFilter(method="filter_year", label=_("学年"))
    term = filters.TypedChoiceFilter(
        choices=TERM_CHOICES, coerce=int, method="filter_term", label=_("学期(与学年一起用)")
    )
    start_date_from = filters.DateFilter(field_name="start_date", lookup_expr="gte")
    start_date_to = filters.DateFilter(field_name="start_date", lookup_expr="lte")

    class Meta:
        model = Activity
        fields = []

    def filter_q(self, qs, name, value):
        text = (value or "").strip()
        if not text:
            return qs
        return qs.filter(
            Q(search_text__contains=textnorm.fold_query(text))
            | Q(title__icontains=text)
            | Q(lesson_titles__icontains=text)
        )

    def filter_region(self, qs, name, value):
        return _in_region(qs, ("recipient_region__", "helper_region__"), value)

    def filter_year(self, qs, name, value):
        term = self.form.cleaned_data.get("term")
        if not 1990 <= value <= 2100:
            return qs.none()
        if term:
            semester = Semester(int(value), term)
            return qs.filter(start_date__range=(semester.start, semester.end))
        return qs.filter(start_date__range=year_bounds(int(value)))

    def filter_term(self, qs, name, value: int):
        # Applied together with academic_year (filter_year); alone it names no period.
        return qs


class DispatchFilter(filters.FilterSet):
    q = filters.CharFilter(method="filter_q", label=_("人员姓名、拼音或首字母"))
    status = filters.ChoiceFilter(choices=Dispatch.Status.choices, label=_("状态"))
    pairing = IdFilter(field_name="pairing_id", label=_("结对关系编号"))
    batch = IdFilter(field_name="batch_id", label=_("批次编号"))
    sender = IdFilter(field_name="sender_id", label=_("派出单位编号"))
    host = IdFilter(field_name="host_id", label=_("受援学校编号"))
    host_region = IdFilter(method="filter_region", label=REGION_HELP)

    class Meta:
        model = Dispatch
        fields = []

    def filter_q(self, qs, name, value):
        folded = textnorm.fold_query(value or "")
        return qs.filter(person__search_text__contains=folded) if folded else qs

    def filter_region(self, qs, name, value):
        return _in_region(qs, ("host_region__",), value)


class SupportFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=Support.Kind.choices, label=_("类型"))
    pairing = IdFilter(field_name="pairing_id", label=_("结对关系编号"))
    donor = IdFilter(field_name="donor_id", label=_("提供单位编号"))
    recipient = IdFilter(field_name="recipient_id", label=_("受助单位编号"))
    recipient_region = IdFilter(method="filter_region", label=REGION_HELP)
    date_from = filters.DateFilter(field_name="date", lookup_expr="gte")
    date_to = filters.DateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = Support
        fields = []

    def filter_region(self, qs, name, value):
        return _in_region(qs, ("recipient_region__",), value)
