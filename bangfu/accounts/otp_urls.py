from django.urls import path

from . import otp_views

app_name = "otp"
urlpatterns = [
    path("", otp_views.manage, name="manage"),
    path("setup/", otp_views.setup, name="setup"),
    path("verify/", otp_views.verify, name="verify"),
    path("backup-codes/", otp_views.backup_codes, name="backup_codes"),
    path("remove/", otp_views.remove, name="remove"),
    path("reset/", otp_views.reset, name="reset"),
]
