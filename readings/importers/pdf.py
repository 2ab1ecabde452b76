"""A PDF's text layer, read as a person reads the pages: running headers,
footers and page numbers left out, columns read one after the other, lines
joined into paragraphs (across a page or column break too, and across a
hyphenated line end), and headings told by their larger type.

pdfminer gives each page's lines of text with their position and type size;
everything after that is one pass over the lines of the whole document."""

import contextvars
import re
import zlib
from collections import Counter
from dataclasses import dataclass
from io import BytesIO
from itertools import islice
from statistics import median

from pdfminer import pdftypes
from pdfminer.converter import PDFPageAggregator
from pdfminer.layout import LAParams, LTChar, LTTextLineHorizontal
from pdfminer.pdfdocument import PDFDocument, PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
from pdfminer.pdfpage import PDFPage
from pdfminer.pdfparser import PDFParser

from .errors import ImportProblem
from .structure import (
    HEADING,
    LIST_ITEM,
    PARAGRAPH,
    Block,
    ParsedReading,
    label_of,
    plain_block,
)

MAX_PAGES = 2_000
MAX_INFLATED_BYTES = 128 * 1024 * 1024
# Where running headers, footers and page numbers sit: the outer tenth of a page.
EDGE_BAND = 0.1
# A book's running heads change with its chapters: a few dozen are named, not all.
MAX_DROPPED_NOTES = 40
PAGE_NUMBER = re.compile(
    r"^(?:page\s+)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?$|^[-–—]\s*\d{1,4}\s*[-–—]$", re.I
)
DIGITS = re.compile(r"\d+")
SENTENCE_END = re.compile(r"[.!?…:;\"”’)]$")
LINE_END_HYPHEN = re.compile(r"(?<=[^\W\d_])[-\u2010\u00ad]$")
# A word broken at a line end is joined whole, unless the document spells it
# with a hyphen elsewhere ("working-class", not "workingclass").
WORD_EDGES = "\"'“”‘’()[]{}.,;:!?…"
WORD_END = re.compile(r"[^\W\d_]+$")
WORD_START = re.compile(r"[^\W\d_]+")
BULLET = re.compile(r"^[•◦▪‣●○■□–]\s*")
LIGATURES = str.maketrans(
    {"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st"}
)
DAMAGED = (
    "This PDF could not be read: it may be damaged. Open it and save or export it again as PDF."
)
# Type this much larger than the body text is a heading's.
HEADING_RATIO = 1.15
HEADING_MAX_CHARS = 200
# A gap between lines this many times the usual line spacing ends a paragraph.
PARAGRAPH_GAP = 1.4


# pdfminer inflates each compressed stream whole, however large it unpacks (a
# PDF can be a zip bomb too), and a damaged stream a byte at a time into a
# growing bytes object (quadratic). Both are replaced in its stream decoder by
# inflaters that count what one import has unpacked and stop past the limit.
_inflate_allowance: contextvars.ContextVar[list[int]] = contextvars.ContextVar("pdf_inflate")
TOO_BIG = (
    f"This PDF unpacks to more than {MAX_INFLATED_BYTES // (1024 * 1024)} MB, more than a "
    "reading may take: save it without its images, or upload its text."
)


def _room() -> int:
    return _inflate_allowance.get([MAX_INFLATED_BYTES])[0]


def _spend(size: int) -> None:
    allowance = _inflate_allowance.get(None)
    if size > _room():
        raise ImportProblem(TOO_BIG)
    if allowance is not None:
        allowance[0] -= size


class _BoundedZlib:
    error = zlib.error

    @staticmethod
    def decompress(data: bytes) -> bytes:
        inflater = zlib.decompressobj()
        inflated = inflater.decompress(data, _room() + 1)
        if len(inflated) > _room():
            raise ImportProblem(TOO_BIG)
        if not inflater.eof:
            raise zlib.error("incomplete or truncated stream")
        _spend(len(inflated))
        return inflated


