"""What every format shares once it is split into blocks: boilerplate, front
matter (title, byline, standfirst), captions and interview speakers."""

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from html import escape, unescape

import nh3
from bs4.dammit import EntitySubstitution

from .errors import ImportProblem

WHITESPACE = re.compile(r"\s+")

PARAGRAPH = "paragraph"
HEADING = "heading"
QUOTE = "quote"
LIST_ITEM = "list_item"
CAPTION = "caption"
SPEAKER_TURN = "speaker_turn"


@dataclass
class Block:
    kind: str
    text: str
    html: str
    speaker: str = ""
    # HTML and Markdown: the block opens with a bold "Name:" label.
    bold_label: bool = False


@dataclass
class ParsedReading:
    title: str = ""
    author: str = ""
    standfirst: list[str] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)


def plain_block(kind: str, text: str) -> Block:
    text = WHITESPACE.sub(" ", text).strip()
    return Block(kind=kind, text=text, html=escape(text, quote=False))


# Passages keep inline emphasis and links; nothing executable, no images.
INLINE_CLEANER = nh3.Cleaner(
    tags={"a", "abbr", "b", "br", "cite", "code", "em", "i", "mark", "q", "s", "small", "strong",
          "sub", "sup"},
    clean_content_tags={"script", "style", "template", "noscript"},
    attributes={"a": {"href", "title"}, "abbr": {"title"}},
    url_schemes={"http", "https", "mailto"},
    url_relative="deny",
    link_rel="nofollow noopener",
)  # fmt: skip


def inline_block(kind: str, html: str) -> Block:
    """A block from untrusted inline HTML: sanitized, then white space settled."""
    tokens = _tokens(INLINE_CLEANER.clean(_split_long_text(html)))
    text, html = _normalized(tokens.copy())
    return Block(kind=kind, text=text, html=html, bold_label=_opens_with_bold_label(tokens))


# The sanitizer's output, and ours, is well-formed: every element closed, every
# `<` in text escaped. Reading it with a tokenizer rather than a tree keeps the
# work in proportion to its length, however many elements or lines it holds.
TAG = re.compile(r"""<(/?)([a-z][a-z0-9]*)((?:[^>"']|"[^"]*"|'[^']*')*)>|[^<]+|<""")
ATTRIBUTE = re.compile(r"""([^\s="']+)(?:="([^"]*)"|='([^']*)')?""")


def _split_long_text(html: str) -> str:
    """The sanitizer copies a text node each time it adds a character reference
    to it, which on a long text full of `&amp;` costs its length times their
    number. Comments, which it removes, keep each text node short; the text
    nodes either side are written out side by side, so its output is unchanged."""
    # (Not inside an element whose text is read raw: there a comment is text.)
    if len(html) < LONG_TEXT or RAW_TEXT.search(html):
        return html
    pieces = []
    for match in TAG.finditer(html):
        piece = match.group()
        if match.group(2) is None and len(piece) >= LONG_TEXT:
            piece = piece.replace("&", "<!---->&")
        pieces.append(piece)
    return "".join(pieces)


LONG_TEXT = 1000
RAW_TEXT = re.compile(
    r"<(?:script|style|title|textarea|xmp|iframe|noembed|noframes|noscript|plaintext)\b"
)


@dataclass
class _Tag:
    name: str
    opening: str = ""  # the start tag as written out; empty for an end tag


def _tokens(html: str) -> list[str | _Tag]:
    """Text (entities decoded; a line break read as a space) and tags, in order."""
    tokens: list[str | _Tag] = []
    for match in TAG.finditer(html):
        closing, name, attributes = match.groups()
        if name is None:
            tokens.append(unescape(match.group()))
        elif name == "br":
            tokens.append(" ")
        elif closing:
            tokens.append(_Tag(name))
        else:
            # Attributes sorted and quoted as BeautifulSoup writes them, which
            # is how every stored passage was written before.
            pairs = sorted(
                (key, unescape(double if double is not None else single or ""))
                for key, double, single in (a.groups() for a in ATTRIBUTE.finditer(attributes))
            )
            written = "".join(
                f" {key}={EntitySubstitution.substitute_xml(value, True)}" for key, value in pairs
            )
            tokens.append(_Tag(name, f"<{name}{written}>"))
    return tokens


