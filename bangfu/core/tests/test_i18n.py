"""The interface is written in Chinese; English comes from bangfu/locale/en.

Pages are Chinese unless the visitor asks for English (language cookie set by
/i18n/setlang/, or Accept-Language), and the English catalogue must be complete
and compiled.
"""

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
LOCALE_DIR = Path(settings.BASE_DIR) / "bangfu" / "locale"
PO_PATH = LOCALE_DIR / "en" / "LC_MESSAGES" / "django.po"
MO_PATH = PO_PATH.with_suffix(".mo")

NAV_EN = [
    "Home",
    "Pairings",
    "Region pairings",
    "Needs",
    "Plans",
    "Projects",
    "Activity ledger",
    "Dispatch & visits",
    "Material support",
    "Shared resources",
    "Statistics & bulletins",
    "Import & export",
    "Report extraction",
    "Recycle bin",
    "Organisations",
    "People",
    "Regions",
]
NAV_ZH = [
    "首页",
    "结对关系",
    "对口关系",
    "需求清单",
    "帮扶计划",
    "帮扶项目",
    "活动台账",
    "援派与跟岗",
    "物资帮扶",
    "共享资源",
    "统计与简报",
    "导入导出",
    "报告提取",
    "回收站",
    "单位",
    "人员",
    "行政区划",
]


def nav_html(response):
    html = response.content.decode()
    match = re.search(r'<nav class="mainnav">(.*?)</nav>', html, re.S)
    assert match, "main navigation not found"
    return match.group(1)


def nav_groups(response):
    """Names of the navigation's drop-down groups (<summary>), in order."""
    return [
        re.sub(r"<[^>]+>", "", s).strip()
        for s in re.findall(r"<summary>(.*?)</summary>", nav_html(response), re.S)
    ]


def nav_labels(response):
    return [
        re.sub(r"<[^>]+>", "", a).strip()
        for a in re.findall(r"<a [^>]*>.*?</a>", nav_html(response))
    ]


def topbar_text(response):
    """Text of the top bar's user box, without the organisation name (data, not UI)."""
    html = response.content.decode()
    box = re.search(r'<div class="userbox">(.*?)</div>', html, re.S).group(1)
    box = re.sub(r'<span class="who".*?</span>', "", box, flags=re.S)
    return re.sub(r"<[^>]+>", " ", box)


def assert_english(response):
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    labels = nav_labels(response)
    for label in NAV_EN:
        assert label in labels
    assert not CJK.search(" ".join(labels)), labels
    assert nav_groups(response) == ["Data tools", "Directory"]
    box = topbar_text(response)
    assert "Two-factor sign-in" in box
    assert "Change password" in box and "Log out" in box
    # The only Chinese left in the top bar is the switch back to Chinese.
    assert CJK.findall(box.replace("中文", "")) == []


def assert_chinese(response):
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    assert nav_labels(response)[: len(NAV_ZH)] == NAV_ZH
    assert nav_groups(response) == ["数据工具", "基础信息"]
    assert "Pairings" not in nav_html(response)
    assert "两步验证" in topbar_text(response)


# Pages ----------------------------------------------------------------------


@pytest.mark.parametrize("url_name", ["core:home", "pairings:list"])
def test_pages_are_chinese_by_default(client_for, url_name):
    client = client_for("helper")
    assert_chinese(client.get(reverse(url_name)))


@pytest.mark.parametrize("url_name", ["core:home", "pairings:list"])
def test_language_cookie_gives_english(client_for, url_name):
    client = client_for("coordinator")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert_english(client.get(reverse(url_name)))


