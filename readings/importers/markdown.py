"""Markdown: headings, paragraphs, block quotes, list items; an image's
paragraph is dropped and the paragraph right after it read as its caption."""

import re

from markdown_it import MarkdownIt

from .errors import ImportProblem
from .structure import (
    CAPTION,
    HEADING,
    LIST_ITEM,
    PARAGRAPH,
    QUOTE,
    ParsedReading,
    inline_block,
    plain_block,
)

# Raw HTML inside Markdown is shown as text, never interpreted.
md = MarkdownIt("commonmark", {"html": False})

# markdown-it reads prose in runs, but stops at each of these characters to try
# its rules, and at each `[` looks ahead for the link's end: tens of microseconds
# apiece. A long essay in Markdown has some thousands of them; a file
# made of nothing else would take minutes.
MARKUP = re.compile(r"[\n!#$%&*+\-:<=>@\\\]^_`{}~]")
MAX_MARKUP = 60_000
MAX_LINK_OPENERS = 10_000


def parse_markdown(text: str) -> ParsedReading:
    parsed = ParsedReading()
    links = text.count("[")
    markup = len(MARKUP.findall(text)) + links
    if markup > MAX_MARKUP or links > MAX_LINK_OPENERS:
        raise ImportProblem(
            f"This Markdown has {markup:,} markup characters (line breaks, brackets, asterisks, "
            f"underscores...) of which {links:,} are `[`; at most {MAX_MARKUP:,} and "
            f"{MAX_LINK_OPENERS:,} are read. Upload it as a .txt file to import it as plain text."
        )
    tokens = md.parse(text)
    containers: list[str] = []
    after_image = False
    for index, token in enumerate(tokens):
        if token.type in ("blockquote_open", "list_item_open"):
            containers.append(token.type)
        elif token.type in ("blockquote_close", "list_item_close"):
            containers.pop()
        elif token.type == "inline":
            opener = tokens[index - 1]
            children = [c for c in token.children or [] if c.type not in ("softbreak", "hardbreak")]
            if children and all(c.type == "image" for c in children):
                after_image = True
                continue
            html = md.renderer.renderInline(token.children or [], md.options, {})
            if opener.type == "heading_open":
                if opener.tag == "h1" and not parsed.title:
                    parsed.title = inline_block(HEADING, html).text
                    continue
                kind = HEADING
            elif after_image:
                kind = CAPTION
            elif "list_item_open" in containers:
                kind = LIST_ITEM
            elif "blockquote_open" in containers:
                kind = QUOTE
            else:
                kind = PARAGRAPH
            after_image = False
            parsed.blocks.append(inline_block(kind, html))
        elif token.type in ("fence", "code_block"):
            parsed.blocks.append(plain_block(PARAGRAPH, token.content))
    return parsed