def _inflate_damaged(data: bytes) -> bytes:
    """What a damaged stream holds before the damage, in linear time."""
    inflater = zlib.decompressobj()
    parts = []
    for start in range(0, len(data), 65536):
        try:
            part = inflater.decompress(data[start : start + 65536], _room() + 1)
        except zlib.error:
            break
        _spend(len(part))
        parts.append(part)
    return b"".join(parts)


pdftypes.zlib = _BoundedZlib
pdftypes.decompress_corrupted = _inflate_damaged


@dataclass
class Line:
    text: str
    x0: float
    x1: float
    top: float  # distance from the top of the page, so that reading goes down
    bottom: float
    size: float
    bold_chars: int
    region: tuple[int, int] = (0, 0)  # (page, column or band) once ordered
    left: float = 0.0  # the region's left and right edges
    right: float = 0.0


def parse_pdf(data: bytes) -> ParsedReading:
    allowance = _inflate_allowance.set([MAX_INFLATED_BYTES])
    try:
        pages = _read_pages(data)
    finally:
        _inflate_allowance.reset(allowance)
    if not any(lines for lines, _ in pages):
        raise ImportProblem(
            "This PDF has no text: it is a scan, or pictures of pages. Run it through text "
            "recognition (OCR) first, or upload the text in another form."
        )
    dropped = _drop_furniture(pages)
    lines = [
        line
        for number, (page, (width, _)) in enumerate(pages)
        for line in _in_reading_order(page, width, number)
    ]
    if not lines:
        raise ImportProblem("This PDF has no text besides its page numbers and running heads.")
    return ParsedReading(blocks=_paragraphs(lines), dropped=dropped)


def _read_pages(data: bytes) -> list[tuple[list[Line], tuple[float, float]]]:
    # A PDF ends with %%EOF (perhaps followed by a little padding); pdfminer would
    # otherwise read what it can of a cut-off file and a reading would lose its end.
    if b"%%EOF" not in data[-2048:]:
        raise ImportProblem(
            "This PDF is incomplete (perhaps cut off while it was downloaded): "
            "download or export it again."
        )
    try:
        document = PDFDocument(PDFParser(BytesIO(data)))
        pages = list(islice(PDFPage.create_pages(document), MAX_PAGES + 1))
    except PDFPasswordIncorrect:
        raise ImportProblem(
            "This PDF is protected by a password: save a copy without the password and upload that."
        ) from None
    except PDFEncryptionError:
        raise ImportProblem(
            "This PDF is encrypted in a way we cannot read: save a copy without "
            "protection and upload that."
        ) from None
    except ImportProblem:
        raise
    # pdfminer raises whatever its parser meets in a damaged file.
    except Exception:
        raise ImportProblem(DAMAGED) from None
    if len(pages) > MAX_PAGES:
        raise ImportProblem(
            f"This PDF has more than {MAX_PAGES:,} pages, more than one reading may have: "
            "split it and import the part your group reads."
        )
    resources = PDFResourceManager(caching=True)
    # Lines are all this reader needs: grouping them into boxes (boxes_flow) is off.
    device = PDFPageAggregator(resources, laparams=LAParams(boxes_flow=None, all_texts=True))
    interpreter = PDFPageInterpreter(resources, device)
    result = []
    try:
        for page in pages:
            interpreter.process_page(page)
            layout = device.get_result()
            result.append((_lines(layout, layout.height), (layout.width, layout.height)))
    except ImportProblem:
        raise
    except Exception:
        raise ImportProblem(DAMAGED) from None
    return result


def _lines(container, height: float) -> list[Line]:
    found = []
    stack = [container]
    while stack:
        item = stack.pop()
        if isinstance(item, LTTextLineHorizontal):
            line = _line(item, height)
            if line:
                found.append(line)
        elif hasattr(item, "__iter__") and not isinstance(item, LTChar):
            stack.extend(item)
    return found


