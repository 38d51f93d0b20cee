from django.core.management.base import BaseCommand, CommandError

from bangfu.audit.retention import verify_trail


class Command(BaseCommand):
    help = (
        "Verify the audit trail's hash chain from the last purge point (or its beginning); "
        "report the first altered, inserted or removed entry."
    )

    def handle(self, *args, **options):
        finding, count = verify_trail()
        if finding is not None:
            raise CommandError(f"audit chain broken at {finding}")
        self.stdout.write(self.style.SUCCESS(f"audit chain intact: {count} entries"))
