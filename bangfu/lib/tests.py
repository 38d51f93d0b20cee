import pytest

from bangfu.lib import idcard, textnorm


def test_search_blob_matches_traditional_pinyin_and_initials():
    blob = textnorm.search_blob("宁城县")
    for query in ("寧城", "宁城", "ningcheng", "nc", "NingCheng"):
        assert textnorm.fold_query(query) in blob


def test_sort_key_orders_by_pinyin():
    names = ["宁城县", "安新县", "北京市", "莫力达瓦达斡尔族自治旗"]
    assert sorted(names, key=textnorm.sort_key) == [
        "安新县",
        "北京市",
        "莫力达瓦达斡尔族自治旗",
        "宁城县",
    ]


def test_id_number_check_digit():
    assert idcard.validate_id_number("11010519491231002x") == "11010519491231002X"
    with pytest.raises(idcard.InvalidNumber, match="校验位"):
        idcard.validate_id_number("110105194912310021")
    with pytest.raises(idcard.InvalidNumber):
        idcard.validate_id_number("1101051949123100")


def test_masks():
    assert idcard.mask_id_number("11010519491231002X") == "110105********002X"
    assert idcard.mask_phone("13812345678") == "138****5678"


def test_semesters_follow_the_chinese_academic_calendar():
    import datetime as dt

    from bangfu.lib import semester

    assert semester.semester_of(dt.date(2019, 9, 1)) == (2019, 1)
    assert semester.semester_of(dt.date(2020, 1, 15)) == (2019, 1)
    assert semester.semester_of(dt.date(2020, 2, 1)) == (2019, 2)
    assert semester.semester_of(dt.date(2020, 8, 31)) == (2019, 2)
    s = semester.Semester(2019, 1)
    assert s.label == "2019–2020学年第一学期"
    assert (s.start, s.end) == (dt.date(2019, 9, 1), dt.date(2020, 1, 31))
    assert s.next() == (2019, 2) and s.next().next() == (2020, 1)
    assert semester.parse_label("2019-2020学年第二学期") == (2019, 2)
    assert semester.parse_label("2019—2020学年") == 2019
    assert semester.parse_label("2019-2021学年") is None
