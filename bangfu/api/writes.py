"""What a client may send to create or change activities and needs.

These serializers only parse: types, lengths, and ids the user may see (any
other id is refused as if it did not exist). The domain rules, the sides, the
semester locks, the version check and the audit entry are the services' own
(bangfu.activities.services, bangfu.needs.services), exactly as for the pages.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from bangfu.activities.models import Activity, ActivityType
from bangfu.needs.forms import recipient_pairings
from bangfu.needs.models import Need, NeedCategory
from bangfu.orgs.models import Organisation, Person
from bangfu.pairings.models import Pairing, RegionPairing
from bangfu.plans.models import Plan, PlanTask, Project

from .fields import VisibleRelatedField

VERSION_REQUIRED = _("请提交读取该记录时得到的版本号(version)。")
FIXED_PAIRING = _("记录后不能更换所属的结对关系或对口关系。")
COUNT_MAX = 2_147_483_647
COUNT_ERRORS = {
    "min_value": _("不能为负数。"),
    "max_value": _("数值过大。"),
    "invalid": _("请输入整数。"),
}


def _count():
    return serializers.IntegerField(
        required=False, min_value=0, max_value=COUNT_MAX, error_messages=COUNT_ERRORS
    )


def _text(max_length=None):
    kwargs = {"max_length": max_length} if max_length else {}
    return serializers.CharField(required=False, allow_blank=True, **kwargs)


def _visible_tasks(user):
    return PlanTask.objects.filter(plan__in=Plan.objects.visible_to(user))


class VersionedWriteSerializer(serializers.Serializer):
    """``version``: required to change a record, the one the client read (optimistic locking)."""

    version = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text=_("修改时必填:读取该记录时得到的 version。"),
    )

    def validate(self, attrs):
        if self.instance is not None and attrs.get("version") is None:
            raise serializers.ValidationError({"version": [VERSION_REQUIRED]})
        return attrs

    def service_values(self) -> tuple[int | None, dict]:
        """(version, the keyword arguments of the service)."""
        values = dict(self.validated_data)
        return values.pop("version", None), values


class ActivityWriteSerializer(VersionedWriteSerializer):
    pairing = VisibleRelatedField(
        queryset=Pairing.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("结对关系编号;区级活动没有具体结对学校时改填 region_pairing。记录后不能更换。"),
    )
    region_pairing = VisibleRelatedField(
        queryset=RegionPairing.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("对口关系编号(区级活动)。"),
    )
    type = serializers.ChoiceField(choices=ActivityType.choices)
    title = serializers.CharField(max_length=200)
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    mode = serializers.ChoiceField(choices=Activity.Mode.choices, required=False)
    direction = serializers.ChoiceField(choices=Activity.Direction.choices, required=False)
    place = _text(200)
    organiser = VisibleRelatedField(
        queryset=Organisation.objects.all(),
        required=False,
        help_text=_("组织单位编号;不填则为本单位(或填报方的牵头单位)。"),
    )
    sessions = _count()
    helper_headcount = _count()
    recipient_headcount = _count()
    person_times = _count()
    backbone_count = _count()
    subjects = _text(200)
    lesson_titles = _text()
    led_by = serializers.ChoiceField(choices=Activity.LedBy.choices, required=False)
    outcome = _text()
    leaders = VisibleRelatedField(queryset=Person.objects.all(), many=True, required=False)
    plan_tasks = VisibleRelatedField(
        queryset=PlanTask.objects.all(), scope=_visible_tasks, many=True, required=False
    )
    needs = VisibleRelatedField(queryset=Need.objects.all(), many=True, required=False)
    projects = VisibleRelatedField(queryset=Project.objects.all(), many=True, required=False)

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if self.instance is not None:
            # The pairing decides whose side may edit: it stays what it was recorded under.
            for field in ("pairing", "region_pairing"):
                if field in attrs and attrs.pop(field) != getattr(self.instance, field):
                    raise serializers.ValidationError({field: [FIXED_PAIRING]})
        return attrs


class NeedWriteSerializer(VersionedWriteSerializer):
    pairing = VisibleRelatedField(
        queryset=Pairing.objects.all(),
        scope=recipient_pairings,
        help_text=_("结对关系编号:须是您作为受援方的结对关系。记录后不能更换。"),
    )
    category = VisibleRelatedField(queryset=NeedCategory.objects.all(), help_text=_("类别编号"))
    title = serializers.CharField(max_length=200)
    description = _text()
    subject = _text(50)
    priority = serializers.ChoiceField(choices=Need.Priority.choices, required=False)
    wished_start = serializers.DateField(required=False, allow_null=True)
    wished_end = serializers.DateField(required=False, allow_null=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = self.instance

        def categories(user):
            active = NeedCategory.objects.filter(is_active=True)
            if instance is not None:
                # A category retired since the need was listed stays valid for it.
                return active | NeedCategory.objects.filter(pk=instance.category_id)
            return active

        self.fields["category"].scope = categories
        if instance is not None:
            self.fields["pairing"].required = False

    def validate(self, attrs):
        attrs = super().validate(attrs)
        start, end = attrs.get("wished_start"), attrs.get("wished_end")
        if start and end and end < start:
            raise serializers.ValidationError(
                {"wished_end": [_("希望完成日期不能早于希望开始日期。")]}
            )
        if self.instance is not None and "pairing" in attrs:
            if attrs.pop("pairing") != self.instance.pairing:
                raise serializers.ValidationError({"pairing": [FIXED_PAIRING]})
        return attrs


class ConfirmSerializer(serializers.Serializer):
    rating = serializers.IntegerField(
        min_value=1,
        max_value=5,
        error_messages={
            "min_value": _("评分须为 1–5 分。"),
            "max_value": _("评分须为 1–5 分。"),
            "required": _("请选择 1–5 分的评分。"),
        },
    )
    feedback = serializers.CharField(required=False, allow_blank=True, default="")
    disputed = serializers.BooleanField(required=False, default=False)


class NeedStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Need.Status.choices)
