"""A saved web page: find the article, drop the site around it, and read its
headings, paragraphs, quotes, list items and figure captions in order."""

import re
from collections.abc import Collection
from html import escape

from bs4 import BeautifulSoup, Comment, Tag
from bs4.element import PreformattedString

from .errors import ImportProblem
from .structure import (
    CAPTION,
    HEADING,
    LIST_ITEM,
    PARAGRAPH,
    QUOTE,
    WHITESPACE,
    Block,
    ParsedReading,
    inline_block,
)

REMOVED_TAGS = {
    "script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "canvas",
    "form", "button", "input", "select", "textarea", "nav", "aside", "footer", "dialog", "link",
    "meta",
}  # fmt: skip
REMOVED_ROLES = {"navigation", "banner", "contentinfo", "complementary", "search", "dialog"}
# Class or id words of the parts of a page that are not the article.
BOILERPLATE_WORDS = {
    "nav", "navbar", "navigation", "menu", "share", "sharing", "social", "related", "newsletter",
    "subscribe", "subscription", "donate", "donation", "sidebar", "footer", "comments", "comment",
    "cookie", "cookies", "breadcrumb", "breadcrumbs", "skip", "advert", "advertisement", "ad",
    "ads", "promo", "widget", "popup", "modal", "banner", "masthead", "pagination", "signup",
}  # fmt: skip
STANDFIRST_WORDS = {"standfirst", "dek", "deck", "subtitle", "subhead", "strapline", "lede", "lead"}
STANDFIRST_MAX_CHARS = 800
BYLINE_MAX_CHARS = 100
CAPTION_WORDS = {"caption", "wp-caption-text", "credit", "photo-credit", "figcaption"}
BLOCK_TAGS = {
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "blockquote", "figure",
    "figcaption", "div", "section", "article", "main", "header", "table", "thead", "tbody",
    "tr", "td", "th", "pre", "dl", "dt", "dd", "hr", "address", "details", "summary",
}  # fmt: skip
WORD_SPLIT = re.compile(r"[\s_\-]+")
# A saved article nests a few dozen elements deep; an old page that never closes
# its paragraphs, one level more per paragraph (html.parser nests them). A deeper
# page is refused before it is read.
MAX_DEPTH = 500
# Finding the article asks each candidate element for its text, which costs what
# the element holds; summed over the page, that is each node's depth. A dense
# 5 MB article comes to under a million; a page crafted to cost its depth times
# its size, hundreds of millions.
MAX_NESTING = 5_000_000
# Each tag costs tens of microseconds to parse and read (counted by its `<`, before
# parsing). A long saved article has ten or twenty thousand.
MAX_TAGS = 50_000
# Attributes (counted by their `=` in start tags) and entities (by their `&`) too.
MAX_ATTRIBUTES = 200_000
MAX_ENTITIES = 100_000
START_TAG = re.compile(r"<[a-zA-Z][^<>]*")


def _nesting(root: Tag) -> tuple[int, int]:
    """The page's greatest depth, and the sum of every node's depth."""
    deepest = total = 0
    stack = [(root, 0)]
    while stack:
        tag, depth = stack.pop()
        deepest = max(deepest, depth)
        total += (depth + 1) * len(tag.contents)
        stack.extend((child, depth + 1) for child in tag.children if isinstance(child, Tag))
    return deepest, total


def _decomposed(tag: Tag) -> bool:
    # BeautifulSoup's own `tag.decomposed` looks for the flag as an attribute, and a
    # whole tag reads a missing attribute as a search of its subtree for an element
    # of that name: asked of every element of a nested page, that is quadratic.
    return vars(tag).get("_decomposed", False)


def _text_lengths(root: Tag) -> dict[int, int]:
    """len(tag.get_text()) of every element under `root`, by id, in one pass."""
    lengths: dict[int, int] = {}
    for tag in reversed(_elements(root)):  # children before their parents
        lengths[id(tag)] = sum(
            lengths[id(child)] if isinstance(child, Tag) else len(child)
            for child in tag.children
            if isinstance(child, Tag) or type(child) in tag.interesting_string_types
        )
    return lengths


def _elements(root: Tag, names: Collection[str] = ()) -> list[Tag]:
    """root.find_all(names) in document order; BeautifulSoup's matching costs
    several times this walk, and a page is walked this way a few times."""
    return [
        node
        for node in root.descendants
        if isinstance(node, Tag) and (not names or node.name in names)
    ]


def _words(tag: Tag) -> set[str]:
    names = " ".join(tag.get("class") or []) + " " + (tag.get("id") or "")
    return {w.lower() for w in WORD_SPLIT.split(names) if w}


def _text(tag: Tag) -> str:
    return WHITESPACE.sub(" ", tag.get_text(" ")).strip()


def _drop(tag: Tag, parsed: ParsedReading) -> None:
    text = _text(tag)
    if text and tag.name not in ("script", "style", "noscript", "template", "svg", "link", "meta"):
        parsed.dropped.append(text if len(text) <= 160 else text[:157] + "…")
    tag.decompose()


