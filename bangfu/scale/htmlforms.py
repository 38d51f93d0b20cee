"""The forms of an HTML page as a browser would submit them (for the load test's users).

Plain standard library: the locustfile imports it inside a gevent-patched process.
"""

from __future__ import annotations

import html.parser
from dataclasses import dataclass, field


@dataclass
class Form:
    """A form as a browser would submit it untouched: its fields' current values."""

    action: str | None
    method: str
    fields: list[tuple[str, str]] = field(default_factory=list)

    def names(self) -> set[str]:
        return {name for name, _value in self.fields}

    def data(self, **overrides) -> list[tuple[str, str]]:
        """The fields with ``overrides`` replacing (or adding) whole names."""
        kept = [(n, v) for n, v in self.fields if n not in overrides]
        return kept + [(n, str(v)) for n, v in overrides.items()]


class _FormParser(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: tuple[str, bool] | None = None  # name, multiple
        self._options: list[tuple[str, bool]] = []
        self._option: list | None = None  # [value or None, selected, text]
        self._textarea: list | None = None  # [name, text]

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self._form = Form(a.get("action"), (a.get("method") or "get").lower())
            self.forms.append(self._form)
            return
        if self._form is None:
            return
        name = a.get("name")
        if tag == "input" and name and "disabled" not in a:
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            default = "on" if kind in ("checkbox", "radio") else ""
            self._form.fields.append((name, a.get("value", default)))
        elif tag == "select" and name:
            self._select = (name, "multiple" in a)
            self._options = []
        elif tag == "option" and self._select is not None:
            self._option = [a.get("value"), "selected" in a, ""]
        elif tag == "textarea" and name:
            self._textarea = [name, ""]

    def handle_data(self, data):
        if self._option is not None:
            self._option[2] += data
        elif self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "option":
            self._close_option()
        elif tag == "select" and self._select is not None:
            self._close_option()
            name, multiple = self._select
            chosen = [v for v, selected in self._options if selected]
            if not multiple and not chosen and self._options:
                chosen = [self._options[0][0]]
            self._form.fields.extend((name, v) for v in chosen)
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            name, text = self._textarea
            # The HTML parser keeps the newline browsers drop after <textarea>.
            self._form.fields.append((name, text[1:] if text.startswith("\n") else text))
            self._textarea = None

    def _close_option(self):
        if self._option is not None:
            value, selected, text = self._option
            self._options.append((value if value is not None else text.strip(), selected))
            self._option = None


def parse_forms(page: str) -> list[Form]:
    """Every form of an HTML page, with the values a browser would submit."""
    parser = _FormParser()
    parser.feed(page)
    parser.close()
    return parser.forms
