"""ZIP containers (Word documents and EPUBs), opened only once their table of
contents shows they are small enough to read.

zipfile never inflates a member past the size its header declares (it stops
there and fails the CRC check), so capping the declared sizes, before any
member is read, caps what every reader of the archive inflates: a zip bomb is
refused by its table of contents alone.
"""

import zipfile
from io import BytesIO

from .errors import ImportProblem

MAX_ENTRIES = 5_000
MAX_UNCOMPRESSED_BYTES = 64 * 1024 * 1024


def open_zip(data: bytes, what: str) -> zipfile.ZipFile:
    """The archive, or ImportProblem naming `what` it should have been."""
    try:
        archive = zipfile.ZipFile(BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise ImportProblem(
            f"This {what} is damaged or incomplete (perhaps cut off while it was copied): "
            "open it and save it again."
        ) from None
    if len(entries) > MAX_ENTRIES:
        raise ImportProblem(
            f"This {what} holds {len(entries):,} files, more than the {MAX_ENTRIES:,} a "
            "reading may have: it is not a text we can import."
        )
    if sum(entry.file_size for entry in entries) > MAX_UNCOMPRESSED_BYTES:
        limit = MAX_UNCOMPRESSED_BYTES // (1024 * 1024)
        raise ImportProblem(
            f"This {what} unpacks to more than {limit} MB, more than a reading may take: "
            "save it without its images, or upload its text."
        )
    return archive


def read_member(archive: zipfile.ZipFile, name: str, limit: int) -> bytes | None:
    """A member's bytes (None when absent), refused past `limit` bytes."""
    try:
        info = archive.getinfo(name)
    except KeyError:
        return None
    if info.file_size > limit:
        raise ImportProblem(f"The archive's {name} is larger than {limit:,} bytes.")
    try:
        with archive.open(info) as member:
            return member.read(limit)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise ImportProblem(f"The archive's {name} is damaged: save the file again.") from None
