"""Password policy: at least three of the four character classes."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CLASSES = (
    re.compile(r"[a-z]"),
    re.compile(r"[A-Z]"),
    re.compile(r"[0-9]"),
    re.compile(r"[^a-zA-Z0-9]"),
)


class CharacterClassValidator:
    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password, user=None):
        if sum(1 for pattern in CLASSES if pattern.search(password)) < self.min_classes:
            raise ValidationError(
                _("密码须包含大写字母、小写字母、数字和符号中的至少 %(n)d 类。")
                % {"n": self.min_classes},
                code="password_too_simple",
            )

    def get_help_text(self):
        return _("密码须包含大写字母、小写字母、数字和符号中的至少 %(n)d 类。") % {
            "n": self.min_classes
        }


class PasswordHistoryValidator:
    """The current password and the last ``keep`` ones cannot be reused."""

    def __init__(self, keep: int = 5):
        self.keep = keep

    def validate(self, password, user=None):
        from django.contrib.auth.hashers import check_password

        if user is None or not user.pk:
            return
        earlier = [user.password] + list(
            user.password_history.values_list("password", flat=True)[: self.keep]
        )
        if any(check_password(password, hashed) for hashed in earlier if hashed):
            raise ValidationError(
                _("不能使用最近 %(n)d 次用过的密码。") % {"n": self.keep}, code="password_reused"
            )

    def password_changed(self, password, user=None):
        from django.utils import timezone

        from .models import PasswordHistory

        if user is None or not user.pk:
            return
        PasswordHistory.objects.create(user=user, password=user.password)
        stale = user.password_history.values_list("pk", flat=True)[self.keep :]
        PasswordHistory.objects.filter(pk__in=list(stale)).delete()
        type(user).objects.filter(pk=user.pk).update(
            password_changed_at=timezone.now(), must_change_password=False
        )

    def get_help_text(self):
        return _("不能使用最近 %(n)d 次用过的密码。") % {"n": self.keep}
