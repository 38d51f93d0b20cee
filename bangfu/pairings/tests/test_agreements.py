import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from bangfu.audit.models import AuditEntry
from bangfu.pairings.models import Agreement

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, format="PNG")
    return buffer.getvalue()


def _zip(*names) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "<xml/>")
    return buffer.getvalue()


def _data(**overrides):
    data = {
        "title": "北京九中与汐子中学帮扶协议",
        "signed_on": "2019-03-01",
        "term_start": "2019-03-01",
        "term_end": "2022-02-28",
        "principles": "以强带弱、资源共享、紧密合作、均衡发展",
        "method": "paper",
        "note": "",
    }
    data.update(overrides)
    return data


def _create_url(world):
    return reverse("pairings:agreement_create", args=[world.p_bj9_xizi.pk])


@pytest.mark.parametrize(
    "name, content, mime",
    [
        ("协议.pdf", PDF, "application/pdf"),
        # Images are re-encoded without metadata; an opaque PNG is stored as JPEG.
        ("签字页.png", None, "image/jpeg"),
        (
            "协议.docx",
            _zip("[Content_Types].xml", "word/document.xml"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
    ],
)
def test_agreement_upload_accepted(client_for, world, name, content, mime):
    upload = SimpleUploadedFile(name, content or _png(), content_type="application/octet-stream")
    response = client_for("helper").post(_create_url(world), _data(document=upload))
    assert response.status_code == 302
    agreement = Agreement.objects.get()
    assert agreement.document_name == name and agreement.document_type == mime
    assert agreement.created_by == world.helper
    assert AuditEntry.objects.filter(model="pairings.Agreement", action="create").exists()


@pytest.mark.parametrize(
    "name, content",
    [
        ("协议.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64),
        ("协议.docx", _zip("readme.txt")),
        ("协议.pdf", b"just some text pretending"),
    ],
)
def test_agreement_upload_with_wrong_content_is_refused(client_for, world, name, content):
    upload = SimpleUploadedFile(name, content, content_type="application/pdf")
    response = client_for("helper").post(_create_url(world), _data(document=upload))
    assert response.status_code == 200
    assert "只能上传 PDF" in " ".join(response.context["form"].errors["document"])
    assert Agreement.objects.count() == 0


def test_oversize_upload_is_refused(client_for, world, settings):
    settings.UPLOAD_MAX_BYTES = 50
    upload = SimpleUploadedFile("协议.pdf", PDF + b"0" * 100, content_type="application/pdf")
    response = client_for("helper").post(_create_url(world), _data(document=upload))
    assert "文件过大" in " ".join(response.context["form"].errors["document"])
    assert Agreement.objects.count() == 0


def test_term_end_before_start_is_refused(client_for, world):
    response = client_for("helper").post(_create_url(world), _data(term_end="2018-01-01"))
    assert "结束日期不能早于开始日期" in " ".join(response.context["form"].errors["term_end"])
    assert Agreement.objects.count() == 0


@pytest.fixture
def agreement(client_for, world):
    upload = SimpleUploadedFile("协议.pdf", PDF, content_type="application/pdf")
    client_for("coordinator").post(_create_url(world), _data(document=upload))
    return Agreement.objects.get()


@pytest.mark.parametrize(
    "role, expected",
    [
        ("anonymous", 302),
        ("outsider", 404),
        ("other_coordinator", 404),
        ("helper", 200),
        ("recipient", 200),
        ("auditor", 403),
        ("sysadmin", 403),
        ("secadmin", 403),
    ],
)
def test_document_download_by_role(client_for, world, agreement, role, expected):
    url = reverse("pairings:agreement_document", args=[world.p_bj9_xizi.pk, agreement.pk])
    response = client_for(role).get(url)
    assert response.status_code == expected
    if expected == 200:
        assert response["Content-Type"] == "application/pdf"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Disposition"].startswith("attachment")
        assert b"".join(response.streaming_content) == PDF


def test_document_is_not_reachable_through_another_pairing(client_for, world, agreement):
    url = reverse("pairings:agreement_document", args=[world.p_nm_daidai.pk, agreement.pk])
    assert client_for("coordinator").get(url).status_code == 404


def test_stored_file_name_takes_detected_type(agreement):
    assert agreement.document.name.endswith(".pdf")
    assert agreement.document.name.startswith(f"agreements/{agreement.pairing_id}/")


def test_agreement_edit_replaces_document_and_refuses_stale_save(client_for, world, agreement):
    client = client_for("coordinator")
    url = reverse("pairings:agreement_edit", args=[world.p_bj9_xizi.pk, agreement.pk])
    assert client.get(url).status_code == 200
    upload = SimpleUploadedFile("盖章页.png", _png(), content_type="image/png")
    response = client.post(url, _data(title="新协议", version=1, document=upload))
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert (agreement.title, agreement.document_type, agreement.version) == (
        "新协议",
        "image/jpeg",
        2,
    )
    response = client.post(url, _data(title="旧表单", version=1))
    assert "已被他人修改" in response.content.decode()
    agreement.refresh_from_db()
    assert agreement.title == "新协议"


def test_auditor_cannot_edit_agreement(client_for, world, agreement):
    url = reverse("pairings:agreement_edit", args=[world.p_bj9_xizi.pk, agreement.pk])
    assert client_for("auditor").get(url).status_code == 403


def test_detail_shows_agreement_with_download_link(client_for, world, agreement):
    response = client_for("recipient").get(reverse("pairings:detail", args=[world.p_bj9_xizi.pk]))
    url = reverse("pairings:agreement_document", args=[world.p_bj9_xizi.pk, agreement.pk])
    assert url in response.content.decode()


def test_agreement_photo_is_stored_without_exif(world, client_for):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from bangfu.pairings import services
    from bangfu.pairings.models import Agreement

    image = Image.new("RGB", (40, 30), "white")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {2: (39, 54, 0)}  # GPS latitude
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    upload = SimpleUploadedFile("scan.jpg", buffer.getvalue(), content_type="image/jpeg")
    agreement = services.add_agreement(
        world.p_bj9_xizi,
        actor=world.coordinator,
        document=upload,
        title="扫描件",
        signed_on="2019-03-01",
        term_start="2019-03-01",
    )
    stored = Agreement.objects.get(pk=agreement.pk)
    with stored.document.open("rb") as fh, Image.open(fh) as reopened:
        assert not reopened.getexif()
    assert stored.document_type in {"image/jpeg", "image/png"}
