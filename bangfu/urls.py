from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("bangfu.core.urls")),
    path("accounts/", include("bangfu.accounts.urls")),
    path("regions/", include("bangfu.regions.urls")),
    path("orgs/", include("bangfu.orgs.urls")),
    path("pairings/", include("bangfu.pairings.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

handler403 = "bangfu.core.views.permission_denied"
handler404 = "bangfu.core.views.page_not_found"
handler500 = "bangfu.core.views.server_error"
