from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

admin.site.site_header = _("帮扶 bangfu 系统管理")
admin.site.site_title = _("帮扶 bangfu")

urlpatterns = [
    path("", include("bangfu.core.urls")),
    path("accounts/", include("bangfu.accounts.urls")),
    path("accounts/2fa/", include("bangfu.accounts.otp_urls")),
    path("audit/", include("bangfu.audit.urls")),
    path("api/", include("bangfu.api.urls")),
    path("regions/", include("bangfu.regions.urls")),
    path("orgs/", include("bangfu.orgs.urls")),
    path("pairings/", include("bangfu.pairings.urls")),
    path("needs/", include("bangfu.needs.urls")),
    path("plans/", include("bangfu.plans.urls")),
    path("activities/", include("bangfu.activities.urls")),
    path("dispatch/", include("bangfu.dispatch.urls")),
    path("support/", include("bangfu.support.urls")),
    path("resources/", include("bangfu.resources.urls")),
    path("trash/", include("bangfu.trash.urls")),
    path("stats/", include("bangfu.stats.urls")),
    path("data/", include("bangfu.dataio.urls")),
    path("extract/", include("bangfu.extract.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

handler403 = "bangfu.core.views.permission_denied"
handler404 = "bangfu.core.views.page_not_found"
handler500 = "bangfu.core.views.server_error"
