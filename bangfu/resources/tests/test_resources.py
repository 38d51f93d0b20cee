import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from bangfu.audit.models import AuditEntry
from bangfu.resources.models import SharedResource
from conftest import make_pairing, make_user

from .factories import PDF, make_resource

MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64


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


def _upload(name, content):
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def _data(w, **overrides):
    data = {
        "title": "《老王》课堂实录",
        "kind": "recorded_lesson",
        "owner": w.bj9.pk,
        "scope": "pairing",
        "pairing": w.p_bj9_xizi.pk,
        "subject": "语文",
        "stage": "junior",
        "description": "",
    }
    data.update(overrides)
    return data


def _counts():
    # Logging in writes its own entry; only the records' entries count here.
    return SharedResource.objects.count(), AuditEntry.objects.exclude(action="login").count()


@pytest.mark.parametrize(
    "name, content, mime",
    [
        ("课件.pdf", PDF, "application/pdf"),
        ("照片.png", None, "image/png"),
        (
            "课件.pptx",
            _zip("[Content_Types].xml", "ppt/presentation.xml"),
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ),
        (
            "成绩.xlsx",
            _zip("[Content_Types].xml", "xl/workbook.xml"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        (
            "教案.docx",
            _zip("[Content_Types].xml", "word/document.xml"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("实录.mp4", MP4, "video/mp4"),
    ],
)
def test_accepted_types_detected_by_content(client_for, world, name, content, mime):
    data = _data(world, file=_upload(name, content or _png()))
    response = client_for("helper").post(reverse("resources:create"), data)
    assert response.status_code == 302, response.context["form"].errors
    resource = SharedResource.objects.get()
    assert resource.content_type == mime
    assert resource.original_name == name
    assert resource.created_by == world.helper
    assert AuditEntry.objects.filter(model="resources.SharedResource", action="create").exists()


@pytest.mark.parametrize(
    "name, content",
    [
        ("课件.pdf", b"<html><script>alert(1)</script></html>"),
        ("课件.pptx", _zip("something.txt")),
        ("病毒.exe", b"MZ\x90\x00" + b"\x00" * 60),
    ],
)
def test_wrong_content_refused_and_nothing_saved(client_for, world, name, content):
    client = client_for("helper")
    before = _counts()
    response = client.post(reverse("resources:create"), _data(world, file=_upload(name, content)))
    assert response.status_code == 200
    assert "只能上传" in response.context["form"].errors["file"][0]
    assert _counts() == before


def test_size_limits_differ_for_video(client_for, world, settings):
    settings.UPLOAD_MAX_BYTES = 50
    settings.BANGFU_VIDEO_MAX_BYTES = 1000
    client = client_for("helper")
    response = client.post(reverse("resources:create"), _data(world, file=_upload("a.pdf", PDF)))
    assert "文件过大" in response.context["form"].errors["file"][0]
    response = client.post(reverse("resources:create"), _data(world, file=_upload("v.mp4", MP4)))
    assert response.status_code == 302
    settings.BANGFU_VIDEO_MAX_BYTES = 10
    response = client.post(reverse("resources:create"), _data(world, file=_upload("v.mp4", MP4)))
    assert "文件过大" in response.context["form"].errors["file"][0]
    assert SharedResource.objects.count() == 1


def test_file_required_on_create(client_for, world):
    response = client_for("helper").post(reverse("resources:create"), _data(world))
    assert response.context["form"].errors["file"] == ["请选择要上传的文件。"]


def test_pairing_scope_needs_owner_as_party(client_for, world):
    client = client_for("coordinator")
    before = _counts()
    # 石景山外语实验小学 is in the coordinator's region but not a party of the pairing.
    data = _data(world, owner=world.wyxx.pk, file=_upload("a.pdf", PDF))
    response = client.post(reverse("resources:create"), data)
    assert response.context["form"].errors["pairing"] == ["提供单位不是该结对关系的一方。"]
    assert _counts() == before


def test_recipient_cannot_share_in_helpers_name(client_for, world):
    client = client_for("recipient")
    before = _counts()
    response = client.post(reverse("resources:create"), _data(world, file=_upload("a.pdf", PDF)))
    assert response.status_code == 200
    assert response.context["form"].errors["owner"]
    assert _counts() == before


def test_foreign_pairing_is_invalid_choice(client_for, world):
    client = client_for("helper")
    before = _counts()
    data = _data(world, pairing=world.p_nm_daidai.pk, file=_upload("a.pdf", PDF))
    response = client.post(reverse("resources:create"), data)
    assert response.context["form"].errors["pairing"]
    assert _counts() == before


def test_pairing_scope_visible_only_inside_pairing(client_for, world):
    resource = make_resource(world)
    url = reverse("resources:detail", args=[resource.pk])
    for role in ("helper", "recipient", "coordinator"):
        assert client_for(role).get(url).status_code == 200, role
    for role in ("outsider", "other_coordinator"):
        assert client_for(role).get(url).status_code == 404, role
    for role in ("auditor", "sysadmin", "secadmin"):
        assert client_for(role).get(url).status_code == 403, role


def test_all_partners_scope_reaches_every_partner(client, world):
    # 宁城县高级中学 is paired with 北京九中 in a second pairing.
    make_pairing([world.bj9], [world.ncgz])
    ncgz_staff = make_user("ncgz", "school_staff", world.ncgz)
    client.force_login(ncgz_staff)
    in_pairing = make_resource(world)
    for_all = make_resource(world, title="校本教材", scope="all_partners", pairing=None)
    assert client.get(reverse("resources:detail", args=[in_pairing.pk])).status_code == 404
    assert client.get(reverse("resources:detail", args=[for_all.pk])).status_code == 200
    listed = list(client.get(reverse("resources:list")).context["page_obj"])
    assert listed == [for_all]


def test_outsider_cannot_download(client_for, world):
    resource = make_resource(world)
    url = reverse("resources:download", args=[resource.pk])
    assert client_for("outsider").get(url).status_code == 404


def test_download_is_an_attachment_with_nosniff(client_for, world):
    resource = make_resource(world)
    response = client_for("recipient").get(reverse("resources:download", args=[resource.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content) == PDF


def test_edit_replaces_file_and_refuses_stale_form(client_for, world):
    resource = make_resource(world)
    client = client_for("helper")
    url = reverse("resources:edit", args=[resource.pk])
    data = _data(world, version=resource.version, file=_upload("新课件.png", _png()))
    assert client.post(url, data).status_code == 302
    resource.refresh_from_db()
    assert resource.content_type == "image/png" and resource.version == 2
    response = client.post(url, _data(world, title="旧表单", version=1))
    assert "已被他人修改" in response.content.decode()
    resource.refresh_from_db()
    assert resource.title != "旧表单"


def test_list_filters_and_search(client_for, world):
    make_resource(world)
    make_resource(world, title="英语听说材料", kind="teaching_material", subject="英语")
    client = client_for("recipient")

    def titles(**params):
        response = client.get(reverse("resources:list"), params)
        return [r.title for r in response.context["page_obj"]]

    assert titles(q="听说") == ["英语听说材料"]
    assert titles(kind="courseware") == ["《离散型随机变量》课件"]
    assert titles(subject="数学") == ["《离散型随机变量》课件"]
    assert len(titles(stage="senior", pairing=world.p_bj9_xizi.pk)) == 2


def _list_queries(client):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("resources:list"))
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_list_query_count_is_constant(client_for, world):
    client = client_for("coordinator")
    for _ in range(3):
        make_resource(world)
    few = _list_queries(client)
    for _ in range(27):
        make_resource(world, owner=world.wyxx, scope="all_partners", pairing=None)
    many = _list_queries(client)
    assert few == many
