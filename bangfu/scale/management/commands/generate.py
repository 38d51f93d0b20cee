from django.core.management.base import BaseCommand, CommandError

from bangfu.scale.generator import SCALES, Generator, GeneratorRefused


class Command(BaseCommand):
    help = (
        "Generate synthetic schools, people, pairings and activities for the statistics "
        "benchmarks (rows marked is_generated, names ending in (生成); no audit entries)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(SCALES), default="tiny")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--years", type=int, default=5)
        parser.add_argument(
            "--replace", action="store_true", help="Delete the generated rows of an earlier run."
        )

    def handle(self, *args, **options):
        generator = Generator(
            options["scale"],
            seed=options["seed"],
            years=options["years"],
            out=self.stdout.write,
        )
        try:
            dataset = generator.run(replace=options["replace"])
        except GeneratorRefused as exc:
            raise CommandError(str(exc)) from exc
        report = generator.report
        self.stdout.write(
            f"{dataset}: {report.total_rows:,} rows in {report.total_seconds:.1f} s, "
            f"{report.total_rows / max(report.total_seconds, 1e-9):,.0f} rows/s"
        )
