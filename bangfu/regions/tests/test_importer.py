import pytest
from django.core.management import call_command

from bangfu.regions.importer import RegionImporter, parse_tree
from bangfu.regions.models import Region, RegionAlias

from .conftest import SAMPLE_CHANGES, SAMPLE_TREE, sample_zip

pytestmark = pytest.mark.django_db


def get(code):
    return Region.objects.get(code=code)


def test_parse_skips_villages_and_merges_repeated_names():
    roots = parse_tree(SAMPLE_TREE)
    ningcheng = roots[4].children[0].children[0]
    assert ningcheng.name == "宁城县"
    assert [t.name for t in ningcheng.children] == ["汐子镇", "天义镇"]
    baokang = roots[3].children[0].children[0]
    assert [t.name for t in baokang.children] == ["龙坪镇"]
    assert all(not town.children for town in baokang.children)


def test_loads_levels_codes_and_ancestors(sample_registry):
    ningcheng = get("150429")
    assert ningcheng.level == Region.Level.COUNTY
    assert ningcheng.parent == get("150400")
    assert ningcheng.province == get("150000")
    assert ningcheng.prefecture == get("150400")
    assert ningcheng.county == ningcheng
    assert ningcheng.short_name == "宁城"
    town = Region.objects.get(name="汐子镇")
    assert town.level == Region.Level.TOWN
    assert (town.province, town.prefecture, town.county) == (
        get("150000"),
        get("150400"),
        ningcheng,
    )
    assert town.full_name == "内蒙古自治区赤峰市宁城县汐子镇"
    assert get("150000").province_id == get("150000").pk
    assert sample_registry["level4_total"] == 12
    assert not Region.objects.filter(name="龙坪村").exists()


def test_town_keys_follow_pinyin_order_within_county(sample_registry):
    towns = Region.objects.filter(parent=get("150429")).order_by("sort_key")
    # 天义 (tian) sorts before 汐子 (xi).
    assert [(t.name, t.code) for t in towns] == [("天义镇", "150429-001"), ("汐子镇", "150429-002")]


def test_repeated_source_codes_and_municipalities(sample_registry):
    # 北京市 → 北京市: the second level takes GB/T 2260's district block.
    assert get("110100").name == "北京市" and get("110100").level == 2
    assert Region.objects.get(name="朝阳区", province__code="110000").full_name == "北京市朝阳区"
    # 香港 repeats 810000 at every level: derived keys under the first holder.
    hk = Region.objects.get(name="香港", level=2)
    assert hk.code == "810000-001"
    assert sorted(hk.children.values_list("code", flat=True)) == [
        "810000-001-001",
        "810000-001-002",
    ]
    # County-level nodes without a code get keys, and placeholders stay out of full names.
    jia = Region.objects.get(name="甲区")
    assert jia.code == "529000-001"
    assert jia.full_name == "贵州省甲区"


def test_aliases_from_short_names_renamings_and_supplement(sample_registry):
    assert RegionAlias.objects.get(name="莫旗").region == get("150722")
    assert RegionAlias.objects.get(name="莫旗").kind == RegionAlias.Kind.SHORT
    # A short name that is the name cut short needs no alias row.
    assert not RegionAlias.objects.filter(name="宁城").exists()
    old = RegionAlias.objects.get(name="襄樊市")
    assert (old.region, old.kind) == (get("420600"), RegionAlias.Kind.OLD)
    assert RegionAlias.objects.filter(name="襄樊", region=get("420600")).exists()
    assert sample_registry["changes_unmatched"] == 1
    xiongan = get("133100")
    assert xiongan.is_supplement and xiongan.parent == get("130000")
    assert xiongan.full_name == "河北省雄安新区"
    assert "xiongan" in xiongan.search_text
    # Aliases are searchable.
    assert Region.objects.search("xiangfan").get() == get("420600")


def test_second_run_changes_nothing(sample_registry):
    snapshot = list(Region.objects.order_by("pk").values())
    aliases = list(RegionAlias.objects.order_by("pk").values())
    stats = RegionImporter(SAMPLE_TREE, SAMPLE_CHANGES).run()
    assert all(stats[f"level{n}_created"] == 0 for n in range(1, 5))
    assert all(stats[f"level{n}_updated"] == 0 for n in range(1, 5))
    assert stats["aliases_created"] == 0
    assert list(Region.objects.order_by("pk").values()) == snapshot
    assert list(RegionAlias.objects.order_by("pk").values()) == aliases


def test_keys_stay_when_the_source_gains_a_town(sample_registry):
    before = dict(Region.objects.filter(level=4).values_list("name", "code"))
    grown = SAMPLE_TREE.replace("\t\t\t汐子镇\n", "\t\t\t汐子镇\n\t\t\t八里罕镇\n")
    stats = RegionImporter(grown, SAMPLE_CHANGES).run()
    assert stats["level4_created"] == 1
    after = dict(Region.objects.filter(level=4).values_list("name", "code"))
    assert {name: after[name] for name in before} == before
    # 八里罕 (ba) would sort first, but keys once given never move.
    assert after["八里罕镇"] == "150429-003"


def test_admin_aliases_survive_a_reload(sample_registry):
    RegionAlias.objects.create(region=get("150429"), name="宁城老区", kind="common")
    region = get("150429")
    region.refresh_search(["宁城老区"])
    region.save()
    stats = RegionImporter(SAMPLE_TREE, SAMPLE_CHANGES).run()
    assert stats["level3_updated"] == 0
    assert "宁城老区" in get("150429").search_text


def test_command_reads_a_zip(tmp_path, capsys):
    zip_path = sample_zip(tmp_path / "china_location.zip")
    stats = RegionImporter.from_files(zip_path).run()
    assert stats["level1_created"] == 8
    assert Region.objects.filter(code="133100").exists()


def test_command_prints_counts(monkeypatch, tmp_path):
    from io import StringIO

    from bangfu.regions import importer

    zip_path = sample_zip(tmp_path / "china_location.zip")
    monkeypatch.setattr(importer, "packaged_paths", lambda: (zip_path, tmp_path / "none.txt"))
    out = StringIO()
    call_command("load_regions", stdout=out, skip_checks=True)
    assert "乡级: 12 in source, 12 created" in out.getvalue()
