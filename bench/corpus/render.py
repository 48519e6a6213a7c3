# ruff: noqa: RUF001 - CV text really contains typographic dashes, quotes and accented letters
"""Lay a `CvDocument` out as TXT (several encodings), DOCX (paragraphs or tables) or PDF (one or two
columns, drawn with reportlab). Also small builders the tests use for special files."""

from __future__ import annotations

import io
import unicodedata
from pathlib import Path

import docx
from docx.enum.text import WD_TAB_ALIGNMENT
from docx.shared import Pt, RGBColor
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from .templates import CvDocument, Line, Section

_SIDEBAR_KEYS = ("skills", "languages", "certifications", "education")


def _register_fonts() -> tuple[str, str]:
    """A Unicode TrueType font when one is around (embedded, with ToUnicode), else Helvetica."""
    import reportlab

    candidates = [
        (
            Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
            Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
        ),
        (
            Path(reportlab.__file__).parent / "fonts" / "Vera.ttf",
            Path(reportlab.__file__).parent / "fonts" / "VeraBd.ttf",
        ),
    ]
    for regular, bold in candidates:
        if regular.exists() and bold.exists():
            pdfmetrics.registerFont(TTFont("CvSans", str(regular)))
            pdfmetrics.registerFont(TTFont("CvSans-Bold", str(bold)))
            return "CvSans", "CvSans-Bold"
    return "Helvetica", "Helvetica-Bold"


UNICODE_FONT, UNICODE_BOLD = _register_fonts()


def document_lines(document: CvDocument) -> list[Line]:
    return [*document.header, *(line for section in document.sections for line in section.lines)]


# ---------------------------------------------------------------- TXT


def to_txt(document: CvDocument, *, encoding: str) -> bytes:
    rows: list[str] = []
    for line in document.header:
        rows.append(line.text)
    for section in document.sections:
        rows.append("")
        for line in section.lines:
            rows.append(f"{line.text}   {line.right}" if line.right else line.text)
    text = "\r\n".join(rows) if encoding.startswith("utf-16") else "\n".join(rows)
    if encoding == "utf-8-sig":
        return text.encode("utf-8-sig")
    if encoding == "utf-16":
        return text.encode("utf-16")  # with BOM
    return text.encode(encoding, errors="replace")


# ---------------------------------------------------------------- DOCX


def to_docx(document: CvDocument, *, variant: str) -> bytes:
    """variant: "paragraphs" | "experience_table" | "layout_table" | "header_part"."""
    word = docx.Document()
    if variant == "header_part":
        header = word.sections[0].header
        header.paragraphs[0].text = document.header[0].text
        for line in document.header[1:]:
            header.add_paragraph(line.text)
        body_header: list[Line] = []
    else:
        body_header = document.header
    for line in body_header:
        _add_line(word, line)
    if variant == "layout_table":
        table = word.add_table(rows=1, cols=2)
        sidebar, main = table.rows[0].cells
        sidebar.paragraphs[0].text = ""
        main.paragraphs[0].text = ""
        for section in document.sections:
            cell = sidebar if section.key in _SIDEBAR_KEYS else main
            for line in section.lines:
                _add_line(cell, line)
    else:
        for section in document.sections:
            if variant == "experience_table" and section.key == "experience":
                _add_experience_table(word, section)
            else:
                for line in section.lines:
                    _add_line(word, line)
    buffer = io.BytesIO()
    word.save(buffer)
    return buffer.getvalue()


def _add_line(container: object, line: Line) -> None:
    paragraph = container.add_paragraph()  # type: ignore[attr-defined]
    run = paragraph.add_run(line.text)
    if line.kind in ("heading", "name"):
        run.bold = True
        run.font.size = Pt(14 if line.kind == "heading" else 20)
    if line.right:
        paragraph.paragraph_format.tab_stops.add_tab_stop(Pt(450), WD_TAB_ALIGNMENT.RIGHT)
        paragraph.add_run("\t" + line.right)


