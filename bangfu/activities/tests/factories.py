"""Small builders for the ledger tests (own ones, so other apps' factories can change freely)."""

import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from bangfu.activities import services


def activity_values(**overrides) -> dict:
    values = {
        "type": "lecture",
        "title": "初中数学专题讲座",
        "start_date": dt.date(2019, 10, 8),
        "end_date": dt.date(2019, 10, 9),
        "mode": "offline",
        "direction": "to_recipient",
        "place": "汐子中学",
        "sessions": 2,
        "helper_headcount": 3,
        "recipient_headcount": 40,
        "person_times": 80,
        "backbone_count": 2,
        "subjects": "数学",
        "lesson_titles": "《离散型随机变量》\n《老王》",
        "led_by": "helper",
        "outcome": "",
    }
    values.update(overrides)
    return values


def record(w, actor=None, pairing=None, **overrides):
    return services.record_activity(
        actor=actor or w.helper,
        pairing=pairing if pairing is not None else w.p_bj9_xizi,
        **activity_values(**overrides),
    )


def make_task(pairing, title="数学教研"):
    from bangfu.plans.models import Plan, PlanTask

    plan = Plan.objects.create(pairing=pairing, academic_year=2019, term=1, title="秋季帮扶计划")
    return PlanTask.objects.create(plan=plan, title=title)


def make_need(pairing, organisation, title="数学教学指导"):
    from bangfu.needs.models import Need, NeedCategory

    category, _ = NeedCategory.objects.get_or_create(name="学科教学")
    return Need.objects.create(
        pairing=pairing, organisation=organisation, category=category, title=title
    )


def post_data(**overrides) -> dict:
    data = {k: ("" if v is None else v) for k, v in activity_values().items()}
    data["start_date"] = "2019-10-08"
    data["end_date"] = "2019-10-09"
    data.update(overrides)
    return data


def jpeg_with_gps(name="photo.jpg") -> SimpleUploadedFile:
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (39.0, 54.0, 27.0)
    gps[3] = "E"
    gps[4] = (116.0, 23.0, 17.0)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (10, 10), (0, 0, 0, 0)).save(out, "PNG")
    return out.getvalue()


def xlsx_bytes() -> bytes:
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return out.getvalue()


PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200