def parse_html(source: str) -> ParsedReading:
    parsed = ParsedReading()
    tags, entities = source.count("<"), source.count("&")
    attributes = sum(tag.count("=") for tag in START_TAG.findall(source))
    if tags > MAX_TAGS or attributes > MAX_ATTRIBUTES or entities > MAX_ENTITIES:
        raise ImportProblem(
            f"The page has {tags:,} tags, {attributes:,} attributes and {entities:,} "
            f"entities (&...;); at most {MAX_TAGS:,}, {MAX_ATTRIBUTES:,} and {MAX_ENTITIES:,} "
            "are read. Save the article alone (a browser's reader view does this) or paste "
            "its text instead."
        )
    soup = BeautifulSoup(source, "html.parser")
    deepest, nesting = _nesting(soup)
    if deepest > MAX_DEPTH:
        raise ImportProblem(
            f"The page's HTML is nested more than {MAX_DEPTH} elements deep (often "
            "paragraphs or list items that are never closed). Paste its text instead."
        )
    if nesting > MAX_NESTING:
        raise ImportProblem(
            "The page's HTML nests too much of its content too deeply to be read "
            "(often elements that are never closed). Paste its text instead."
        )
    for comment in [node for node in soup.descendants if isinstance(node, Comment)]:
        comment.extract()
    head_title = soup.title.get_text(strip=True) if soup.title else ""
    meta_tag = soup.find("meta", attrs={"name": "author"})
    meta_author = WHITESPACE.sub(" ", meta_tag.get("content") or "").strip() if meta_tag else ""
    if soup.head:
        soup.head.decompose()

    for tag in _elements(soup, REMOVED_TAGS):
        if not _decomposed(tag):
            _drop(tag, parsed)
    page_chars = len(soup.get_text())
    # Measured before any furniture goes: what goes is never inside what is measured next.
    lengths = _text_lengths(soup)
    for tag in _elements(soup):
        if _decomposed(tag) or tag.name in ("html", "body", "article", "main"):
            continue
        hidden = tag.get("hidden") is not None or tag.get("aria-hidden") == "true"
        furniture = tag.get("role") in REMOVED_ROLES or _words(tag) & BOILERPLATE_WORDS
        # A wrapper's class may say "sidebar" while it holds the article itself.
        if hidden or (furniture and lengths[id(tag)] * 2 < page_chars):
            _drop(tag, parsed)

    root = _article_root(soup)
    heading = root.find("h1") or soup.find("h1")
    if heading:
        parsed.title = _text(heading)
        heading.decompose()
    else:
        parsed.title = re.split(r"\s+[|–—-]\s+", head_title)[0] if head_title else ""
    for tag in _elements(root, {"p", "h2", "h3", "div", "span"}):
        # Its class first: asking every element of a nested page for its text costs
        # the page's depth times its size.
        if _decomposed(tag) or not _words(tag) & STANDFIRST_WORDS:
            continue
        text = _text(tag)
        if text and len(text) <= STANDFIRST_MAX_CHARS:
            parsed.standfirst.append(text)
            tag.decompose()
    for tag in root.find_all(class_=re.compile(r"author|byline")):
        text = "" if _decomposed(tag) else _text(tag)
        if text and len(text) <= BYLINE_MAX_CHARS:
            parsed.author = parsed.author or re.sub(r"^by\s+", "", text, flags=re.I)
            tag.decompose()
    # The page's own byline is more specific than a site-wide meta author.
    parsed.author = parsed.author or meta_author
    _read_blocks(root, parsed.blocks)
    return parsed


def _article_root(soup: BeautifulSoup) -> Tag:
    candidates = soup.find_all(["article", "main"]) + soup.find_all(attrs={"role": "main"})
    if candidates:
        lengths = _text_lengths(soup)
        return max(candidates, key=lambda tag: lengths[id(tag)])
    return soup.body or soup


def _has_block_children(tag: Tag) -> bool:
    return any(isinstance(child, Tag) and child.name in BLOCK_TAGS for child in tag.children)


def _add(blocks: list[Block], kind: str, html: str, words: set[str] = frozenset()) -> None:
    if kind == PARAGRAPH and words & CAPTION_WORDS:
        kind = CAPTION
    block = inline_block(kind, html)
    if block.text:
        blocks.append(block)


def _serialize(node) -> str:
    if isinstance(node, Tag):
        return node.decode()
    if isinstance(node, PreformattedString):  # doctype, CDATA, processing instructions
        return ""
    return escape(str(node), quote=False)


def _read_blocks(root: Tag, blocks: list[Block]) -> None:
    """Walk the article in document order, one block per leaf of text. The walk
    keeps its own stack: a page may nest hundreds of containers."""
    # Each open container: its children still to read, the kind of block its
    # text makes, and the inline content (text, links, emphasis) read so far.
    stack = [(iter(list(root.children)), PARAGRAPH, [])]
    while stack:
        children, kind, inline_run = stack[-1]
        child = next(children, None)
        if child is not None and (not isinstance(child, Tag) or child.name not in BLOCK_TAGS):
            inline_run.append(_serialize(child))
            continue
        if inline_run:
            _add(blocks, kind, "".join(inline_run))
            inline_run.clear()
        if child is None:
            stack.pop()
            continue
        name = child.name
        if name in ("h1", "h2", "h3", "h4", "h5", "h6"):
            _add(blocks, HEADING, child.decode_contents())
        elif name == "figcaption":
            _add(blocks, CAPTION, child.decode_contents())
        elif name == "hr":
            continue
        else:
            inner = {"li": LIST_ITEM, "blockquote": QUOTE}.get(name, kind)
            if _has_block_children(child):
                stack.append((iter(list(child.children)), inner, []))
            elif name in ("li", "blockquote"):
                _add(blocks, inner, child.decode_contents())
            else:
                _add(blocks, kind, child.decode_contents(), _words(child))
