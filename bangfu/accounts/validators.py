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
