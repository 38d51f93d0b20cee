"""Activities and needs: read, record and change them through the pages' own services.

A view parses, checks the right to try (403 with a message), calls the
service and answers with the record as now stored. The service decides the
rest exactly as for the pages: sides, semester locks, linked ids, the version
(409 when stale) and the audit entry. No hard delete: the pages have none.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from bangfu.activities import rules as activity_rules
from bangfu.activities import services as activity_services
from bangfu.activities.models import Activity
from bangfu.needs import rules as need_rules
from bangfu.needs import services as need_services
from bangfu.needs.forms import recipient_pairings
from bangfu.needs.models import Need

from . import filters, serializers, writes
from .views import ScopedViewSet

CANNOT_RECORD = _("您不能记录活动。")
CANNOT_EDIT_ACTIVITY = _("只有填报方(本单位或其教育行政部门)可以修改该活动。")
CANNOT_CONFIRM = _("只有受援方可以确认和评价该活动。")
CANNOT_LIST_NEED = _("只有受援方可以列出需求。")
CANNOT_EDIT_NEED = _("只有受援方可以修改需求。")
CANNOT_CLAIM = _("只有帮扶方可以认领需求。")
CANNOT_MOVE_NEED = _("您不能变更该需求的状态。")


class WritableViewSet(ScopedViewSet):
    """Adds create, update (PUT) and partial_update (PATCH), each defined by the subclass."""

    write_serializer_class = None

    def write_serializer(self, instance=None, partial=False):
        serializer = self.write_serializer_class(
            instance,
            data=self.request.data,
            partial=partial,
            context=self.get_serializer_context(),
        )
        serializer.is_valid(raise_exception=True)
        return serializer

    def stored(self, obj, status_code=status.HTTP_200_OK):
        """The record as now stored, read again with what the list fetches."""
        fresh = self.base_queryset().get(pk=obj.pk)
        return Response(self.get_serializer(fresh).data, status=status_code)

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)


@extend_schema_view(
    partial_update=extend_schema(
        request=writes.ActivityWriteSerializer, responses={200: serializers.ActivitySerializer}
    )
)
class ActivityViewSet(WritableViewSet):
    """活动台账:由填报方记录和修改,受援方确认与评价。"""

    queryset = Activity.objects.select_related("organiser").prefetch_related(
        "receivers", "leaders", "plan_tasks", "projects", "needs"
    )
    serializer_class = serializers.ActivitySerializer
    write_serializer_class = writes.ActivityWriteSerializer
    filterset_class = filters.ActivityFilter

    @extend_schema(
        request=writes.ActivityWriteSerializer, responses={201: serializers.ActivitySerializer}
    )
    def create(self, request, *args, **kwargs):
        if not activity_rules.can_create_activity(request.user):
            raise PermissionDenied(CANNOT_RECORD)
        _version, values = self.write_serializer().service_values()
        activity = activity_services.record_activity(actor=request.user, **values)
        return self.stored(activity, status.HTTP_201_CREATED)

    @extend_schema(
        request=writes.ActivityWriteSerializer,
        responses={200: serializers.ActivitySerializer},
    )
    def update(self, request, *args, partial=False, **kwargs):
        activity = self.get_object()
        if not activity_rules.can_edit_activity(request.user, activity):
            raise PermissionDenied(CANNOT_EDIT_ACTIVITY)
        version, values = self.write_serializer(activity, partial).service_values()
        activity_services.update_activity(activity, actor=request.user, version=version, **values)
        return self.stored(activity)

    @extend_schema(
        request=writes.ConfirmSerializer, responses={200: serializers.ActivitySerializer}
    )
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        """受援方确认(或提出异议)并评分。"""
        activity = self.get_object()
        if not activity_rules.can_confirm_activity(request.user, activity):
            raise PermissionDenied(CANNOT_CONFIRM)
        serializer = writes.ConfirmSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        activity_services.confirm_activity(
            activity, actor=request.user, **serializer.validated_data
        )
        return self.stored(activity)


@extend_schema_view(
    partial_update=extend_schema(
        request=writes.NeedWriteSerializer, responses={200: serializers.NeedSerializer}
    )
)
class NeedViewSet(WritableViewSet):
    """需求清单:受援方列出和修改,帮扶方认领,双方推进状态。"""

    queryset = Need.objects.select_related("organisation", "category", "claimed_by").order_by(
        "-created_at", "-id"
    )
    serializer_class = serializers.NeedSerializer
    write_serializer_class = writes.NeedWriteSerializer
    filterset_class = filters.NeedFilter

    @extend_schema(request=writes.NeedWriteSerializer, responses={201: serializers.NeedSerializer})
    def create(self, request, *args, **kwargs):
        if not recipient_pairings(request.user).exists():
            raise PermissionDenied(CANNOT_LIST_NEED)
        _version, values = self.write_serializer().service_values()
        need = need_services.create_need(actor=request.user, **values)
        return self.stored(need, status.HTTP_201_CREATED)

    @extend_schema(request=writes.NeedWriteSerializer, responses={200: serializers.NeedSerializer})
    def update(self, request, *args, partial=False, **kwargs):
        need = self.get_object()
        if not need_rules.can_edit_need(request.user, need):
            raise PermissionDenied(CANNOT_EDIT_NEED)
        version, values = self.write_serializer(need, partial).service_values()
        need_services.update_need(need, actor=request.user, version=version, **values)
        return self.stored(need)

    @extend_schema(request=None, responses={200: serializers.NeedSerializer})
    @action(detail=True, methods=["post"])
    def claim(self, request, pk=None):
        """帮扶方认领(认领单位为本单位,或帮扶方的牵头单位)。"""
        need = self.get_object()
        if not need_rules.can_claim_need(request.user, need):
            raise PermissionDenied(CANNOT_CLAIM)
        need = need_services.claim_need(need, actor=request.user)
        return self.stored(need)

    @extend_schema(request=writes.NeedStatusSerializer, responses={200: serializers.NeedSerializer})
    @action(detail=True, methods=["post"], url_path="status")
    def change_status(self, request, pk=None):
        """变更需求状态(撤回和重新开放仅限受援方)。"""
        need = self.get_object()
        if not need_rules.can_change_need_status(request.user, need):
            raise PermissionDenied(CANNOT_MOVE_NEED)
        serializer = writes.NeedStatusSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        need_services.change_need_status(
            need, serializer.validated_data["status"], actor=request.user
        )
        return self.stored(need)
