"""A group's discussions from a W3C JSON-LD export, posted all or nothing."""

from dataclasses import asdict

from django.db import transaction
from django.utils import timezone

from discussions.bodies import render_body
from discussions.models import Annotation, Reply
from discussions.services import mention_links, next_version
from groups.models import Group

from . import w3c

# Posts per import: one transaction writes them all, holding the database's
# write lock meanwhile.
MAX_POSTS = 5_000


def _items_of(document) -> list:
    """The annotations of a W3C export: a collection with its pages in the file,
    one page, or a plain list."""
    if isinstance(document, list):
        return document
    if not isinstance(document, dict):
        raise w3c.W3CError("The file holds no annotations.")
    if document.get("type") == "AnnotationPage":
        return document.get("items") or []
    if document.get("type") != "AnnotationCollection":
        raise w3c.W3CError("Expected an AnnotationCollection, as a group's export is.")
    items, page = [], document.get("first")
    while page is not None:
        if not isinstance(page, dict):
            raise w3c.W3CError("The collection's pages are not in the file, only their addresses.")
        items += page.get("items") or []
        page = page.get("next")
    return items


def _imported_body(item: dict, importer) -> tuple[str, bool]:
    """The text to post, and whether the post was a placeholder (deleted or hidden)."""
    if "body" not in item and "bodyValue" not in item:
        return "(deleted)", True
    text = w3c.body_of(item)
    creator = item.get("creator")
    name = creator.get("name") if isinstance(creator, dict) else None
    if isinstance(name, str) and name.strip() and name != str(importer):
        text = f"*{' '.join(name.split())} wrote:*\n\n{text}"
    return text, False


def _prepare(item: dict, group: Group, importer, made: dict, readings: dict, loaded: dict):
    """The post an item makes, checked and unsaved, with its body rendered as
    posting it would render it; a reply comes with the reply it answers, if any."""
    kind = w3c.kind_of(item)
    body, placeholder = _imported_body(item, importer)
    parent = None
    if kind == w3c.REPLYING:
        answered = made.get(w3c.reply_target(item))
        if answered is None:
            raise w3c.W3CError("it answers an annotation that is not earlier in the file")
        if isinstance(answered, Reply):
            answered, parent = answered.annotation, answered
        post = Reply(annotation=answered)
        reading = answered.reading
    else:
        # From another group, or another site: the reading is known by its slug.
        _, reading_slug = w3c.reading_of(item)
        reading = readings.get(reading_slug)
        if reading is None:
            raise w3c.W3CError(f"the reading “{reading_slug}” is not on this group's syllabus")
        if reading.pk not in loaded:
            passages = w3c.ReadingText.of(list(reading.passages.all()))
            loaded[reading.pk] = (passages, mention_links(group, reading))
        text = loaded[reading.pk][0]
        earlier = w3c.earlier_quote(item)
        if earlier is not None and text.passages:
            # An orphan where it was exported stays one: its quote is of a text
            # as it was, and a search for it in this one could find the wrong words.
            # On the first passage, as threads on the whole reading are kept.
            words = dict(zip(("exact", "prefix", "suffix"), earlier, strict=True))
            where = {"passage": text.passages[0], "orphaned": reading.revision, **words}
        else:
            anchor = w3c.anchor_of(item, text)
            where = {
                "passage": anchor.passage,
                **(asdict(anchor.selector) if anchor.selector else {}),
            }
        post = Annotation(group=group, reading=reading, kind=kind, **where)
    post.author, post.body = importer, body
    post.body_html = render_body(body, mentions=loaded[reading.pk][1])
    if placeholder:
        post.deleted = timezone.now()
    return post, parent


def _save(
    group: Group,
    threads: list[Annotation],
    replies: list[tuple[Reply, Reply | None]],
    accepted: list[tuple[Annotation, Reply]],
):
    """Write the posts as posting them one by one would leave them (each thread
    counting its replies that are not deleted, its reading's version bumped, a
    question marked answered by its accepted reply), in a few queries whatever
    their number."""
    for reply, _ in replies:
        reply.annotation.reply_count += reply.deleted is None
    with transaction.atomic():
        versions = {}
        for thread in threads:
            if thread.reading_id not in versions:
                versions[thread.reading_id] = next_version(group, thread.reading)
            # All of it is the importer's, posted now: new to everyone else.
            thread.version = thread.posted = thread.last_posted = versions[thread.reading_id]
            thread.last_poster = thread.author
        for reply, _ in replies:
            reply.posted = versions[reply.annotation.reading_id]
        Annotation.objects.bulk_create(threads)
        # Written in the file's order, which is the order threads show them in, and
        # only then pointed at their parents: a reply's parent has no id until written.
        Reply.objects.bulk_create([reply for reply, _ in replies])
        answers = []
        for reply, parent in replies:
            if parent is not None:
                reply.parent = parent
                answers.append(reply)
        # Batches keep each UPDATE's CASE over the ids short.
        Reply.objects.bulk_update(answers, ["parent"], batch_size=500)
        for thread, reply in accepted:
            thread.answer, thread.answered = reply, timezone.now()
        Annotation.objects.bulk_update(
            [thread for thread, _ in accepted], ["answer", "answered"], batch_size=500
        )


def import_discussions(*, group: Group, document, importer) -> dict[str, int]:
    """Threads and replies from a W3C JSON-LD export (of this or another group,
    here or elsewhere) into `group`, all or nothing. Each keeps its kind, its
    passage and words, and its place in its thread. All become the importer's
    posts; one someone else wrote starts by saying who. Every item is checked
    before anything is written."""
    items = _items_of(document)
    if not items:
        raise w3c.W3CError("The file holds no annotations.")
    if len(items) > MAX_POSTS:
        raise w3c.W3CError(
            f"The file holds {len(items):,} annotations and replies; "
            f"an import takes at most {MAX_POSTS:,}."
        )
    readings = {a.reading.slug: a.reading for a in group.assignments.select_related("reading")}
    made, loaded, threads, replies, marks = {}, {}, [], [], []
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise w3c.W3CError(f"Item {number} is not an annotation.")
        try:
            post, parent = _prepare(item, group, importer, made, readings, loaded)
        except w3c.W3CError as problem:
            where = f"Item {number} ({item.get('id', 'no id')})"
            raise w3c.W3CError(f"{where}: {str(problem).rstrip('.')}.") from None
        if isinstance(post, Annotation):
            threads.append(post)
            if post.kind == Annotation.Kind.QUESTION and "schema:acceptedAnswer" in item:
                marks.append((post, item["schema:acceptedAnswer"]))
        else:
            replies.append((post, parent))
        if isinstance(item.get("id"), str):
            made[item["id"]] = post
    accepted = []
    for post, address in marks:
        # Only a reply of the same thread can be its answer; any other mark
        # (another thread's reply, an address not in the file) is left out.
        answer = made.get(address) if isinstance(address, str) else None
        if isinstance(answer, Reply) and answer.annotation is post:
            accepted.append((post, answer))
    _save(group, threads, replies, accepted)
    return {"threads": len(threads), "replies": len(replies)}
