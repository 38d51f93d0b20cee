"""A coordinator imports the activity ledger from the downloaded template, as in real use:
a bad row shown where it is, the file fixed and committed, the same file again changing
nothing, then the import undone."""

import datetime as dt

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from playwright.sync_api import expect

from .conftest import login, shot

pytestmark = pytest.mark.django_db(transaction=True)

GOOD_TITLE = "校园文化建设专题讲座(导入)"
SECOND_TITLE = "初三数学同课异构(导入)"


def _fill(template_path, target, *, second_type: str) -> int:
    """The template with two rows of ours under its example rows (which the import skips)."""
    workbook = load_workbook(template_path)
    sheet = workbook["数据"]
    headers = [c.value for c in sheet[1]]
    rows = [
        {
            "组织单位": "北京九中",
            "活动类型": "讲座",
            "活动名称": GOOD_TITLE,
            "开始日期": dt.date(2024, 5, 8),
            "形式": "线下",
            "地点": "汐子中学报告厅",
            "帮扶方人数": 2,
            "受援方人数": 40,
            "人次": 42,
        },
        {
            "组织单位": "北京市第九中学",
            "受援单位": "汐子中学",
            "活动类型": second_type,
            "活动名称": SECOND_TITLE,
            "开始日期": "2024年5月9日",
            "课题": "《二次函数》",
            "帮扶方人数": 1,
            "受援方人数": 30,
        },
    ]
    first_free = sheet.max_row + 1
    for offset, values in enumerate(rows):
        for col, header in enumerate(headers, start=1):
            key = str(header or "").replace("*", "").strip()
            if key in values:
                sheet.cell(row=first_free + offset, column=col, value=values[key])
    workbook.save(target)
    return first_free


def _upload(page, path):
    page.goto(page.base_url + reverse("dataio:upload"))
    page.select_option("select[name=kind]", "activities")
    page.set_input_files("input[name=file]", str(path))
    page.get_by_role("button", name="上传并检查").click()
    page.wait_for_load_state("networkidle")
    # Small files are checked in the request: the job page shows the result at once.
    expect(page.locator("[data-testid=job-status]")).not_to_have_text("正在检查")
    page.locator("[data-testid=job-result]").click()
    page.wait_for_load_state("networkidle")


def test_coordinator_imports_fixes_commits_reimports_and_undoes(page, world, settings, tmp_path):
    from bangfu.activities.models import Activity
    from bangfu.dataio.models import ImportJob

    settings.BANGFU_JOB_QUEUE = ""  # every step in the request, whatever the environment
    login(page, "coord")
    page.goto(page.base_url + reverse("dataio:index"))
    with page.expect_download() as download:
        page.get_by_role("link", name="活动导入模板").click()
    template = tmp_path / "template.xlsx"
    download.value.save_as(template)

    # 1. One good row, one with an activity type that does not exist.
    bad = tmp_path / "台账-有错.xlsx"
    bad_row = _fill(template, bad, second_type="跳舞") + 1
    _upload(page, bad)
    errors = page.locator("[data-testid=errors]")
    expect(errors).to_be_visible()
    error_row = errors.locator("tbody tr")
    expect(error_row).to_have_count(1)
    cells = error_row.locator("td")
    expect(cells.nth(0)).to_have_text("数据")
    expect(cells.nth(1)).to_have_text(str(bad_row))
    expect(cells.nth(2)).to_have_text("活动类型")
    expect(cells.nth(3)).to_contain_text("“跳舞”不是可选的值")
    expect(page.get_by_role("button", name="确认导入")).to_have_count(0)
    shot(page, "import-01-preview-with-error")
    assert Activity.objects.count() == 0

    # 2. The fixed file: both rows are new; commit them.
    fixed = tmp_path / "台账.xlsx"
    _fill(template, fixed, second_type="现场课/示范课")
    _upload(page, fixed)
    counts = page.locator("[data-testid=counts]")
    expect(counts).to_contain_text("新增")
    expect(page.locator("[data-testid=errors]")).to_have_count(0)
    expect(page.locator("main")).to_contain_text(GOOD_TITLE)
    page.get_by_role("button", name="确认导入").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("ul.messages")).to_contain_text("导入完成")
    expect(page.locator("[data-testid=job-status]")).to_have_text("已导入")
    committed = ImportJob.objects.get(status=ImportJob.Status.COMMITTED)
    assert Activity.objects.count() == 2
    shot(page, "import-02-committed")

    # 3. The rows are in the ledger.
    page.goto(page.base_url + reverse("activities:list"))
    expect(page.locator("main")).to_contain_text(GOOD_TITLE)
    expect(page.locator("main")).to_contain_text(SECOND_TITLE)

    # 4. The same file again: nothing new, nothing changed.
    versions = dict(Activity.objects.values_list("pk", "version"))
    _upload(page, fixed)
    count_cells = counts.locator("td")
    expect(count_cells.nth(0)).to_have_text("0")  # 新增
    expect(count_cells.nth(1)).to_have_text("0")  # 更新
    expect(count_cells.nth(2)).to_have_text("2")  # 无变化
    page.get_by_role("button", name="确认导入").click()
    page.wait_for_load_state("networkidle")
    assert dict(Activity.objects.values_list("pk", "version")) == versions

    # 5. Undo the first import from the job list: the rows are gone from the ledger.
    page.goto(page.base_url + reverse("dataio:index"))
    page.locator(f"a[href='{reverse('dataio:job', kwargs={'pk': committed.pk})}']").click()
    page.wait_for_load_state("networkidle")
    page.locator("[data-testid=job-result]").click()
    page.wait_for_load_state("networkidle")
    page.get_by_role("button", name="撤销本次导入").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("ul.messages")).to_contain_text("已撤销该次导入")
    shot(page, "import-03-undone")
    page.goto(page.base_url + reverse("activities:list"))
    expect(page.locator("main")).not_to_contain_text(GOOD_TITLE)
    assert Activity.objects.count() == 0