def _line(item: LTTextLineHorizontal, height: float) -> Line | None:
    text = " ".join(item.get_text().translate(LIGATURES).split())
    if not text:
        return None
    sizes: Counter[float] = Counter()
    bold_chars, still_bold = 0, True
    for char in item:
        if isinstance(char, LTChar):
            sizes[round(char.size * 2) / 2] += 1
            still_bold = still_bold and "bold" in char.fontname.lower()
        if still_bold:
            bold_chars += 1
    return Line(
        text=text,
        x0=item.x0,
        x1=item.x1,
        top=height - item.y1,
        bottom=height - item.y0,
        size=sizes.most_common(1)[0][0] if sizes else 0.0,
        bold_chars=bold_chars,
    )


def _drop_furniture(pages) -> list[str]:
    """Leave out running headers and footers (the same words at a page's edge on
    several pages, page numbers aside) and page numbers; say what they were."""
    repeats: Counter[tuple[str, str]] = Counter()
    edges = []
    for lines, (_, height) in pages:
        page_edges = {}
        for line in lines:
            if line.bottom < height * EDGE_BAND:
                page_edges[id(line)] = ("top", DIGITS.sub("#", line.text.lower()))
            elif line.top > height * (1 - EDGE_BAND):
                page_edges[id(line)] = ("bottom", DIGITS.sub("#", line.text.lower()))
        repeats.update(set(page_edges.values()))
        edges.append(page_edges)
    needed = 2 if len(pages) <= 6 else 3
    running: dict[tuple[str, str], str] = {}
    numbered = 0
    for (lines, _), page_edges in zip(pages, edges, strict=True):
        if not lines:
            continue
        highest = min(line.top for line in lines)
        lowest = max(line.bottom for line in lines)
        kept = []
        for line in lines:
            key = page_edges.get(id(line))
            repeated = key is not None and repeats[key] >= needed
            outermost = key is not None and (line.top == highest or line.bottom == lowest)
            if (repeated or outermost) and PAGE_NUMBER.match(line.text):
                numbered += 1
            elif repeated:
                running.setdefault(key, line.text)
            else:
                kept.append(line)
        lines[:] = kept
    dropped = [
        f"Running {'header' if where == 'top' else 'footer'}: {text}"
        for (where, _), text in islice(running.items(), MAX_DROPPED_NOTES)
    ]
    if numbered:
        dropped.append(f"Page numbers ({numbered})")
    return dropped


def _in_reading_order(lines: list[Line], width: float, page: int) -> list[Line]:
    """Top to bottom; where the page has two columns, the left one before the
    right, with a line across both (a title, a wide figure) read in its place."""
    lines.sort(key=lambda line: (line.top, line.x0))
    gutter = _gutter(lines, width)
    ordered: list[Line] = []
    band: list[Line] = []
    number = 0

    def close_band() -> None:
        nonlocal number
        if gutter is None:
            _region(band, page, number)
            ordered.extend(band)
        else:
            left = [line for line in band if line.x1 <= gutter]
            right = [line for line in band if line.x0 >= gutter]
            _region(left, page, number)
            _region(right, page, number + 1)
            ordered.extend(left + right)
            number += 1
        number += 1
        band.clear()

    spanning: list[Line] = []
    for line in lines:
        crosses = gutter is not None and line.x0 < gutter < line.x1
        if crosses:
            if band:
                close_band()
            spanning.append(line)
        else:
            if spanning:
                _region(spanning, page, number)
                ordered.extend(spanning)
                spanning = []
                number += 1
            band.append(line)
    if spanning:
        _region(spanning, page, number)
        ordered.extend(spanning)
    if band:
        close_band()
    return ordered


def _region(lines: list[Line], page: int, number: int) -> None:
    if not lines:
        return
    left = min(line.x0 for line in lines)
    right = max(line.x1 for line in lines)
    for line in lines:
        line.region, line.left, line.right = (page, number), left, right


