from django.core.management.base import BaseCommand, CommandError

from bangfu.audit.retention import PurgeRefused, purge_expired, retention_days


class Command(BaseCommand):
    help = (
        "Remove audit entries older than AUDIT_RETENTION_DAYS (BANGFU_AUDIT_RETENTION_DAYS, "
        "default 180, never less). The purge point is kept so verify_audit still verifies "
        "the rest, and the purge itself is recorded in the trail. Run daily."
    )

    def handle(self, *args, **options):
        try:
            result = purge_expired()
        except PurgeRefused as exc:
            raise CommandError(str(exc)) from None
        if not result.removed:
            self.stdout.write(
                f"nothing older than {retention_days()} days "
                f"(before {result.cutoff:%Y-%m-%d %H:%M})"
            )
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"removed {result.removed} audit entries older than {retention_days()} days "
                f"(before {result.cutoff:%Y-%m-%d %H:%M}); verification now starts after "
                f"#{result.through_seq}"
            )
        )
