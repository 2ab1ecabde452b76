"""The JSON API: annotations as W3C Web Annotations, for other tools.

Signed in by the session (writes then need the CSRF token, as forms do) or by
a personal API token (`Authorization: Bearer <token>`, made on the settings
page). Access follows the pages exactly: to anyone not in the group it does
not exist (404); private notes and hidden posts show as they do on the page.
"""

import json
from collections import defaultdict
from functools import wraps
from urllib.parse import urlsplit

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Case, Count, F, When
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
from discussions.threads import reply_tree, state_of, walk
from groups.access import can, get_assignment_for_member
from groups.models import Membership
from readings.services import size_label

from .. import w3c
from ..openapi import schema

PAGE_SIZE = 200


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


def _counted(assignment, user) -> tuple[str, list]:
    """SQL for the threads of a group's reading the viewer may see, each as
    (thread, position, at, items): its passage's position, when it was posted,
    and its posts, itself and the replies it shows them (none while they must
    answer first): its reply count (which leaves out deleted replies) and its
    deleted replies still shown as placeholders. Plain SQL around the ORM's
    queries, since Django selects from no subquery; and a join, not a count
    per thread in a correlated subquery, which Django would repeat in each
    window and PostgreSQL's planner takes for costly."""
    group, reading = assignment.group, assignment.reading
    visible = Annotation.objects.filter(group=group, reading=reading).visible_to(user)
    opened = When(pk__in=visible.replies_open_to(user).values("pk"), then=1)
    threads = visible.annotate(
        thread=F("pk"),
        position=F("passage__position"),
        at=F("created"),
        opened=Case(opened, default=0),
    ).values("thread", "position", "at", "reply_count", "opened")
    placeholders = (
        Reply.objects.placeholders(group, reading)
        .order_by()
        .values(of=F("annotation"))
        .annotate(n=Count("pk"))
    )
    threads_sql, threads_params = threads.order_by().query.sql_with_params()
    placeholders_sql, placeholders_params = placeholders.query.sql_with_params()
    sql = f"""
        SELECT thread, position, at,
            1 + opened * (reply_count + COALESCE(shown.n, 0)) AS items
        FROM ({threads_sql}) threads
        LEFT JOIN ({placeholders_sql}) shown ON shown.of = threads.thread"""
    return sql, [*threads_params, *placeholders_params]


def discussion_total(assignment, user) -> int:
    """How many posts `discussion_items` gives the viewer in all."""
    counted, params = _counted(assignment, user)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT SUM(items) FROM ({counted}) counted", params)
        return int(cursor.fetchone()[0] or 0)


def _numbered(assignment, user, start: int, size: int | None) -> list[tuple[int, int, int, int]]:
    """The threads whose posts reach into `size` posts from `start` (or all), in
    passage order, each as (id, posts, posts up to and with it, posts in all)."""
    counted, params = _counted(assignment, user)
    sql = f"""
        SELECT thread, items, upto, total FROM (
            SELECT thread, items, SUM(items) OVER () AS total,
                SUM(items) OVER (ORDER BY position, at, thread ROWS UNBOUNDED PRECEDING) AS upto
            FROM ({counted}) counted
        ) numbered"""
    if size is not None:
        # Those whose posts [upto - items, upto) overlap [start, start + size).
        sql += " WHERE upto > %s AND upto - items < %s"
        params = [*params, start, start + size]
    with connection.cursor() as cursor:
        cursor.execute(sql + " ORDER BY upto", params)
        # PostgreSQL sums bigints as numeric (a Decimal here).
        return [tuple(map(int, row)) for row in cursor.fetchall()]


def discussion_items(
    request: HttpRequest, assignment, start: int = 0, size: int | None = None
) -> tuple[int, list[dict]]:
    """How many posts of a group's reading its viewer may see, and `size` of
    them from `start` (or all) as W3C annotations: each thread (in passage
    order) followed by its replies (in the thread page's order). The database
    counts each thread's posts, so only the threads the slice reaches are
    fetched; past the end, the count is not known and given as 0."""
    group, reading, user = assignment.group, assignment.reading, request.user
    numbered = _numbered(assignment, user, start, size)
    if not numbered:
        return 0, []
    found = Annotation.objects.select_related("author", "passage").in_bulk(
        [pk for pk, *_ in numbered]
    )
    threads = [found[pk] for pk, *_ in numbered]
    moderator = can(group, Membership.Role.FACILITATOR)
    passages = reading.passages.values_list("pk", "text", named=True)
    starts = w3c.passage_starts(passages)
    with_replies = [pk for pk, items, *_ in numbered if items > 1]
    replies = Reply.objects.filter(annotation__in=with_replies)
    by_thread: dict[int, list[Reply]] = defaultdict(list)
    for reply in replies.select_related("author"):
        by_thread[reply.annotation_id].append(reply)
    posts = []
    for thread in threads:
        thread.group, thread.reading = group, reading
        posts.append(thread)
        for node, _ in walk(reply_tree(by_thread[thread.pk])):
            node.reply.annotation = thread
            posts.append(node.reply)
    _, first_posts, upto, total = numbered[0]
    skip = start - (upto - first_posts)  # the first thread may begin before `start`
    items = []
    for post in posts[skip : None if size is None else skip + size]:
        state = state_of(post, user, moderator)
        if isinstance(post, Reply):
            items.append(w3c.reply_json(request, post, state))
        else:
            items.append(w3c.annotation_json(request, post, state, starts[post.passage_id]))
    return total, items


@api_view("GET")
def collection(request: HttpRequest, slug: str, reading_slug: str) -> HttpResponse:
    """An AnnotationCollection; `?page=N` (from 0) is one AnnotationPage of it."""
    assignment = get_assignment_for_member(request, slug, reading_slug)
    url = request.build_absolute_uri(request.path)
    label = f"Discussion of {assignment.reading.title} in {assignment.group.name}"
    if "page" not in request.GET:
        total = discussion_total(assignment, request.user)
        return answer(
            {
                "@context": w3c.CONTEXT,
                "id": url,
                "type": "AnnotationCollection",
                "label": label,
                "total": total,
                "first": f"{url}?page=0",
                "last": f"{url}?page={max(0, (total - 1) // PAGE_SIZE)}",
            }
        )
    number = request.GET["page"]
    # Nine digits reach past any discussion, and keep the offset within the
    # database's integers (and int() within its digit limit).
    if not (number.isascii() and number.isdigit()) or len(number) > 9:
        raise Http404
    index = int(number)
    total, items = discussion_items(request, assignment, index * PAGE_SIZE, PAGE_SIZE)
    if index and not items:
        raise Http404
    document = {
        "@context": w3c.CONTEXT,
        "id": f"{url}?page={index}",
        "type": "AnnotationPage",
        "partOf": {"id": url, "label": label, "total": total},
        "startIndex": index * PAGE_SIZE,
        "items": items,
    }
    if (index + 1) * PAGE_SIZE < total:
        document["next"] = f"{url}?page={index + 1}"
    if index:
        document["prev"] = f"{url}?page={index - 1}"
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
    }
    return render(request, "interop/api_docs.html", context)
