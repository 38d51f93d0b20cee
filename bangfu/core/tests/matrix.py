"""Access-matrix building blocks, shared by every app's ``tests/access_rows.py``.

Each app lists its URLs as ``ROWS = [Row(...), ...]`` in
``bangfu/<app>/tests/access_rows.py``; the matrix test in
``bangfu/core/tests/test_access_matrix.py`` collects them all and fails when a
URL has no row.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from conftest import ADMIN_ROLES, ROLES

# Shorthands: A = anonymous is sent to the login page.
LOGIN = 302


@dataclasses.dataclass
class Row:
    name: str
    kwargs: Callable = lambda w: {}
    get: dict | None = None
    post: dict | None = None
    label: str = ""
    # The API's other methods; sent with an empty JSON body.
    put: dict | None = None
    patch: dict | None = None
    delete: dict | None = None

    @property
    def id(self):
        return f"{self.name}{'[' + self.label + ']' if self.label else ''}"


def _check_roles(names) -> None:
    unknown = set(names) - set(ROLES)
    assert not unknown, (
        f"unknown roles {sorted(unknown)}; the platform admin was split into sysadmin, "
        "secadmin and auditor (三员分立), none of whom reaches business URLs"
    )


def all_admin_roles(status) -> dict:
    """The same status for auditor, sysadmin and secadmin: ``everyone(200, **all_admin_roles(200))``."""
    return {role: status for role in ADMIN_ROLES}


def everyone(status, **overrides):
    """The same status for every business role, anonymous sent to login, with exceptions.

    The separation-of-duties roles (auditor, sysadmin, secadmin) get 403 unless
    named: no business URL is theirs.
    """
    _check_roles(overrides)
    cells = {role: status for role in ROLES}
    cells["anonymous"] = LOGIN
    cells.update({role: 403 for role in ADMIN_ROLES})
    cells.update(overrides)
    return cells


def cells(*, anonymous=LOGIN, **roles):
    """Every business role named; the separation-of-duties roles default to 403."""
    _check_roles(roles)
    missing = set(ROLES) - {"anonymous"} - set(ADMIN_ROLES) - set(roles)
    assert not missing, f"row lacks roles {missing}"
    return {"anonymous": anonymous, **{role: 403 for role in ADMIN_ROLES}, **roles}
