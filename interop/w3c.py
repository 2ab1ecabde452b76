"""Annotations and replies as W3C Web Annotations (JSON-LD), and back.

A selector measures the reading's text: its passages' plain text, in order,
joined by blank lines. A thread on a whole passage quotes the whole passage.
An orphan (a revision took its words out of the text) has no position, only
the quote it was made on, of the text as it was then: a TimeState.
A reply is an annotation whose motivation is `replying` and whose target is
the annotation (or reply) it answers. A private note is `bookmarking` with a
private audience. Whatever its viewer may not see (a deleted post kept for its
replies, a post hidden by a moderator) comes without creator and body, as the
page shows a placeholder.
"""

import json
import re
from bisect import bisect_right
from dataclasses import dataclass
from itertools import accumulate
from os.path import commonprefix
from urllib.parse import urlsplit

from django.urls import Resolver404, resolve, reverse

from discussions.anchoring import CONTEXT as KEPT_CONTEXT
from discussions.anchoring import Selector, SelectorError, resolve_selector
from discussions.forms import BODY_MAX
from discussions.models import Annotation, Reply
from discussions.threads import BLANKED, DELETED
from readings.services import size_label

CONTEXT = "http://www.w3.org/ns/anno.jsonld"
JSON_LD = f'application/ld+json; profile="{CONTEXT}"'
SEPARATOR = "\n\n"
MOTIVATIONS = {
    Annotation.Kind.QUESTION: "questioning",
    Annotation.Kind.COMMENT: "commenting",
    Annotation.Kind.NOTE: "bookmarking",
}
KINDS = {motivation: kind for kind, motivation in MOTIVATIONS.items()}
REPLYING = "replying"
PRIVATE = {"type": "schema:Audience", "schema:audienceType": "private"}
SELECTOR_TYPES = ("TextQuoteSelector", "TextPositionSelector")
# An annotation sent to the API: its body (10,000 characters at most) and the
# words it quotes.
ANNOTATION_MAX_BYTES = 1024 * 1024
# A group's export nests 7 deep (collection, page, items, item, target, selectors,
# selector); an annotation 4.
MAX_DEPTH = 20
# A JSON string. Its closing quote is optional so that an unclosed string ends the
# scan, rather than being tried again from every quote after it.
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"?', re.DOTALL)
_NOT_BRACKETS = bytes(set(range(256)) - set(b"[]{}"))
_NESTING = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}


class W3CError(ValueError):
    """What is wrong with a document, in words for whoever sent it."""


def timestamp(value) -> str:
    return value.isoformat().replace("+00:00", "Z")


def passage_starts(passages) -> dict[int, int]:
    """Where each passage (in reading order) starts in the reading's text."""
    starts, at = {}, 0
    for passage in passages:
        starts[passage.pk] = at
        at += len(passage.text) + len(SEPARATOR)
    return starts


def annotation_url(request, annotation: Annotation) -> str:
    return request.build_absolute_uri(reverse("interop:api_annotation", args=[annotation.pk]))


def reply_url(request, thread_id: int, reply_id: int) -> str:
    return request.build_absolute_uri(reverse("interop:api_reply", args=[thread_id, reply_id]))


def reading_url(request, group, reading) -> str:
    return request.build_absolute_uri(
        reverse("discussions:reading", args=[group.slug, reading.slug])
    )


def _post_json(post, address: str, state: str, source: str) -> dict:
    """What an annotation and a reply share: who wrote what, and when."""
    document = {
        "@context": CONTEXT,
        "id": address,
        "type": "Annotation",
        "created": timestamp(post.created),
        "modified": timestamp(post.edited or post.created),
    }
    if state not in (BLANKED, DELETED):
        document["creator"] = {
            "id": f"{source}?member={post.author_id}",
            "type": "Person",
            "name": str(post.author),
        }
        document["body"] = {"type": "TextualBody", "value": post.body, "format": "text/markdown"}
    return document


def annotation_json(request, annotation: Annotation, state: str, passage_start: int) -> dict:
    """`annotation` (its passage, group, reading and author fetched) as its viewer sees it."""
    source = reading_url(request, annotation.group, annotation.reading)
    document = _post_json(annotation, annotation_url(request, annotation), state, source)
    document["motivation"] = MOTIVATIONS[annotation.kind]
    if annotation.answer_id:
        # schema.org's Question names the reply its asker accepted.
        document["schema:acceptedAnswer"] = reply_url(request, annotation.pk, annotation.answer_id)
    if annotation.kind == Annotation.Kind.NOTE:
        document["audience"] = PRIVATE
    if annotation.orphaned:
        # Its words are no longer in the text: there is no position to give,
        # only the quote it was made on (if it was on words), of the text as it
        # was then (a TimeState), which tells an import to keep it as an orphan.
        document["target"] = {
            "source": source,
            "state": {"type": "TimeState", "sourceDate": timestamp(annotation.created)},
        }
        if annotation.exact:
            quote = {
                "type": "TextQuoteSelector",
                "exact": annotation.exact,
                "prefix": annotation.prefix,
                "suffix": annotation.suffix,
            }
            document["target"]["selector"] = [quote]
        return document
    text = annotation.passage.text
    if annotation.start is None:
        quote = {"exact": text, "prefix": "", "suffix": ""}
        start, end = 0, len(text)
    else:
        quote = {
            "exact": annotation.exact,
            "prefix": annotation.prefix,
            "suffix": annotation.suffix,
        }
        start, end = annotation.start, annotation.end
    document["target"] = {
        "source": source,
        "selector": [
            {"type": "TextQuoteSelector", **quote},
            {
                "type": "TextPositionSelector",
                "start": passage_start + start,
                "end": passage_start + end,
            },
        ],
    }
    return document


