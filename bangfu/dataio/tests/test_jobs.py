"""Background jobs on RQ (a real queue on the local Redis, run by an in-process worker),
progress during the commit, and the bulk commit of activity imports."""

import datetime as dt
import io
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from bangfu.activities import services as activity_services
from bangfu.activities.models import Activity, LedgerLock
from bangfu.audit.models import AuditEntry
from bangfu.dataio import activity_bulk, jobs, progress, services
from bangfu.dataio.models import ImportedRow, ImportJob

from .test_dataio import ACT_HEADERS, act_row, run_import, xlsx

REDIS_URL = "redis://127.0.0.1:6379/15"


def _redis():
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    return client


@pytest.fixture
def queue(settings):
    """A queue of its own on the local Redis; every step and export goes to it."""
    import django_rq

    _redis()
    name = f"bangfu-test-{uuid.uuid4().hex[:12]}"
    settings.RQ_QUEUES = {name: {"URL": REDIS_URL}}
    settings.BANGFU_JOB_QUEUE = name
    settings.BANGFU_JOB_MIN_BYTES = 0
    settings.BANGFU_JOB_MIN_EXPORT_ROWS = 1
    q = django_rq.get_queue(name)
    yield q
    q.empty()
    q.delete(delete_jobs=True)


def work(queue) -> None:
    """What `manage.py rqworker` does, in this process, until the queue is empty."""
    from rq import SimpleWorker

    SimpleWorker([queue], connection=queue.connection).work(burst=True)


def upload(client, data, name="台账.xlsx"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        reverse("dataio:upload"), {"kind": "activities", "file": SimpleUploadedFile(name, data)}
    )


# --- the worker --------------------------------------------------------------------------


def test_large_import_is_checked_and_committed_on_the_worker(world, client_for, queue):
    client = client_for("helper")
    data = xlsx(ACT_HEADERS, [act_row(title="讲座一"), act_row(title="讲座二")])
    response = upload(client, data)
    job = ImportJob.objects.get()
    job_url = reverse("dataio:job", kwargs={"pk": job.pk})
    assert response["Location"] == job_url
    # Queued, not run: the request returned at once and the page polls.
    assert job.status == ImportJob.Status.UPLOADED and queue.count == 1
    page = client.get(job_url).content.decode()
    assert f'hx-get="{job_url}"' in page and "排队等待处理" in page

    work(queue)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.PREVIEWED
    assert job.counts == {"create": 2, "update": 0, "unchanged": 0, "error": 0}
    poll = client.get(job_url, HTTP_HX_REQUEST="true").content.decode()
    assert "hx-get" not in poll and "查看检查结果" in poll

    response = client.post(reverse("dataio:commit", kwargs={"pk": job.pk}))
    assert response["Location"] == job_url
    job.refresh_from_db()
    assert job.status == ImportJob.Status.COMMITTING and Activity.objects.count() == 0
    # The job can be left and found again: the list shows it running.
    listing = client.get(reverse("dataio:index")).content.decode()
    assert job_url in listing and "正在导入" in listing
    # A second click does not queue a second commit.
    client.post(reverse("dataio:commit", kwargs={"pk": job.pk}))
    assert queue.count == 1

    work(queue)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.COMMITTED
    assert set(Activity.objects.values_list("title", flat=True)) == {"讲座一", "讲座二"}

    # Undo goes to the worker too; the page polls until the rows are gone.
    response = client.post(reverse("dataio:undo", kwargs={"pk": job.pk}))
    assert response["Location"] == job_url
    page = client.get(job_url).content.decode()
    assert "正在撤销" in page and f'hx-get="{job_url}"' in page
    work(queue)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.UNDONE and not Activity.objects.exists()
    assert "hx-get" not in client.get(job_url, HTTP_HX_REQUEST="true").content.decode()


def test_a_step_that_fails_marks_the_job_failed(world, client_for, queue, monkeypatch):
    job = services.upload_workbook(
        actor=world.helper, kind="activities", name="a.xlsx", data=xlsx(ACT_HEADERS, [act_row()])
    )

    def broken(job):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "validate_job", broken)
    assert jobs.enqueue(job, "validate") is True
    work(queue)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert "意外错误" in job.errors[0]["message"]
    assert len(queue.failed_job_registry) == 1  # the traceback stays with the worker
    page = client_for("helper").get(reverse("dataio:job", kwargs={"pk": job.pk}))
    assert "hx-get" not in page.content.decode()


