from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/",
        views.PasswordChangeView.as_view(success_url=reverse_lazy("accounts:password_change_done")),
        name="password_change",
    ),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="registration/password_done.html"),
        name="password_change_done",
    ),
    path("profile/", views.profile, name="profile"),
    # The system administrator: accounts.
    path("users/", views.user_list, name="user_list"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:pk>/", views.user_edit, name="user_edit"),
    path("users/<int:pk>/disable/", views.user_disable, name="user_disable"),
    path("users/<int:pk>/enable/", views.user_enable, name="user_enable"),
    path("users/<int:pk>/password/", views.user_password, name="user_password"),
    # The security administrator: roles and unlocking (two-factor resets: otp:reset).
    path("roles/", views.role_list, name="role_list"),
    path("roles/<int:pk>/", views.role_grant, name="role_grant"),
    path("roles/organisations/", views.organisation_suggest, name="organisation_suggest"),
    path("locked/", views.unlock_list, name="unlock_list"),
    path("locked/unlock/", views.unlock, name="unlock"),
]
