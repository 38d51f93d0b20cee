"""Chinese text normalisation for search and sorting (no Django here).

Search ignores the script (幫扶 finds 帮扶) and accepts pinyin and pinyin
initials (ningcheng, nc); lists sort by pinyin. Each searchable record keeps
a ``search_text`` made by :func:`search_blob` and a ``sort_key`` made by
:func:`sort_key`; a query is folded by :func:`fold_query` and matched as a
substring.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import opencc
from pypinyin import Style, lazy_pinyin

_t2s = opencc.OpenCC("t2s")
_SPACE = re.compile(r"\s+")
_HAN = re.compile(r"[\u3400-\u9fff]")


def _dictionaries() -> tuple[frozenset[str], dict[str, list[str]]]:
    """The characters and the phrases (by first character) the t2s converter changes.

    Text containing neither converts to itself, so it skips the converter (pure
    Python, about 0.2 ms a call): the converter only rewrites dictionary matches.
    """
    _t2s.convert("")  # loads the dictionaries
    chars: set[str] = set()
    phrases: dict[str, list[str]] = {}
    for group in _t2s._dict_chain_data:
        for entry in group:
            for part in entry:
                if not isinstance(part, dict):
                    continue
                for key, value in part.items():
                    if key == value:
                        continue
                    if len(key) == 1:
                        chars.add(key)
                    else:
                        phrases.setdefault(key[0], []).append(key)
    return frozenset(chars), phrases


_CHARS, _PHRASES = _dictionaries()


def _unchanged_by_t2s(text: str) -> bool:
    if not _CHARS.isdisjoint(text):
        return False
    return not any(
        phrase in text for first in _PHRASES.keys() & set(text) for phrase in _PHRASES[first]
    )


@lru_cache(maxsize=65536)
def to_simplified(text: str) -> str:
    """Fold traditional characters to simplified; NFKC folds full-width forms."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text)
    if _unchanged_by_t2s(text):
        return text
    return _t2s.convert(text)


def fold(text: str) -> str:
    """Simplified script, lower case, no white space."""
    return _SPACE.sub("", to_simplified(text or "")).lower()


def pinyin(text: str) -> str:
    return "".join(lazy_pinyin(fold(text), errors="default")).lower()


def initials(text: str) -> str:
    return "".join(lazy_pinyin(fold(text), style=Style.FIRST_LETTER, errors="default")).lower()


def search_blob(*names: str) -> str:
    """The text a query is matched against: each name folded, in pinyin and in initials."""
    parts: list[str] = []
    for name in names:
        if not name:
            continue
        folded = fold(name)
        for part in (folded, pinyin(folded), initials(folded)):
            if part and part not in parts:
                parts.append(part)
    return "|".join(parts)


def fold_query(query: str) -> str:
    """A user's query in the form stored by :func:`search_blob`."""
    return fold(query).replace("|", "")


def sort_key(name: str) -> str:
    """Pinyin sort key: 安 sorts before 北, and ties keep the characters' order."""
    folded = fold(name)
    return (" ".join(lazy_pinyin(folded)) + " " + folded)[:250]


def has_han(text: str) -> bool:
    return bool(_HAN.search(text or ""))
