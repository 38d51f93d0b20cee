"""manage.py rebuild_rollups [--check]: recompute the statistics roll-ups from the activity ledger."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from bangfu.stats import rollup
from bangfu.stats.models import ActivityRollup, ActivityRollupOther


def _contents():
    main = set(
        ActivityRollup.objects.filter(n__gt=0).values_list(
            "role",
            "region_id",
            "month",
            "type",
            "direction",
            "led_by",
            "n",
            "sessions",
            "person_times",
            "trained",
        )
    )
    other = set(
        ActivityRollupOther.objects.filter(n__gt=0).values_list(
            "role", "region_id", "month", "other_id", "n", "person_times", "trained"
        )
    )
    return main, other


class Command(BaseCommand):
    help = "重新计算统计汇总表(批量写入活动之后);--check 只核对,不修改。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--check", action="store_true", help="核对汇总表与台账是否一致,不一致时退出码为 1"
        )

    def handle(self, *args, check=False, **options):
        started = time.perf_counter()
        if check:
            with transaction.atomic():
                kept = _contents()
                rollup.rebuild()
                fresh = _contents()
                transaction.set_rollback(True)
            if kept != fresh:
                raise CommandError(
                    f"统计汇总表与台账不一致:{len(kept[0] ^ fresh[0])} 条月度汇总、"
                    f"{len(kept[1] ^ fresh[1])} 条分地区汇总不同。请运行 manage.py rebuild_rollups。"
                )
            self.stdout.write(f"统计汇总表与台账一致({time.perf_counter() - started:.1f} 秒)。")
            return
        sizes = rollup.rebuild()
        self.stdout.write(
            f"已重新计算统计汇总表:{sizes['main']:,} 条月度汇总、{sizes['other']:,} 条分地区汇总,"
            f"用时 {time.perf_counter() - started:.1f} 秒。"
        )
