"""Turn an uploaded file into a title, a standfirst and ordered passages.

Each format has its own parser (plain text, Markdown, HTML; Word, EPUB and PDF,
told apart by their bytes before any decoding); what they share (boilerplate,
front matter, captions, speakers) runs afterwards in structure.
"""

import re
from pathlib import PurePath

from .binary import binary_format, parse_binary
from .decoding import decode
from .errors import ImportProblem
from .html import parse_html
from .markdown import parse_markdown
from .plaintext import parse_text
from .structure import ParsedReading, finish

__all__ = ["FORMATS", "ImportProblem", "ParsedReading", "format_for", "parse"]

FORMATS = {"text": parse_text, "markdown": parse_markdown, "html": parse_html}
EXTENSIONS = {
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".docx": "docx",
    ".epub": "epub",
    ".pdf": "pdf",
}
LOOKS_LIKE_HTML = re.compile(r"^\s*(?:<!doctype html|<html|<head|<body|<article|<p[\s>])", re.I)
# A link is `[`, text without `]`, then `](`. Its text may hold `[`, but the
# pattern starts over at each one rather than scanning on from the first:
# otherwise a line of `[` is searched in time growing with its length squared.
LOOKS_LIKE_MARKDOWN = re.compile(
    r"^(?:#{1,6} |> |\* |- |\d+\. )|\*\*[^*\n]+\*\*|\[[^[\]\n]*[^\]\n]\]\(", re.M
)


def format_for(filename: str, text: str) -> str:
    """The format named by the file's extension, or guessed from its content."""
    suffix = PurePath(filename).suffix.lower() if filename else ""
    if suffix in EXTENSIONS:
        return EXTENSIONS[suffix]
    if suffix:
        known = ", ".join(sorted(EXTENSIONS))
        raise ImportProblem(f"Unknown file type '{suffix}'. Upload one of: {known}.")
    if LOOKS_LIKE_HTML.search(text):
        return "html"
    if LOOKS_LIKE_MARKDOWN.search(text):
        return "markdown"
    return "text"


def parse(data: bytes, filename: str = "", fmt: str = "") -> ParsedReading:
    """Parse an upload; raise ImportProblem with a message for a person."""
    named = format_for(filename, "") if filename else ""  # an unknown extension fails first
    binary = binary_format(data, named)
    if binary:
        parsed = finish(parse_binary(binary, data))
    else:
        text = decode(data)
        fmt = fmt or format_for(filename, text)
        parsed = finish(FORMATS[fmt](text))
    if not parsed.blocks:
        raise ImportProblem("No readable text was found in the file.")
    return parsed
