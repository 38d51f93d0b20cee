from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from bangfu.demo import loader


class Command(BaseCommand):
    help = (
        "Demo mode only: delete every row except the region registry (organisations, people, "
        "pairings, accounts, audit trail, sessions …), then load the demo again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--noinput", "--no-input", action="store_false", dest="interactive", default=True
        )
        parser.add_argument("--skip-regions", action="store_true")

    def handle(self, *args, interactive=True, skip_regions=False, **options):
        if not settings.DEMO_MODE:
            raise CommandError("reset_demo runs only in demo mode (BANGFU_DEMO=1).")
        if interactive:
            answer = input("Delete all data except the region registry and reload the demo? [y/N] ")
            if answer.strip().lower() not in {"y", "yes"}:
                raise CommandError("Cancelled.")
        tables = loader.clear_demo()
        self.stdout.write(f"Cleared {len(tables)} tables.")
        call_command("load_demo", skip_regions=skip_regions, stdout=self.stdout)