def _gutter(lines: list[Line], width: float) -> float | None:
    """The x of a gap down the middle of the page that no column line crosses,
    when there are lines on both sides of it; None for a one-column page."""
    narrow = sorted((line.x0, line.x1) for line in lines if line.x1 - line.x0 < width * 0.55)
    best = None
    reach = None
    for x0, x1 in narrow:
        if reach is not None and x0 > reach:
            middle = (reach + x0) / 2
            if width * 0.3 < middle < width * 0.7 and (best is None or x0 - reach > best[1]):
                best = (middle, x0 - reach)
        reach = x1 if reach is None else max(reach, x1)
    if best is None:
        return None
    gutter = best[0]
    left = sum(1 for line in lines if line.x1 <= gutter)
    right = sum(1 for line in lines if line.x0 >= gutter)
    across = len(lines) - left - right
    return gutter if min(left, right) >= 3 and across < min(left, right) else None


def _paragraphs(lines: list[Line]) -> list[Block]:
    sizes: Counter[float] = Counter()
    for line in lines:
        sizes[line.size] += len(line.text)
    body = sizes.most_common(1)[0][0]
    pitches = [
        b.top - a.top
        for a, b in zip(lines, lines[1:], strict=False)
        if a.region == b.region and a.size == b.size == body and 0 < b.top - a.top < 3 * body
    ]
    pitch = median(pitches) if pitches else body * 1.2
    compounds = {word for line in lines for word in _compounds(line.text)}

    blocks: list[Block] = []
    current: list[Line] = []

    def close() -> None:
        if current:
            blocks.append(_block(current, body, compounds))
            current.clear()

    for line in lines:
        if current and _starts_paragraph(current[-1], line, pitch):
            close()
        current.append(line)
    close()
    return blocks


def _compounds(text: str) -> list[str]:
    """The hyphenated words of a line, such as "working-class"."""
    found = []
    for token in text.split():
        if "-" in token:
            word = token.strip(WORD_EDGES).lower()
            parts = word.split("-")
            if len(parts) > 1 and all(part.isalpha() for part in parts):
                found.append(word)
    return found


def _starts_paragraph(before: Line, line: Line, pitch: float) -> bool:
    if abs(line.size - before.size) >= 0.5 or BULLET.match(line.text):
        return True
    if line.region == before.region:
        if line.top - before.top > pitch * PARAGRAPH_GAP or line.top < before.top:
            return True
        indented = line.x0 > before.x0 + line.size * 0.8
    else:  # the first line of a new column or page
        indented = line.x0 > line.left + line.size * 0.8
    short = before.x1 < before.right - (before.right - before.left) * 0.15
    # A speaker's label after a finished sentence opens a turn, even where no
    # gap shows it (at the top of a page or column).
    ended = bool(SENTENCE_END.search(before.text))
    return indented or (ended and (short or label_of(line.text) is not None))


def _block(lines: list[Line], body: float, compounds: set[str]) -> Block:
    pieces = [lines[0].text]
    for line in lines[1:]:
        last = pieces[-1]
        if LINE_END_HYPHEN.search(last) and line.text[:1].islower():
            before, after = WORD_END.search(last[-100:-1]), WORD_START.match(line.text)
            whole = before and after and f"{before.group()}-{after.group()}".lower()
            pieces[-1] = last[:-1] + ("-" if whole in compounds else "")
        else:
            pieces[-1] = last.rstrip("\u00ad")
            pieces.append(" ")
        pieces.append(line.text)
    text = "".join(pieces)
    kind = PARAGRAPH
    if lines[0].size >= body * HEADING_RATIO and len(text) <= HEADING_MAX_CHARS:
        kind = HEADING
    elif BULLET.match(text):
        kind, text = LIST_ITEM, BULLET.sub("", text)
    block = plain_block(kind, text)
    colon = text.find(":")
    block.bold_label = 0 < colon < lines[0].bold_chars
    return block
