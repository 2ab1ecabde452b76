"""An e-book: its chapters in reading (spine) order, each a heading and its
passages; the cover, the table of contents and the copyright page are left
out, and named in what was dropped."""

import re
from io import BytesIO
from posixpath import basename

from ebooklib import epub

from .archive import open_zip, read_member
from .decoding import decode
from .errors import ImportProblem
from .html import parse_html
from .structure import HEADING, PARAGRAPH, ParsedReading, plain_block

# What a publisher calls the pages around the text, in file names and ids,
# in guide entries and in EPUB 3's epub:type.
FURNITURE_NAME = re.compile(
    r"(?:^|[\W_])(cover|toc|contents|copyright|titlepage|title-page|halftitle)(?:$|[\W_])", re.I
)
FURNITURE_TYPE = re.compile(
    r"""epub:type\s*=\s*["'][^"']*\b(cover|toc|copyright-page|titlepage|halftitlepage)\b""",
    re.I,
)
FURNITURE_LABELS = {
    "cover": "Cover",
    "toc": "Table of contents",
    "contents": "Table of contents",
    "copyright": "Copyright page",
    "copyright-page": "Copyright page",
    "titlepage": "Title page",
    "title-page": "Title page",
    "halftitle": "Half-title page",
    "halftitlepage": "Half-title page",
}
COPYRIGHT_TEXT = re.compile(r"©|all rights reserved|\bISBN\b", re.I)
COPYRIGHT_PAGE_MAX_CHARS = 2000
# Publishers obfuscate embedded fonts; anything else encrypted is DRM.
FONT_FILE = re.compile(r"\.(?:otf|ttf|woff2?)$", re.I)
CIPHER_URI = re.compile(rb"""<(?:\w+:)?CipherReference[^<>]*URI\s*=\s*["']([^"']+)""")
TITLE_ELEMENT = re.compile(r"<title\b[^<>]*>[^<]*</title>", re.I)


def parse_epub(data: bytes) -> ParsedReading:
    archive = open_zip(data, "EPUB")
    encryption = read_member(archive, "META-INF/encryption.xml", 1024 * 1024) or b""
    locked = [uri for uri in CIPHER_URI.findall(encryption) if not FONT_FILE.search(uri.decode())]
    if locked:
        raise ImportProblem(
            "This EPUB is locked with DRM, so its text cannot be read. Upload a copy "
            "without DRM, or the text itself."
        )
    try:
        book = epub.read_epub(BytesIO(data), options={"ignore_ncx": True})
    # ebooklib raises whatever its zip and XML readers meet in a damaged book.
    except Exception:
        raise ImportProblem(
            "This EPUB could not be read: it may be damaged or incomplete. Export it again "
            "from the program that made it."
        ) from None

    parsed = ParsedReading(
        title=_metadata(book, "title"),
        author=", ".join(value for value, _ in book.get_metadata("DC", "creator") if value),
    )
    items = {item.get_id(): item for item in book.get_items()}
    toc_titles = _toc_titles(book.toc)
    guide_furniture = {
        basename(entry.get("href", "").split("#")[0]): entry.get("type", "").lower()
        for entry in book.guide
    }
    for idref, _linear in book.spine:
        item = items.get(idref)
        if not isinstance(item, epub.EpubHtml):
            continue
        name = basename(item.file_name)
        content = item.get_content()
        furniture = _furniture(item, idref, guide_furniture.get(name, ""), content)
        if furniture:
            parsed.dropped.append(f"{FURNITURE_LABELS[furniture]} ({name})")
            continue
        if not content.strip():
            continue
        # A chapter's <title> is usually the book's; its heading comes from its own
        # first <h1> or, failing that, the table of contents.
        chapter = parse_html(TITLE_ELEMENT.sub("", decode(content), count=1))
        text_chars = sum(len(block.text) for block in chapter.blocks)
        if text_chars <= COPYRIGHT_PAGE_MAX_CHARS and any(
            COPYRIGHT_TEXT.search(block.text) for block in chapter.blocks
        ):
            parsed.dropped.append(f"{FURNITURE_LABELS['copyright']} ({name})")
            continue
        heading = chapter.title or toc_titles.get(name, "")
        if heading:
            parsed.blocks.append(plain_block(HEADING, heading))
        parsed.blocks.extend(plain_block(PARAGRAPH, text) for text in chapter.standfirst)
        parsed.blocks.extend(chapter.blocks)
        parsed.dropped.extend(chapter.dropped)
    return parsed


def _metadata(book: epub.EpubBook, name: str) -> str:
    values = book.get_metadata("DC", name)
    return " ".join(values[0][0].split()) if values and values[0][0] else ""


def _toc_titles(toc) -> dict[str, str]:
    """File name to the title the table of contents gives it (its first entry)."""
    titles: dict[str, str] = {}
    stack = list(reversed(toc))
    while stack:
        entry = stack.pop()
        if isinstance(entry, tuple | list):
            section, children = entry[0], entry[1] if len(entry) > 1 else []
            stack.extend(reversed(children))
            entry = section
        href = getattr(entry, "href", "") or ""
        title = " ".join((getattr(entry, "title", "") or "").split())
        if href and title:
            titles.setdefault(basename(href.split("#")[0]), title)
    return titles


def _furniture(item: epub.EpubHtml, idref: str, guide_type: str, content: bytes) -> str:
    """Which of the pages around the text this is ("" for the text itself)."""
    if isinstance(item, epub.EpubNav):
        return "toc"
    if isinstance(item, epub.EpubCoverHtml):
        return "cover"
    if guide_type in FURNITURE_LABELS:
        return guide_type
    stem = basename(item.file_name).rsplit(".", 1)[0]
    found = (
        FURNITURE_NAME.search(stem)
        or FURNITURE_NAME.search(idref)
        or FURNITURE_TYPE.search(content[:4096].decode("utf-8", "replace"))
    )
    return found.group(1).lower() if found else ""
