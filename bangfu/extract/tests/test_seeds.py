"""Recall and precision of the extractor on the five seed articles, against hand-written records."""

from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings

from bangfu.extract.extractor import extract
from bangfu.lib import textnorm

SEEDS = Path(settings.BASE_DIR).parent / "shared" / "seeds"

# What each article states, written out by hand: (count, unit) of every count,
# money in yuan, and (helper, recipient) pairings.
EXPECTED = {
    "000": {
        # "培训当地教师?00人次以上": the stored text lost the first digit, so it is not listed.
        "counts": [
            (32, "个"),
            (7, "个"),
            (8, "个"),
            (3, "个"),
            (3, "个"),
            (1, "个"),
            (20, "名"),
            (21, "名"),
            (115, "名"),
            (156, "名"),
            (7, "所"),
            (3, "所"),
            (1, "所"),
            (350, "人次"),
            (450, "人次"),
            (13, "名"),
            (33, "名"),
        ],
        "money": [],
        "pairings": [
            ("石景山区", "莫旗"),
            ("石景山区", "顺平"),
            ("石景山区", "称多"),
            ("石景山区", "宁城"),
            ("石景山区", "竹山"),
            ("石景山区教委", "尕朵乡"),
            ("苹果园中学", "八里罕中学"),
        ],
    },
    "001": {
        "counts": [
            (3, "个"),
            (3, "个"),
            (45, "所"),
            (58, "所"),
            (45, "所"),
            (126, "名"),
            (13781, "名"),
            (873, "名"),
            (337, "次"),
            (22708, "人次"),
            (15, "名"),
            (20, "名"),
            (6000, "个"),
        ],
        "money": [10000, 44000],
        "pairings": [
            ("南明区教育局", "普安县"),
            ("南明区教育局", "长顺县鼓扬镇"),
            ("南明区教育局", "望谟县石屯镇"),
            ("南明区教育局", "罗甸县龙坪镇"),
            ("南明区教育局", "六枝特区"),
            ("南明区教育局", "从江县"),
        ],
    },
    "002": {
        "counts": [
            (9, "批次"),
            (902, "名"),
            (6, "批次"),
            (299, "名"),
            (8, "批次"),
            (47, "名"),
            (6, "名"),
            (4, "名"),
            (9, "批次"),
            (902, "名"),
            (6, "批次"),
            (299, "名"),
            (8, "批次"),
            (47, "名"),
            (10, "个"),
            (18, "所"),
            (72, "名"),
            (44, "所"),
            (30, "个"),
        ],
        "money": [280000000],
        "pairings": [],
    },
    "003": {
        "counts": [
            (5, "批次"),
            (53, "人次"),
            (6, "批次"),
            (31, "人次"),
            (21, "场"),
            (12, "节"),
            (10, "次"),
            (4, "场"),
            (2, "项"),
        ],
        "money": [],
        "pairings": [("远洋小学", "朝阳希望小学")],
    },
    "004": {
        "counts": [
            (16, "所"),
            (16, "所"),
            (16, "所"),
            (16, "所"),
            (16, "所"),
            (16, "所"),
            (2, "所"),
            (9, "所"),
            (5, "所"),
            (12, "批次"),
            (12, "批次"),
            (3000, "人次"),
            (13, "所"),
        ],
        "money": [6760000],
        "pairings": [
            ("湖里区", "闽宁镇"),
            ("火炬幼儿园", "玉海幼儿园"),
            ("金安小学", "闽宁镇中心小学"),
            ("新景幼儿园", "闽宁镇第二中心幼儿园"),
            ("湖里区教育局", "临夏州教育局"),
        ],
    },
}


def _seed(prefix):
    if not SEEDS.is_dir():
        pytest.skip("seed articles absent")
    found = sorted(SEEDS.glob(f"{prefix}_*.txt"))
    if not found:
        pytest.skip(f"seed {prefix} absent")
    return found[0].read_text(encoding="utf-8")


def _same(a, b):
    a, b = textnorm.fold(a), textnorm.fold(b)
    return a in b or b in a


def score(prefix):
    text = _seed(prefix)
    result = extract(text)
    expected = EXPECTED[prefix]
    got_counts = Counter((a["count"], a["unit"]) for a in result["activities"] + result["targets"])
    want_counts = Counter(expected["counts"])
    got_money = Counter(m["amount_yuan"] for m in result["money"])
    want_money = Counter(expected["money"])
    hit = sum((got_counts & want_counts).values()) + sum((got_money & want_money).values())
    want = sum(want_counts.values()) + sum(want_money.values())
    got = sum(got_counts.values()) + sum(got_money.values())
    pairs = [(p["helper"], p["recipient"]) for p in result["pairings"]]
    want_pairs = expected["pairings"]
    hit_recall = hit + sum(
        any(_same(h, eh) and _same(r, er) for h, r in pairs) for eh, er in want_pairs
    )
    hit_precision = hit + sum(
        any(_same(h, eh) and _same(r, er) for eh, er in want_pairs) for h, r in pairs
    )
    return {
        "recall_hits": hit_recall,
        "expected": want + len(want_pairs),
        "precision_hits": hit_precision,
        "extracted": got + len(pairs),
        "missing": sorted((want_counts - got_counts).elements()),
        "extra": sorted((got_counts - want_counts).elements()),
    }


@pytest.mark.parametrize("prefix", sorted(EXPECTED))
def test_each_seed_recall(prefix):
    s = score(prefix)
    recall = s["recall_hits"] / s["expected"] if s["expected"] else 1.0
    precision = s["precision_hits"] / s["extracted"] if s["extracted"] else 1.0
    print(
        f"\n{prefix}: recall {recall:.2f} precision {precision:.2f} "
        f"missing {s['missing']} extra {s['extra']}"
    )
    assert recall >= 0.6


def test_overall_precision_and_recall():
    scores = [score(prefix) for prefix in sorted(EXPECTED)]
    recall = sum(s["recall_hits"] for s in scores) / sum(s["expected"] for s in scores)
    precision = sum(s["precision_hits"] for s in scores) / sum(s["extracted"] for s in scores)
    print(f"\noverall: recall {recall:.3f} precision {precision:.3f}")
    assert recall >= 0.8
    assert precision >= 0.7
