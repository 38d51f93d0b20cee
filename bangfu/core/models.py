"""Abstract bases shared by the business records of every app."""

from django.conf import settings
from django.db import models

from bangfu.lib import textnorm


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


class SearchableQuerySet(models.QuerySet):
    """Search over ``search_text`` (see bangfu.lib.textnorm): any script, pinyin or initials."""

    def search(self, query: str):
        folded = textnorm.fold_query(query)
        if not folded:
            return self
        return self.filter(search_text__contains=folded)
