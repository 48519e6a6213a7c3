"""DOCX text: body paragraphs and tables in document order, plus headers, footers and text boxes.

We walk the WordprocessingML directly with lxml (python-docx's own XML engine) because python-docx
exposes paragraphs and tables as separate lists and skips text boxes; document order matters for
reading a CV.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator

from lxml import etree

from .result import MAX_DOCX_XML_BYTES, ErrorCode, ExtractedContent, ExtractionFailure, WarningCode
from .ziplimits import open_checked_zip, read_member

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_PARAGRAPH, _TABLE, _ROW, _CELL, _RUN = f"{_W}p", f"{_W}tbl", f"{_W}tr", f"{_W}tc", f"{_W}r"
_TEXT, _TAB, _BREAK, _CARRIAGE_RETURN = f"{_W}t", f"{_W}tab", f"{_W}br", f"{_W}cr"
_TEXT_BOX = f"{_W}txbxContent"
_SDT_CONTENT = f"{_W}sdtContent"
_DELETED = f"{_W}del"
_VAL = f"{_W}val"
_FILL = f"{_W}fill"
_WHITE_VALUES = frozenset({"FFFFFF", "FFFFFE", "FEFEFE", "FFFFFFFF"})
_TINY_HALF_POINTS = 4  # w:sz is in half-points: 2 pt and below is unreadable on paper
_CELL_SEPARATOR = " | "
_HEADER_FOOTER = re.compile(r"word/(header|footer)\d*\.xml")

# No network, no entity expansion, no huge trees: the XML comes from an untrusted upload.
_SAFE_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True)


class _Collector:
    """Accumulates visible lines and hidden fragments while walking the document."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.hidden: list[str] = []


def extract_docx(data: bytes) -> ExtractedContent:
    archive = open_checked_zip(data)
    part_names = sorted(name for name in archive.namelist() if _HEADER_FOOTER.fullmatch(name))
    headers = _walk_parts(archive, [name for name in part_names if "header" in name])
    body = _Collector()
    _walk_blocks(_body(_parse_part(archive, "word/document.xml")), body)
    footers = _walk_parts(archive, [name for name in part_names if "footer" in name])
    lines = _unique(headers.lines) + body.lines + _unique(footers.lines)
    hidden = headers.hidden + body.hidden + footers.hidden
    content = ExtractedContent(text="\n".join(lines), pages=0, hidden_parts=hidden)
    if hidden:
        content.warnings.append(WarningCode.HIDDEN_TEXT)
    return content


def _walk_parts(archive: zipfile.ZipFile, names: list[str]) -> _Collector:
    collector = _Collector()
    for name in names:
        _walk_blocks(_parse_part(archive, name), collector)
    return collector


def _unique(lines: list[str]) -> list[str]:
    """First-page, even-page and default headers usually repeat the same name and contact line."""
    return [line for line in dict.fromkeys(lines) if line.strip()]


def _parse_part(archive: zipfile.ZipFile, name: str) -> etree._Element:
    try:
        return etree.fromstring(read_member(archive, name, limit=MAX_DOCX_XML_BYTES), parser=_SAFE_PARSER)
    except (etree.XMLSyntaxError, KeyError, zipfile.BadZipFile, OSError, EOFError) as error:
        raise ExtractionFailure(ErrorCode.CORRUPT_FILE, f"The DOCX file is damaged ({name} is unreadable).") from error


def _body(document: etree._Element) -> etree._Element:
    body = document.find(f"{_W}body")
    if body is None:
        raise ExtractionFailure(ErrorCode.CORRUPT_FILE, "The DOCX file is damaged (it has no document body).")
    return body


def _walk_blocks(container: etree._Element, collector: _Collector) -> None:
    """Visit paragraphs and tables in document order, descending into content controls."""
    for element in container:
        tag = element.tag
        if tag == _PARAGRAPH:
            _add_paragraph(element, collector)
        elif tag == _TABLE:
            _add_table(element, collector)
        elif tag in (_SDT_CONTENT, f"{_W}sdt", f"{_W}customXml"):
            _walk_blocks(element, collector)


def _add_paragraph(paragraph: etree._Element, collector: _Collector) -> None:
    visible: list[str] = []
    text_boxes: list[etree._Element] = []
    for run, text in _runs(paragraph, text_boxes):
        if _is_hidden(run, paragraph):
            collector.hidden.append(text)
        else:
            visible.append(text)
    collector.lines.extend("".join(visible).split("\n"))
    for text_box in text_boxes:
        _walk_blocks(text_box, collector)


