"""This app's rows of the access matrix (see bangfu/core/tests/matrix.py)."""

from bangfu.core.tests.matrix import Row, cells, everyone


def _job(w):
    from bangfu.dataio.models import ImportJob

    job = ImportJob.objects.create(
        user=w.helper, kind="activities", file_name="a.xlsx", sha256="0" * 64, status="previewed"
    )
    return {"pk": job.pk}


# A job is seen only by the user who uploaded it (the helper) and platform admins.
OWNER = cells(
    outsider=404,
    helper=200,
    recipient=404,
    coordinator=404,
    other_coordinator=404,
    auditor=404,
    admin=200,
)


def _redirect(cells_):
    return {k: 302 if v == 200 else v for k, v in cells_.items()}


ROWS = [
    Row("dataio:index", get=everyone(200)),
    Row("dataio:template", get=everyone(200)),
    Row("dataio:export", get=everyone(200)),
    # Auditors change nothing; an empty POST shows the form again with an error.
    Row("dataio:upload", get=everyone(200, auditor=403), post=everyone(200, auditor=403)),
    Row("dataio:job", kwargs=_job, get=OWNER),
    Row("dataio:preview", kwargs=_job, get=OWNER),
    Row("dataio:commit", kwargs=_job, get=everyone(405), post=_redirect(OWNER)),
    Row("dataio:undo", kwargs=_job, get=everyone(405), post=_redirect(OWNER)),
]
