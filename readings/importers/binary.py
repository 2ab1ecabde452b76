"""Word documents, EPUBs and PDFs, told apart by their first bytes (and a ZIP's
table of contents) as well as by their names, before any text decoding."""

import zipfile
from io import BytesIO

from .docx import parse_docx
from .epub import parse_epub
from .errors import ImportProblem
from .pdf import parse_pdf
from .structure import ParsedReading

PARSERS = {"docx": parse_docx, "epub": parse_epub, "pdf": parse_pdf}
NAMES = {"docx": "a Word document", "epub": "an EPUB", "pdf": "a PDF"}
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0"


def binary_format(data: bytes, named: str) -> str:
    """ "docx", "epub" or "pdf" by the file's bytes; "" for text. A file named as
    one of these must be one."""
    found = _sniff(data, named)
    if named in PARSERS and found != named:
        if named == "docx" and data.startswith(OLE_SIGNATURE):
            raise ImportProblem(
                "This Word document is protected by a password, or is an old .doc file: "
                "save it from Word as .docx without a password."
            )
        raise ImportProblem(
            f"This file is named .{named} but is not {NAMES[named]}"
            + (f" (it is {NAMES[found]})." if found else ".")
            + " Save it again in that format, or upload it under its own name."
        )
    return found


def parse_binary(fmt: str, data: bytes) -> ParsedReading:
    return PARSERS[fmt](data)


def _sniff(data: bytes, named: str) -> str:
    if data.lstrip(b"\x00\t\n\r ")[:5] == b"%PDF-":
        return "pdf"
    if not data.startswith(b"PK\x03\x04"):
        return ""
    # Reading the table of contents inflates nothing.
    try:
        names = set(zipfile.ZipFile(BytesIO(data)).namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        # A .docx or .epub cut short: its own reader says so, in its own words.
        if named in ("docx", "epub"):
            return named
        names = set()
    if "word/document.xml" in names:
        return "docx"
    if "mimetype" in names or "META-INF/container.xml" in names:
        return "epub"
    raise ImportProblem(
        "This is a ZIP archive but neither a Word document (.docx) nor an EPUB"
        + (": it may be incomplete or damaged." if not names else ".")
        + " Upload a .docx, .epub, .pdf, .txt, .md or .html file."
    )
