"""A registry of exactly the regions the demo uses, with their real codes."""

import pytest
from django.db import transaction
from django.test import override_settings

# (name, code, short name, children); towns have no code, as in the source.
REGISTRY = [
    (
        "北京市",
        "110000",
        "北京",
        [
            (
                "北京市",
                "110100",
                "",
                [("石景山区", "110107", "", []), ("朝阳区", "110105", "", [])],
            ),
        ],
    ),
    (
        "河北省",
        "130000",
        "河北",
        [
            ("保定市", "130600", "", [("顺平县", "130636", "", [])]),
            ("张家口市", "130700", "", [("康保县", "130723", "", [])]),
            ("雄安新区", "133100", "雄安", []),
        ],
    ),
    (
        "内蒙古自治区",
        "150000",
        "内蒙古",
        [
            ("赤峰市", "150400", "", [("宁城县", "150429", "宁城", [])]),
            ("呼伦贝尔市", "150700", "", [("莫力达瓦达斡尔族自治旗", "150722", "莫旗", [])]),
            ("乌兰察布市", "150900", "", [("商都县", "150923", "", [])]),
        ],
    ),
    ("福建省", "350000", "福建", [("厦门市", "350200", "", [("湖里区", "350206", "", [])])]),
    ("湖北省", "420000", "湖北", [("十堰市", "420300", "", [("竹山县", "420323", "", [])])]),
    (
        "贵州省",
        "520000",
        "贵州",
        [
            ("贵阳市", "520100", "", [("南明区", "520102", "", [])]),
            ("六盘水市", "520200", "", [("六枝特区", "520203", "", [])]),
            (
                "黔西南布依族苗族自治州",
                "522300",
                "",
                [
                    ("普安县", "522323", "", []),
                    ("望谟县", "522326", "", [("石屯镇", None, "", [])]),
                ],
            ),
            ("黔东南苗族侗族自治州", "522600", "", [("从江县", "522633", "", [])]),
            (
                "黔南布依族苗族自治州",
                "522700",
                "",
                [
                    ("罗甸县", "522728", "", [("龙坪镇", None, "", [])]),
                    ("长顺县", "522729", "", [("鼓扬镇", None, "", [])]),
                ],
            ),
        ],
    ),
    ("西藏自治区", "540000", "西藏", [("拉萨市", "540100", "", [])]),
    (
        "甘肃省",
        "620000",
        "甘肃",
        [
            ("临夏回族自治州", "622900", "", [("东乡族自治县", "622926", "东乡县", [])]),
        ],
    ),
    (
        "青海省",
        "630000",
        "青海",
        [
            (
                "玉树藏族自治州",
                "632700",
                "玉树",
                [("称多县", "632723", "", [("尕朵乡", None, "", [])])],
            ),
        ],
    ),
    (
        "宁夏回族自治区",
        "640000",
        "宁夏",
        [
            ("银川市", "640100", "", [("永宁县", "640121", "", [("闽宁镇", None, "", [])])]),
        ],
    ),
    ("新疆维吾尔自治区", "650000", "新疆", [("和田地区", "653200", "和田", [])]),
]


def build_registry(nodes=REGISTRY, parent=None, level=1):
    from conftest import make_region

    for name, code, short, children in nodes:
        region = make_region(name, level, parent, code=code, short_name=short)
        build_registry(children, region, level + 1)


@pytest.fixture
def registry(db):
    build_registry()


@pytest.fixture
def demo(registry):
    from bangfu.demo.loader import load_demo

    return load_demo(ensure_registry=False)


@pytest.fixture(scope="module")
def loaded_demo(django_db_setup, django_db_blocker):
    """The whole demo, loaded once for a module and rolled back after it.

    A full load takes a few seconds; tests that only read it (or change it
    inside their own savepoint, as the ``db`` fixture gives them) share one.
    """
    from bangfu.demo.loader import load_demo

    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=fast):
        with transaction.atomic():
            build_registry()
            summary = load_demo(ensure_registry=False)
            yield summary
            transaction.set_rollback(True)