def _opens_with_bold_label(tokens: list[str | _Tag]) -> bool:
    """Whether the fragment starts with a bold "Name:" (or bold "Name" then ":")."""
    if not tokens or not isinstance(tokens[0], _Tag) or tokens[0].name not in ("strong", "b"):
        return False
    depth = 0
    for index, token in enumerate(tokens):
        if isinstance(token, _Tag):
            depth += 1 if token.opening else -1
            if depth == 0:
                label = "".join(t for t in tokens[1:index] if isinstance(t, str))
                after = tokens[index + 1] if index + 1 < len(tokens) else ""
                return label.rstrip().endswith(":") or (
                    isinstance(after, str) and after.lstrip().startswith(":")
                )
    return False


def _normalized(tokens: list[str | _Tag]) -> tuple[str, str]:
    """Collapse white space across the fragment's text and drop elements left
    without text, so that the HTML's text content is exactly the plain text."""
    texts = [index for index, token in enumerate(tokens) if isinstance(token, str)]
    after_space = True
    for index in texts:
        value = WHITESPACE.sub(" ", tokens[index])
        if after_space and value.startswith(" "):
            value = value[1:]
        if value:
            after_space = value.endswith(" ")
        tokens[index] = value
    for index in reversed(texts):
        tokens[index] = tokens[index].rstrip(" ")
        if tokens[index]:
            break
    written: list[str] = []
    plain: list[str] = []
    # Open elements: their name, where they start in `written`, whether they hold text.
    open_elements: list[list] = []
    for token in tokens:
        if isinstance(token, str):
            if token:
                written.append(escape(token, quote=False))
                plain.append(token)
                if open_elements:
                    open_elements[-1][2] = True
        elif token.opening:
            open_elements.append([token.name, len(written), False])
            written.append(token.opening)
        elif open_elements:
            name, start, has_text = open_elements.pop()
            if has_text:
                written.append(f"</{name}>")
                if open_elements:
                    open_elements[-1][2] = True
            else:
                del written[start:]
    return "".join(plain), "".join(written)


def strip_leading_text(html: str, count: int) -> tuple[str, str]:
    """Remove the first `count` characters of text from an inline fragment."""
    tokens = _tokens(html)
    for index, token in enumerate(tokens):
        if count <= 0:
            break
        if isinstance(token, str):
            tokens[index] = token[count:]
            count -= len(token)
    return _normalized(tokens)


# --- boilerplate -----------------------------------------------------------

NAVIGATION_TEXT = re.compile(
    r"^(?:skip to (?:main )?content|skip navigation|menu|main menu|search|share|tweet|print|"
    r"email|close|home|subscribe|sign up|log ?in|sign in|donate|advertisement|related|"
    r"related (?:posts|articles|stories|reading)|read more|continue reading|comments?|"
    r"leave a (?:comment|reply)|share this(?: article| story| post)?|follow us.*|back to top|"
    r"(?:previous|next) (?:post|article)|tags?:.*|filed under:?.*|categories:.*)[.:!]?$",
    re.I,
)
APPEAL_TEXT = re.compile(
    r"contact us|get in touch|write to us|we want to hear|donat|support (?:our|us|this)|"
    r"chip in|become a (?:member|patron|subscriber|sustainer)|subscribe|newsletter|"
    r"all rights reserved|^©|^copyright\b|follow us on",
    re.I,
)
# Appeals sit at the edges of a saved page, and are short.
APPEAL_EDGE = 8
APPEAL_MAX_CHARS = 300


