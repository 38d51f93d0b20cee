"""Read endpoints: every list is scoped by bangfu.core.access, every detail fetched through it.

Lists and details answer only what the pages would show the same user; a
record out of scope is a 404, the same as a missing one. Responses are never
cached (they carry personal and ledger data).
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.cache import add_never_cache_headers
from rest_framework import mixins, viewsets

from bangfu.core import access
from bangfu.dispatch.models import Dispatch
from bangfu.orgs.models import Organisation, Person
from bangfu.pairings.models import Pairing
from bangfu.plans.models import Plan
from bangfu.regions.models import Region
from bangfu.support.models import Support

from . import filters, serializers


class PrivateResponseMixin:
    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        add_never_cache_headers(response)  # Cache-Control: no-store, private, …
        return response


class ScopedViewSet(
    PrivateResponseMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """``queryset`` names the rows and what to fetch with them; the user's scope is added here."""

    def base_queryset(self):
        return self.queryset.all()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation, no user
            return self.queryset.none()
        return self.base_queryset().visible_to(self.request.user)

    def get_object(self):
        obj = access.get_visible_or_404(
            self.base_queryset(), self.request.user, pk=self.kwargs["pk"]
        )
        self.check_object_permissions(self.request, obj)
        return obj


class RegionViewSet(
    PrivateResponseMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """行政区划:全国统一的参考数据,每个业务用户都可查询。"""

    queryset = Region.objects.order_by("level", "code", "sort_key", "id")
    serializer_class = serializers.RegionSerializer
    filterset_class = filters.RegionFilter

    def get_object(self):
        try:
            pk = int(self.kwargs["pk"])
        except ValueError:
            raise Http404 from None
        return get_object_or_404(self.queryset, pk=pk)


class OrganisationViewSet(ScopedViewSet):
    """单位:本人职责范围内的单位、结对单位和对口地区的单位。"""

    queryset = Organisation.objects.select_related("region")
    serializer_class = serializers.OrganisationSerializer
    filterset_class = filters.OrganisationFilter


class PersonViewSet(ScopedViewSet):
    """人员:身份证号和手机号只给出脱敏形式。"""

    queryset = Person.objects.select_related("organisation")
    serializer_class = serializers.PersonSerializer
    filterset_class = filters.PersonFilter


class PairingViewSet(ScopedViewSet):
    """结对关系及结对各方。"""

    queryset = Pairing.objects.prefetch_related("parties__organisation").order_by(
        "-start_date", "id"
    )
    serializer_class = serializers.PairingSerializer
    filterset_class = filters.PairingFilter


class PlanViewSet(ScopedViewSet):
    """帮扶计划(各版本)及其任务。"""

    queryset = Plan.objects.prefetch_related("tasks__needs").order_by(
        "-academic_year", "-term", "-version_no", "id"
    )
    serializer_class = serializers.PlanSerializer
    filterset_class = filters.PlanFilter


class DispatchViewSet(ScopedViewSet):
    """援派/支教。"""

    queryset = Dispatch.objects.select_related("person", "sender", "host", "host_region")
    serializer_class = serializers.DispatchSerializer
    filterset_class = filters.DispatchFilter


class SupportViewSet(ScopedViewSet):
    """物资与资金帮扶(金额为元,保留两位小数的字符串)。"""

    queryset = Support.objects.select_related(
        "donor", "recipient", "recipient_region"
    ).prefetch_related("items")
    serializer_class = serializers.SupportSerializer
    filterset_class = filters.SupportFilter
