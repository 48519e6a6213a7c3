"""PDF text in reading order (one or two columns), with hidden-text detection and bomb limits.

pypdf parses the content streams; a visitor records where each text chunk is drawn, in which fill
colour and size. We then rebuild lines from positions and, when a page has a vertical gutter, read
the left column before the right one. pypdf's resource limits (decompressed stream size, parsing
work, page-tree size) are tightened so that a hostile file fails fast with `LimitReachedError`.
"""

from __future__ import annotations

import io
import itertools
import logging
import math
import re
import struct
import time
import zlib
from dataclasses import dataclass, field
from typing import Any

from pypdf import Configuration, PdfReader, apply_configuration
from pypdf.errors import LimitReachedError, PyPdfError

from .result import (
    MAX_EXTRACTION_SECONDS,
    MAX_PDF_PAGES,
    MAX_PDF_STREAM_BYTES,
    MAX_TEXT_CHARS,
    ErrorCode,
    ExtractedContent,
    ExtractionFailure,
    WarningCode,
)

logger = logging.getLogger(__name__)

_PDF_LIMITS = Configuration().with_overwrites(
    zlib_maximum_output_length=MAX_PDF_STREAM_BYTES,
    lzw_maximum_output_length=MAX_PDF_STREAM_BYTES,
    run_length_maximum_output_length=MAX_PDF_STREAM_BYTES,
    array_based_stream_maximum_output_length=MAX_PDF_STREAM_BYTES,
    maximum_declared_stream_length=MAX_PDF_STREAM_BYTES,
    jbig2_maximum_output_length=MAX_PDF_STREAM_BYTES,
    brotli_maximum_output_length=MAX_PDF_STREAM_BYTES,
    image_maximum_buffer_size=MAX_PDF_STREAM_BYTES,
    stream_decoding_work_maximum_length=4 * MAX_PDF_STREAM_BYTES,
    # The byte-by-byte recovery of broken zlib streams is slow Python: keep its input small.
    zlib_maximum_recovery_input_length=256 * 1024,
    stream_parsing_work_maximum_count=400_000,
    page_tree_maximum_entries=4 * MAX_PDF_PAGES + 100,
    page_tree_maximum_page_entries=100_000,
    xform_maximum_invocations_per_extraction=500,
    outline_maximum_entries=5_000,
)
# pypdf raises a wide range of exceptions on damaged files; all of them mean "unreadable".
_DAMAGED_PDF_ERRORS = (
    PyPdfError,
    ValueError,
    KeyError,
    TypeError,
    AttributeError,
    IndexError,
    AssertionError,
    struct.error,
    zlib.error,
    RecursionError,
    UnicodeError,
    OSError,
)
_TEXT_SHOWING_OPERATORS = frozenset({b"Tj", b"TJ", b"'", b'"'})
_FILL_OPERATORS = frozenset({b"f", b"F", b"f*", b"B", b"B*", b"b", b"b*"})
_PATH_DISCARD_OPERATORS = frozenset({b"n", b"S", b"s"})
_COLOUR_OPERATORS = frozenset({b"rg", b"g", b"k", b"sc", b"scn"})
_INVISIBLE_RENDER_MODE = 3
_TINY_FONT_POINTS = 3.0
_WHITE_THRESHOLD = 0.95
_AVERAGE_GLYPH_WIDTH = 0.5  # in em, used when a font carries no /Widths table
_MIN_TEXT_CHARACTERS = 20  # below this a PDF has no usable text layer
_COLUMN_SEPARATOR = "   "  # wide gaps inside a line (tab stops) survive as three spaces
_DATE_LIKE = re.compile(
    r"\b(?:19|20)\d{2}\b|\b(?:present|current|now|heute|aujourd|actual)|"
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s",
    re.IGNORECASE,
)

Matrix = list[float]
Box = tuple[float, float, float, float]  # x0, y0, x1, y1


@dataclass(slots=True)
class _Fragment:
    x: float
    y: float
    size: float
    text: str
    width: float

    @property
    def end(self) -> float:
        return self.x + self.width


