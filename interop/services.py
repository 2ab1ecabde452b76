"""A group's discussions from a W3C JSON-LD export, posted all or nothing."""

from django.db import transaction

from discussions.models import Annotation
from discussions.services import delete_post, post_annotation, post_reply
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


def _import_one(item: dict, group: Group, importer, made: dict, assignments: dict, passages: dict):
    kind = w3c.kind_of(item)
    body, placeholder = _imported_body(item, importer)
    if kind == w3c.REPLYING:
        answered = made.get(w3c.reply_target(item))
        if answered is None:
            raise w3c.W3CError("it answers an annotation that is not earlier in the file")
        thread = answered if isinstance(answered, Annotation) else answered.annotation
        parent = None if isinstance(answered, Annotation) else answered
        post = post_reply(annotation=thread, parent=parent, body=body, author=importer)
        post.annotation = thread
    else:
        # From another group, or another site: the reading is known by its slug.
        _, reading_slug = w3c.reading_of(item)
        assignment = assignments.get(reading_slug)
        if assignment is None:
            raise w3c.W3CError(f"the reading “{reading_slug}” is not on this group's syllabus")
        reading = assignment.reading
        if reading.pk not in passages:
            passages[reading.pk] = list(reading.passages.all())
        anchor = w3c.anchor_of(item, passages[reading.pk])
        post = post_annotation(
            group=group,
            reading=reading,
            passage=anchor.passage,
            kind=kind,
            body=body,
            author=importer,
            selector=anchor.selector,
        )
    if placeholder:
        delete_post(post=post)
    if isinstance(item.get("id"), str):
        made[item["id"]] = post
    return post


def import_discussions(*, group: Group, document, importer) -> dict[str, int]:
    """Threads and replies from a W3C JSON-LD export (of this or another group,
    here or elsewhere) into `group`, all or nothing. Each keeps its kind, its
    passage and words, and its place in its thread. All become the importer's
    posts; one someone else wrote starts by saying who."""
    items = _items_of(document)
    if not items:
        raise w3c.W3CError("The file holds no annotations.")
    if len(items) > MAX_POSTS:
        raise w3c.W3CError(
            f"The file holds {len(items):,} annotations and replies; "
            f"an import takes at most {MAX_POSTS:,}."
        )
    assignments = {a.reading.slug: a for a in group.assignments.select_related("reading")}
    made, passages = {}, {}
    with transaction.atomic():
        for number, item in enumerate(items, start=1):
            if not isinstance(item, dict):
                raise w3c.W3CError(f"Item {number} is not an annotation.")
            try:
                _import_one(item, group, importer, made, assignments, passages)
            except w3c.W3CError as problem:
                where = f"Item {number} ({item.get('id', 'no id')})"
                raise w3c.W3CError(f"{where}: {str(problem).rstrip('.')}.") from None
    threads = sum(isinstance(post, Annotation) for post in made.values())
    return {"threads": threads, "replies": len(made) - threads}
