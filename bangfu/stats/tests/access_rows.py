"""This app's rows of the access matrix (see bangfu/core/tests/matrix.py).

Every page needs a login. With no parameters each user gets their own scope
(a coordinator's region, a school's organisation). The separation-of-duties
roles get 403 on every page. Asking for an organisation the
user cannot see answers 404.
"""

from bangfu.core.tests.matrix import Row, everyone

PERIOD = {"from": "2019-01-01", "until": "2019-12-31"}


def _xizi(w):
    from bangfu.activities.models import Activity

    Activity.objects.create(
        type="lecture",
        title="讲座",
        start_date="2019-04-01",
        end_date="2019-04-01",
        organiser=w.bj9,
        pairing=w.p_bj9_xizi,
        helper_region=w.sjs,
        recipient_region=w.ningcheng,
    )
    return {}


ROWS = [
    Row("stats:figures", get=everyone(200)),
    Row("stats:rows", get=everyone(200)),
    Row("stats:progress", get=everyone(200)),
    Row("stats:bulletin", get=everyone(200)),
    Row("stats:bulletin_docx", kwargs=_xizi, get=everyone(200)),
    Row("stats:bulletin_xlsx", get=everyone(200)),
    Row("stats:dashboard", get=everyone(200)),
]