@dataclass(slots=True)
class _GraphicsState:
    white_fill: bool = False
    render_mode: int = 0


@dataclass(slots=True)
class _PageRecorder:
    """pypdf visitor callbacks for one page: positions, colours, backgrounds."""

    state: _GraphicsState = field(default_factory=_GraphicsState)
    saved_states: list[_GraphicsState] = field(default_factory=list)
    pending_shows: list[tuple[bool, bool, int]] = field(default_factory=list)  # (white, invisible, bytes)
    path_boxes: list[Box] = field(default_factory=list)
    backgrounds: list[Box] = field(default_factory=list)
    has_images: bool = False
    fragments: list[_Fragment] = field(default_factory=list)
    white_fragments: list[_Fragment] = field(default_factory=list)
    invisible_fragments: list[_Fragment] = field(default_factory=list)
    tiny_fragments: list[_Fragment] = field(default_factory=list)
    widths_by_font: dict[int, tuple[int, list[float]] | None] = field(default_factory=dict)

    def before_operator(self, operator: bytes, operands: list[Any], cm: Matrix, tm: Matrix) -> None:
        if operator in _TEXT_SHOWING_OPERATORS:
            self.pending_shows.append(
                (self.state.white_fill, self.state.render_mode == _INVISIBLE_RENDER_MODE, _shown_bytes(operands))
            )
        elif operator in _COLOUR_OPERATORS:
            self.state.white_fill = _is_white(operator, operands)
        elif operator == b"q":
            self.saved_states.append(_GraphicsState(self.state.white_fill, self.state.render_mode))
        elif operator == b"Q" and self.saved_states:
            self.state = self.saved_states.pop()
        elif operator == b"Tr" and operands:
            self.state.render_mode = int(_number(operands[0]))
        elif operator == b"re" and len(operands) == 4:
            x, y, width, height = (_number(value) for value in operands)
            self.path_boxes.append(_transform_box((x, y, x + width, y + height), cm))
        elif operator in _FILL_OPERATORS:
            if not self.state.white_fill:
                self.backgrounds.extend(self.path_boxes)
            self.path_boxes.clear()
        elif operator in _PATH_DISCARD_OPERATORS:
            self.path_boxes.clear()
        elif operator == b"Do":
            # Images and forms may be backgrounds (or a scan); white text over them is visible.
            self.has_images = True
            self.backgrounds.append(_transform_box((0.0, 0.0, 1.0, 1.0), cm))

    def on_text(self, text: str, cm: Matrix, tm: Matrix, font: Any, font_size: float) -> None:
        shows, self.pending_shows = self.pending_shows, []
        if not text.strip():
            return
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        size = abs(font_size) * math.hypot(tm[2], tm[3]) * math.hypot(cm[2], cm[3])
        widths = self._font_widths(font)
        for line_number, line in enumerate(text.rstrip("\n").split("\n")):
            line_y = y - line_number * size * 1.2
            for part, white, invisible in _split_by_shows(line, shows if line_number == 0 else []):
                if not part.strip():
                    continue
                fragment = _Fragment(x, line_y, size, part, _text_width(part, size, widths))
                x += fragment.width
                if invisible:
                    self.invisible_fragments.append(fragment)
                elif white:
                    self.white_fragments.append(fragment)
                elif size < _TINY_FONT_POINTS:
                    self.tiny_fragments.append(fragment)
                else:
                    self.fragments.append(fragment)
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]

    def _font_widths(self, font: Any) -> tuple[int, list[float]] | None:
        key = id(font)
        if key not in self.widths_by_font:
            self.widths_by_font[key] = _read_widths(font)
        return self.widths_by_font[key]

    def hidden_and_visible(self) -> tuple[list[_Fragment], list[_Fragment]]:
        """Resolve white and invisible text against what we learnt about the whole page."""
        hidden = list(self.tiny_fragments)
        visible = list(self.fragments)
        for fragment in self.white_fragments:
            (visible if self._on_background(fragment) else hidden).append(fragment)
        # Invisible text over an image is an OCR layer: it is the page's real content.
        (visible if self.has_images else hidden).extend(self.invisible_fragments)
        return hidden, visible

    def _on_background(self, fragment: _Fragment) -> bool:
        return any(
            x0 - 1 <= fragment.x <= x1 + 1 and y0 - 1 <= fragment.y <= y1 + 1 for x0, y0, x1, y1 in self.backgrounds
        )


