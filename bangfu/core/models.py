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
