from django.core.management.base import BaseCommand, CommandError

from bangfu.audit import chain
from bangfu.audit.models import AuditEntry


class Command(BaseCommand):
    help = (
        "Verify the audit trail's hash chain; report the first altered, inserted or removed entry."
    )

    def handle(self, *args, **options):
        entries = AuditEntry.objects.order_by("seq").iterator(chunk_size=2000)
        finding = chain.verify(entries)
        count = AuditEntry.objects.count()
        if finding is not None:
            raise CommandError(f"audit chain broken at {finding}")
        self.stdout.write(self.style.SUCCESS(f"audit chain intact: {count} entries"))
