"""Login successes and failures go to the audit trail."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from bangfu.audit.services import record


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    # The session key is rotated by login(); the limits start counting now.
    import time

    from .middleware import EPOCH, STARTED

    request.session[STARTED] = time.time()
    request.session[EPOCH] = user.session_epoch
    record("login", actor=user, instance=user)


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        record("logout", actor=user, instance=user)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    # The attempted user name only; never the password.
    record("login_failed", label=str(credentials.get("username", ""))[:150])
