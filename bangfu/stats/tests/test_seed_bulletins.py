"""The seeds' figures and sentences, from the demo ledger (loaded once for the module)."""

import datetime as dt
import io
import zipfile

import pytest
from django.core.management import CommandError, call_command

from bangfu.activities.models import Activity
from bangfu.orgs.models import Organisation
from bangfu.pairings.models import Pairing
from bangfu.regions.models import Region
from bangfu.stats import engine
from bangfu.stats.bulletin import compose
from bangfu.stats.docx import write_docx
from bangfu.stats.engine import Period, Scope, compute
from bangfu.stats.xlsx import write_xlsx

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("loaded_demo")]

SJS_PERIOD = Period(dt.date(2019, 1, 1), dt.date(2019, 5, 31))
YY_PERIOD = Period(dt.date(2018, 2, 1), dt.date(2020, 12, 31))


def sjs():
    return Scope(region=Region.objects.get(name="石景山区"))


def yy():
    return Scope(organisation=Organisation.objects.get(name="芳草地国际学校远洋小学"))


def test_shijingshan_bulletin_names_the_156_hosted_by_county():
    text = compose(sjs(), SJS_PERIOD).text
    assert "截至2019年5月底" in text
    assert "顺平(20)、莫旗(21)、宁城(115)共计156名干部教师到石景山区学习" in text
    assert "送教下乡方面:" in text


def test_yuanyang_bulletin_quotes_batches_share_and_lectures():
    text = compose(yy(), YY_PERIOD).text
    assert "6批31人次" in text
    assert "72.73%" in text
    for phrase in ("讲座21场", "现场课12节", "名师工作室活动4场", "网络教研11次"):
        assert phrase in text


def test_one_more_lecture_changes_the_figure_at_once():
    scope = yy()
    assert compute(scope, YY_PERIOD).value("act.type.lecture.sessions") == 21
    first = Activity.objects.filter(organiser=scope.organisation, type="lecture").first()
    Activity.objects.create(
        type="lecture",
        title="新增讲座",
        start_date=dt.date(2020, 12, 1),
        end_date=dt.date(2020, 12, 1),
        organiser=first.organiser,
        pairing=first.pairing,
        helper_region=first.helper_region,
        recipient_region=first.recipient_region,
    )
    assert compute(scope, YY_PERIOD).value("act.type.lecture.sessions") == 22
    assert "讲座22场" in compose(scope, YY_PERIOD).text


def test_a_period_without_work_says_so():
    bulletin = compose(yy(), Period(dt.date(2001, 1, 1), dt.date(2001, 12, 31)))
    assert bulletin.paragraphs == ["本期间没有记录的帮扶活动。"]
    assert "0人次" not in bulletin.text


def test_period_must_not_end_before_it_starts():
    with pytest.raises(ValueError, match="结束日期不能早于开始日期"):
        Period(dt.date(2020, 1, 2), dt.date(2020, 1, 1))


def test_scope_needs_exactly_one_subject():
    with pytest.raises(ValueError):
        Scope()


@pytest.mark.parametrize("make_scope, period", [(sjs, SJS_PERIOD), (yy, YY_PERIOD)])
def test_compute_costs_a_bounded_number_of_queries(
    make_scope, period, django_assert_max_num_queries
):
    scope = make_scope()
    with django_assert_max_num_queries(20):
        compute(scope, period)


def _pairing_scope():
    org = Organisation.objects.get(name="芳草地国际学校远洋小学")
    return Scope(pairing=Pairing.objects.get(parties__organisation=org, mode="one_to_one"))


