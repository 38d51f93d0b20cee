import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from bangfu.extract.extractor import extract
from bangfu.extract.reading import UnreadableReport, read_report


class Command(BaseCommand):
    help = "Print the records a report (.txt or .docx) proposes, as JSON or text."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--format", choices=["json", "text"], default="json")
        parser.add_argument(
            "--resolve", action="store_true", help="resolve place names against the database"
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            text = read_report(path.read_bytes())
        except (OSError, UnreadableReport) as exc:
            raise CommandError(f"cannot read {path}: {exc}") from exc
        resolvers = {}
        if options["resolve"]:
            from bangfu.regions.services import resolve

            resolvers["resolve_region"] = resolve
        result = extract(text, **resolvers)
        if options["format"] == "json":
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
            return
        for p in result["pairings"]:
            self.stdout.write(f"结对\t{p['helper']} → {p['recipient']}\t{p['text']}")
        for a in result["activities"]:
            approx = "约" if a["approx"] else ""
            self.stdout.write(
                f"计数\t{a['type'] or '-'}\t{approx}{a['count']}{a['unit']}\t{a['text']}"
            )
        for t in result["targets"]:
            self.stdout.write(f"目标\t{t['kind']}\t{t['count']}{t['unit']}\t{t['text']}")
        for m in result["money"]:
            approx = "约" if m["approx"] else ""
            self.stdout.write(f"金额\t{approx}{m['amount_yuan']}元\t{m['text']}")
