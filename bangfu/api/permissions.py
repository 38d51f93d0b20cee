"""Who may use the API's business endpoints at all; what each may see is bangfu.core.access."""

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from bangfu.core import access


class BusinessRole(BasePermission):
    """Coordinators and school staff of an organisation.

    The administrators of the separation of duties, the security auditor and
    accounts still waiting for a role never read or change ledger data here.
    """

    message = _("只有教育行政部门协调员和学校工作人员可以使用业务接口。")

    def has_permission(self, request, view) -> bool:
        user = request.user
        return access.is_business_user(user) and bool(user.organisation_id)
