"""This app's rows of the access matrix (see bangfu/core/tests/matrix.py)."""

from bangfu.core.tests.matrix import Row, cells, everyone


def _job(w):
    from bangfu.dataio.models import ImportJob

    job = ImportJob.objects.create(
        user=w.helper, kind="activities", file_name="a.xlsx", sha256="0" * 64, status="previewed"
    )
    return {"pk": job.pk}


def _export(w):
    """A finished background export of the helper's."""
    from django.http import QueryDict

    from bangfu.dataio import jobs

    token = jobs.create_export(
        w.helper, kind="activities", fmt="csv", params=QueryDict(), rows=0, name="活动台账.csv"
    )
    jobs.run_export(token, background=False)
    return {"token": token}


# A job is seen only by the user who uploaded it (the helper).
OWNER = cells(
    outsider=404,
    helper=200,
    recipient=404,
    coordinator=404,
    other_coordinator=404,
)


def _redirect(cells_):
    return {k: 302 if v == 200 else v for k, v in cells_.items()}


ROWS = [
    Row("dataio:index", get=everyone(200)),
    Row("dataio:template", get=everyone(200)),
    Row("dataio:export", get=everyone(200)),
    Row("dataio:export_job", kwargs=_export, get=OWNER),
    Row("dataio:export_download", kwargs=_export, get=OWNER),
    # Auditors change nothing; an empty POST shows the form again with an error.
    Row("dataio:upload", get=everyone(200, auditor=403), post=everyone(200, auditor=403)),
    Row("dataio:job", kwargs=_job, get=OWNER),
    Row("dataio:preview", kwargs=_job, get=OWNER),
    Row("dataio:commit", kwargs=_job, get=everyone(405), post=_redirect(OWNER)),
    Row("dataio:undo", kwargs=_job, get=everyone(405), post=_redirect(OWNER)),
]
