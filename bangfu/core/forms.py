"""Form helpers shared by every app: optimistic locking and Chinese error messages."""

from __future__ import annotations

from django import forms
from django.db import models, transaction
from django.db.models import signals
from django.utils.translation import gettext_lazy as _

CONFLICT_MESSAGE = _("该记录已被他人修改,您的修改未保存。请刷新页面查看最新内容后再修改。")


class StaleEdit(Exception):
    """The record changed since the form was opened: the save is refused."""


class VersionedFormMixin(forms.Form):
    """Carries the record's version in a hidden field; a save from a stale form is refused."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = getattr(self, "instance", None)
        if instance is not None and instance.pk:
            self.fields["version"].initial = instance.version


def save_versioned(instance: models.Model, expected_version: int | None, fields: list[str]) -> None:
    """UPDATE ... WHERE version = expected; raises StaleEdit when someone saved in between.

    The UPDATE goes through a queryset, which sends no model signals; this sends
    pre_save and post_save itself (with ``update_fields``), in the same
    transaction, so receivers that keep derived data (the statistics roll-ups)
    or the audit trail see a versioned save like any other save.
    """
    model = type(instance)
    if expected_version is None:
        raise StaleEdit
    values = {f: getattr(instance, model._meta.get_field(f).attname) for f in fields}
    for f in fields:
        field = model._meta.get_field(f)
        if getattr(field, "auto_now", False):
            values[f] = field.pre_save(instance, add=False)
    update_fields = frozenset([*fields, "version"])
    using = model.objects.db
    with transaction.atomic():
        signals.pre_save.send(
            sender=model, instance=instance, raw=False, using=using, update_fields=update_fields
        )
        updated = model.objects.filter(pk=instance.pk, version=expected_version).update(
            version=models.F("version") + 1, **values
        )
        if updated != 1:
            raise StaleEdit
        instance.version = expected_version + 1
        signals.post_save.send(
            sender=model,
            instance=instance,
            created=False,
            raw=False,
            using=using,
            update_fields=update_fields,
        )
