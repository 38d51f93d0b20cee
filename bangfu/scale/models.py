from django.db import models


class GeneratedDataset(models.Model):
    """One run of the scale generator: what it wrote, so a re-run can refuse or replace it.

    The demo also marks its filler rows ``is_generated``; the id ranges here keep
    the two apart, so ``generate --replace`` never deletes the demo's rows.
    """

    scale = models.CharField(max_length=20)
    seed = models.IntegerField()
    years = models.PositiveSmallIntegerField()
    # {"<db table>": [first id, last id]} per table written.
    id_ranges = models.JSONField(default=dict)
    row_counts = models.JSONField(default=dict)
    # Rows per second per table, as printed by the command.
    rates = models.JSONField(default=dict)
    # The province the bench reads as "a whole province" (a recipient province).
    focus_province = models.ForeignKey(
        "regions.Region", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    date_from = models.DateField()
    date_until = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.scale} seed={self.seed}"