@pytest.mark.parametrize("url_name", ["core:home", "pairings:list"])
def test_accept_language_gives_english(client_for, url_name):
    client = client_for("helper")
    response = client.get(reverse(url_name), HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    assert_english(response)


def test_language_button_switches_to_english_and_back(client_for):
    client = client_for("helper")
    home = client.get(reverse("core:home"))
    assert_chinese(home)
    assert 'name="language" value="en"' in home.content.decode()

    response = client.post(
        reverse("set_language"), {"language": "en", "next": reverse("pairings:list")}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("pairings:list")
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert_english(client.get(reverse("pairings:list")))
    assert_english(client.get(reverse("core:home")))

    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert_chinese(client.get(reverse("core:home")))


def test_english_pairing_list_shows_translated_labels(client_for):
    client = client_for("coordinator")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("pairings:list")).content.decode()
    for label in ["New pairing", "Helper side", "Recipient side", "Pairing mode", "Status"]:
        assert label in html
    # Choice labels come from the catalogue too.
    assert "One-to-one" in html and "Active" in html


def test_english_admin_link_for_staff(client_for):
    client = client_for("sysadmin")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    labels = nav_labels(client.get(reverse("accounts:user_list")))
    assert "Administration" in labels
    # No business page is offered to the system administrator.
    assert not set(NAV_EN) & set(labels)


@pytest.mark.parametrize(
    "role, url_name, labels",
    [
        ("sysadmin", "accounts:user_list", ["账号管理", "我的账号", "系统管理"]),
        ("secadmin", "accounts:role_list", ["角色授权", "账号解锁", "我的账号"]),
        ("auditor", "audit:list", ["审计日志", "我的账号"]),
    ],
)
def test_separation_of_duties_roles_see_only_their_own_pages_in_the_nav(
    client_for, role, url_name, labels
):
    assert nav_labels(client_for(role).get(reverse(url_name))) == labels


@pytest.mark.parametrize(
    "role, url_name",
    [
        ("helper", "core:home"),
        ("coordinator", "core:home"),
        ("sysadmin", "accounts:user_list"),
        ("secadmin", "accounts:role_list"),
        ("auditor", "audit:list"),
    ],
)
def test_every_signed_in_user_finds_two_factor_sign_in_in_the_top_bar(client_for, role, url_name):
    html = client_for(role).get(reverse(url_name)).content.decode()
    box = re.search(r'<div class="userbox">(.*?)</div>', html, re.S).group(1)
    assert f'href="{reverse("otp:manage")}"' in box


def test_recycle_bin_is_in_the_navigation_of_business_users_only(client_for):
    trash = f'href="{reverse("trash:index")}"'
    assert trash in nav_html(client_for("helper").get(reverse("core:home")))
    assert trash not in nav_html(client_for("sysadmin").get(reverse("accounts:user_list")))


def test_english_login_page(client_for):
    client = client_for("anonymous")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("accounts:login")).content.decode()
    assert '<html lang="en">' in html
    assert "Log in" in html and "Username" in html and "Password" in html
    # Demo account rows hold organisation names (data), and the brand 帮扶 bangfu is a name;
    # everything else is English.
    html = re.sub(r'<section class="card narrow demo-accounts">.*?</section>', "", html, flags=re.S)
    text = re.sub(r"帮扶\s+bangfu", "", re.sub(r"<[^>]+>", " ", html)).replace("中文", "")
    assert CJK.findall(text) == []


# Catalogue ------------------------------------------------------------------


def parse_po(path):
    """Entries of a .po file as dicts: msgid, msgid_plural, msgstr (list), flags."""
    entries = []
    for block in path.read_text(encoding="utf-8").strip().split("\n\n"):
        entry = {"flags": set(), "msgstr": {}, "msgid_plural": None}
        key = None
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["flags"] |= {f.strip() for f in line[2:].split(",")}
                continue
            if line.startswith("#~"):
                entry["obsolete"] = True
                continue
            if line.startswith("#") or not line.strip():
                continue
            match = re.match(
                r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(\".*\")$", line
            )
            if match:
                key = match.group(1)
                value = ast.literal_eval(match.group(3))
                if key.startswith("msgstr"):
                    index = int(match.group(2) or 0)
                    key = ("msgstr", index)
                    entry["msgstr"][index] = value
                else:
                    entry[key] = value
            else:
                value = ast.literal_eval(line.strip())
                if isinstance(key, tuple):
                    entry["msgstr"][key[1]] += value
                else:
                    entry[key] += value
        if "msgid" in entry:
            entries.append(entry)
    return entries


PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]")