def _runs(paragraph: etree._Element, text_boxes: list[etree._Element]) -> Iterator[tuple[etree._Element, str]]:
    """Yield (run, text) pairs; text boxes found on the way are collected, not inlined."""
    stack = list(reversed(paragraph))
    while stack:
        element = stack.pop()
        tag = element.tag
        if tag == _RUN:
            text = _run_text(element, text_boxes)
            if text:
                yield element, text
        elif tag in (_DELETED, _MC_FALLBACK):
            continue  # deleted revisions and the VML duplicate of a text box are not content
        elif isinstance(tag, str):
            stack.extend(reversed(element))


def _run_text(run: etree._Element, text_boxes: list[etree._Element]) -> str:
    parts: list[str] = []
    for child in run.iter():
        tag = child.tag
        if tag == _TEXT:
            parts.append(child.text or "")
        elif tag == _TAB:
            parts.append("\t")
        elif tag in (_BREAK, _CARRIAGE_RETURN):
            parts.append("\n")
        elif tag == _TEXT_BOX and not _inside_fallback(child, run):
            text_boxes.append(child)
    return "".join(parts)


def _inside_fallback(element: etree._Element, stop: etree._Element) -> bool:
    parent = element.getparent()
    while parent is not None and parent is not stop:
        if parent.tag == _MC_FALLBACK:
            return True
        parent = parent.getparent()
    return False


def _is_hidden(run: etree._Element, paragraph: etree._Element) -> bool:
    properties = run.find(f"{_W}rPr")
    if properties is None:
        return False
    if _flag_on(properties.find(f"{_W}vanish")):
        return True
    size = properties.find(f"{_W}sz")
    if size is not None and (size.get(_VAL) or "").isdigit() and int(size.get(_VAL) or "0") <= _TINY_HALF_POINTS:
        return True
    color = properties.find(f"{_W}color")
    if color is None or (color.get(_VAL) or "").upper() not in _WHITE_VALUES:
        return False
    # White text on a shaded run, paragraph or table cell is a design choice, not hiding.
    return not _has_dark_background(run, properties, paragraph)


def _flag_on(element: etree._Element | None) -> bool:
    return element is not None and element.get(_VAL, "true") not in ("0", "false", "off")


def _has_dark_background(run: etree._Element, properties: etree._Element, paragraph: etree._Element) -> bool:
    if properties.find(f"{_W}highlight") is not None or _shaded(properties):
        return True
    paragraph_properties = paragraph.find(f"{_W}pPr")
    if paragraph_properties is not None and _shaded(paragraph_properties):
        return True
    ancestor = paragraph.getparent()
    while ancestor is not None:
        if ancestor.tag == _CELL:
            cell_properties = ancestor.find(f"{_W}tcPr")
            return cell_properties is not None and _shaded(cell_properties)
        ancestor = ancestor.getparent()
    return False


def _shaded(properties: etree._Element) -> bool:
    shading = properties.find(f"{_W}shd")
    if shading is None:
        return False
    fill = (shading.get(_FILL) or "auto").upper()
    return fill not in ("AUTO", *_WHITE_VALUES)


def _add_table(table: etree._Element, collector: _Collector) -> None:
    for row in table.iter(_ROW):
        if _enclosing_table(row) is not table:
            continue  # nested tables are reached through their cell
        cells = [cell for cell in row if cell.tag == _CELL]
        cell_lines: list[list[str]] = []
        for cell in cells:
            inner = _Collector()
            _walk_blocks(cell, inner)
            collector.hidden.extend(inner.hidden)
            cell_lines.append([line for line in inner.lines if line.strip()])
        if all(len(lines) <= 1 for lines in cell_lines):
            # A row of one-line cells reads as one line: "2019 - 2021 | Engineer | Acme".
            collector.lines.append(_CELL_SEPARATOR.join(lines[0] for lines in cell_lines if lines))
        else:
            # Layout tables (sidebar cell, main cell) read cell by cell.
            for lines in cell_lines:
                collector.lines.extend(lines)


def _enclosing_table(row: etree._Element) -> etree._Element | None:
    parent = row.getparent()
    while parent is not None and parent.tag != _TABLE:
        parent = parent.getparent()
    return parent
