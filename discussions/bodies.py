"""Turn members' Markdown annotation and reply bodies into safe HTML."""

import re
from html import escape, unescape

import nh3
from markdown_it import MarkdownIt

# Raw HTML stays off so anything a member types in angle brackets is shown, never run.
_markdown = MarkdownIt("commonmark", {"html": False}).enable("strikethrough")

_ALLOWED_TAGS = {"p", "br", "strong", "em", "b", "i", "code", "pre", "blockquote", "ul", "ol"}
_ALLOWED_TAGS |= {"li", "a", "s", "del", "hr"}

# The sanitizer is the real security boundary: it re-checks whatever markdown-it produced.
_cleaner = nh3.Cleaner(
    tags=_ALLOWED_TAGS,
    attributes={"a": {"href", "title"}},
    url_schemes={"http", "https", "mailto"},
    # Relative links would point into our own site, where a crafted path could do harm.
    url_relative="deny",
    link_rel="nofollow noopener ugc",
    clean_content_tags={"script", "style"},
)

# Quoted attribute values are skipped whole so a stray ">" in one can never end a tag early.
_TAG = re.compile(r'(<(?:[^>"]|"[^"]*")*>)')
_TAG_NAME = re.compile(r"<(/?)([a-zA-Z0-9]+)")
# Inside these a mention link would nest a link or rewrite code the member typed literally.
_NO_MENTIONS_INSIDE = frozenset({"a", "code", "pre"})
_BLOCK_TAGS = frozenset({"p", "br", "blockquote", "ul", "ol", "li", "pre", "hr"})


def render_body(source: str, *, mentions: dict[str, str] | None = None) -> str:
    """Markdown source -> sanitized HTML."""
    if not source.strip():
        return ""
    cleaned = _cleaner.clean(_markdown.render(source))
    if mentions:
        cleaned = _link_mentions(cleaned, mentions)
    return cleaned.strip()


def _link_mentions(cleaned: str, mentions: dict[str, str]) -> str:
    # Longest first so "@Ann Lee" is not claimed by "Ann"; the regex backtracks to
    # shorter names when a longer one runs on into a word.
    names = sorted((name for name in mentions if name), key=len, reverse=True)
    if not names:
        return cleaned
    alternatives = "|".join(f"({re.escape(name)})" for name in names)
    pattern = re.compile(rf"(?<!\w)@(?:{alternatives})(?!\w)", re.IGNORECASE)

    def link(match: re.Match[str]) -> str:
        # One group per name tells us which was typed, so we can show its real spelling.
        name = names[match.lastindex - 1]
        href = escape(mentions[name], quote=True)
        return f'<a class="mention" href="{href}">{escape("@" + name, quote=False)}</a>'

    out = []
    blocked = 0
    # split() with one capturing group alternates text, tag, text, ...
    for index, chunk in enumerate(_TAG.split(cleaned)):
        if index % 2:
            tag = _TAG_NAME.match(chunk)
            if tag and tag[2].lower() in _NO_MENTIONS_INSIDE:
                blocked = blocked - 1 if tag[1] else blocked + 1
            out.append(chunk)
            continue
        text = unescape(chunk)
        if blocked > 0 or not pattern.search(text):
            out.append(chunk)
            continue
        last = 0
        for match in pattern.finditer(text):
            out.append(escape(text[last : match.start()], quote=False))
            out.append(link(match))
            last = match.end()
        out.append(escape(text[last:], quote=False))
    return "".join(out)


def excerpt(html: str, length: int = 140) -> str:
    """Plain text of rendered body HTML, whitespace collapsed, cut at a word boundary to at most
    `length` characters with a trailing '…' when cut.

    The result is plain text, not HTML: let the template escape it.
    """

    def untag(match: re.Match[str]) -> str:
        # Block boundaries separate words; inline tags sit inside them.
        name = _TAG_NAME.match(match[0])
        return " " if name and name[2].lower() in _BLOCK_TAGS else ""

    text = " ".join(unescape(_TAG.sub(untag, html)).split())
    if len(text) <= length:
        return text
    # Leave room for the ellipsis so the whole excerpt fits in `length`.
    head = text[: length - 1]
    if text[length - 1] != " " and " " in head:
        head = head[: head.rfind(" ")]
    return head.rstrip() + "…"


# The links _link_mentions makes end in the mentioned member's id.
_MENTION_LINK = re.compile(r'<a class="mention" href="[^"]*\?member=(\d+)"')


def mentioned(html: str) -> set[int]:
    """The ids of the members a rendered body mentions."""
    return {int(found) for found in _MENTION_LINK.findall(html)}
