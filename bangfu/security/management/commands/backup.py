from django.core.management.base import BaseCommand, CommandError

from bangfu.security.backup import BackupError, create_backup


class Command(BaseCommand):
    help = "Write one tar.gz with the database, every uploaded file and a checksummed manifest."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the archive to write, e.g. bangfu-2025-01-01.tar.gz")

    def handle(self, *args, file, **options):
        try:
            summary = create_backup(file)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        if options["verbosity"]:
            self.stdout.write(
                self.style.SUCCESS(
                    f"backup written to {file}: {summary.tables} tables, {summary.rows} rows, "
                    f"{summary.files} files"
                )
            )
