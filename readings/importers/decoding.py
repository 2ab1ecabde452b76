"""Bytes to text: UTF-8 (with or without BOM), UTF-16 with BOM, legacy single-byte."""

import codecs
import re

from .errors import ImportProblem

# Signatures of binary formats we cannot read (Word, EPUB and PDF are told apart
# before decoding, in binary.py).
BINARY_SIGNATURES = {
    b"\xd0\xcf\x11\xe0": "an old Microsoft Office file",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"{\\rtf": "an RTF document",
}
ACCEPTED = "Upload a Word (.docx), EPUB, PDF, plain text, Markdown or HTML file."
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.I)


def _latin1_fallback(error: UnicodeDecodeError) -> tuple[str, int]:
    # cp1252 leaves five bytes undefined; Latin-1 maps every byte.
    return error.object[error.start : error.end].decode("latin-1"), error.end


codecs.register_error("marginalia-latin1", _latin1_fallback)

ESCAPED_AS_LATIN1 = {0xDC00 + byte: byte for byte in range(0x80, 0x100)}
# Windows-1252 is Latin-1 but for the printable characters it puts at 0x80-0x9F.
CP1252_OVER_LATIN1 = {
    byte: bytes([byte]).decode("cp1252")
    for byte in range(0x80, 0xA0)
    if byte not in b"\x81\x8d\x8f\x90\x9d"
}


def decode(data: bytes) -> str:
    """Decode an upload, or raise ImportProblem saying why it is not text."""
    if not data.strip():
        raise ImportProblem("The file is empty.")
    for signature, name in BINARY_SIGNATURES.items():
        if data.startswith(signature):
            raise ImportProblem(f"This looks like {name}, not text. {ACCEPTED}")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16")
    elif b"\x00" in data:
        raise ImportProblem(f"This looks like a binary file, not text. {ACCEPTED}")
    else:
        text = _decode_8bit(data)
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if len(CONTROL_CHARS.findall(text)) > max(8, len(text) // 100):
        raise ImportProblem(f"This looks like a binary file, not text. {ACCEPTED}")
    return CONTROL_CHARS.sub("", text.replace("\t", " "))


def _decode_8bit(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    # A saved web page may declare its own legacy charset.
    declared = META_CHARSET.search(data[:4096])
    if declared:
        encoding = declared.group(1).decode("ascii")
        try:
            # Bytes the charset does not define are read as Latin-1. Escaped and
            # then translated, they cost one pass however many there are.
            return data.decode(encoding, errors="surrogateescape").translate(ESCAPED_AS_LATIN1)
        except UnicodeDecodeError:
            # An error that spans an ASCII byte cannot be escaped: the handler,
            # called once for each error, reads that one as Latin-1 too.
            try:
                return data.decode(encoding, errors="marginalia-latin1")
            except UnicodeError:
                pass
        except (LookupError, UnicodeError):  # unknown, or not a charset (punycode)
            pass
    # Windows-1252, its five undefined bytes read as Latin-1: in one pass, where an
    # error handler would be called once for each such byte.
    return data.decode("latin-1").translate(CP1252_OVER_LATIN1)
