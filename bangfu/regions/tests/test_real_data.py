"""The whole packaged register, loaded once (about 20 s): the seeds' places must all be found."""

import pytest

from bangfu.regions.importer import RegionImporter
from bangfu.regions.models import Region
from bangfu.regions.services import resolve

SEED_PLACES = (
    "石景山区 南明区 湖里区 朝阳区 宁城县 顺平县 莫旗 称多县 竹山县 普安县 六枝特区 从江县 "
    "康保县 东乡县 和田 拉萨 玉树 雄安新区 商都县 临夏"
).split()


def only(name):
    found = resolve(name)
    assert len(found) == 1, (name, [r.full_name for r in found])
    return found[0]


@pytest.mark.slow
@pytest.mark.django_db
def test_real_register():
    stats = RegionImporter.from_package().run()
    assert stats["level4_created"] > 40000

    assert Region.objects.filter(level=3, code__regex=r"^[0-9]{6}$").count() > 2800
    assert only("莫旗").code == "150722"
    assert only("莫旗").name == "莫力达瓦达斡尔族自治旗"
    assert only("东乡县").code == "622926"
    assert only("东乡县").name == "东乡族自治县"
    assert "宁城县" in {r.name for r in resolve("寧城")}
    assert only("寧城縣").code == "150429"
    for ambiguous in ("龙坪镇", "石屯镇"):
        assert len(resolve(ambiguous)) > 1, ambiguous
    assert only("长顺县鼓扬镇").full_name == "贵州省黔南布依族苗族自治州长顺县鼓扬镇"
    assert only("望谟县石屯镇").county.code == "522326"
    assert only("罗甸县龙坪镇").full_name == "贵州省黔南布依族苗族自治州罗甸县龙坪镇"
    assert only("称多县尕朵乡").county.code == "632723"
    assert only("闽宁镇").county.name == "永宁县"
    assert only("雄安新区").code == "133100"
    for place in SEED_PLACES:
        assert resolve(place), place
    assert len(resolve("朝阳区")) > 1
    assert {r.name for r in resolve("和田")} >= {"和田地区", "和田市", "和田县"}