def extract_pdf(data: bytes) -> ExtractedContent:
    started = time.monotonic()
    with apply_configuration(_PDF_LIMITS):
        try:
            return _extract(data, started)
        except LimitReachedError as error:
            raise ExtractionFailure(
                ErrorCode.BOMB_SUSPECTED,
                "Refused: this PDF expands to far more data than a CV could hold (a decompression bomb?). "
                "Upload an ordinary PDF or DOCX.",
            ) from error
        except ExtractionFailure:
            raise
        except _DAMAGED_PDF_ERRORS as error:
            logger.info("unreadable PDF: %s", type(error).__name__)
            raise ExtractionFailure(ErrorCode.CORRUPT_FILE, "The PDF file is damaged and cannot be read.") from error


def _extract(data: bytes, started: float) -> ExtractedContent:
    reader = PdfReader(io.BytesIO(data), strict=False)
    if reader.is_encrypted and not _opens_without_password(reader):
        raise ExtractionFailure(
            ErrorCode.ENCRYPTED, "This PDF is password-protected. Upload a copy without a password."
        )
    declared_pages = _declared_page_count(reader)
    if declared_pages > MAX_PDF_PAGES:
        raise _too_many_pages(declared_pages)
    pages = reader.pages
    if len(pages) > MAX_PDF_PAGES:
        raise _too_many_pages(len(pages))
    page_texts: list[str] = []
    hidden_parts: list[str] = []
    saw_images = False
    characters = 0
    warnings: list[str] = []
    for page in pages:
        recorder = _PageRecorder()
        # Decode the content stream first: pypdf's text extraction swallows decoding errors, and we
        # want its size limit to surface as a refusal rather than as an empty page.
        contents = page.get_contents()
        if contents is not None:
            contents.get_data()
        page.extract_text(visitor_operand_before=recorder.before_operator, visitor_text=recorder.on_text)
        hidden, visible = recorder.hidden_and_visible()
        saw_images = saw_images or recorder.has_images
        page_text = _reading_order(visible, float(page.mediabox.width))
        page_texts.append(page_text)
        if hidden:
            hidden_parts.append(" ".join(fragment.text.strip() for fragment in hidden))
        characters += len(page_text)
        if time.monotonic() - started > MAX_EXTRACTION_SECONDS:
            raise ExtractionFailure(
                ErrorCode.FILE_TOO_COMPLEX,
                f"Refused: this PDF took more than {MAX_EXTRACTION_SECONDS:.0f} s to read. "
                "Upload a simpler PDF or DOCX.",
            )
        if characters > MAX_TEXT_CHARS:
            warnings.append(WarningCode.TEXT_TRUNCATED)
            break
    text = "\n\n".join(page_texts)
    if sum(1 for character in text if not character.isspace()) < _MIN_TEXT_CHARACTERS:
        raise _no_text(scanned=saw_images)
    if hidden_parts:
        warnings.append(WarningCode.HIDDEN_TEXT)
    return ExtractedContent(text=text, pages=len(pages), hidden_parts=hidden_parts, warnings=warnings)


def _opens_without_password(reader: PdfReader) -> bool:
    # Many PDFs are "encrypted" with an empty user password only to restrict printing or copying.
    try:
        return bool(reader.decrypt(""))
    except (PyPdfError, NotImplementedError, ValueError):
        return False


