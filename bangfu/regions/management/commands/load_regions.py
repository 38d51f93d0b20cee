import time

from django.core.management.base import BaseCommand

from bangfu.regions.importer import RegionImporter
from bangfu.regions.models import Region


class Command(BaseCommand):
    help = "Load the national register of divisions (province to town) from the jionlp package."

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-supplement",
            action="store_true",
            help="Load the packaged source only, without bangfu's supplement (雄安新区, aliases).",
        )

    def handle(self, *args, **options):
        started = time.monotonic()
        importer = RegionImporter.from_package(with_supplement=not options["no_supplement"])
        stats = importer.run()
        for level, label in Region.Level.choices:
            self.stdout.write(
                f"{label}: {stats[f'level{level}_total']} in source, "
                f"{stats[f'level{level}_created']} created, "
                f"{stats[f'level{level}_updated']} updated"
            )
        self.stdout.write(f"aliases created: {stats['aliases_created']}")
        if stats["changes_unmatched"]:
            self.stdout.write(
                f"renamings whose new name is not in the tree: {stats['changes_unmatched']}"
            )
        self.stdout.write(f"done in {time.monotonic() - started:.1f} s")
