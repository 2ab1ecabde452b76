"""Plain text: paragraphs separated by blank lines (or one per line when the
file has no blank lines at all), with light recognition of lists and headings."""

import re

from .structure import (
    HEADING,
    LIST_ITEM,
    MAX_PASSAGES,
    PARAGRAPH,
    SENTENCE_END,
    Block,
    ParsedReading,
    check_passage_count,
    plain_block,
)

BLANK_LINES = re.compile(r"\n[ \t]*\n")
BULLET = re.compile(r"^\s*(?:[-*•–]|\d{1,3}[.)])\s+(?=\S)")
HEADING_MAX_CHARS = 80


def parse_text(text: str) -> ParsedReading:
    chunks = BLANK_LINES.split(text) if BLANK_LINES.search(text) else text.split("\n")
    # A file of far too many paragraphs is refused before each becomes a block
    # (only boilerplate, never most of a file, is dropped later).
    paragraphs = sum(1 for chunk in chunks if chunk and not chunk.isspace())
    if paragraphs > 2 * MAX_PASSAGES:
        check_passage_count(paragraphs)
    blocks: list[Block] = []
    for chunk in chunks:
        lines = [line for line in chunk.split("\n") if line.strip()]
        if not lines:
            continue
        if all(BULLET.match(line) for line in lines):
            blocks.extend(plain_block(LIST_ITEM, BULLET.sub("", line)) for line in lines)
            continue
        block = plain_block(PARAGRAPH, " ".join(lines))
        if _looks_like_heading(block.text, len(lines), blocks):
            block.kind = HEADING
        blocks.append(block)
    return ParsedReading(blocks=blocks)


def _looks_like_heading(text: str, line_count: int, before: list[Block]) -> bool:
    # The first block is left for the title; a heading is a short single line
    # that does not read as a sentence.
    return (
        bool(before)
        and line_count == 1
        and len(text) <= HEADING_MAX_CHARS
        and not SENTENCE_END.search(text)
        and ": " not in text
    )
