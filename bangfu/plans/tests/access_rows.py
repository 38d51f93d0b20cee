"""This app's rows of the access matrix (see bangfu/core/tests/matrix.py)."""

from bangfu.core.tests.matrix import Row, everyone

ROWS = [
    Row("plans:list", get=everyone(200)),
]
