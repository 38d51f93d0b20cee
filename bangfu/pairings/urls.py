from django.urls import path

from . import region_views, views

app_name = "pairings"
urlpatterns = [
    path("", views.pairing_list, name="list"),
    path("new/", views.pairing_create, name="create"),
    path("org-options/", views.org_options_view, name="org_options"),
    path("<int:pk>/", views.pairing_detail, name="detail"),
    path("<int:pk>/edit/", views.pairing_edit, name="edit"),
    path("<int:pk>/status/", views.pairing_status, name="status"),
    path("<int:pk>/parties/<int:party_pk>/edit/", views.party_edit, name="party_edit"),
    path("<int:pk>/agreements/new/", views.agreement_create, name="agreement_create"),
    path(
        "<int:pk>/agreements/<int:agreement_pk>/edit/",
        views.agreement_edit,
        name="agreement_edit",
    ),
    path(
        "<int:pk>/agreements/<int:agreement_pk>/document/",
        views.agreement_document,
        name="agreement_document",
    ),
    path("regions/", region_views.region_pairing_list, name="region_list"),
    path("regions/new/", region_views.region_pairing_create, name="region_create"),
    path("regions/<int:pk>/", region_views.region_pairing_detail, name="region_detail"),
    path("regions/<int:pk>/edit/", region_views.region_pairing_edit, name="region_edit"),
]
