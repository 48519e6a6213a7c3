# ruff: noqa: RUF001 - CV text really contains typographic dashes, quotes and accented letters
"""Plain-text CVs in any common encoding."""

from __future__ import annotations

import codecs

from charset_normalizer import from_bytes

from .result import ErrorCode, ExtractedContent, ExtractionFailure, WarningCode

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_MAX_CONTROL_CHARACTER_SHARE = 0.02  # beyond this the "text" is binary data
_ALLOWED_CONTROLS = frozenset("\n\r\t\f\v")
_WESTERN_CHARACTERS = frozenset(
    "ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÑÒÓÔÕÖØÙÚÛÜÝßàáâãäåæçèéêëìíîïñòóôõöøùúûüýÿŒœŠšŽžŸ"
    "€£¥©®°±²³µ·¹º»«¼½¾¿¡§¶×÷\u00a0\u2013\u2014\u2018\u2019\u201a\u201c\u201d\u201e\u2022\u2026\u2122\u2020\u2030"
)


def extract_plain_text(data: bytes) -> ExtractedContent:
    warnings: list[str] = []
    text = _decode_with_bom(data) or _decode_utf16_without_bom(data)
    if text is None:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = _decode_guessed(data)
            warnings.append(WarningCode.ENCODING_GUESSED)
    _refuse_binary(text)
    return ExtractedContent(text=text.replace("\r\n", "\n").replace("\r", "\n"), pages=0, warnings=warnings)


def _decode_with_bom(data: bytes) -> str | None:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(encoding)
            except UnicodeDecodeError as error:
                raise ExtractionFailure(
                    ErrorCode.CORRUPT_FILE, f"The text file claims {encoding} but does not decode as it."
                ) from error
    return None


def _decode_utf16_without_bom(data: bytes) -> str | None:
    # ASCII-heavy UTF-16 has a NUL in every other byte; UTF-8 would accept those NULs silently.
    sample = data[:4000]
    if len(sample) < 4 or sample.count(0) < len(sample) // 4:
        return None
    encoding = "utf-16-le" if sample[1::2].count(0) > sample[0::2].count(0) else "utf-16-be"
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


def _decode_guessed(data: bytes) -> str:
    western = _decode_western(data)
    if western is not None:
        return western
    best = from_bytes(data).best()
    if best is not None:
        return str(best)
    # Every byte is valid cp1252/latin-1, the most common legacy encoding of Western CVs.
    return data.decode("cp1252", errors="replace")


def _decode_western(data: bytes) -> str | None:
    """cp1252 when every byte is defined there and the text reads as Western European.

    Statistical detectors often pick cp1250 for short French or German text ("à" becomes "ŕ"); the
    CVs we see are overwhelmingly Western European, so cp1252 wins whenever it is plausible.
    """
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return None
    non_ascii = [character for character in text if ord(character) > 127]
    if all(character in _WESTERN_CHARACTERS for character in non_ascii):
        return text
    return None


def _refuse_binary(text: str) -> None:
    sample = text[:20_000]
    if not sample:
        return
    controls = sum(1 for character in sample if character < " " and character not in _ALLOWED_CONTROLS)
    if controls / len(sample) > _MAX_CONTROL_CHARACTER_SHARE:
        raise ExtractionFailure(
            ErrorCode.UNSUPPORTED_TYPE,
            "Unsupported file type: looks like binary data, not a PDF, DOCX or text file.",
        )