def test_small_workbooks_run_in_the_request_even_with_a_worker(world, client_for, queue, settings):
    settings.BANGFU_JOB_MIN_BYTES = 10 * 1024 * 1024
    upload(client_for("helper"), xlsx(ACT_HEADERS, [act_row()]))
    assert ImportJob.objects.get().status == ImportJob.Status.PREVIEWED
    assert queue.count == 0


def test_without_redis_the_steps_run_in_the_request(world, client_for, settings):
    """A worker's queue that cannot be reached: the import is checked at once all the same."""
    settings.RQ_QUEUES = {"unreachable": {"URL": "redis://127.0.0.1:1/0"}}
    settings.BANGFU_JOB_QUEUE = "unreachable"
    settings.BANGFU_JOB_MIN_BYTES = 0
    upload(client_for("helper"), xlsx(ACT_HEADERS, [act_row()]))
    assert ImportJob.objects.get().status == ImportJob.Status.PREVIEWED


def test_large_export_is_written_on_the_worker_for_its_owner_only(world, client_for, queue):
    for n in range(3):
        Activity.objects.create(
            type="lecture",
            title=f"讲座{n}",
            start_date=dt.date(2019, 10, 8),
            end_date=dt.date(2019, 10, 8),
            pairing=world.p_bj9_xizi,
            organiser=world.bj9,
            helper_region=world.sjs,
            recipient_region=world.ningcheng,
        )
    client = client_for("helper")
    response = client.get(reverse("dataio:export"), {"kind": "activities", "format": "xlsx"})
    assert response.status_code == 302
    page_url = response["Location"]
    assert "排队等待处理" in client.get(page_url).content.decode()
    assert AuditEntry.objects.filter(action="export").count() == 1

    work(queue)
    page = client.get(page_url).content.decode()
    assert "已完成" in page and "hx-get" not in page
    token = page_url.rstrip("/").rsplit("/", 1)[-1]
    download = client.get(reverse("dataio:export_download", kwargs={"token": token}))
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    titles = {row[3] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert titles == {"讲座0", "讲座1", "讲座2"}
    assert page_url in client.get(reverse("dataio:index")).content.decode()
    # Someone else's export is not found, as if it did not exist.
    other = client_for("recipient")
    assert other.get(page_url).status_code == 404
    assert other.get(reverse("dataio:export_download", kwargs={"token": token})).status_code == 404


# --- progress ----------------------------------------------------------------------------


def test_commit_progress_is_visible_outside_its_transaction(world, settings, monkeypatch):
    """Polls read the cache (Redis in production), which the commit's transaction does not
    hold back: here a separate Redis connection reads it while the rows are being written."""
    client = _redis()
    prefix = f"bangfu-test-{uuid.uuid4().hex[:8]}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
        }
    }
    job = run_import(world.helper, "activities", xlsx(ACT_HEADERS, [act_row(title="讲座一")]))
    seen = []
    write = activity_bulk.write

    def watched(importer, plan, job_):
        assert connection.in_atomic_block  # inside the commit's transaction
        importer.progress(1, 2)
        keys = client.keys(f"{prefix}:*dataio:progress:import:{job_.pk}")
        seen.append((len(keys), progress.read(job_.pk)))
        return write(importer, plan, job_)

    monkeypatch.setattr(activity_bulk, "write", watched)
    try:
        services.commit_job(job)
    finally:
        for key in client.keys(f"{prefix}:*"):
            client.delete(key)
    assert seen == [(1, {"phase": "write", "done": 1, "total": 2, "percent": 50})]
    assert ImportJob.objects.get(pk=job.pk).status == ImportJob.Status.COMMITTED


def test_job_page_shows_the_phase_and_the_bar(world, client_for):
    job = ImportJob.objects.create(
        user=world.helper,
        kind="activities",
        file_name="a.xlsx",
        sha256="0" * 64,
        status=ImportJob.Status.COMMITTING,
    )
    reporter = progress.Reporter(job.pk, phase=progress.WRITE)
    reporter(2500, 10000)
    page = client_for("helper").get(
        reverse("dataio:job", kwargs={"pk": job.pk}), HTTP_HX_REQUEST="true"
    )
    html = page.content.decode()
    assert "正在写入" in html and "2500 / 10000" in html.replace(",", "")
    assert '<progress max="100" value="25"' in html and "hx-get" in html


