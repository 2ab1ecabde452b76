"""Taking a discussion elsewhere: a reading's discussion as Markdown or CSV for
its members; a whole group's as W3C JSON-LD for its organizers, and that file
imported into another group."""

import csv
import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from accounts.limits import rate_limited
from discussions.models import Annotation
from discussions.threads import BLANKED, DELETED, reading_threads, walk
from groups.access import get_assignment_for_member, get_group_for_member
from groups.models import Membership
from readings.services import size_label

from .. import services, w3c
from .api import discussion_items

PLACEHOLDER = {DELETED: "*deleted*", BLANKED: "*hidden by a moderator*"}
# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _attachment(content: str, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _indent(text: str, depth: int) -> str:
    pad = "  " * depth
    return "\n".join(pad + line if line.strip() else "" for line in text.splitlines())


def _markdown_post(post, depth: int, label: str, quote: str = "") -> list[str]:
    when = timezone.localtime(post.created).strftime("%-d %b %Y %H:%M")
    if post.state in PLACEHOLDER:
        return [_indent(f"- {label}: {PLACEHOLDER[post.state]}", depth), ""]
    head = f"- **{label}** by {post.author}, {when}"
    if post.edited:
        head += " (edited)"
    if post.state == "hidden":
        head += " (hidden by a moderator)"
    lines = [_indent(head, depth), ""]
    if quote:
        lines += [_indent(f"On the words: “{quote}”", depth + 1), ""]
    return lines + [_indent(post.body, depth + 1), ""]


@login_required
@require_safe
def markdown(request: HttpRequest, slug: str, reading_slug: str) -> HttpResponse:
    assignment = get_assignment_for_member(request, slug, reading_slug)
    passages, on_passage = reading_threads(assignment, request.user)
    reading = assignment.reading
    lines = [
        f"# {reading.title}",
        "",
        f"The discussion in {assignment.group.name}, as {request.user} saw it on "
        f"{timezone.localdate():%-d %B %Y}.",
        "",
    ]
    for passage in passages:
        if passage.pk not in on_passage:
            continue
        lines += [
            f"## Passage {passage.position}",
            "",
            "> " + passage.text.replace("\n", "\n> "),
            "",
        ]
        for thread, tree in on_passage[passage.pk]:
            label = thread.get_kind_display()
            if thread.kind == Annotation.Kind.QUESTION:
                label += f", {thread.vote_count} vote{'s' * (thread.vote_count != 1)}"
                label += ", answered" if thread.answered else ""
            if thread.orphaned:
                label += ", on words no longer in the text"
            lines += _markdown_post(thread, 0, label, thread.exact)
            for node, depth in walk(tree):
                reply_label = f"Reply to {node.replying_to}" if node.replying_to else "Reply"
                if node.reply.pk == thread.answer_id:
                    reply_label += ", the answer"
                lines += _markdown_post(node.reply, depth, reply_label)
    filename = f"{assignment.group.slug}-{reading.slug}.md"
    return _attachment("\n".join(lines), "text/markdown; charset=utf-8", filename)


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


@login_required
@require_safe
def table(request: HttpRequest, slug: str, reading_slug: str) -> HttpResponse:
    assignment = get_assignment_for_member(request, slug, reading_slug)
    passages, on_passage = reading_threads(assignment, request.user)
    filename = f"{assignment.group.slug}-{assignment.reading.slug}.csv"
    response = _attachment("", "text/csv; charset=utf-8", filename)
    writer = csv.writer(response)
    writer.writerow(
        ["id", "kind", "thread", "replying_to", "passage", "anchor", "quote", "author",
         "created", "edited", "state", "votes", "replies", "answered", "is_answer", "text"]
    )  # fmt: skip
    for passage in passages:
        for thread, tree in on_passage.get(passage.pk, []):
            rows = [(thread, "", thread.kind)]
            for node, _ in walk(tree):
                parent = node.reply.parent_id
                rows.append((node.reply, f"r{parent}" if parent else f"a{thread.pk}", "reply"))
            for post, replying_to, kind in rows:
                hidden = post.state in PLACEHOLDER
                is_thread = isinstance(post, Annotation)
                writer.writerow(
                    _cell(value)
                    for value in (
                        f"{'a' if is_thread else 'r'}{post.pk}",
                        kind,
                        f"a{thread.pk}",
                        replying_to,
                        passage.position,
                        passage.anchor,
                        thread.exact if is_thread else "",
                        "" if hidden else post.author,
                        post.created.isoformat(),
                        post.edited.isoformat() if post.edited else "",
                        post.state,
                        thread.vote_count if is_thread else "",
                        thread.reply_count if is_thread else "",
                        ("yes" if thread.answered else "no") if is_thread else "",
                        "" if is_thread else ("yes" if post.pk == thread.answer_id else "no"),
                        PLACEHOLDER.get(post.state, post.body),
                    )
                )
    return response


@login_required
@require_safe
def group_jsonld(request: HttpRequest, slug: str) -> HttpResponse:
    """Every reading's discussion in the group, as one W3C AnnotationCollection."""
    group = get_group_for_member(request, slug, role=Membership.Role.ORGANIZER)
    items = []
    for assignment in group.assignments.select_related("reading"):
        assignment.group = group
        items += discussion_items(request, assignment)
    url = request.build_absolute_uri(request.path)
    page = {"id": f"{url}#page-0", "type": "AnnotationPage", "startIndex": 0, "items": items}
    document = {
        "@context": w3c.CONTEXT,
        "id": url,
        "type": "AnnotationCollection",
        "label": f"The discussions of {group.name}",
        "total": len(items),
        "generated": w3c.timestamp(timezone.now()),
        "first": page,
        "last": page["id"],
    }
    content = json.dumps(document, ensure_ascii=False, indent=1)
    return _attachment(content, w3c.JSON_LD, f"{group.slug}-discussions.jsonld")


@login_required
@require_http_methods(["GET", "POST"])
@rate_limited("import")
def import_discussions(request: HttpRequest, slug: str) -> HttpResponse:
    group = get_group_for_member(request, slug, role=Membership.Role.ORGANIZER)
    problem = ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise w3c.W3CError("Choose a .jsonld file exported from a Marginalia group.")
            limit = settings.READING_MAX_BYTES
            if upload.size > limit:  # its bytes were let go as they arrived (config/limits.py)
                raise w3c.too_large("That file", limit)
            document = w3c.read_json(upload.read(), limit=limit, what="That file")
            made = services.import_discussions(
                group=group, document=document, importer=request.user
            )
        except w3c.W3CError as error:
            problem = str(error)
        else:
            messages.success(
                request, f"Imported {made['threads']} threads and {made['replies']} replies."
            )
            return redirect(group.get_absolute_url())
    context = {
        "group": group,
        "problem": problem,
        "max_size": size_label(settings.READING_MAX_BYTES),
        "max_posts": f"{services.MAX_POSTS:,}",
    }
    return render(request, "interop/import.html", context, status=400 if problem else 200)
