"""This app's rows of the access matrix (see bangfu/core/tests/matrix.py)."""

import datetime as dt

from bangfu.core.tests.matrix import Row, cells, everyone


def _activity(w, signin_open=False):
    from bangfu.activities.models import Activity

    return Activity.objects.create(
        type="lecture",
        title="专题讲座",
        start_date=dt.date(2019, 10, 8),
        end_date=dt.date(2019, 10, 8),
        pairing=w.p_bj9_xizi,
        region_pairing=w.rp_sjs_nc,
        organiser=w.bj9,
        helper_region=w.sjs,
        recipient_region=w.ningcheng,
        recorded_side="helper",
        signin_open=signin_open,
    )


def _evidence(w):
    from django.core.files.base import ContentFile

    from bangfu.activities.models import ActivityFile

    activity = _activity(w)
    evidence = ActivityFile(
        activity=activity,
        kind="document",
        original_name="签到表.pdf",
        content_type="application/pdf",
        size=15,
    )
    evidence.file.save("e.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=False)
    evidence.save()
    return {"pk": activity.pk, "file_pk": evidence.pk}


def _lock(w):
    from bangfu.activities.models import LedgerLock

    return LedgerLock.objects.create(pairing=w.p_bj9_xizi, academic_year=2019, term=1)


# Who may change an activity recorded by the helper side of p_bj9_xizi.
RECORDING_SIDE = dict(
    outsider=404,
    helper=200,
    recipient=403,
    coordinator=200,
    other_coordinator=404,
    auditor=403,
)
RECIPIENT_SIDE = dict(
    outsider=404,
    helper=403,
    recipient=200,
    coordinator=403,
    other_coordinator=404,
    auditor=403,
)
VISIBLE = everyone(200, outsider=404, other_coordinator=404)
NOT_GET = everyone(405)


def _redirect(cells_):
    return {k: 302 if v == 200 else v for k, v in cells_.items()}


ROWS = [
    Row("activities:list", get=everyone(200)),
    Row("activities:create", get=everyone(200, auditor=403), post=everyone(200, auditor=403)),
    Row("activities:detail", kwargs=lambda w: {"pk": _activity(w).pk}, get=VISIBLE),
    Row(
        "activities:edit",
        kwargs=lambda w: {"pk": _activity(w).pk},
        get=cells(**RECORDING_SIDE),
        post=cells(**RECORDING_SIDE),
    ),
    # An empty confirmation comes back with the rating missing (200).
    Row(
        "activities:confirm",
        kwargs=lambda w: {"pk": _activity(w).pk},
        get=NOT_GET,
        post=cells(**RECIPIENT_SIDE),
    ),
    Row(
        "activities:evidence_add",
        kwargs=lambda w: {"pk": _activity(w).pk},
        get=NOT_GET,
        post=cells(**RECORDING_SIDE),
    ),
    Row("activities:evidence_file", kwargs=_evidence, get=VISIBLE),
    Row(
        "activities:signin_open",
        kwargs=lambda w: {"pk": _activity(w).pk},
        get=NOT_GET,
        post=cells(**_redirect(RECORDING_SIDE)),
    ),
    Row(
        "activities:signin_close",
        kwargs=lambda w: {"pk": _activity(w, signin_open=True).pk},
        get=NOT_GET,
        post=cells(**_redirect(RECORDING_SIDE)),
    ),
    Row(
        "activities:signin_qr",
        kwargs=lambda w: {"pk": _activity(w, signin_open=True).pk},
        get=VISIBLE,
    ),
    # The one anonymous page, by design: an open token is all it takes.
    Row(
        "activities:signin_public",
        label="open",
        kwargs=lambda w: {"token": _activity(w, signin_open=True).signin_token},
        get=everyone(200, anonymous=200),
        post=everyone(200, anonymous=200),
    ),
    Row(
        "activities:signin_public",
        label="closed",
        kwargs=lambda w: {"token": _activity(w).signin_token},
        get=everyone(404, anonymous=404),
        post=everyone(404, anonymous=404),
    ),
    Row(
        "activities:locks",
        get=everyone(200),
        post=everyone(403, coordinator=200, other_coordinator=200),
    ),
    Row(
        "activities:lock_reopen",
        kwargs=lambda w: {"pk": _lock(w).pk},
        get=NOT_GET,
        post=cells(
            outsider=404,
            helper=403,
            recipient=403,
            coordinator=302,
            other_coordinator=404,
            auditor=403,
        ),
    ),
]
