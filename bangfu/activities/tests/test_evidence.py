from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from bangfu.activities.models import ActivityFile

from .factories import EXE_BYTES, PDF_BYTES, jpeg_with_gps, png_bytes, record, xlsx_bytes


def _upload(client, activity, upload, kind="photo"):
    url = reverse("activities:evidence_add", args=[activity.pk])
    return client.post(url, {"kind": kind, "file": upload, "caption": "现场"})


def test_photo_is_re_encoded_without_exif(world, client_for):
    activity = record(world)
    upload = jpeg_with_gps()
    with Image.open(upload) as original:
        assert original.getexif().get_ifd(0x8825)  # the test photo carries GPS
    upload.seek(0)
    response = _upload(client_for("helper"), activity, upload)
    assert response.status_code == 302
    evidence = ActivityFile.objects.get(activity=activity)
    assert evidence.kind == "photo"
    assert evidence.content_type == "image/jpeg"
    assert evidence.file.name.endswith(".jpg")
    with evidence.file.open("rb") as stored, Image.open(stored) as image:
        assert image.format == "JPEG"
        assert len(image.getexif()) == 0
        assert "exif" not in image.info
        assert image.size == (64, 48)


def test_transparent_png_stays_png(world, client_for):
    activity = record(world)
    upload = SimpleUploadedFile("logo.png", png_bytes(), content_type="image/png")
    assert _upload(client_for("helper"), activity, upload).status_code == 302
    assert ActivityFile.objects.get().content_type == "image/png"


def test_jpg_that_is_really_a_pdf_is_refused_as_photo(world, client_for):
    activity = record(world)
    upload = SimpleUploadedFile("photo.jpg", PDF_BYTES, content_type="image/jpeg")
    response = _upload(client_for("helper"), activity, upload)
    assert response.status_code == 200
    assert "照片只能是 JPEG、PNG 或 WebP 图片" in response.content.decode()
    assert ActivityFile.objects.count() == 0


def test_exe_named_pdf_is_refused_as_document(world, client_for):
    activity = record(world)
    upload = SimpleUploadedFile("总结.pdf", EXE_BYTES, content_type="application/pdf")
    response = _upload(client_for("helper"), activity, upload, kind="document")
    assert response.status_code == 200
    assert "文档只能是 PDF" in response.content.decode()
    assert ActivityFile.objects.count() == 0


def test_oversized_file_is_refused(world, client_for, settings):
    settings.UPLOAD_MAX_BYTES = 100
    activity = record(world)
    response = _upload(client_for("helper"), activity, jpeg_with_gps())
    assert "文件过大" in response.content.decode()
    assert ActivityFile.objects.count() == 0


def test_documents_pdf_and_xlsx_are_kept_and_downloaded_as_attachments(world, client_for):
    activity = record(world)
    client = client_for("helper")
    pdf = SimpleUploadedFile("总结.pdf", PDF_BYTES)
    xlsx = SimpleUploadedFile("名单.xlsx", xlsx_bytes())
    assert _upload(client, activity, pdf, kind="document").status_code == 302
    assert _upload(client, activity, xlsx, kind="document").status_code == 302
    pdf_file, xlsx_file = ActivityFile.objects.order_by("pk")
    assert xlsx_file.content_type.endswith("spreadsheetml.sheet")
    response = client_for("recipient").get(
        reverse("activities:evidence_file", args=[activity.pk, pdf_file.pk])
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_photo_is_served_inline_only_to_viewers(world, client_for):
    activity = record(world)
    _upload(client_for("helper"), activity, jpeg_with_gps())
    evidence = ActivityFile.objects.get()
    url = reverse("activities:evidence_file", args=[activity.pk, evidence.pk])
    response = client_for("coordinator").get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"].startswith("inline")
    assert client_for("outsider").get(url).status_code == 404
    # A file of another activity is not reachable through this one.
    other = record(world, title="另一次活动")
    wrong = reverse("activities:evidence_file", args=[other.pk, evidence.pk])
    assert client_for("helper").get(wrong).status_code == 404


def test_recipient_cannot_add_evidence_to_helper_activity(world, client_for):
    activity = record(world)
    response = _upload(client_for("recipient"), activity, jpeg_with_gps())
    assert response.status_code == 403
    assert ActivityFile.objects.count() == 0