def drop_boilerplate(parsed: ParsedReading) -> None:
    blocks = parsed.blocks
    kept = []
    for index, block in enumerate(blocks):
        at_edge = index < 3 or index >= len(blocks) - APPEAL_EDGE
        if NAVIGATION_TEXT.match(block.text) or (
            at_edge and len(block.text) <= APPEAL_MAX_CHARS and APPEAL_TEXT.search(block.text)
        ):
            parsed.dropped.append(block.text)
        else:
            kept.append(block)
    parsed.blocks = kept


# --- front matter ----------------------------------------------------------

BYLINE = re.compile(
    r"^(?P<lead>by|written by|(?:an )?interview with|in conversation with)\s+"
    r"(?P<name>[^.!?]{2,100})$",
    re.I,
)
SENTENCE_END = re.compile(r"[.!?…:;,\"”’)]$")
TITLE_MAX_CHARS = 200


def find_front_matter(parsed: ParsedReading) -> None:
    """Title from the first short block (when no format gave one), then bylines."""
    blocks = parsed.blocks
    if not parsed.title and blocks and blocks[0].kind in (HEADING, PARAGRAPH):
        first = blocks[0]
        short = len(first.text) <= TITLE_MAX_CHARS and not first.text.endswith(".")
        if short and not label_of(first.text):
            parsed.title = first.text
            blocks.pop(0)
    while blocks and blocks[0].kind in (HEADING, PARAGRAPH):
        byline = BYLINE.match(blocks[0].text)
        if not byline:
            break
        parsed.author = parsed.author or byline.group("name").strip()
        text = blocks.pop(0).text
        # "By Jane Doe" only credits the author, shown apart; "Interview with
        # Jane Doe" also says what the piece is, so it opens the standfirst.
        if byline.group("lead").lower() not in ("by", "written by"):
            parsed.standfirst.append(text)


# --- captions --------------------------------------------------------------

CAPTION_TEXT = re.compile(
    r"\b(?:photo(?:graph)?|image|illustration|picture|graphic|map)s?\s+"
    r"(?:by|from|courtesy(?: of)?|credit|via|source)\b|"
    r"^(?:photo|image|pictured|above|below|top|credit|caption)\s*:|"
    r"\((?:photo|image|credit)\b[^)]*\)$|(?:courtesy of|credit:)[^.]*\.?$",
    re.I,
)
CAPTION_MAX_CHARS = 400


def is_caption_text(text: str) -> bool:
    return len(text) <= CAPTION_MAX_CHARS and bool(CAPTION_TEXT.search(text))


# --- speakers --------------------------------------------------------------

LABEL = re.compile(r"^(?P<label>[^\W\d_][\w.'’\- ]{0,48}?)\s*:\s+(?=\S)")
PARTICLES = {"de", "van", "von", "der", "den", "da", "di", "du", "del", "la", "le", "bin", "al"}
NOT_SPEAKERS = {
    "note", "notes", "nb", "ps", "update", "updated", "correction", "editor's note",
    "editor’s note", "editors note", "source", "sources", "photo", "image", "credit",
    "caption", "warning", "content warning", "trigger warning", "example", "figure", "table",
    "chapter", "step", "tip", "summary", "abstract", "keywords", "disclaimer", "related",
    "see also", "read more", "posted", "published", "date", "tags", "share", "via", "edit",
    "transcript", "translation", "translated by", "full text", "watch", "listen",
}  # fmt: skip
QA_LABELS = {"Q", "A"}
MAX_LABEL_WORDS = 5


def label_of(text: str) -> tuple[str, int] | None:
    """A speaker-like label at the start of `text`: (label, characters it takes)."""
    match = LABEL.match(text)
    if not match:
        return None
    label = match.group("label").strip()
    if label.lower() in NOT_SPEAKERS:
        return None
    if is_abbreviation(label):
        return label, match.end()
    words = label.split()
    if len(words) > MAX_LABEL_WORDS:
        return None
    for word in words:
        first = word[0]
        # Uncased scripts (Arabic, Chinese, ...) have no capitals to look for.
        if first.islower() and word not in PARTICLES:
            return None
    return label, match.end()


