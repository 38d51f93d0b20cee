"""Abstract bases shared by the business records of every app."""

from django.conf import settings
from django.db import models

from bangfu.lib import textnorm


class LiveManager(models.Manager):
    """Leaves soft-deleted records out, so every list, figure and look-up does.

    ``with_deleted()`` is the way to the deleted ones (the recycle bin, restore).
    Relations from a record to another (``activity.pairing``) still reach a
    deleted one: Django follows them through the plain base manager.
    """

    def get_queryset(self):
        queryset = super().get_queryset()
        if is_soft_deletable(self.model):
            queryset = queryset.filter(deleted_at__isnull=True)
        return queryset

    def with_deleted(self):
        return super().get_queryset()


class LiveQuerySet(models.QuerySet):
    """Base of the business records' querysets: ``as_manager()`` gives a :class:`LiveManager`."""

    def as_manager(cls):
        manager = LiveManager.from_queryset(cls)()
        manager._built_with_as_manager = True
        return manager

    as_manager.queryset_only = True
    as_manager = classmethod(as_manager)

    def deleted(self):
        """On ``with_deleted()``: the soft-deleted records, most recently deleted first."""
        return self.filter(deleted_at__isnull=False).order_by("-deleted_at", "-pk")


def is_soft_deletable(model) -> bool:
    return issubclass(model, DeletableModel)


class TrackedModel(models.Model):
    """Who created and last changed a record, and the version used for optimistic locking."""

    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        abstract = True


class DeletableModel(TrackedModel):
    """A business record whose deletion only marks it (``deleted_at``, ``deleted_by``).

    The row, its links and its history stay, and it can be restored from the
    recycle bin. Managers built from :class:`LiveQuerySet` leave marked records
    out, so lists, figures and look-ups never see them.
    """

    deleted_at = models.DateTimeField(null=True, blank=True, editable=False)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        abstract = True

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    def mark_deleted(self, *, actor, when) -> None:
        """Mark and save; the caller runs in a transaction. Audited as a delete."""
        self.deleted_at = when
        self.deleted_by = actor if getattr(actor, "is_authenticated", False) else None
        self._save_deletion()

    def mark_restored(self) -> None:
        """Clear the mark and save. Audited as a restore."""
        self.deleted_at = None
        self.deleted_by = None
        self._save_deletion()

    def _save_deletion(self) -> None:
        # A form opened before is stale now.
        self.version += 1
        self.save(update_fields=["deleted_at", "deleted_by", "version"])


class SearchableQuerySet(LiveQuerySet):
    """Search over ``search_text`` (see bangfu.lib.textnorm): any script, pinyin or initials."""

    def search(self, query: str):
        folded = textnorm.fold_query(query)
        if not folded:
            return self
        return self.filter(search_text__contains=folded)


class Unit(models.TextChoices):
    """Units of quantified targets and counts, as the reports write them."""

    PERSON_TIMES = "人次", "人次"
    PEOPLE = "名", "名"
    SESSIONS = "场", "场"
    LESSONS = "节", "节"
    TIMES = "次", "次"
    BATCHES = "批次", "批次"
    SCHOOLS = "所", "所"
    ITEMS = "项", "项"
    YUAN = "元", "元"
