from django.urls import path

from . import lock_views, signin_views, views

app_name = "activities"
urlpatterns = [
    path("", views.activity_list, name="list"),
    path("new/", views.activity_create, name="create"),
    path("<int:pk>/", views.activity_detail, name="detail"),
    path("<int:pk>/edit/", views.activity_edit, name="edit"),
    path("<int:pk>/confirm/", views.activity_confirm, name="confirm"),
    path("<int:pk>/evidence/", views.evidence_add, name="evidence_add"),
    path("<int:pk>/evidence/<int:file_pk>/", views.evidence_file, name="evidence_file"),
    path("<int:pk>/signin/open/", signin_views.signin_open, name="signin_open"),
    path("<int:pk>/signin/close/", signin_views.signin_close, name="signin_close"),
    path("<int:pk>/signin/qr.svg", signin_views.signin_qr, name="signin_qr"),
    # The one page without login: the phone sign-in behind the QR code.
    path("s/<str:token>/", signin_views.signin_public, name="signin_public"),
    path("locks/", lock_views.lock_list, name="locks"),
    path("locks/<int:pk>/reopen/", lock_views.lock_reopen, name="lock_reopen"),
]
