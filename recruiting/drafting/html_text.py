"""HTML -> plain text for company pages: visible text only, scripts and styles dropped, bounded.

The text is data for a prompt (fenced there), so it is never interpreted here either: entities
are decoded, tags dropped, nothing is executed or fetched.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

MAX_TEXT_CHARS = 20_000
# Content of these elements is never visible text.
_SKIPPED = frozenset({"script", "style", "noscript", "template", "svg", "iframe", "object", "head", "select"})
_VOID = frozenset({"br", "hr", "img", "input", "meta", "link", "area", "base", "col", "embed", "source", "wbr"})
_BLOCKS = frozenset(
    {
        "p", "div", "section", "article", "header", "footer", "main", "aside", "nav", "li", "ul", "ol", "h1", "h2",
        "h3", "h4", "h5", "h6", "tr", "table", "blockquote", "dd", "dt", "figcaption", "address", "pre", "title",
    }
)  # fmt: skip


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip_stack: list[str] = []
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title" and not self.skip_stack[1:]:
            self._in_title = True
        if tag in _SKIPPED or any(name == "hidden" for name, _ in attrs):
            if tag not in _VOID:
                self.skip_stack.append(tag)
            return
        if tag in _BLOCKS or tag == "br":
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        if self.skip_stack and self.skip_stack[-1] == tag:
            self.skip_stack.pop()
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:  # <title> sits in <head>, which is skipped: keep it as the first line
            self.title += data
        elif not self.skip_stack:
            self.parts.append(data)


def html_to_text(html: str, *, max_chars: int = MAX_TEXT_CHARS) -> str:
    collector = _TextCollector()
    collector.feed(html)
    collector.close()
    text = "".join(collector.parts)
    lines = [" ".join(line.split()) for line in text.splitlines()]
    body = "\n".join(line for line in lines if line)
    title = " ".join(collector.title.split())
    return (f"{title}\n{body}" if title else body)[:max_chars]


def looks_like_html(text: str) -> bool:
    return bool(re.search(r"<(html|body|div|p|head|section|h1|script)\b", text[:5000], re.IGNORECASE))
