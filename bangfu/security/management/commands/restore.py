from django.core.management.base import BaseCommand, CommandError

from bangfu.security.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = (
        "Restore the database and uploaded files from a backup archive, after verifying its "
        "checksums; refuses a non-empty database unless --force. Stop the application first."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--force", action="store_true", help="overwrite a database that already holds data"
        )

    def handle(self, *args, file, force, **options):
        try:
            summary = restore_backup(file, force=force)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        if options["verbosity"]:
            self.stdout.write(
                self.style.SUCCESS(
                    f"restored from {file}: {summary.tables} tables, {summary.rows} rows, "
                    f"{summary.files} files; row counts verified"
                )
            )