def _add_experience_table(word: docx.document.Document, section: Section) -> None:
    """One row per entry: the entry's first line in the left cell, the rest (bullets) in the right."""
    _add_line(word, section.lines[0])
    groups: list[list[Line]] = []
    for line in section.lines[1:]:
        if not groups or (line.kind != "bullet" and groups[-1][-1].kind == "bullet"):
            groups.append([])
        groups[-1].append(line)
    table = word.add_table(rows=0, cols=2)
    for group in groups:
        left, right = table.add_row().cells
        left.text = f"{group[0].text}   {group[0].right}".strip()
        right.text = ""
        for number, line in enumerate(group[1:]):
            text = f"{line.text}   {line.right}".strip()
            if number == 0:
                right.paragraphs[0].text = text
            else:
                right.add_paragraph(text)


def add_white_text_paragraph(word: docx.document.Document, text: str) -> None:
    run = word.add_paragraph().add_run(text)
    run.font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)


# ---------------------------------------------------------------- PDF


class _PdfWriter:
    """Writes lines top-down in a column, wrapping long text and adding pages as needed."""

    def __init__(self, pdf: canvas.Canvas, *, x: float, width: float, top: float, leading: float, font: str, bold: str):
        self.pdf, self.x, self.width, self.y, self.leading = pdf, x, width, top, leading
        self.font, self.bold, self.top = font, bold, top

    def write(self, line: Line) -> None:
        size = {"name": 20.0, "heading": 11.0, "headline": 11.0}.get(line.kind, 9.5)
        font = self.bold if line.kind in ("name", "heading") else self.font
        if line.kind == "heading":
            self.y -= self.leading * 0.6
        text = _printable(line.text, font)
        width = 10_000 if line.kind == "heading" else self.width  # headings never wrap
        for part in _wrap(
            text, font, size, width - (pdfmetrics.stringWidth(line.right, font, size) + 20 if line.right else 0)
        ):
            self._ensure_room(size)
            self.pdf.setFont(font, size)
            self.pdf.drawString(self.x, self.y, part)
            if line.right:
                self.pdf.drawRightString(self.x + self.width, self.y, _printable(line.right, font))
                line = Line(line.text)
            self.y -= max(self.leading, size * 1.25)

    def _ensure_room(self, size: float) -> None:
        if self.y < 50:
            self.pdf.showPage()
            self.y = self.top


def _printable(text: str, font: str) -> str:
    if not font.startswith("Helvetica"):
        return text
    # The standard PDF fonts only cover Latin-1: fold anything else to its base letter.
    return (
        "".join(
            character if ord(character) < 256 else unicodedata.normalize("NFKD", character)[0] for character in text
        )
        .replace("—", "-")
        .replace("–", "-")
    )


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    words, lines, current = text.split(" "), [], ""
    for word in words:
        candidate = f"{current} {word}".strip()
        if pdfmetrics.stringWidth(candidate, font, size) <= width or not current:
            current = candidate
        else:
            lines.append(current)
            current = word
    lines.append(current)
    return lines


def to_pdf(document: CvDocument, *, two_columns: bool, unicode_font: bool) -> bytes:
    font, bold = (UNICODE_FONT, UNICODE_BOLD) if unicode_font else ("Helvetica", "Helvetica-Bold")
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    page_width, page_height = A4
    if not two_columns:
        writer = _PdfWriter(pdf, x=50, width=page_width - 100, top=page_height - 60, leading=13, font=font, bold=bold)
        for line in document_lines(document):
            writer.write(line)
    else:
        # Name and headline span the page; contact and the short sections go in a left sidebar.
        top = _PdfWriter(pdf, x=40, width=page_width - 80, top=page_height - 50, leading=14, font=font, bold=bold)
        contact: list[Line] = []
        for line in document.header:
            if line.kind == "contact":
                contact.extend(Line(part.strip(), kind="contact") for part in line.text.split("|"))
            else:
                top.write(line)
        column_top = top.y - 10
        sidebar = _PdfWriter(pdf, x=40, width=150, top=column_top, leading=12.2, font=font, bold=bold)
        main = _PdfWriter(pdf, x=215, width=page_width - 255, top=column_top, leading=13.6, font=font, bold=bold)
        for line in contact:
            sidebar.write(line)
        side_sections = [section for section in document.sections if section.key in _SIDEBAR_KEYS]
        main_sections = [section for section in document.sections if section.key not in _SIDEBAR_KEYS]
        for section in side_sections:
            for line in section.lines:
                sidebar.write(line)
        for section in main_sections:
            for line in section.lines:
                main.write(line)
    pdf.save()
    return buffer.getvalue()