def reply_json(request, reply: Reply, state: str) -> dict:
    """`reply` (its thread with group and reading, and its author fetched) as its viewer sees it."""
    thread = reply.annotation
    source = reading_url(request, thread.group, thread.reading)
    document = _post_json(reply, reply_url(request, thread.pk, reply.pk), state, source)
    document["motivation"] = REPLYING
    if reply.parent_id:
        document["target"] = reply_url(request, thread.pk, reply.parent_id)
    else:
        document["target"] = annotation_url(request, thread)
    return document


def route(address: str, what: str):
    """Which of this application's pages or API resources an address names, by
    its path (whether its host is ours is for the caller to judge)."""
    try:
        return resolve(urlsplit(address).path)
    except Resolver404:
        raise W3CError(f"{what} is not an address on this site: {address!r}.") from None


def reading_of(document: dict) -> tuple[str, str]:
    """The group and reading slugs in a thread's target.source."""
    match = route(source_of(document), "target.source")
    if match.view_name != "discussions:reading":
        raise W3CError("target.source must be a reading's address in its group: …/g/…/r/…/.")
    return match.kwargs["slug"], match.kwargs["reading_slug"]


# --- reading documents sent to us ----------------------------------------------


def too_large(what: str, limit: int) -> W3CError:
    return W3CError(f"{what} is larger than {size_label(limit)}, the most accepted here.")


def read_json(data: bytes, *, limit: int, what: str):
    """The JSON document in `data`, refused before it is parsed when it is over
    `limit` bytes or nested deeper than MAX_DEPTH: Python's parser recurses, and a
    document nested deep enough ends in a RecursionError instead of an answer."""
    if len(data) > limit:
        raise too_large(what, limit)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as problem:
        raise W3CError(f"{what} is not valid JSON: it is not UTF-8 text ({problem}).") from None
    # UTF-8 never uses these ASCII bytes inside another character, so counting
    # bytes is counting characters. The running depth is worked out by iterators
    # written in C, and stops at the first level too deep.
    brackets = _STRING.sub(b"", data).translate(None, _NOT_BRACKETS)
    if any(map(MAX_DEPTH.__lt__, accumulate(map(_NESTING.__getitem__, brackets)))):
        raise W3CError(
            f"{what} nests arrays and objects more than {MAX_DEPTH} deep; "
            "a group's export needs 7 levels, an annotation 4."
        )
    try:
        return json.loads(text)
    except ValueError as problem:  # a JSONDecodeError, or a number too long to convert
        raise W3CError(f"{what} is not valid JSON: {problem}.") from None


def body_of(document: dict) -> str:
    """The Markdown text of a document's one textual body."""
    if "body" in document and "bodyValue" in document:
        raise W3CError("Send either body or bodyValue, not both.")
    if "bodyValue" in document:
        body = {"type": "TextualBody", "value": document["bodyValue"]}
    else:
        body = document.get("body")
    if isinstance(body, list):
        if len(body) != 1:
            raise W3CError("Send exactly one body.")
        body = body[0]
    if not isinstance(body, dict):
        raise W3CError("body must be a TextualBody object with a value.")
    if body.get("type", "TextualBody") != "TextualBody":
        raise W3CError(f"A body of type {body.get('type')!r} is not supported: use TextualBody.")
    if body.get("format", "text/markdown") not in ("text/markdown", "text/plain"):
        raise W3CError("body.format must be text/markdown or text/plain.")
    value = body.get("value")
    if not isinstance(value, str) or not value.strip():
        raise W3CError("body.value must be some text.")
    if len(value) > BODY_MAX:
        raise W3CError(
            f"body.value is {len(value):,} characters long; a post may have {BODY_MAX:,}."
        )
    return value


def kind_of(document: dict) -> str:
    """The motivation, checked: one of ours, and a note only with a private audience."""
    motivation = document.get("motivation")
    if motivation != REPLYING and motivation not in KINDS:
        raise W3CError(
            "motivation must be questioning, commenting, bookmarking (a private note) or replying."
        )
    if motivation == "bookmarking" and document.get("audience", PRIVATE) != PRIVATE:
        raise W3CError(
            "A bookmarking annotation is a private note: leave out audience, or send "
            f"{PRIVATE} as its audience."
        )
    return motivation if motivation == REPLYING else KINDS[motivation]


def reply_target(document: dict) -> str:
    """The id of the annotation or reply that a reply answers."""
    target = document.get("target")
    if isinstance(target, dict):
        target = target.get("id") or target.get("source")
    if not isinstance(target, str):
        raise W3CError("A reply's target must be the id of the annotation it answers.")
    return target