@pytest.fixture(scope="module")
def catalogue():
    assert PO_PATH.exists(), f"missing {PO_PATH}; run makemessages -l en"
    entries = parse_po(PO_PATH)
    header = next(e for e in entries if e["msgid"] == "")
    messages = [e for e in entries if e["msgid"] != "" and not e.get("obsolete")]
    return header, messages


def test_catalogue_header(catalogue):
    header, _ = catalogue
    assert "fuzzy" not in header["flags"]
    assert "Language: en\n" in header["msgstr"][0]
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in header["msgstr"][0]


def test_catalogue_is_complete_and_not_fuzzy(catalogue):
    _, messages = catalogue
    assert len(messages) > 200
    fuzzy = [e["msgid"] for e in messages if "fuzzy" in e["flags"]]
    assert fuzzy == []
    empty = [e["msgid"] for e in messages if any(not s for s in e["msgstr"].values())]
    assert empty == []
    for e in messages:
        expected_forms = [0, 1] if e["msgid_plural"] is not None else [0]
        assert sorted(e["msgstr"]) == expected_forms, e["msgid"]


def test_catalogue_keeps_placeholders_and_is_english(catalogue):
    _, messages = catalogue
    for e in messages:
        wanted = sorted(set(PLACEHOLDER.findall(e["msgid"])))
        for text in e["msgstr"].values():
            assert sorted(set(PLACEHOLDER.findall(text))) == wanted, (e["msgid"], text)
            if CJK.search(e["msgid"]):
                assert text != e["msgid"], f"untranslated: {e['msgid']}"
            # Chinese may stay only as a quoted example or name taken from the source.
            for run in re.findall(r"[\u3400-\u9fff]+", text):
                assert run in e["msgid"], (e["msgid"], text)


def test_glossary_terms(catalogue):
    _, messages = catalogue
    table = {e["msgid"]: e["msgstr"][0] for e in messages}
    assert table["结对关系"] == "Pairings"
    assert table["对口关系"] == "Region pairings"
    assert table["一对一"] == "One-to-one"
    assert table["托管式"] == "Entrusted management"
    assert table["拟结对"] == "Proposed"
    assert table["进行中"] == "Active"
    assert table["已结束"] == "Ended"
    assert table["身份证号码"] == "ID number"
    assert table["演示模式"] == "Demo mode"


def test_compiled_catalogue_is_up_to_date(catalogue):
    """The .mo is committed; it must be compiled from the current .po.

    After editing the .po run: manage.py compilemessages --ignore ".venv/*"
    """
    assert MO_PATH.exists(), f"missing {MO_PATH}; run compilemessages"
    # A fresh git checkout writes both files within moments, in any order.
    assert MO_PATH.stat().st_mtime >= PO_PATH.stat().st_mtime - 2, (
        "django.mo is older than django.po"
    )
    # And, independent of timestamps: every .po entry is in the .mo with the same text.
    with MO_PATH.open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    _, messages = catalogue
    for e in messages:
        if e.get("msgctxt"):
            assert compiled.pgettext(e["msgctxt"], e["msgid"]) == e["msgstr"][0], e["msgid"]
        elif e["msgid_plural"] is None:
            assert compiled.gettext(e["msgid"]) == e["msgstr"][0], e["msgid"]
        else:
            assert compiled.ngettext(e["msgid"], e["msgid_plural"], 1) == e["msgstr"][0]
            assert compiled.ngettext(e["msgid"], e["msgid_plural"], 2) == e["msgstr"][1]
