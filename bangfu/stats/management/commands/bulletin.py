"""manage.py bulletin --scope 石景山区 --from 2019-01-01 --until 2019-05-31 --format text|docx|xlsx"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from bangfu.orgs.models import Organisation
from bangfu.regions import services as regions
from bangfu.stats.bulletin import compose
from bangfu.stats.docx import write_docx
from bangfu.stats.engine import Period, Scope
from bangfu.stats.xlsx import write_xlsx

COUNTRY_NAMES = {"全国", "中国", "全國", "中華人民共和國", "中华人民共和国"}


def resolve_scope(name: str) -> Scope:
    """A region, bureau or school by name; ambiguous or unknown names raise CommandError.

    Organisations match by exact name or short name, then by search; regions
    through bangfu.regions.services.resolve. A name meaning several is never guessed.
    全国 (or 中国) is the whole country.
    """
    if name.strip() in COUNTRY_NAMES:
        return Scope(country=True)
    orgs = list(
        Organisation.objects.filter(Q(name=name) | Q(short_name=name)).select_related("region")
    )
    places = regions.resolve(name)
    if not orgs and not places:
        orgs = list(Organisation.objects.search(name).select_related("region")[:20])
    candidates = [("organisation", o, f"{o.name}(单位,{o.region.name})") for o in orgs]
    candidates += [("region", r, f"{regions.label(r)}(地区)") for r in places]
    if not candidates:
        raise CommandError(f"找不到“{name}”:请输入地区、教育局或学校的名称。")
    if len(candidates) > 1:
        listing = "、".join(label for _, _, label in candidates)
        raise CommandError(f"“{name}”对应多个对象,请写得更具体:{listing}")
    kind, obj, _ = candidates[0]
    return Scope(region=obj) if kind == "region" else Scope(organisation=obj)


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"日期“{text}”格式不正确,应为 YYYY-MM-DD。") from None


def write_atomically(path: Path, data: bytes) -> None:
    """Write to a temporary file beside the target and rename: never a partial file."""
    path = path.resolve()
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".bulletin-", suffix=path.suffix)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class Command(BaseCommand):
    help = "生成工作简报(文本、Word 或 Excel)。"

    def add_arguments(self, parser):
        parser.add_argument("--scope", required=True, help="地区、教育局或学校名称;全国")
        parser.add_argument("--from", dest="date_from", required=True, help="开始日期 YYYY-MM-DD")
        parser.add_argument("--until", dest="date_until", required=True, help="结束日期 YYYY-MM-DD")
        parser.add_argument("--format", choices=["text", "docx", "xlsx"], default="text")
        parser.add_argument("--output", help="输出文件(docx/xlsx 默认 bulletin-开始-结束.扩展名)")

    def handle(self, *args, **options):
        try:
            period = Period(_date(options["date_from"]), _date(options["date_until"]))
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        scope = resolve_scope(options["scope"])
        bulletin = compose(scope, period)
        fmt = options["format"]
        if fmt == "text":
            text = bulletin.text
            if options["output"]:
                write_atomically(Path(options["output"]), text.encode("utf-8"))
            else:
                self.stdout.write(text, ending="")
            return
        data = write_docx(bulletin) if fmt == "docx" else write_xlsx(bulletin)
        output = Path(
            options["output"]
            or f"bulletin-{period.date_from:%Y%m%d}-{period.date_until:%Y%m%d}.{fmt}"
        )
        if not output.parent.exists():
            raise CommandError(f"目录“{output.parent}”不存在。")
        write_atomically(output, data)
        self.stdout.write(f"已写入 {output}")