@pytest.mark.parametrize(
    "make_scope, period",
    [
        (sjs, SJS_PERIOD),
        (yy, YY_PERIOD),
        (_pairing_scope, YY_PERIOD),
        (
            lambda: Scope(region=Region.objects.get(name="宁城县")),
            Period(dt.date(2018, 1, 1), dt.date(2021, 12, 31)),
        ),
        (
            lambda: Scope(region=Region.objects.get(name="贵州省")),
            Period(dt.date(2018, 1, 1), dt.date(2021, 12, 31)),
        ),
        # Roll-ups for whole months, the ledger for the partial ones at either end.
        (
            lambda: Scope(region=Region.objects.get(name="贵州省")),
            Period(dt.date(2018, 3, 12), dt.date(2020, 11, 17)),
        ),
        (
            lambda: Scope(region=Region.objects.get(name="北京市", level=1)),
            Period(dt.date(2018, 9, 1), dt.date(2020, 8, 31)),
        ),
        (lambda: Scope(country=True), Period(dt.date(2018, 1, 1), dt.date(2021, 12, 31))),
    ],
)
def test_every_figure_equals_its_drill_down_rows(make_scope, period):
    scope = make_scope()
    figures = compute(scope, period)
    assert figures.items
    for figure in figures.items.values():
        rows = engine.drill_queryset(scope, period, figure.drill)
        assert engine.evaluate(rows, figure.measure) == figure.value, figure.key


def test_region_that_is_only_a_recipient_counts_as_recipient():
    scope = Scope(region=Region.objects.get(name="宁城县"))
    figures = compute(scope, SJS_PERIOD)
    assert figures.roles == ["recipient"]
    assert figures.value("act.recipient.total.count") > 0


def test_word_document_holds_the_figures():
    data = write_docx(compose(yy(), YY_PERIOD))
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        xml = z.read("word/document.xml").decode("utf-8")
    assert "6批31人次" in xml and "72.73%" in xml and "讲座21场" in xml


def test_workbook_holds_a_sheet_per_group_and_the_drill_filters():
    bulletin = compose(yy(), YY_PERIOD)
    data = write_xlsx(bulletin)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = z.namelist()
        book = z.read("xl/workbook.xml").decode("utf-8")
        strings = z.read("xl/sharedStrings.xml").decode("utf-8")
        sheets = "".join(z.read(n).decode("utf-8") for n in names if n.startswith("xl/worksheets/"))
    assert "明细筛选条件" in book and "选派" in book
    assert (
        len([n for n in names if n.startswith("xl/worksheets/sheet")])
        == len(bulletin.figures.groups()) + 2
    )
    assert "72.73" in sheets and "<v>31</v>" in sheets
    assert "dispatch.backbone_share" in strings


def test_command_prints_the_text_bulletin():
    out = io.StringIO()
    call_command(
        "bulletin",
        "--scope",
        "石景山区",
        "--from",
        "2019-01-01",
        "--until",
        "2019-05-31",
        stdout=out,
    )
    assert "顺平(20)、莫旗(21)、宁城(115)共计156名" in out.getvalue()


def test_command_writes_a_word_file(tmp_path):
    target = tmp_path / "yy.docx"
    call_command(
        "bulletin",
        "--scope",
        "芳草地国际学校远洋小学",
        "--from",
        "2018-02-01",
        "--until",
        "2020-12-31",
        "--format",
        "docx",
        "--output",
        str(target),
        stdout=io.StringIO(),
    )
    with zipfile.ZipFile(target) as z:
        assert "6批31人次" in z.read("word/document.xml").decode("utf-8")
    assert [p.name for p in tmp_path.iterdir()] == ["yy.docx"]


def test_command_lists_candidates_for_an_ambiguous_name(tmp_path):
    with pytest.raises(CommandError, match="对应多个") as exc:
        call_command(
            "bulletin",
            "--scope",
            "北京市",
            "--from",
            "2019-01-01",
            "--until",
            "2019-05-31",
            "--format",
            "docx",
            "--output",
            str(tmp_path / "x.docx"),
        )
    assert "110000" in str(exc.value) and "110100" in str(exc.value)
    assert list(tmp_path.iterdir()) == []


def test_command_refuses_an_unknown_name_and_a_reversed_period():
    with pytest.raises(CommandError, match="找不到"):
        call_command(
            "bulletin", "--scope", "不存在的地方", "--from", "2019-01-01", "--until", "2019-05-31"
        )
    with pytest.raises(CommandError, match="不能早于"):
        call_command(
            "bulletin", "--scope", "石景山区", "--from", "2019-06-01", "--until", "2019-05-31"
        )
