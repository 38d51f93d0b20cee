import zipfile

import pytest

from bangfu.regions.importer import RegionImporter

# The same shape as jionlp's china_location.txt, small enough for every test.
SAMPLE_TREE = """北京市\t110000\t北京
\t北京市\t110000\t北京
\t\t朝阳区\t110105\t朝阳
\t\t\t建外街道
\t\t\t\t某某社区
\t\t石景山区\t110107\t石景山
\t\t\t八宝山街道
\t\t\t鲁谷街道
河北省\t130000\t河北
\t保定市\t130600\t保定
\t\t顺平县\t130636\t顺平
\t\t\t蒲阳镇
吉林省\t220000\t吉林
\t长春市\t220100\t长春
\t\t朝阳区\t220104\t朝阳
\t松原市\t220700\t松原
\t\t乾安县\t220723\t乾安
\t\t\t乾安镇
湖北省\t420000\t湖北
\t襄阳市\t420600\t襄阳
\t\t保康县\t420626\t保康
\t\t\t龙坪镇
\t\t\t\t龙坪村
内蒙古自治区\t150000\t内蒙古
\t赤峰市\t150400\t赤峰
\t\t宁城县\t150429\t宁城
\t\t\t汐子镇
\t\t\t天义镇
\t\t\t天义镇
\t呼伦贝尔市\t150700\t呼伦贝尔
\t\t莫力达瓦达斡尔族自治旗\t150722\t莫旗
\t\t\t尼尔基镇
贵州省\t520000\t贵州
\t黔南布依族苗族自治州\t522700\t黔南
\t\t罗甸县\t522728\t罗甸
\t\t\t龙坪镇
\t\t\t边外乡
\t\t长顺县\t522729\t长顺
\t\t\t鼓扬镇
\t省直辖行政区划\t529000\t省直辖
\t\t甲区
\t\t乙区
新疆维吾尔自治区\t650000\t新疆
\t和田地区\t653200\t和田
\t\t和田市\t653201\t和田市
\t\t和田县\t653221\t和田县
香港特别行政区\t810000\t香港
\t香港\t810000\t香港
\t\t中西区\t810000\t中西
\t\t东区\t810000\t东区
"""
SAMPLE_CHANGES = (
    "2010-12-09\t国批\t湖北省\t湖北\t襄樊市\t襄樊=>湖北省\t襄阳市\n"
    "2017-04-09\t民批\t湖北省\t湖北\t襄阳市\t襄阳\t不存在县\t不存在=>湖北省\t襄阳市\t没有区\n"
)


def sample_zip(path, text=SAMPLE_TREE):
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("china_location.txt", text)
    return path


@pytest.fixture
def sample_registry(db):
    """The sample tree loaded, with the supplement (雄安新区 under 河北省)."""
    return RegionImporter(SAMPLE_TREE, SAMPLE_CHANGES).run()


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "slow: loads the whole packaged register once (~20 s); part of the normal run"
    )
