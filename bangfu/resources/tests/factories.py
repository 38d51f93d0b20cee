"""Small factories for shared resources."""

from django.core.files.base import ContentFile

from bangfu.resources.models import SharedResource

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def make_resource(w, **extra) -> SharedResource:
    values = dict(
        title="《离散型随机变量》课件",
        kind=SharedResource.Kind.COURSEWARE,
        owner=w.bj9,
        scope=SharedResource.Scope.PAIRING,
        pairing=w.p_bj9_xizi,
        subject="数学",
        stage="senior",
        original_name="课件.pdf",
        content_type="application/pdf",
        size=len(PDF),
    )
    values.update(extra)
    resource = SharedResource(**values)
    resource.file.save("resource.pdf", ContentFile(PDF), save=False)
    resource.save()
    return resource
