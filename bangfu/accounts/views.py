from django.conf import settings
from django.contrib.auth import views as auth_views
from django.utils.decorators import method_decorator

from bangfu.audit.services import record
from bangfu.security.ratelimits import login_limits


@method_decorator(login_limits, name="post")
class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if settings.DEMO_MODE:
            from bangfu.demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD

            context["demo_accounts"] = DEMO_ACCOUNTS
            context["demo_password"] = DEMO_PASSWORD
        return context


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "registration/password_change.html"

    def form_valid(self, form):
        response = super().form_valid(form)
        record("password", actor=self.request.user, instance=self.request.user)
        return response
