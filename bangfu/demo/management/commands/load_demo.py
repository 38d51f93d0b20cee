import time

from django.core.management.base import BaseCommand

from bangfu.demo import loader


class Command(BaseCommand):
    help = "Load the demo data from the seed articles (idempotent), then print the demo logins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--skip-regions",
            action="store_true",
            help="Do not load the national region registry first, even when it is absent.",
        )

    def handle(self, *args, skip_regions=False, **options):
        started = time.monotonic()
        summary = loader.load_demo(ensure_registry=not skip_regions, stdout=self.stdout)
        created = ", ".join(f"{n} {kind}" for kind, n in summary.created.items()) or "nothing"
        self.stdout.write(f"Created {created} in {time.monotonic() - started:.1f}s.")
        for note in summary.notes:
            self.stdout.write(f"Note: {note}")
        loader.report(self.stdout)
