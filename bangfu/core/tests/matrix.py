"""Access-matrix building blocks, shared by every app's ``tests/access_rows.py``.

Each app lists its URLs as ``ROWS = [Row(...), ...]`` in
``bangfu/<app>/tests/access_rows.py``; the matrix test in
``bangfu/core/tests/test_access_matrix.py`` collects them all and fails when a
URL has no row.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from conftest import ROLES

# Shorthands: A = anonymous is sent to the login page.
LOGIN = 302


@dataclasses.dataclass
class Row:
    name: str
    kwargs: Callable = lambda w: {}
    get: dict | None = None
    post: dict | None = None
    label: str = ""

    @property
    def id(self):
        return f"{self.name}{'[' + self.label + ']' if self.label else ''}"


def everyone(status, **overrides):
    """The same status for every logged-in role, anonymous sent to login, with exceptions."""
    cells = {role: status for role in ROLES}
    cells["anonymous"] = LOGIN
    cells.update(overrides)
    return cells


def cells(*, anonymous=LOGIN, **roles):
    missing = set(ROLES) - {"anonymous"} - set(roles)
    assert not missing, f"row lacks roles {missing}"
    return {"anonymous": anonymous, **roles}
