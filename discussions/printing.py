"""The print edition of a reading: its passages with their marks, the threads
beside them (a long one continued as a numbered endnote), and the same page
laid out as a PDF by WeasyPrint."""

import math
import mimetypes
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import SuspiciousFileOperation

from .bodies import excerpt
from .models import Annotation
from .pieces import marked
from .threads import BLANKED, DELETED, ReplyNode, reading_threads, walk

# A thread taking more lines than this in the margin (a line being so many
# characters of its posts, and one more for each post's heading) continues as
# an endnote, so no passage is pushed off its page by its notes.
MARGIN_LINES = 24
LINE_CHARS = 45
# A PDF is refused past about this many pages (reckoned from the characters of
# text it holds): WeasyPrint takes about a fifth of a second of CPU a page (see
# tests/bench/printing.py), and a job must end well within PrintJob.STALE_AFTER
# without holding the task worker from other work for long.
PDF_MAX_PAGES = 100
PAGE_CHARS = 1600
OPENING_LENGTH = 200


@dataclass
class Printed:
    """A thread as printed: its replies in reading order, each with its depth;
    its number among the endnotes, when it continues there."""

    thread: Annotation
    replies: list[tuple[ReplyNode, int]] = field(default_factory=list)
    note: int = 0
    opening: str = ""

    @property
    def bodies(self) -> list[str]:
        """Its posts' words as printed: none for a placeholder."""
        posts = [self.thread, *(node.reply for node, _ in self.replies)]
        return [post.body if post.state not in (BLANKED, DELETED) else "" for post in posts]

    @property
    def lines(self) -> int:
        return sum(1 + math.ceil(len(body) / LINE_CHARS) for body in self.bodies)


@dataclass
class Edition:
    passages: list
    whole: list[Printed]  # threads on the whole reading
    orphans: list[Printed]  # threads on words a revision took out of the text
    endnotes: list[Printed]
    length: int  # characters of text: the passages' and the posts'

    @property
    def pages(self) -> int:
        return math.ceil(self.length / PAGE_CHARS)


def edition(assignment, user, kinds: list[str]) -> Edition:
    """The reading as `user` may see it, with the threads of `kinds` (and their
    replies, if "replies" is among them) on each passage as `printed`."""
    passages, on_passage = reading_threads(assignment, user)
    whole, orphans, endnotes = [], [], []
    length = sum(len(passage.text) for passage in passages)
    for passage in passages:
        passage.printed = []
        for thread, tree in on_passage.get(passage.pk, []):
            if thread.kind not in kinds:
                continue
            thread.passage = passage  # an endnote names it
            printed = Printed(thread, list(walk(tree)) if "replies" in kinds else [])
            if thread.state == DELETED and not printed.replies:
                continue  # a placeholder with nothing under it says nothing
            length += sum(map(len, printed.bodies))
            if thread.whole_reading:
                whole.append(printed)
            elif thread.orphaned:
                orphans.append(printed)
            else:
                passage.printed.append(printed)
                if printed.lines > MARGIN_LINES:
                    endnotes.append(printed)
                    printed.note = len(endnotes)
                    if thread.state not in (BLANKED, DELETED):
                        printed.opening = excerpt(thread.body_html, OPENING_LENGTH)
        passage.html = marked(passage.html, [p.thread for p in passage.printed])
    return Edition(passages, whole, orphans, endnotes, length)


def static_file(url: str, static_url: str) -> tuple[bytes, dict]:
    """What WeasyPrint may load, as its body and headers: one of our own static
    files, read from disk. Any other URL (another site, a file: or data: one)
    raises, so nothing in a page, members' words included, makes the server
    fetch anything."""
    if not url.startswith(static_url):
        raise ValueError(f"Not one of our static files: {url}")
    name = urlsplit(url[len(static_url) :]).path
    try:
        # Collected (under its hashed name, in production), or found in place.
        path = staticfiles_storage.path(name) if staticfiles_storage.exists(name) else None
        path = path or finders.find(name)
    except SuspiciousFileOperation:  # a name that climbs out of the static folders
        path = None
    if not path:
        raise ValueError(f"No such static file: {url}")
    kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return Path(path).read_bytes(), {"Content-Type": kind}


def pdf(html: str, page_url: str, static_url: str) -> bytes:
    """The page as a PDF: laid out for print, with its own stylesheets and nothing else."""
    # Imported here, not as the site starts: WeasyPrint loads the system's Pango,
    # which only making a PDF needs.
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnly(URLFetcher):
        def fetch(self, url, headers=None):
            return URLFetcherResponse(url, *static_file(url, static_url))

    return HTML(string=html, base_url=page_url, url_fetcher=StaticOnly()).write_pdf()
