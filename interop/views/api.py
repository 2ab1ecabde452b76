"""The JSON API: annotations as W3C Web Annotations, for other tools.

Signed in by the session (writes then need the CSRF token, as forms do) or by
a personal API token (`Authorization: Bearer <token>`, made on the settings
page). Access follows the pages exactly: to anyone not in the group it does
not exist (404); private notes and hidden posts show as they do on the page.
"""

import json
import re
from datetime import UTC, datetime, timedelta
from functools import wraps
from urllib.parse import urlsplit

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Case, Count, Exists, F, OuterRef, Q, When
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from accounts.limits import allowed
from accounts.tokens import user_for_token
from discussions import services
from discussions.access import get_post_in_thread, get_thread_by_id, require_author
from discussions.forms import BODY_MAX, EditForm
from discussions.models import Annotation, Reply
from discussions.threads import reply_tree, state_of, walk, with_trees
from groups.access import can, get_assignment_for_member
from groups.models import Membership
from readings.services import size_label

from .. import w3c
from ..openapi import schema

# Threads a page holds, each whole with its replies.
PAGE_SIZE = 50
# A page begins at a thread's place in passage order, as in the reading.
ORDER = ("passage__position", "created", "pk")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def error(status: int, message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def answer(document: dict, status: int = 200, **headers) -> HttpResponse:
    return HttpResponse(
        json.dumps(document, ensure_ascii=False),
        status=status,
        content_type=w3c.JSON_LD,
        headers=headers,
    )


def _csrf_refused(request: HttpRequest) -> bool:
    return CsrfViewMiddleware(lambda r: None).process_view(request, None, (), {}) is not None


def api_view(*methods: str):
    """Authenticate by token or session (with CSRF for a session's writes), allow
    `methods`, and answer every refusal in JSON."""

    def decorate(view):
        @csrf_exempt  # checked below for sessions; a token is not sent by browsers on their own
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method not in methods:
                response = error(405, f"Use {', '.join(methods)} here.")
                response["Allow"] = ", ".join(methods)
                return response
            if "Authorization" in request.headers:
                user = user_for_token(request.headers["Authorization"])
                if user is None:
                    return error(401, "That API token is not valid; it may have been revoked.")
                request.user = user
            elif not request.user.is_authenticated:
                return error(401, "Sign in, or send a personal API token: Authorization: Bearer …")
            elif request.method not in ("GET", "HEAD") and _csrf_refused(request):
                return error(403, "Signed in by session, a write needs the X-CSRFToken header.")
            if not allowed(request, "api_write"):
                return error(429, "Too many writes in a short time: wait a while, then try again.")
            try:
                return view(request, *args, **kwargs)
            except Http404:
                return error(404, "Not found.")
            except PermissionDenied:
                return error(403, "You may not do that.")
            except w3c.W3CError as problem:
                return error(400, str(problem))

        return wrapped

    return decorate


def _document(request: HttpRequest) -> dict:
    limit = w3c.ANNOTATION_MAX_BYTES
    # One byte past the limit is enough to refuse the body.
    data = request.read(limit + 1) or b"null"
    document = w3c.read_json(data, limit=limit, what="The request body")
    if not isinstance(document, dict):
        raise w3c.W3CError("Send one annotation as a JSON object.")
    return document


def _body(document: dict) -> str:
    form = EditForm({"body": w3c.body_of(document)})
    if not form.is_valid():
        raise w3c.W3CError(" ".join(form.errors["body"]))
    return form.cleaned_data["body"]


def _route(request: HttpRequest, address: str, what: str):
    """Which of our pages or API resources an address names; on another host, none."""
    host = urlsplit(address).netloc
    if host and host != request.get_host():
        raise w3c.W3CError(f"{what} must be an address on this site, not {host}.")
    return w3c.route(address, what)


def _thread_json(request: HttpRequest, annotation: Annotation) -> dict:
    passages = list(annotation.reading.passages.all())
    start = w3c.passage_starts(passages)[annotation.passage_id]
    moderator = can(annotation.group, Membership.Role.FACILITATOR)
    return w3c.annotation_json(
        request, annotation, state_of(annotation, request.user, moderator), start
    )


def _reply_json(request: HttpRequest, reply: Reply) -> dict:
    moderator = can(reply.annotation.group, Membership.Role.FACILITATOR)
    return w3c.reply_json(request, reply, state_of(reply, request.user, moderator))


def _kept(request: HttpRequest, annotation: Annotation) -> list[Reply]:
    """The thread's replies its page shows the user, in reading order."""
    if annotation.replies_hidden_for(request.user):
        return []
    replies = list(annotation.replies.select_related("author"))
    return [node.reply for node, _ in walk(reply_tree(replies))]


def _create_reply(request: HttpRequest, document: dict, body: str) -> HttpResponse:
    match = _route(request, w3c.reply_target(document), "A reply's target")
    if match.view_name not in ("interop:api_annotation", "interop:api_reply"):
        raise w3c.W3CError("A reply's target must be the id of an annotation or reply.")
    annotation = get_thread_by_id(request, match.kwargs["pk"])
    parent = None
    if "reply_pk" in match.kwargs:
        parent = get_post_in_thread(request, annotation, str(match.kwargs["reply_pk"]))
        if parent not in _kept(request, annotation):
            raise Http404
    reply = services.post_reply(
        annotation=annotation, parent=parent, body=body, author=request.user
    )
    reply.annotation = annotation
    url = w3c.reply_url(request, annotation.pk, reply.pk)
    return answer(_reply_json(request, reply), status=201, Location=url)


@api_view("POST")
def create(request: HttpRequest) -> HttpResponse:
    document = _document(request)
    kind = w3c.kind_of(document)
    body = _body(document)
    if kind == w3c.REPLYING:
        return _create_reply(request, document, body)
    _route(request, w3c.source_of(document), "target.source")
    assignment = get_assignment_for_member(request, *w3c.reading_of(document))
    passages = list(assignment.reading.passages.all())
    anchor = w3c.anchor_of(document, w3c.ReadingText.of(passages))
    annotation = services.post_annotation(
        group=assignment.group,
        reading=assignment.reading,
        passage=anchor.passage,
        kind=kind,
        body=body,
        author=request.user,
        selector=anchor.selector,
    )
    annotation.group, annotation.reading = assignment.group, assignment.reading
    url = w3c.annotation_url(request, annotation)
    return answer(_thread_json(request, annotation), status=201, Location=url)


def _change(request: HttpRequest, post) -> HttpResponse | None:
    """PATCH or DELETE `post` for its author; None for a GET."""
    if request.method == "GET":
        return None
    require_author(request, post)
    if post.deleted:
        return error(409, "It is deleted already.")
    if request.method == "DELETE":
        services.delete_post(post=post)
        return HttpResponse(status=204)
    document = _document(request)
    if "motivation" in document and document["motivation"] != w3c.MOTIVATIONS.get(
        getattr(post, "kind", None), w3c.REPLYING
    ):
        raise w3c.W3CError("The motivation of an annotation cannot change; send only its body.")
    services.edit_post(post=post, body=_body(document))
    return None


@api_view("GET", "PATCH", "DELETE")
def annotation(request: HttpRequest, pk: int) -> HttpResponse:
    thread = get_thread_by_id(request, pk)
    return _change(request, thread) or answer(_thread_json(request, thread))


@api_view("GET", "PATCH", "DELETE")
def reply(request: HttpRequest, pk: int, reply_pk: int) -> HttpResponse:
    thread = get_thread_by_id(request, pk)
    post = get_object_or_404(Reply.objects.select_related("author"), pk=reply_pk, annotation=thread)
    post.annotation = thread
    if post not in _kept(request, thread):
        raise Http404
    return _change(request, post) or answer(_reply_json(request, post))


def _threads(assignment, user):
    """The threads of a group's reading the viewer may see, in passage order,
    each knowing whether its replies are open to them. Filtered on a range of
    the passages of the reading (the thread's own) too, so that the database,
    with or without statistics, walks them in order by their index and each
    one's threads by theirs, and stops at a page's end instead of sorting
    every thread first."""
    group, reading = assignment.group, assignment.reading
    opened = Annotation.objects.filter(pk=OuterRef("pk")).replies_open_to(user)
    return (
        Annotation.objects.filter(
            group=group, reading=reading, passage__reading=reading, passage__position__gte=0
        )
        .visible_to(user)
        .annotate(opened=Exists(opened))
        .order_by(*ORDER)
    )


def _key(position: int, created: datetime, pk: int) -> str:
    """A thread's place in passage order, as the name of the page it begins."""
    return f"{position}.{(created - EPOCH) // timedelta(microseconds=1)}.{pk}"


def _split(threads, name: str):
    """`threads` from the place `name` (a `_key`) says on, and those before it
    (the nearest first); None for a name `_key` does not make. A name only
    says where to start among the viewer's own threads, whatever it names,
    so a forged one shows nothing they could not page to."""
    match = re.fullmatch(r"([0-9]{1,9})\.([0-9]{1,17})\.([0-9]{1,18})", name)
    if match is None:
        return None
    position, micros, pk = (int(part) for part in match.groups())
    created = EPOCH + timedelta(microseconds=micros)
    here = Q(passage__position=position)
    # A range of passages the index reaches, less the threads on its first
    # passage that come before (or after) the place.
    after = (
        threads.filter(passage__position__gte=position)
        .exclude(here, created__lt=created)
        .exclude(here, created=created, pk__lt=pk)
    )
    before = (
        threads.filter(passage__position__lte=position)
        .exclude(here, created__gt=created)
        .exclude(here, created=created, pk__gte=pk)
    )
    return after, before.reverse()


def _counted(assignment, user) -> tuple[str, list]:
    """SQL for the threads of a group's reading the viewer may see, each with
    its number of posts: itself and the replies it shows them (none while
    they must answer first): its reply count (which leaves out deleted
    replies) and its deleted replies still shown as placeholders. Plain SQL
    around the ORM's queries, since Django selects from no subquery."""
    group, reading = assignment.group, assignment.reading
    visible = Annotation.objects.filter(group=group, reading=reading).visible_to(user)
    opened = When(pk__in=visible.replies_open_to(user).values("pk"), then=1)
    threads = visible.annotate(thread=F("pk"), opened=Case(opened, default=0)).values(
        "thread", "reply_count", "opened"
    )
    placeholders = (
        Reply.objects.placeholders(group, reading)
        .order_by()
        .values(of=F("annotation"))
        .annotate(n=Count("pk"))
    )
    threads_sql, threads_params = threads.order_by().query.sql_with_params()
    placeholders_sql, placeholders_params = placeholders.query.sql_with_params()
    sql = f"""
        SELECT 1 + opened * (reply_count + COALESCE(shown.n, 0)) AS items
        FROM ({threads_sql}) threads
        LEFT JOIN ({placeholders_sql}) shown ON shown.of = threads.thread"""
    return sql, [*threads_params, *placeholders_params]


def discussion_total(assignment, user) -> tuple[int, int]:
    """How many posts `discussion_items` gives the viewer in all, and in how
    many threads: a count over the whole discussion."""
    counted, params = _counted(assignment, user)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT SUM(items), COUNT(*) FROM ({counted}) counted", params)
        posts, threads = cursor.fetchone()
    # PostgreSQL sums bigints as numeric (a Decimal here).
    return int(posts or 0), threads


def discussion_items(
    request: HttpRequest, assignment, threads: list[Annotation] | None = None
) -> list[dict]:
    """`threads` of a group's reading (from `_threads`; by default all its
    viewer may see) as W3C annotations, each followed by the replies it shows
    them, in the thread page's order."""
    user = request.user
    if threads is None:
        threads = list(_threads(assignment, user).select_related("author", "passage"))
    passages = assignment.reading.passages.values_list("pk", "text", named=True)
    starts = w3c.passage_starts(passages)
    replies = Reply.objects.filter(annotation__in=[t.pk for t in threads if t.opened])
    replies = list(replies.select_related("author"))
    items = []
    for thread, tree in with_trees(assignment, threads, replies, user):
        items.append(w3c.annotation_json(request, thread, thread.state, starts[thread.passage_id]))
        items += [w3c.reply_json(request, n.reply, n.reply.state) for n, _ in walk(tree)]
    return items


@api_view("GET")
def collection(request: HttpRequest, slug: str, reading_slug: str) -> HttpResponse:
    """An AnnotationCollection; `?page=first`, and the pages it and they link
    to, are its AnnotationPages: PAGE_SIZE whole threads each, named by where
    they begin, so that a page costs the same wherever it is."""
    assignment = get_assignment_for_member(request, slug, reading_slug)
    url = request.build_absolute_uri(request.path)
    label = f"Discussion of {assignment.reading.title} in {assignment.group.name}"
    threads = _threads(assignment, request.user)
    if "page" not in request.GET:
        total, count = discussion_total(assignment, request.user)
        last = "first"
        if count > PAGE_SIZE:
            at = (count - 1) // PAGE_SIZE * PAGE_SIZE
            # None when threads went meanwhile: the first page then.
            place = threads.values_list(*ORDER)[at : at + 1].first()
            last = _key(*place) if place else last
        return answer(
            {
                "@context": w3c.CONTEXT,
                "id": url,
                "type": "AnnotationCollection",
                "label": label,
                "total": total,
                "first": f"{url}?page=first",
                "last": f"{url}?page={last}",
            }
        )
    name = request.GET["page"]
    after, before = threads, None
    if name != "first":
        split = _split(threads, name)
        if split is None:
            return error(400, "No such page: follow the collection's first, next, prev or last.")
        after, before = split
    page = list(after.select_related("author", "passage")[: PAGE_SIZE + 1])
    if before is not None and not page:
        raise Http404
    document = {
        "@context": w3c.CONTEXT,
        "id": f"{url}?page={name}",
        "type": "AnnotationPage",
        "partOf": {"id": url, "label": label},
        "items": discussion_items(request, assignment, page[:PAGE_SIZE]),
    }
    if len(page) > PAGE_SIZE:
        following = page[PAGE_SIZE]
        following = _key(following.passage.position, following.created, following.pk)
        document["next"] = f"{url}?page={following}"
    if before is not None:
        earlier = list(before.values_list(*ORDER)[: PAGE_SIZE + 1])
        if earlier:
            previous = _key(*earlier[PAGE_SIZE - 1]) if len(earlier) > PAGE_SIZE else "first"
            document["prev"] = f"{url}?page={previous}"
    return answer(document)


@require_safe
def openapi(request: HttpRequest) -> JsonResponse:
    return JsonResponse(schema(request.build_absolute_uri(reverse("interop:api_docs"))))


@require_safe
def docs(request: HttpRequest) -> HttpResponse:
    context = {
        "origin": request.build_absolute_uri("/")[:-1],
        "max_bytes": size_label(w3c.ANNOTATION_MAX_BYTES),
        "max_depth": w3c.MAX_DEPTH,
        "body_max": f"{BODY_MAX:,}",
        "page_size": PAGE_SIZE,
    }
    return render(request, "interop/api_docs.html", context)