# --- the bulk commit ------------------------------------------------------------------------

SERVICE_SET = [
    "type",
    "title",
    "start_date",
    "end_date",
    "mode",
    "direction",
    "place",
    "pairing_id",
    "region_pairing_id",
    "organiser_id",
    "helper_region_id",
    "recipient_region_id",
    "sessions",
    "helper_headcount",
    "recipient_headcount",
    "person_times",
    "count_source",
    "backbone_count",
    "subjects",
    "lesson_titles",
    "led_by",
    "outcome",
    "confirmation",
    "recorded_side",
    "search_text",
    "is_generated",
    "created_by_id",
    "updated_by_id",
    "version",
]


def test_bulk_commit_writes_what_the_service_writes(world):
    row = act_row(
        title="同课异构", type_="现场课", start="2019-05-09", 课题="《老王》、《背影》", 地点="礼堂"
    )
    job = services.commit_job(run_import(world.helper, "activities", xlsx(ACT_HEADERS, [row])))
    assert job.status == ImportJob.Status.COMMITTED, job.errors
    imported = Activity.objects.get()
    typed = activity_services.record_activity(
        actor=world.helper,
        pairing=world.p_bj9_xizi,
        organiser=world.bj9,
        type="demo_lesson",
        title="同课异构",
        start_date=dt.date(2019, 5, 9),
        end_date=dt.date(2019, 5, 9),
        place="礼堂",
        helper_headcount=2,
        recipient_headcount=40,
        person_times=42,
        lesson_titles="《老王》\n《背影》",
    )
    for field in SERVICE_SET:
        assert getattr(imported, field) == getattr(typed, field), field
    assert set(imported.receivers.all()) == set(typed.receivers.all()) == {world.xizi}
    assert imported.signin_token and imported.signin_token != typed.signin_token
    assert imported.created_at and imported.updated_at


def test_commit_costs_the_same_queries_for_ten_rows_or_sixty(world):
    def queries(rows):
        job = run_import(world.helper, "activities", xlsx(ACT_HEADERS, rows))
        with CaptureQueriesContext(connection) as ctx:
            job = services.commit_job(job)
        assert job.status == ImportJob.Status.COMMITTED, job.errors
        return len(ctx.captured_queries)

    ten = queries([act_row(title=f"甲{n}", start=f"2019-05-{n + 1:02d}") for n in range(10)])
    # Names written three ways resolve once each, whatever the rows.
    names = ["北京九中", "北京市第九中学", "北京市第九中學"]
    sixty = queries(
        [
            act_row(organiser=names[n % 3], title=f"乙{n}", start=f"2019-04-{n % 28 + 1:02d}")
            for n in range(60)
        ]
    )
    assert sixty == ten
    assert Activity.objects.count() == 70


def test_an_import_is_one_audit_entry_and_undo_another(world):
    before = AuditEntry.objects.count()
    rows = [act_row(title=f"讲座{n}", start=f"2019-05-{n + 1:02d}") for n in range(5)]
    job = services.commit_job(run_import(world.helper, "activities", xlsx(ACT_HEADERS, rows)))
    entry = AuditEntry.objects.order_by("-seq").first()
    assert AuditEntry.objects.count() == before + 1
    assert entry.action == "import" and entry.actor == world.helper
    assert entry.changes["file_name"] == "data.xlsx"
    assert entry.changes["counts"]["create"] == 5
    assert ImportedRow.objects.filter(job=job, action="create").count() == 5
    services.undo_job(job, actor=world.helper)
    assert AuditEntry.objects.count() == before + 2
    assert Activity.objects.count() == 0


