"""The upload attack corpus: each file refused with a Chinese message, nothing stored."""

import hashlib
import io
import time
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from bangfu.pairings.models import Agreement
from bangfu.security import backup, uploads

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
CONTENT_TYPES = (
    '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    'content-types"/>'
)
XXE = (
    '<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    "<sst><si><t>&xxe;</t></si></sst>"
)


def _office(parts: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        for name, text in parts.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def zip_bomb() -> bytes:
    """A few KB whose directory declares a 4 GB member (nothing needs decompressing)."""
    data = bytearray(_office({"word/document.xml": "<w/>", "word/big.xml": "<x/>"}))
    # Patch the declared uncompressed size of word/big.xml in the central directory.
    central = data.rfind(b"PK\x01\x02", 0, data.rfind(b"word/big.xml"))
    data[central + 24 : central + 28] = (0xFFFFFFF0).to_bytes(4, "little")
    return bytes(data)


def xlsx_with_external_entity() -> bytes:
    return _office({"xl/workbook.xml": "<workbook/>", "xl/sharedStrings.xml": XXE})


def docm_with_macro() -> bytes:
    return _office({"word/document.xml": "<w/>", "word/vbaProject.bin": "\x00macro"})


def polyglot() -> bytes:
    return PDF + _office({"word/document.xml": "<w/>"})


def exe_named_pdf() -> bytes:
    return b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


def corrupt_zip() -> bytes:
    data = _office({"word/document.xml": "<w>" + "x" * 5000 + "</w>"})
    return data[:-40]


CORPUS = {
    "zip-bomb.docx": (zip_bomb, "压缩炸弹"),
    "xxe.xlsx": (xlsx_with_external_entity, "外部实体"),
    "macro.docx": (docm_with_macro, "宏"),
    "polyglot.pdf": (polyglot, "夹带了压缩包"),
    "setup.pdf": (exe_named_pdf, "只能上传 PDF"),
    "corrupt.docx": (corrupt_zip, "已损坏"),
}


def _fingerprint() -> tuple[dict[str, int], str]:
    digest = hashlib.sha256()
    for name, path in backup.media_files().items():
        digest.update(name.encode() + path.read_bytes())
    for row in Agreement.objects.order_by("pk").values_list():
        digest.update(repr(row).encode())
    return backup.table_counts(), digest.hexdigest()


def _agreement_data(document):
    return {
        "title": "北京九中与汐子中学帮扶协议",
        "signed_on": "2019-03-01",
        "term_start": "2019-03-01",
        "term_end": "2022-02-28",
        "principles": "以强带弱",
        "method": "paper",
        "note": "",
        "document": document,
    }


@pytest.mark.parametrize("name", list(CORPUS) + ["oversize.pdf"])
def test_attack_corpus_is_refused_in_chinese_and_nothing_is_stored(
    client_for, world, name, settings
):
    if name == "oversize.pdf":
        settings.UPLOAD_MAX_BYTES = 1000
        content, marker = PDF + b"%" * 2000, "文件过大"
    else:
        make, marker = CORPUS[name]
        content = make()
    client = client_for("helper")  # signing in writes a session row: before the fingerprint
    url = reverse("pairings:agreement_create", args=[world.p_bj9_xizi.pk])
    before = _fingerprint()
    response = client.post(url, _agreement_data(SimpleUploadedFile(name, content)))
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["document"])
    assert marker in errors
    assert _fingerprint() == before


@pytest.mark.parametrize("name", list(CORPUS))
def test_evidence_and_resource_wrappers_refuse_the_corpus_too(name):
    from bangfu.activities import uploads as evidence

    make, _marker = CORPUS[name]
    with pytest.raises(ValidationError):
        evidence.check_document(SimpleUploadedFile(name, make()))


def test_zip_bomb_is_refused_within_two_seconds():
    started = time.monotonic()
    with pytest.raises(ValidationError) as caught:
        uploads.sniff(SimpleUploadedFile("b.docx", zip_bomb()))
    assert caught.value.code == "zip_bomb"
    assert time.monotonic() - started < 2


def test_highly_compressed_member_is_a_bomb(settings):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("word/document.xml", "<w>" + " " * (8 * 1024 * 1024) + "</w>")
    with pytest.raises(ValidationError) as caught:
        uploads.sniff(SimpleUploadedFile("b.docx", buffer.getvalue()))
    assert caught.value.code == "zip_bomb"


def test_too_many_members_is_refused(settings):
    settings.UPLOAD_ZIP_MAX_MEMBERS = 3
    content = _office({f"word/p{i}.xml": "<p/>" for i in range(5)} | {"word/document.xml": "<w/>"})
    with pytest.raises(ValidationError) as caught:
        uploads.sniff(SimpleUploadedFile("m.docx", content))
    assert caught.value.code == "zip_bomb"


def test_entity_expansion_is_refused():
    billion = (
        '<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><w>&b;</w>'
    )
    with pytest.raises(ValidationError) as caught:
        uploads.sniff(SimpleUploadedFile("l.docx", _office({"word/document.xml": billion})))
    assert caught.value.code == "unsafe_xml"


def test_clean_office_files_pass():
    docx = _office({"word/document.xml": "<w/>"})
    assert uploads.sniff(SimpleUploadedFile("a.docx", docx)) == uploads.DOCX_MIME
    xlsx = _office({"xl/workbook.xml": "<workbook/>", "xl/sharedStrings.xml": "<sst/>"})
    assert uploads.sniff(SimpleUploadedFile("a.xlsx", xlsx)) == uploads.XLSX_MIME


def test_image_with_zip_appended_is_a_polyglot():
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, "JPEG")
    content = buffer.getvalue() + _office({"word/document.xml": "<w/>"})
    with pytest.raises(ValidationError) as caught:
        uploads.sniff(SimpleUploadedFile("a.jpg", content))
    assert caught.value.code == "polyglot"


def test_clean_image_drops_exif_and_applies_orientation():
    image = Image.new("RGB", (40, 20), "blue")
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° on display
    exif[0x010F] = "PhoneMaker"
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif.tobytes())
    clean, mime, ext = uploads.clean_image(SimpleUploadedFile("p.jpg", buffer.getvalue()))
    with Image.open(io.BytesIO(clean.read())) as result:
        assert (mime, ext) == ("image/jpeg", "jpg")
        assert result.size == (20, 40)
        assert not result.getexif()
        assert b"PhoneMaker" not in clean.file.getvalue()


def test_image_over_the_pixel_limit_is_refused(settings):
    settings.UPLOAD_IMAGE_MAX_PIXELS = 100
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), "red").save(buffer, "PNG")
    with pytest.raises(ValidationError) as caught:
        uploads.sniff(SimpleUploadedFile("big.png", buffer.getvalue()))
    assert caught.value.code == "bad_image"


def test_temporary_upload_files_are_removed_after_a_refused_upload(
    client_for, world, settings, tmp_path
):
    temp_dir = tmp_path / "uploads-tmp"
    temp_dir.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(temp_dir)
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024  # force a file on disk
    url = reverse("pairings:agreement_create", args=[world.p_bj9_xizi.pk])
    content = exe_named_pdf() + b"\x00" * 10_000
    response = client_for("helper").post(url, _agreement_data(SimpleUploadedFile("a.pdf", content)))
    assert response.status_code == 200
    assert list(temp_dir.iterdir()) == []
