"""File type detection by content (magic bytes), never by file name."""

from __future__ import annotations

from .result import ErrorCode, ExtractionFailure, FileType
from .ziplimits import open_checked_zip

# Signatures of things people upload by mistake, so the refusal can say what the file looks like.
_KNOWN_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"RIFF", "a RIFF media file (WebP, WAV or AVI)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "a legacy Office 97-2003 file (.doc/.xls); save it as DOCX or PDF"),
    (b"{\\rtf", "an RTF document; save it as DOCX or PDF"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"),
    (b"%!PS", "a PostScript file"),
    (b"\x7fELF", "an executable program"),
    (b"MZ", "a Windows executable"),
    (b"\x00\x00\x00\x0cjP  ", "a JPEG 2000 image"),
)
_PDF_MAGIC = b"%PDF-"
_PDF_MAGIC_SEARCH_BYTES = 1024  # the PDF spec tolerates junk before the header
_ZIP_MAGIC = b"PK\x03\x04"


def detect_file_type(data: bytes) -> FileType:
    """Return the CV file type of `data`, or raise `ExtractionFailure` naming what it looks like."""
    if _PDF_MAGIC in data[:_PDF_MAGIC_SEARCH_BYTES]:
        return "pdf"
    if data.startswith(_ZIP_MAGIC):
        return _classify_zip(data)
    for signature, description in _KNOWN_SIGNATURES:
        if data.startswith(signature):
            raise ExtractionFailure(ErrorCode.UNSUPPORTED_TYPE, f"Unsupported file type: looks like {description}.")
    if data[4:12] in (b"ftypheic", b"ftypavif", b"ftypmif1"):
        raise ExtractionFailure(ErrorCode.UNSUPPORTED_TYPE, "Unsupported file type: looks like a HEIC/AVIF image.")
    return "txt"  # whether it really decodes as text is decided by the text extractor


def _classify_zip(data: bytes) -> FileType:
    names = set(open_checked_zip(data).namelist())
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        description = "an Excel spreadsheet"
    elif "ppt/presentation.xml" in names:
        description = "a PowerPoint presentation"
    elif "mimetype" in names or "content.xml" in names:
        description = "an OpenDocument file; save it as DOCX or PDF"
    else:
        description = "a ZIP archive"
    raise ExtractionFailure(ErrorCode.UNSUPPORTED_TYPE, f"Unsupported file type: looks like {description}.")
