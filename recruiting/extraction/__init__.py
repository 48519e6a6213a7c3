"""Text extraction from uploaded CV files (PDF, DOCX, TXT), typed by content, with resource limits.

Public API: `extract_text(data=..., filename=...) -> ExtractionResult`. It never raises for a bad
upload: failures come back with an `error_code` (see `ErrorCode`) and a message fit for the user.
"""

from __future__ import annotations

import unicodedata

from .pdf import extract_pdf
from .plain import extract_plain_text
from .result import (
    MAX_PDF_PAGES,
    MAX_TEXT_CHARS,
    MAX_UPLOAD_BYTES,
    ErrorCode,
    ExtractedContent,
    ExtractionFailure,
    ExtractionResult,
    FileType,
    WarningCode,
)
from .sniff import detect_file_type
from .word import extract_docx

__all__ = [
    "MAX_PDF_PAGES",
    "MAX_TEXT_CHARS",
    "MAX_UPLOAD_BYTES",
    "ErrorCode",
    "ExtractionResult",
    "WarningCode",
    "detect_file_type",
    "extract_text",
]

_EXTRACTORS = {"pdf": extract_pdf, "docx": extract_docx, "txt": extract_plain_text}


def extract_text(*, data: bytes, filename: str = "") -> ExtractionResult:
    """Extract the text of one uploaded CV.

    `filename` is informational only: the type is always decided by the bytes.
    """
    file_type: FileType | None = None
    try:
        _check_size(data)
        file_type = detect_file_type(data)
        content = _EXTRACTORS[file_type](data)
    except ExtractionFailure as failure:
        return ExtractionResult(file_type=file_type, error_code=failure.code, error_message=failure.message)
    return _finish(content, file_type)


def _check_size(data: bytes) -> None:
    if not data:
        raise ExtractionFailure(ErrorCode.EMPTY_FILE, "The file is empty.")
    if len(data) > MAX_UPLOAD_BYTES:
        raise ExtractionFailure(
            ErrorCode.FILE_TOO_LARGE,
            f"The file is {len(data) / 1_048_576:.1f} MB; the limit is {MAX_UPLOAD_BYTES // 1_048_576} MB.",
        )


def _finish(content: ExtractedContent, file_type: FileType) -> ExtractionResult:
    text = _tidy(content.text)
    warnings = list(dict.fromkeys(content.warnings))
    if len(text) > MAX_TEXT_CHARS:
        text = text[:MAX_TEXT_CHARS]
        warnings.append(WarningCode.TEXT_TRUNCATED)
    if not text.strip():
        message = "No text found: the file is empty or contains only images."
        return ExtractionResult(file_type=file_type, error_code=ErrorCode.NO_TEXT_FOUND, error_message=message)
    hidden = _tidy(" ".join(part.strip() for part in content.hidden_parts if part.strip()))
    warnings = [warning for warning in warnings if warning != WarningCode.HIDDEN_TEXT or hidden]
    return ExtractionResult(
        text=text,
        file_type=file_type,
        pages=content.pages,
        warnings=warnings,
        hidden_text=hidden[:MAX_TEXT_CHARS],
    )


def _tidy(text: str) -> str:
    """NFC-normalise, drop NULs and trailing spaces, and collapse runs of blank lines."""
    text = unicodedata.normalize("NFC", text.replace("\x00", ""))
    lines = [line.rstrip() for line in text.split("\n")]
    tidy: list[str] = []
    for line in lines:
        if line or (tidy and tidy[-1]):
            tidy.append(line)
    return "\n".join(tidy).strip()