def source_of(document: dict) -> str:
    target = document.get("target")
    if not isinstance(target, dict) or not isinstance(target.get("source"), str):
        raise W3CError("target must be an object whose source is the reading's address.")
    return target["source"]


@dataclass
class Anchor:
    passage: object
    selector: Selector | None  # None: the whole passage


@dataclass
class ReadingText:
    """A reading's passages in order, and where each starts in the reading's text:
    worked out once for all the annotations placed in it."""

    passages: list
    starts: list[int]

    @classmethod
    def of(cls, passages: list) -> "ReadingText":
        return cls(passages, list(passage_starts(passages).values()))


def anchor_of(document: dict, text: ReadingText) -> Anchor:
    """The passage and words a document's selectors name: a TextQuoteSelector,
    and optionally a TextPositionSelector saying where it is in the reading's text."""
    selectors = document["target"].get("selector")
    if isinstance(selectors, dict):
        selectors = [selectors]
    if not isinstance(selectors, list) or not selectors:
        raise W3CError("target.selector must hold a TextQuoteSelector.")
    found = {}
    for selector in selectors:
        kind = selector.get("type") if isinstance(selector, dict) else None
        if kind not in SELECTOR_TYPES:
            raise W3CError(
                f"Selector type {kind!r} is not supported: use TextQuoteSelector, "
                "optionally with TextPositionSelector."
            )
        found[kind] = selector
    quote = found.get("TextQuoteSelector")
    if not quote or not isinstance(quote.get("exact"), str) or not quote["exact"].strip():
        raise W3CError("target.selector must hold a TextQuoteSelector with the exact words.")
    prefix, suffix = quote.get("prefix") or "", quote.get("suffix") or ""
    if not isinstance(prefix, str) or not isinstance(suffix, str):
        raise W3CError("A TextQuoteSelector's prefix and suffix must be text.")
    # Only as much context as is kept ranks the places the words occur: each place
    # is compared with it character by character, and a long context sent against
    # a long, repetitive passage took minutes.
    prefix, suffix = prefix[-KEPT_CONTEXT:], suffix[:KEPT_CONTEXT]
    position = found.get("TextPositionSelector")
    start = end = None
    if position:
        start, end = position.get("start"), position.get("end")
        if not all(isinstance(n, int) and n >= 0 for n in (start, end)) or start >= end:
            raise W3CError("A TextPositionSelector needs whole numbers 0 <= start < end.")
    exact = quote["exact"]
    # Where the position points, if the words are there: found without trying the
    # quote against every passage, which an import would do for each of its threads.
    if start is not None and text.passages:
        index = bisect_right(text.starts, start) - 1
        passage, at = text.passages[index], text.starts[index]
        fit = start < at + len(passage.text) and _fit(
            passage, exact, prefix, suffix, start - at, end - at
        )
        if fit:
            return fit[1]
    # Else where the words' context fits best, the first such passage on a tie.
    # Passages without the words are passed over by a plain search first.
    words = exact.strip()
    fits = []
    for order, passage in enumerate(text.passages):
        fit = words in passage.text and _fit(passage, exact, prefix, suffix, None, None)
        if fit:
            fits.append((fit[0], order, fit[1]))
    if not fits:
        raise W3CError(f"The quoted words do not occur in the reading: {exact[:80]!r}.")
    return min(fits, key=lambda fit: fit[:2])[2]


def earlier_quote(document: dict) -> tuple[str, str, str] | None:
    """An orphan's old quote as (exact, prefix, suffix), all empty when it was on
    a whole passage, when the document's target is the text as it was at some
    earlier time (a TimeState) and its quote, if any, is well formed; else None."""
    target = document.get("target")
    state = target.get("state") if isinstance(target, dict) else None
    if not isinstance(state, dict) or state.get("type") != "TimeState":
        return None
    selectors = target.get("selector") or []
    if isinstance(selectors, dict):
        selectors = [selectors]
    if not isinstance(selectors, list):
        return None
    quotes = [s for s in selectors if isinstance(s, dict) and s.get("type") == SELECTOR_TYPES[0]]
    quote = quotes[0] if quotes else {}
    exact, prefix, suffix = (quote.get(name) or "" for name in ("exact", "prefix", "suffix"))
    if not all(isinstance(value, str) for value in (exact, prefix, suffix)):
        return None
    return exact, prefix[-KEPT_CONTEXT:], suffix[:KEPT_CONTEXT]


def _fit(passage, exact, prefix, suffix, start, end) -> tuple[int, Anchor] | None:
    """The quote's place in `passage`, ranked (less is better: more of its context
    matches), or None when the words are not in it."""
    if exact.strip() == passage.text.strip():
        return 0, Anchor(passage, None)
    try:
        found = resolve_selector(
            passage.text, exact=exact, prefix=prefix, suffix=suffix, start=start, end=end
        )
    except SelectorError:
        return None
    context = len(commonprefix([found.prefix[::-1], prefix[::-1]])) + len(
        commonprefix([found.suffix, suffix])
    )
    return -context, Anchor(passage, found)
