"""Reading built HTML pages in tests with the standard library's parser."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    text: str = ""


@dataclass
class Page:
    """The parts of a page the tests look at."""

    path: Path
    lang: str = ""
    title: str = ""
    elements: list[Element] = field(default_factory=list)
    text: str = ""

    def find(self, tag: str, **attrs: str) -> list[Element]:
        return [e for e in self.elements if e.tag == tag and all(e.attrs.get(k) == v for k, v in attrs.items())]

    def links(self) -> list[str]:
        """Every URL the page refers to: anchors, stylesheets, scripts, images, forms."""
        urls = []
        for element in self.elements:
            for attribute in ("href", "src", "action"):
                if attribute in element.attrs and element.tag in (
                    "a",
                    "link",
                    "script",
                    "img",
                    "form",
                    "iframe",
                    "source",
                ):
                    urls.append(element.attrs[attribute])
        return urls


class _Collector(HTMLParser):
    def __init__(self, page: Page) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.stack: list[Element] = []
        self.texts: list[str] = []
        self.in_title = False
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "html":
            self.page.lang = values.get("lang", "")
        element = Element(tag, values)
        self.page.elements.append(element)
        if tag == "title":
            self.in_title = True
        if tag in ("script", "style"):
            self.skip += 1
        if tag not in ("br", "img", "input", "link", "meta", "hr", "source", "wbr"):
            self.stack.append(element)

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
        if tag in ("script", "style") and self.skip:
            self.skip -= 1
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index].tag == tag:
                del self.stack[index:]
                break

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.page.title += data
        if self.skip:
            if self.stack and self.stack[-1].tag == "script":
                self.stack[-1].text += data
            return
        self.texts.append(data)
        for element in self.stack:
            element.text += data


def parse(path: Path) -> Page:
    page = Page(path)
    collector = _Collector(page)
    collector.feed(path.read_text(encoding="utf-8"))
    collector.close()
    page.text = " ".join(" ".join(collector.texts).split())
    return page
