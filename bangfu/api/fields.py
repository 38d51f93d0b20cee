"""Serializer fields shared by the API's read and write serializers."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


class VisibleRelatedField(serializers.PrimaryKeyRelatedField):
    """An id the requesting user may see; any other id is refused as if it did not exist.

    ``scope(user)`` gives the allowed rows; by default the model's ``visible_to``.
    The plain ``queryset`` only names the model (for the schema).
    """

    default_error_messages = {
        "does_not_exist": _("编号为 {pk_value} 的记录不存在,或不在您的权限范围内。"),
        "incorrect_type": _("请填写记录的编号(整数),收到的是 {data_type}。"),
    }

    def __init__(self, scope=None, **kwargs):
        self.scope = scope
        super().__init__(**kwargs)

    def get_queryset(self):
        user = self.context["request"].user
        if self.scope is not None:
            return self.scope(user)
        return super().get_queryset().visible_to(user)


class RefSerializer(serializers.Serializer):
    """A linked record named by id and name, so a client need not fetch it to show it."""

    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


class RegionRefSerializer(RefSerializer):
    code = serializers.CharField(read_only=True, allow_null=True)
