"""The result type, error codes and resource limits shared by every extractor."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final, Literal

FileType = Literal["pdf", "docx", "txt"]

# Limits. A CV is a few pages of text; anything far beyond that is refused rather than processed,
# so that one hostile upload cannot starve a worker of memory or time.
MAX_UPLOAD_BYTES: Final = 10 * 1024 * 1024
MAX_PDF_PAGES: Final = 30
MAX_PDF_STREAM_BYTES: Final = 16 * 1024 * 1024  # per decompressed stream
MAX_TEXT_CHARS: Final = 200_000  # longer text is truncated with a warning
MAX_EXTRACTION_SECONDS: Final = 10.0
MAX_ZIP_MEMBERS: Final = 500
MAX_ZIP_UNCOMPRESSED_BYTES: Final = 64 * 1024 * 1024
MAX_ZIP_MEMBER_RATIO: Final = 100  # compressed:uncompressed, checked for members above the floor below
ZIP_RATIO_FLOOR_BYTES: Final = 1024 * 1024
MAX_DOCX_XML_BYTES: Final = 32 * 1024 * 1024


class ErrorCode:
    """Machine-readable failure codes, stable for the pipeline and the UI."""

    EMPTY_FILE: Final = "empty_file"
    FILE_TOO_LARGE: Final = "file_too_large"
    UNSUPPORTED_TYPE: Final = "unsupported_type"
    NO_TEXT_FOUND: Final = "no_text_found"
    FILE_TOO_COMPLEX: Final = "file_too_complex"
    BOMB_SUSPECTED: Final = "bomb_suspected"
    ENCRYPTED: Final = "encrypted"
    CORRUPT_FILE: Final = "corrupt_file"


class WarningCode:
    """Warning codes attached to a successful extraction."""

    HIDDEN_TEXT: Final = "hidden_text"
    TEXT_TRUNCATED: Final = "text_truncated"
    ENCODING_GUESSED: Final = "encoding_guessed"
    PARTIAL_TEXT: Final = "partial_text"


@dataclass(frozen=True, slots=True)
class ExtractionResult:
    """Text extracted from one uploaded file, or why there is none.

    `hidden_text` holds text a human reader cannot see (white-on-white, microscopic fonts, hidden
    runs). It is kept out of `text` and reported separately so the pipeline can flag the candidate.
    """

    text: str = ""
    file_type: FileType | None = None
    pages: int = 0
    warnings: list[str] = field(default_factory=list)
    hidden_text: str = ""
    error_code: str | None = None
    error_message: str = ""

    @property
    def ok(self) -> bool:
        return self.error_code is None


class ExtractionFailure(Exception):
    """Raised inside extractors; turned into a failed `ExtractionResult` at the boundary."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(slots=True)
class ExtractedContent:
    """What an extractor hands back before the shared post-processing (truncation, checks)."""

    text: str
    pages: int = 0
    hidden_parts: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
