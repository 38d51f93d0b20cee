from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from bangfu.dataio import services
from bangfu.dataio.importers import IMPORTERS


class Command(BaseCommand):
    help = "Check an .xlsx workbook and print the preview; write it only with --commit."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--kind", required=True, choices=sorted(IMPORTERS))
        parser.add_argument("--user", required=True, help="username the import runs as")
        parser.add_argument("--commit", action="store_true")

    def handle(self, *args, **options):
        user = get_user_model().objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"no such user: {options['user']}")
        path = Path(options["file"])
        try:
            job = services.upload_workbook(
                actor=user, kind=options["kind"], name=path.name, data=path.read_bytes()
            )
        except services.ImportRefused as exc:
            raise CommandError(str(exc)) from None
        except PermissionError as exc:
            raise CommandError(str(exc)) from None
        services.validate_job(job)
        self._report(job)
        if options["commit"]:
            if job.errors:
                raise CommandError("errors found: nothing written")
            services.commit_job(job)
            self._report(job)
            if job.status != job.Status.COMMITTED:
                raise CommandError("commit failed: nothing written")
            self.stdout.write(f"committed as import job {job.pk}")

    def _report(self, job):
        counts = job.counts
        self.stdout.write(
            f"job {job.pk} [{job.status}] create={counts.get('create', 0)} "
            f"update={counts.get('update', 0)} unchanged={counts.get('unchanged', 0)} "
            f"error={counts.get('error', 0)}"
        )
        for e in job.errors[:200]:
            self.stdout.write(f"  {e['sheet']}!{e['row'] or ''} {e['column']}: {e['message']}")
