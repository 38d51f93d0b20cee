import pytest
from django import forms

from bangfu.regions.forms import RegionField
from bangfu.regions.models import Region
from bangfu.regions.services import normalise_key, resolve, suggest

pytestmark = pytest.mark.django_db


def names(regions):
    return sorted(r.full_name for r in regions)


def one(name, **kwargs):
    found = resolve(name, **kwargs)
    assert len(found) == 1, (name, names(found))
    return found[0]


def test_exact_short_alias_and_code(sample_registry):
    assert one("宁城县").code == "150429"
    assert one("莫旗").code == "150722"
    assert one("莫力达瓦旗").code == "150722"  # supplement alias
    assert one("襄樊市").code == "420600"  # old name
    assert one("150429").name == "宁城县"
    assert one("顺平").code == "130636"
    assert one("雄安").code == "133100"


def test_traditional_script_and_names_folding_changes(sample_registry):
    assert one("寧城縣").code == "150429"
    assert one("寧城").code == "150429"
    # 乾 folds to 干: names are compared folded on both sides.
    assert {r.name for r in resolve("乾安")} == {"乾安县", "乾安镇"}


def test_town_keys_with_or_without_hyphen(sample_registry):
    town = Region.objects.get(name="汐子镇")
    assert one(town.code) == town
    assert one(town.code.replace("-", "")) == town
    assert normalise_key("522728006") == "522728-006"
    assert normalise_key("宁城") is None


def test_ambiguous_names_are_never_guessed(sample_registry):
    assert names(resolve("朝阳区")) == ["北京市朝阳区", "吉林省长春市朝阳区"]
    assert len(resolve("龙坪镇")) == 2
    # 和田 is the short name of 和田地区 but also 和田市 and 和田县 without suffix.
    assert {r.name for r in resolve("和田")} == {"和田地区", "和田市", "和田县"}


def test_compound_names(sample_registry):
    assert one("长顺县鼓扬镇").name == "鼓扬镇"
    assert one("宁城县汐子镇").name == "汐子镇"
    assert one("宁城汐子镇").name == "汐子镇"
    assert one("贵州省罗甸县龙坪镇").full_name == "贵州省黔南布依族苗族自治州罗甸县龙坪镇"
    assert one("北京市朝阳区").code == "110105"
    assert one("贵州省 / 罗甸县 / 龙坪镇").name == "龙坪镇"
    assert one("湖北省龙坪镇").code.startswith("420626-")
    assert resolve("宁城县鼓扬镇") == []
    assert resolve("不存在的地方") == []


def test_within(sample_registry):
    guizhou = Region.objects.get(code="520000")
    assert one("龙坪镇", within=guizhou).parent.name == "罗甸县"


def test_suggest_puts_resolved_first_then_substring_matches(sample_registry):
    found = suggest("朝阳")
    assert {r.code for r in found[:2]} == {"110105", "220104"}
    assert [r.code for r in suggest("ningcheng")][:1] == ["150429"]
    assert suggest("") == []


class RegionForm(forms.Form):
    region = RegionField(label="地区")


def test_region_field_cleans_and_explains(sample_registry):
    form = RegionForm({"region": "寧城縣"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["region"].code == "150429"

    form = RegionForm({"region": "龙坪镇"})
    assert not form.is_valid()
    error = form.errors["region"][0]
    assert "对应多个地区" in error
    assert "贵州省黔南布依族苗族自治州罗甸县龙坪镇(522728-" in error

    form = RegionForm({"region": "火星"})
    assert not form.is_valid()
    assert "找不到地区" in form.errors["region"][0]


def test_region_field_widget_uses_htmx_datalist(sample_registry):
    html = str(RegionForm()["region"])
    assert 'list="id_region-options"' in html
    assert '<datalist id="id_region-options"></datalist>' in html
    assert 'hx-get="/regions/suggest/?param=region"' in html
    assert 'hx-target="#id_region-options"' in html
    assert "<script" not in html
    form = RegionForm(initial={"region": Region.objects.get(code="150429")})
    assert 'value="150429"' in str(form["region"])
