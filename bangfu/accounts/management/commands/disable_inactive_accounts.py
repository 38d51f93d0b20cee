from django.conf import settings
from django.core.management.base import BaseCommand

from bangfu.accounts.services import disable_inactive_accounts


class Command(BaseCommand):
    help = (
        "Disable accounts not used for BANGFU_INACTIVE_ACCOUNT_DAYS days (default 90). Run daily."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=settings.INACTIVE_ACCOUNT_DAYS)

    def handle(self, *args, days, **options):
        names = disable_inactive_accounts(days=days)
        self.stdout.write(f"disabled {len(names)} account(s): {', '.join(names) or '-'}")