def _declared_page_count(reader: PdfReader) -> int:
    # /Count is read without flattening the page tree, so a thousands-of-pages bomb fails cheaply.
    try:
        count: Any = reader.trailer["/Root"]
        return int(count["/Pages"]["/Count"])
    except (KeyError, TypeError, ValueError, PyPdfError):
        return 0


def _too_many_pages(pages: int) -> ExtractionFailure:
    return ExtractionFailure(
        ErrorCode.FILE_TOO_COMPLEX,
        f"Refused: this PDF has {pages} pages; a CV may have at most {MAX_PDF_PAGES}.",
    )


def _no_text(*, scanned: bool) -> ExtractionFailure:
    if scanned:
        message = "No text found: this PDF looks scanned (images only). Upload a text-based PDF or DOCX."
    else:
        message = "No text found: this PDF contains no readable text. Upload a text-based PDF or DOCX."
    return ExtractionFailure(ErrorCode.NO_TEXT_FOUND, message)


def _shown_bytes(operands: list[Any]) -> int:
    if not operands:
        return 0
    shown = operands[-1]
    if isinstance(shown, list):
        return sum(len(item) for item in shown if isinstance(item, bytes | str))
    return len(shown) if isinstance(shown, bytes | str) else 0


def _number(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


def _is_white(operator: bytes, operands: list[Any]) -> bool:
    values = [_number(value) for value in operands if not isinstance(value, str)]
    if operator == b"k" or (operator in (b"sc", b"scn") and len(values) == 4):
        return len(values) == 4 and all(value <= 1 - _WHITE_THRESHOLD for value in values)
    return bool(values) and len(values) in (1, 3) and all(value >= _WHITE_THRESHOLD for value in values)


def _transform_box(box: Box, cm: Matrix) -> Box:
    corners = [(box[0], box[1]), (box[2], box[3]), (box[0], box[3]), (box[2], box[1])]
    xs = [x * cm[0] + y * cm[2] + cm[4] for x, y in corners]
    ys = [x * cm[1] + y * cm[3] + cm[5] for x, y in corners]
    return min(xs), min(ys), max(xs), max(ys)


def _split_by_shows(line: str, shows: list[tuple[bool, bool, int]]) -> list[tuple[str, bool, bool]]:
    """Attribute parts of a flushed chunk to the text operators (and colours) that drew them.

    pypdf joins consecutive Tj/TJ on one line into a single chunk, so a white word in the middle of
    a black line arrives merged; we split the chunk in proportion to the bytes each operator drew.
    """
    if not shows:
        return [(line, False, False)]
    flags = {(white, invisible) for white, invisible, _ in shows}
    if len(flags) == 1:
        white, invisible = flags.pop()
        return [(line, white, invisible)]
    total = sum(size for _, _, size in shows) or 1
    parts: list[tuple[str, bool, bool]] = []
    start = 0
    consumed = 0
    for index, (white, invisible, size) in enumerate(shows):
        consumed += size
        end = len(line) if index == len(shows) - 1 else round(len(line) * consumed / total)
        parts.append((line[start:end], white, invisible))
        start = end
    return parts


def _read_widths(font: Any) -> tuple[int, list[float]] | None:
    try:
        first = int(font["/FirstChar"])
        widths = [float(width) for width in font["/Widths"]]
    except (KeyError, TypeError, ValueError, PyPdfError):
        return None
    return (first, widths) if widths else None


def _text_width(text: str, size: float, widths: tuple[int, list[float]] | None) -> float:
    if widths is None:
        return len(text) * size * _AVERAGE_GLYPH_WIDTH
    first, table = widths
    total = 0.0
    for character in text:
        index = ord(character) - first
        total += table[index] if 0 <= index < len(table) and table[index] > 0 else 500.0
    return total / 1000 * size


def _reading_order(fragments: list[_Fragment], page_width: float) -> str:
    rows = _group_rows(fragments)
    gutter = _find_gutter(rows, page_width)
    if gutter is None:
        return "\n".join(_join_row(row) for row in rows)
    lines: list[str] = []
    left_band: list[str] = []
    right_band: list[str] = []
    for row in rows:
        left = [fragment for fragment in row if fragment.end <= gutter + 2]
        right = [fragment for fragment in row if fragment.x >= gutter - 2]
        if len(left) + len(right) < len(row):  # something spans the gutter: a full-width line
            lines.extend(left_band + right_band)
            left_band, right_band = [], []
            lines.append(_join_row(row))
            continue
        if left:
            left_band.append(_join_row(left))
        if right:
            right_band.append(_join_row(right))
    lines.extend(left_band + right_band)
    return "\n".join(lines)


def _group_rows(fragments: list[_Fragment]) -> list[list[_Fragment]]:
    rows: list[list[_Fragment]] = []
    row_y = math.inf
    for fragment in sorted(fragments, key=lambda item: (-item.y, item.x)):
        if rows and abs(fragment.y - row_y) <= max(2.0, 0.4 * fragment.size):
            rows[-1].append(fragment)
        else:
            rows.append([fragment])
            row_y = fragment.y
    for row in rows:
        row.sort(key=lambda item: item.x)
    return rows


def _join_row(row: list[_Fragment]) -> str:
    parts = [row[0].text]
    for previous, fragment in itertools.pairwise(row):
        gap = fragment.x - previous.end
        if gap > 2 * fragment.size:
            parts.append(_COLUMN_SEPARATOR)
        elif gap > 0.15 * fragment.size and not previous.text.endswith(" ") and not fragment.text.startswith(" "):
            parts.append(" ")
        parts.append(fragment.text)
    return "".join(parts).strip()


def _find_gutter(rows: list[list[_Fragment]], page_width: float) -> float | None:
    """The x of a vertical gap separating two columns, or None for a one-column page.

    A candidate is the common left edge of fragments in the middle of the page. It is a gutter when
    few rows have text crossing it and both sides hold several rows. Right-hand text made mostly of
    dates is a tab stop in a one-column CV ("Engineer ...... 2019 - 2021"), not a column.
    """
    fragments = [fragment for row in rows for fragment in row]
    starts: dict[int, int] = {}
    for fragment in fragments:
        if 0.2 * page_width < fragment.x < 0.75 * page_width:
            starts[round(fragment.x / 4)] = starts.get(round(fragment.x / 4), 0) + 1
    best: tuple[int, int, float] | None = None  # (-crossing rows, smaller side, gutter)
    for bucket, count in starts.items():
        if count < 4:
            continue
        gutter = bucket * 4 - 2
        crossing = sum(1 for row in rows if any(f.x < gutter - 2 and f.end > gutter + 2 for f in row))
        right = [f for f in fragments if f.x >= gutter - 2]
        left_rows = sum(1 for row in rows if any(f.end <= gutter + 2 for f in row))
        if crossing > max(2, len(rows) // 10) or len(right) < 4 or left_rows < 4:
            continue
        left = [f for f in fragments if f.end <= gutter + 2]
        if _mostly_dates(right) or _mostly_dates(left) or _label_value_layout(rows, gutter, left):
            continue
        candidate = (-crossing, min(len(right), left_rows), gutter)
        if best is None or candidate > best:
            best = candidate
    return None if best is None else best[2]


def _mostly_dates(fragments: list[_Fragment]) -> bool:
    return sum(1 for f in fragments if _DATE_LIKE.search(f.text) and len(f.text) < 40) >= len(fragments) / 2


def _label_value_layout(rows: list[list[_Fragment]], gutter: float, left: list[_Fragment]) -> bool:
    """Short labels with values on the same baselines ("Email:   jane@example.com") are one column."""
    paired = sum(1 for row in rows if any(f.end <= gutter + 2 for f in row) and any(f.x >= gutter - 2 for f in row))
    sides = sum(1 for row in rows if any(f.x >= gutter - 2 for f in row))
    lengths = sorted(len(f.text) for f in left)
    return paired >= 0.8 * sides and lengths[len(lengths) // 2] <= 20