def test_update_over_signed_counts_and_its_undo_restore_exactly(world):
    job = services.commit_job(
        run_import(world.helper, "activities", xlsx(ACT_HEADERS, [act_row(title="讲座一")]))
    )
    activity = Activity.objects.get()
    Activity.objects.filter(pk=activity.pk).update(count_source="signed")
    activity.refresh_from_db()
    original = {f: getattr(activity, f) for f in SERVICE_SET}

    changed = act_row(title="讲座一", 人次=50, 课题="《背影》")
    update = services.commit_job(
        run_import(world.helper, "activities", xlsx(ACT_HEADERS, [changed]))
    )
    assert update.counts["update"] == 1, update.errors
    activity.refresh_from_db()
    assert (activity.person_times, activity.count_source) == (50, "reported")
    assert "beiying" in activity.search_text and activity.version == original["version"] + 1

    services.undo_job(update, actor=world.helper)
    activity.refresh_from_db()
    restored = {f: getattr(activity, f) for f in SERVICE_SET if f != "version"}
    assert restored == {f: v for f, v in original.items() if f != "version"}
    services.undo_job(job, actor=world.helper)
    assert not Activity.objects.exists()


def test_locked_semesters_are_refused_at_the_preview(world):
    # A region lock above the recipient county covers its pairings too.
    LedgerLock.objects.create(region=world.chifeng, academic_year=2018, term=2)
    job = run_import(
        world.helper,
        "activities",
        xlsx(
            ACT_HEADERS,
            [act_row(title="甲", start="2019-05-08"), act_row(title="乙", start="2019-10-08")],
        ),
    )
    assert [(e["row"], e["column"]) for e in job.errors] == [(2, "开始日期")]
    assert "锁定" in job.errors[0]["message"]
    assert job.counts["create"] == 1


def test_undo_is_refused_once_the_semester_is_locked(world):
    job = services.commit_job(
        run_import(world.helper, "activities", xlsx(ACT_HEADERS, [act_row(start="2019-05-08")]))
    )
    LedgerLock.objects.create(pairing=world.p_bj9_xizi, academic_year=2018, term=2)
    with pytest.raises(services.ImportRefused, match="锁定"):
        services.undo_job(job, actor=world.helper)
    assert Activity.objects.count() == 1
    assert ImportJob.objects.get(pk=job.pk).status == ImportJob.Status.COMMITTED


def test_values_the_database_would_refuse_are_errors_at_the_preview(world):
    job = run_import(world.helper, "activities", xlsx(ACT_HEADERS, [act_row(title="讲" * 201)]))
    [error] = job.errors
    assert (error["row"], error["column"]) == (2, "活动名称") and "200" in error["message"]


def test_the_other_side_cannot_update_the_helpers_activity(world):
    services.commit_job(
        run_import(world.helper, "activities", xlsx(ACT_HEADERS, [act_row(title="讲座一")]))
    )
    # The recipient records in the same pairing: the same key, other counts.
    row = act_row(organiser="北京九中", title="讲座一", 人次=99)
    job = run_import(world.recipient, "activities", xlsx(ACT_HEADERS, [row]))
    assert job.errors and "无权修改" in job.errors[0]["message"]


def test_the_roll_up_hook_gets_the_written_rows(world, monkeypatch):
    calls = []

    class Hook:
        @staticmethod
        def snapshot(ids):
            calls.append(("snapshot", sorted(ids)))
            return {pk: {"pk": pk} for pk in ids}

        @staticmethod
        def apply_bulk(created_ids=(), before=None):
            calls.append(("apply_bulk", sorted(created_ids), sorted(before or {})))

    monkeypatch.setattr(activity_bulk, "_rollup", lambda: Hook)
    job = services.commit_job(
        run_import(world.helper, "activities", xlsx(ACT_HEADERS, [act_row(title="讲座一")]))
    )
    pk = Activity.objects.get().pk
    assert calls == [("apply_bulk", [pk], [])]
    calls.clear()
    services.undo_job(job, actor=world.helper)
    assert calls == [("snapshot", [pk]), ("apply_bulk", [], [pk])]


def test_an_undo_refused_on_the_worker_is_shown_on_the_job_page(world, client_for, queue):
    job = services.commit_job(
        run_import(world.helper, "activities", xlsx(ACT_HEADERS, [act_row(start="2019-05-08")]))
    )
    LedgerLock.objects.create(pairing=world.p_bj9_xizi, academic_year=2018, term=2)
    client = client_for("helper")
    client.post(reverse("dataio:undo", kwargs={"pk": job.pk}))
    work(queue)
    page = client.get(reverse("dataio:job", kwargs={"pk": job.pk})).content.decode()
    assert "撤销未完成" in page and "锁定" in page and "hx-get" not in page
    assert Activity.objects.count() == 1
