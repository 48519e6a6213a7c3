"""Opening ZIP containers (DOCX) with zip-bomb checks done before anything is decompressed."""

from __future__ import annotations

import io
import struct
import zipfile

from .result import (
    MAX_ZIP_MEMBER_RATIO,
    MAX_ZIP_MEMBERS,
    MAX_ZIP_UNCOMPRESSED_BYTES,
    ZIP_RATIO_FLOOR_BYTES,
    ErrorCode,
    ExtractionFailure,
)

_END_OF_CENTRAL_DIRECTORY = b"PK\x05\x06"
_EOCD_SEARCH_BYTES = 22 + 65_535  # fixed record plus the longest possible archive comment


def open_checked_zip(data: bytes) -> zipfile.ZipFile:
    """Open `data` as a ZIP archive after checking member count, total size and compression ratios.

    The checks use the sizes declared in the central directory. Python's zipfile never returns
    more than the declared size for a member, so a lying header cannot get past `read_member`.
    """
    _refuse_too_many_members(data)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as error:
        raise ExtractionFailure(ErrorCode.CORRUPT_FILE, "The file is a damaged ZIP/DOCX archive.") from error
    members = archive.infolist()
    if len(members) > MAX_ZIP_MEMBERS:
        raise _bomb(f"it contains {len(members)} files (limit {MAX_ZIP_MEMBERS})")
    total = 0
    for member in members:
        total += member.file_size
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > ZIP_RATIO_FLOOR_BYTES and ratio > MAX_ZIP_MEMBER_RATIO:
            raise _bomb(f"a member expands {ratio:.0f}x (limit {MAX_ZIP_MEMBER_RATIO}x)")
    if total > MAX_ZIP_UNCOMPRESSED_BYTES:
        raise _bomb(
            f"it expands to {total // (1024 * 1024)} MB (limit {MAX_ZIP_UNCOMPRESSED_BYTES // (1024 * 1024)} MB)"
        )
    return archive


def read_member(archive: zipfile.ZipFile, name: str, *, limit: int) -> bytes:
    """Read one member, never more than `limit` bytes, whatever its header claims."""
    with archive.open(name) as member:
        content = member.read(limit + 1)
    if len(content) > limit:
        raise _bomb(f"{name} is larger than {limit // (1024 * 1024)} MB")
    return content


def _refuse_too_many_members(data: bytes) -> None:
    # Counting entries from the end-of-central-directory record avoids building one ZipInfo per
    # entry (hundreds of thousands for a hostile archive) just to find out there are too many.
    tail = data[-_EOCD_SEARCH_BYTES:]
    position = tail.rfind(_END_OF_CENTRAL_DIRECTORY)
    if position < 0 or position + 22 > len(tail):
        return  # zipfile will report the damage
    (declared_entries,) = struct.unpack_from("<H", tail, position + 10)
    if declared_entries > MAX_ZIP_MEMBERS and declared_entries != 0xFFFF:
        raise _bomb(f"it contains {declared_entries} files (limit {MAX_ZIP_MEMBERS})")


def _bomb(reason: str) -> ExtractionFailure:
    return ExtractionFailure(
        ErrorCode.BOMB_SUSPECTED,
        f"Refused: this archive looks like a decompression bomb ({reason}). Upload an ordinary DOCX or PDF.",
    )