def is_abbreviation(label: str) -> bool:
    letters = label.replace(".", "")
    return 1 <= len(letters) <= 5 and letters.isalpha() and letters.isupper()


def initials(name: str) -> str:
    return "".join(w[0] for w in name.split() if w not in PARTICLES).upper()


def find_speakers(parsed: ParsedReading) -> None:
    """Mark interview turns: label removed from the text, kept as the speaker;
    abbreviated labels mapped to full names; continuations attributed."""
    labelled = {}
    for index, block in enumerate(parsed.blocks):
        if block.kind == PARAGRAPH:
            found = label_of(block.text)
            if found:
                labelled[index] = found
    counts = Counter(label for label, _ in labelled.values())
    # Full names by their initials, found once: a transcript may hold thousands of labels.
    by_initials = defaultdict(list)
    for label in counts:
        if not is_abbreviation(label):
            by_initials[initials(label)].append(label)
    questions_and_answers = {k.replace(".", "") for k in counts} >= QA_LABELS
    names = {}
    for label, count in counts.items():
        if is_abbreviation(label):
            plain = label.replace(".", "")
            matches = by_initials.get(plain, [])
            if len(matches) == 1:
                names[label] = matches[0]
                names[matches[0]] = matches[0]
            elif plain in QA_LABELS and questions_and_answers:
                names[label] = plain
        if count >= 2 and label not in names:
            names[label] = label
    for index, (label, _) in labelled.items():
        if parsed.blocks[index].bold_label and label not in names:
            names[label] = label
    turns = [index for index, (label, _) in labelled.items() if label in names]
    if len(turns) < 2:
        return
    # In an established interview, a voice heard only once is a speaker too.
    for label in counts:
        names.setdefault(label, label)
    turns = sorted(labelled)
    current = ""
    for index in range(turns[0], len(parsed.blocks)):
        block = parsed.blocks[index]
        found = labelled.get(index)
        if block.kind == HEADING:
            current = ""
        elif found and found[0] in names:
            label, length = found
            current = names[label]
            block.kind = SPEAKER_TURN
            block.speaker = current
            block.text, block.html = strip_leading_text(block.html, length)
        elif current and block.kind in (PARAGRAPH, QUOTE, LIST_ITEM):
            block.speaker = current
    _introduction_to_standfirst(parsed, turns[0])


# An introduction before the first turn is the standfirst when it is short.
STANDFIRST_MAX_CHARS = 1500
STANDFIRST_MAX_BLOCKS = 3


def _introduction_to_standfirst(parsed: ParsedReading, first_turn: int) -> None:
    intro = parsed.blocks[:first_turn]
    if not intro or len(intro) > STANDFIRST_MAX_BLOCKS:
        return
    if any(b.kind != PARAGRAPH for b in intro):
        return
    if sum(len(b.text) for b in intro) > STANDFIRST_MAX_CHARS:
        return
    parsed.standfirst.extend(b.text for b in intro)
    del parsed.blocks[:first_turn]


# A long book has a few thousand paragraphs; past this, a reading page and its
# discussion stop being usable, and the file is more likely a list or a log.
MAX_PASSAGES = 20_000


def check_passage_count(count: int) -> None:
    if count > MAX_PASSAGES:
        raise ImportProblem(
            f"The file makes {count:,} passages; a reading may have at most "
            f"{MAX_PASSAGES:,}. Split it into parts, or join short lines into paragraphs."
        )


def finish(parsed: ParsedReading) -> ParsedReading:
    """The shared passes, in the order they depend on each other."""
    drop_boilerplate(parsed)
    find_front_matter(parsed)
    for block in parsed.blocks:
        if block.kind == PARAGRAPH and not label_of(block.text) and is_caption_text(block.text):
            block.kind = CAPTION
    find_speakers(parsed)
    parsed.blocks = [b for b in parsed.blocks if b.text]
    check_passage_count(len(parsed.blocks))
    return parsed
