"""Roll-ups of the activity ledger, kept current in the same transaction as each write.

Region figures above the county (a prefecture, a province, the whole country)
read these tables instead of the millions of activity rows under them; a county,
a school or a pairing is read from the ledger itself (bangfu/stats/scope.py), where
the covering indexes make it a short index range. Derived data: rebuilt from the
ledger by ``manage.py rebuild_rollups`` and checked against it by the tests.

``region_id`` and ``other_id`` are plain integers, not foreign keys: 0 stands for
"the whole country" and "no region", so the unique key holds no NULL and an
upsert (INSERT … ON CONFLICT) works the same on SQLite and PostgreSQL.
"""

from django.db import models


class Role(models.TextChoices):
    ALL = "all", "all"
    HELPER = "helper", "helper"
    RECIPIENT = "recipient", "recipient"


class ActivityRollup(models.Model):
    """Activities by type × direction × led-by and month, per region (province, prefecture, country)."""

    role = models.CharField(max_length=10, choices=Role.choices)
    region_id = models.IntegerField()
    month = models.DateField()
    type = models.CharField(max_length=24)
    direction = models.CharField(max_length=20)
    led_by = models.CharField(max_length=20)
    n = models.BigIntegerField(default=0)
    sessions = models.BigIntegerField(default=0)
    person_times = models.BigIntegerField(default=0)
    trained = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["role", "region_id", "month", "type", "direction", "led_by"],
                name="activity_rollup_key",
            )
        ]

    def __str__(self):
        return f"{self.role} {self.region_id} {self.month:%Y-%m} {self.type}"


class ActivityRollupOther(models.Model):
    """Activities by the other side's region (its prefecture) and month, per region."""

    role = models.CharField(max_length=10, choices=Role.choices)
    region_id = models.IntegerField()
    month = models.DateField()
    # The other side's prefecture (or its own region when it has none); 0: none.
    other_id = models.IntegerField()
    n = models.BigIntegerField(default=0)
    person_times = models.BigIntegerField(default=0)
    trained = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["role", "region_id", "month", "other_id"],
                name="activity_rollup_other_key",
            )
        ]

    def __str__(self):
        return f"{self.role} {self.region_id} {self.month:%Y-%m} → {self.other_id}"
