"""The demo accounts: created by load_demo, printed by make run, listed in README."""

from django.utils.translation import gettext_lazy as _

DEMO_PASSWORD = "Bangfu@2024"

# (username, role, organisation name, region name for disambiguation)
DEMO_ACCOUNTS_SPEC = [
    # Separation of duties (三员分立): accounts, roles, the audit trail.
    ("sysadmin_demo", "sysadmin", None, None),
    ("secadmin_demo", "secadmin", None, None),
    ("auditor_demo", "auditor", None, None),
    ("sjs_coord", "coordinator", "北京市石景山区教育委员会", "石景山区"),
    ("nm_coord", "coordinator", "贵阳市南明区教育局", "南明区"),
    ("bj9_staff", "school_staff", "北京市第九中学", "石景山区"),
    ("xizi_staff", "school_staff", "宁城县汐子中学", "宁城县"),
    ("nc_coord", "coordinator", "宁城县教育局", "宁城县"),
    ("yy_staff", "school_staff", "芳草地国际学校远洋小学", "朝阳区"),
    ("kb_staff", "school_staff", "康保县城关朝阳希望小学", "康保县"),
    ("huli_coord", "coordinator", "厦门市湖里区教育局", "湖里区"),
]

ROLE_LABELS = {
    "sysadmin": _("系统管理员"),
    "secadmin": _("安全管理员"),
    "auditor": _("安全审计员"),
    "coordinator": _("教育行政部门协调员"),
    "school_staff": _("学校工作人员"),
}


class _Account:
    def __init__(self, username, role, organisation):
        self.username = username
        self.role = role
        self.organisation = organisation

    @property
    def role_label(self):
        return ROLE_LABELS[self.role]


DEMO_ACCOUNTS = [_Account(u, r, o) for u, r, o, _region in DEMO_ACCOUNTS_SPEC]
