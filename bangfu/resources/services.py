"""Writes to shared resources: checked, in one transaction, each write audited (bangfu.audit.signals)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bangfu.audit import services as audit
from bangfu.core.forms import save_versioned
from bangfu.orgs.models import Organisation
from bangfu.pairings.models import Pairing
from bangfu.pairings.services import PAIRING_DELETED

from . import rules, uploads
from .models import SharedResource

RESOURCE_FIELDS = ["title", "kind", "owner", "scope", "pairing", "subject", "stage", "description"]
INVALID_CHOICE = gettext_lazy("选择一个有效的选项。")


def _add(errors: dict[str, list[str]], field: str, message) -> None:
    errors.setdefault(field, []).append(str(message))


def _check(values: dict, file, *, actor, require_file: bool):
    errors: dict[str, list[str]] = {}
    owner, pairing = values.get("owner"), values.get("pairing")
    # A foreign id is refused as an invalid choice: its existence is never confirmed.
    if (
        owner is not None
        and not Organisation.objects.visible_to(actor).filter(pk=owner.pk).exists()
    ):
        _add(errors, "owner", INVALID_CHOICE)
        owner = None
    if pairing is not None and not Pairing.objects.visible_to(actor).filter(pk=pairing.pk).exists():
        _add(errors, "pairing", INVALID_CHOICE)
        pairing = None
    if owner is None and "owner" not in errors:
        _add(errors, "owner", _("请选择提供单位。"))
    elif owner is not None and not rules.can_share_for(actor, owner):
        _add(errors, "owner", _("您只能以本单位（或本辖区单位）的名义共享资源。"))
    if values.get("scope") == SharedResource.Scope.PAIRING:
        if pairing is None and "pairing" not in errors:
            _add(errors, "pairing", _("共享范围为本结对时，须选择结对关系。"))
        elif pairing is not None and owner is not None:
            if not pairing.parties.filter(organisation=owner).exists():
                _add(errors, "pairing", _("提供单位不是该结对关系的一方。"))
    detected = None
    if file is not None:
        try:
            detected = uploads.check_resource_file(file)
        except ValidationError as exc:
            errors.setdefault("file", []).extend(exc.messages)
    elif require_file:
        _add(errors, "file", _("请选择要上传的文件。"))
    if errors:
        raise ValidationError(errors)
    return detected


def _attach(resource: SharedResource, file, detected: tuple[str, str]) -> None:
    mime, ext = detected
    resource.original_name = (getattr(file, "name", "") or f"resource.{ext}")[:200]
    resource.content_type = mime
    resource.size = file.size
    # The stored name takes the detected extension, whatever the upload was called.
    resource.file.save(f"resource.{ext}", file, save=False)


def _clean(values: dict) -> dict:
    values = {f: values.get(f) for f in RESOURCE_FIELDS}
    for f in ("subject", "stage", "description"):
        values[f] = values[f] or ""
    if values["scope"] == SharedResource.Scope.ALL_PARTNERS:
        # Shared with every partner: tying it to one pairing would narrow nothing.
        values["pairing"] = None
    return values


@audit.attributed
@transaction.atomic
def create_resource(*, actor, file=None, **values) -> SharedResource:
    """Reads the upload's first bytes (and a zip's directory) to check its type."""
    values = _clean(values)
    detected = _check(values, file, actor=actor, require_file=True)
    resource = SharedResource(created_by=actor, updated_by=actor, **values)
    _attach(resource, file, detected)
    resource.save()
    return resource


@audit.attributed
@transaction.atomic
def update_resource(
    resource: SharedResource, *, actor, version: int | None, file=None, **values
) -> SharedResource:
    """A new ``file`` replaces the old one; None keeps it. Raises StaleEdit on a stale version."""
    merged = _clean({f: values.get(f, getattr(resource, f)) for f in RESOURCE_FIELDS})
    detected = _check(merged, file, actor=actor, require_file=False)
    for field, value in merged.items():
        setattr(resource, field, value)
    resource.updated_by = actor
    fields = RESOURCE_FIELDS + ["updated_by", "updated_at"]
    if file is not None:
        _attach(resource, file, detected)
        fields += ["file", "original_name", "content_type", "size"]
    save_versioned(resource, version, fields)
    return resource


# --- deletion (recycle bin) --------------------------------------------------------


def can_delete_resource(user, resource: SharedResource) -> bool:
    return rules.can_edit_resource(user, resource)


@audit.attributed
@transaction.atomic
def delete_resource(resource: SharedResource, *, actor) -> SharedResource:
    """Move the resource to the recycle bin; its file stays, for a restore."""
    resource = SharedResource.objects.select_for_update(of=("self",)).get(pk=resource.pk)
    if not can_delete_resource(actor, resource):
        raise PermissionDenied
    resource.mark_deleted(actor=actor, when=timezone.now())
    return resource


@audit.attributed
@transaction.atomic
def restore_resource(resource: SharedResource, *, actor) -> SharedResource:
    resource = (
        SharedResource.objects.with_deleted()
        .select_for_update(of=("self",))
        .get(pk=resource.pk, deleted_at__isnull=False)
    )
    if not can_delete_resource(actor, resource):
        raise PermissionDenied
    if resource.pairing_id and resource.pairing.is_deleted:
        raise ValidationError(PAIRING_DELETED)
    resource.mark_restored()
    return resource
