"""Markdown: headings, paragraphs, block quotes, list items; an image's
paragraph is dropped and the paragraph right after it read as its caption."""

from markdown_it import MarkdownIt

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


def parse_markdown(text: str) -> ParsedReading:
    parsed = ParsedReading()
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
