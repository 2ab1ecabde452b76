"""One thread: its permalink page (or, for htmx, the thread alone) and every
write on it. Each write redirects back to the thread, or answers htmx with the
thread as it now is."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from accounts.limits import rate_limited
from groups.access import can
from groups.models import Membership
from groups.sections import render_sections

from .. import sections, services
from ..access import get_post_in_thread, get_thread_for_member, require_author
from ..forms import EditForm, FlagForm, ReplyForm
from ..models import Annotation, ModerationEvent
from ..threads import reply_tree, set_states
from .reading import is_htmx

FACILITATOR = Membership.Role.FACILITATOR


def thread_context(request: HttpRequest, annotation: Annotation, **forms) -> dict:
    user, group = request.user, annotation.group
    moderator = can(group, FACILITATOR)
    replies = list(annotation.replies.select_related("author"))
    set_states([annotation, *replies], user, moderator)
    is_question = annotation.kind == Annotation.Kind.QUESTION
    return {
        "annotation": annotation,
        "group": group,
        "reading": annotation.reading,
        "tree": reply_tree(replies),
        "moderator": moderator,
        "can_answer": is_question and (moderator or annotation.author_id == user.pk),
        "can_vote": is_question and annotation.author_id != user.pk,
        "voted": is_question and annotation.votes.filter(user=user).exists(),
        "reply_form": forms.get("reply_form") or ReplyForm(),
        "flag_form": FlagForm(),
    }


def thread_html(request: HttpRequest, annotation: Annotation) -> str:
    """The thread alone, as live pages swap it in."""
    return render_to_string(
        "discussions/_thread.html", thread_context(request, annotation), request=request
    )


def _respond(request: HttpRequest, annotation: Annotation, status: int = 200, **forms):
    context = thread_context(request, annotation, **forms)
    template = "discussions/_thread.html" if is_htmx(request) else "discussions/thread.html"
    if not is_htmx(request):
        context["thread_tools"] = render_sections(sections.THREAD_TOOLS, request, annotation)
    return render(request, template, context, status=status)


def _back(request: HttpRequest, annotation: Annotation, message: str = "", anchor: str = ""):
    if is_htmx(request):
        return _respond(request, annotation)
    if message:
        messages.success(request, message)
    return redirect(annotation.get_absolute_url() + (f"#{anchor}" if anchor else ""))


@login_required
@require_safe
def thread(request: HttpRequest, slug: str, reading_slug: str, thread_id: int) -> HttpResponse:
    annotation = get_thread_for_member(request, slug, reading_slug, thread_id)
    return _respond(request, annotation)


@login_required
@require_POST
def reply(request: HttpRequest, slug: str, reading_slug: str, thread_id: int) -> HttpResponse:
    annotation = get_thread_for_member(request, slug, reading_slug, thread_id)
    form = ReplyForm(request.POST)
    parent = None
    if form.is_valid() and form.cleaned_data["parent"]:
        parent = get_post_in_thread(request, annotation, str(form.cleaned_data["parent"]))
    if not form.is_valid():
        return _respond(request, annotation, status=400, reply_form=form)
    posted = services.post_reply(
        annotation=annotation, parent=parent, body=form.cleaned_data["body"], author=request.user
    )
    return _back(request, annotation, "Your reply is posted.", f"r-{posted.pk}")


@login_required
@require_POST
def edit(request: HttpRequest, slug: str, reading_slug: str, thread_id: int) -> HttpResponse:
    annotation = get_thread_for_member(request, slug, reading_slug, thread_id)
    post = get_post_in_thread(request, annotation, request.POST.get("reply"))
    require_author(request, post)
    form = EditForm(request.POST)
    if post.deleted or not form.is_valid():
        messages.error(request, "Nothing was changed: write something first.")
        return _back(request, annotation)
    services.edit_post(post=post, body=form.cleaned_data["body"])
    return _back(request, annotation, "Your changes are saved.")


@login_required
@require_POST
def delete(request: HttpRequest, slug: str, reading_slug: str, thread_id: int) -> HttpResponse:
    annotation = get_thread_for_member(request, slug, reading_slug, thread_id)
    post = get_post_in_thread(request, annotation, request.POST.get("reply"))
    require_author(request, post)
    if not post.deleted:
        services.delete_post(post=post)
    if post is annotation and not annotation.reply_count:
        # Nothing hangs on it, so it is gone from view: back to the reading.
        messages.success(request, "Deleted.")
        url = reverse("discussions:reading", args=[slug, reading_slug])
        url = f"{url}#{annotation.passage.anchor}"
        return HttpResponse(headers={"HX-Redirect": url}) if is_htmx(request) else redirect(url)
    return _back(request, annotation, "Deleted.")


@login_required
@require_POST
def vote(request: HttpRequest, slug: str, reading_slug: str, thread_id: int) -> HttpResponse:
    annotation = get_thread_for_member(request, slug, reading_slug, thread_id)
    if annotation.kind != Annotation.Kind.QUESTION or annotation.author_id == request.user.pk:
        raise PermissionDenied
    services.toggle_vote(annotation=annotation, user=request.user)
    annotation.refresh_from_db(fields=["vote_count"])
    return _back(request, annotation)


@login_required
@require_POST
def answered(request: HttpRequest, slug: str, reading_slug: str, thread_id: int) -> HttpResponse:
    annotation = get_thread_for_member(request, slug, reading_slug, thread_id)
    moderator = can(annotation.group, FACILITATOR)
    is_question = annotation.kind == Annotation.Kind.QUESTION
    if not is_question or not (moderator or annotation.author_id == request.user.pk):
        raise PermissionDenied
    answer = None
    if request.POST.get("answer"):
        answer = get_post_in_thread(request, annotation, request.POST["answer"])
    is_answered = request.POST.get("answered") != "0"
    services.set_answered(
        annotation=annotation, answered=is_answered, actor=request.user, answer=answer
    )
    return _back(request, annotation, "Marked answered." if is_answered else "Marked unanswered.")


@login_required
@require_POST
@rate_limited("flag")
def flag(request: HttpRequest, slug: str, reading_slug: str, thread_id: int) -> HttpResponse:
    annotation = get_thread_for_member(request, slug, reading_slug, thread_id)
    post = get_post_in_thread(request, annotation, request.POST.get("reply"))
    form = FlagForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say what is wrong with it, so the moderators can judge.")
        return _back(request, annotation)
    services.flag_post(
        post=post, group=annotation.group, reporter=request.user, reason=form.cleaned_data["reason"]
    )
    return _back(request, annotation, "Thank you: the group's moderators will look at it.")


@login_required
@require_POST
def moderate(request: HttpRequest, slug: str, reading_slug: str, thread_id: int) -> HttpResponse:
    annotation = get_thread_for_member(request, slug, reading_slug, thread_id)
    if not can(annotation.group, FACILITATOR):
        raise PermissionDenied
    post = get_post_in_thread(request, annotation, request.POST.get("reply"))
    action = request.POST.get("action")
    if action not in ModerationEvent.Action.values:
        messages.error(request, "Choose hide, restore or dismiss.")
        return _back(request, annotation)
    services.moderate(post=post, group=annotation.group, actor=request.user, action=action)
    return _back(request, annotation, f"Done: {ModerationEvent.Action(action).label}.")
