from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.http import QueryDict

from bangfu.audit import services as audit
from bangfu.dataio import exports


class Command(BaseCommand):
    help = "Export a list (what USER sees; every row without --user) as xlsx or csv."

    def add_arguments(self, parser):
        parser.add_argument("--kind", required=True, choices=sorted(exports.EXPORTS))
        parser.add_argument("--format", required=True, choices=["xlsx", "csv"])
        parser.add_argument("--output", required=True)
        parser.add_argument("--user", help="username whose view is exported")

    def handle(self, *args, **options):
        User = get_user_model()
        if options["user"]:
            user = User.objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"no such user: {options['user']}")
        else:
            # The operator on the server: sees every record, never saved.
            user = User.server_operator()
        kind, fmt = options["kind"], options["format"]
        headers, rows, count = exports.export_rows(kind, user, QueryDict())
        if fmt == "csv":
            with open(options["output"], "w", encoding="utf-8", newline="") as out:
                for chunk in exports.csv_stream(headers, rows):
                    out.write(chunk)
        else:
            exports.write_xlsx(headers, rows, exports.TITLES[kind], options["output"])
        audit.record(
            "export",
            actor=user if user.pk else None,
            label=f"manage.py export {kind}.{fmt}",
            changes={"kind": kind, "format": fmt, "rows": count, "output": options["output"]},
        )
        self.stdout.write(f"{count} rows written to {options['output']}")
