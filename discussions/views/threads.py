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

from accounts.announce import announce
from accounts.confirm import NOT_CONFIRMED, confirmed
from accounts.limits import TOO_OFTEN, allowed, too_many
from groups.access import can
from groups.models import Membership
from groups.sections import render_sections

from .. import sections, services
from ..access import get_post_in_thread, get_thread_for_member, require_author
from ..forms import EditForm, FlagForm, ReactionForm, ReplyForm
from ..models import Annotation, ModerationEvent, Reaction
from ..threads import reply_tree, set_reactions, set_states
from .reading import is_htmx

FACILITATOR = Membership.Role.FACILITATOR
OWN_POST = "This is your own post: another moderator must handle it."


def thread_context(request: HttpRequest, annotation: Annotation, **forms) -> dict:
    user, group = request.user, annotation.group
    moderator = can(group, FACILITATOR)
    hidden = annotation.replies_hidden_for(user)
    replies = [] if hidden else list(annotation.replies.select_related("author"))
    set_states([annotation, *replies], user, moderator)
    set_reactions(annotation, replies, user)
    is_question = annotation.kind == Annotation.Kind.QUESTION
    return {
        "replies_hidden": hidden,
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


def post_id(annotation: Annotation, post) -> str:
    """The id of a post's markup in the thread (_post.html)."""
    return f"post-{'a' if post is annotation else 'r'}{post.pk}"


def _back(
    request: HttpRequest,
    annotation: Annotation,
    message: str,
    focus: str,
    anchor: str = "",
    level: int = messages.SUCCESS,
):
    """The thread again: in place for htmx, saying `message` and focusing the
    element the selector `focus` finds in it; else a redirect to the thread."""
    if is_htmx(request):
        return announce(_respond(request, annotation), message, f"#thread-{annotation.pk} {focus}")
    messages.add_message(request, level, message)
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
        refused = _respond(request, annotation, status=400, reply_form=form)
        errors = " ".join(error for errors in form.errors.values() for error in errors)
        return announce(refused, errors, f'#thread-{annotation.pk} [aria-invalid="true"]')
    posted = services.post_reply(
        annotation=annotation, parent=parent, body=form.cleaned_data["body"], author=request.user
    )
    return _back(
        request, annotation, "Reply posted.", f"#{post_id(annotation, posted)}", f"r-{posted.pk}"
    )


@login_required
@require_POST
def edit(request: HttpRequest, slug: str, reading_slug: str, thread_id: int) -> HttpResponse:
    annotation = get_thread_for_member(request, slug, reading_slug, thread_id)
    post = get_post_in_thread(request, annotation, request.POST.get("reply"))
    require_author(request, post)
    form = EditForm(request.POST)
    focus = f"#{post_id(annotation, post)}"
    if post.deleted or not form.is_valid():
        return _back(
            request,
            annotation,
            "Nothing was changed: write something first.",
            focus,
            level=messages.ERROR,
        )
    services.edit_post(post=post, body=form.cleaned_data["body"])
    return _back(request, annotation, "Your changes are saved.", focus)


@login_required
@require_POST
def delete(request: HttpRequest, slug: str, reading_slug: str, thread_id: int) -> HttpResponse:
    annotation = get_thread_for_member(request, slug, reading_slug, thread_id)
    post = get_post_in_thread(request, annotation, request.POST.get("reply"))
    require_author(request, post)
    focus = f"#{post_id(annotation, post)}"
    if not confirmed(request):
        return _back(request, annotation, NOT_CONFIRMED, focus, level=messages.ERROR)
    if not post.deleted:
        services.delete_post(post=post)
    if post is annotation and not annotation.reply_count:
        # Nothing hangs on it, so it is gone from view: back to the reading.
        messages.success(request, "Deleted.")
        url = reverse("discussions:reading", args=[slug, reading_slug])
        url = f"{url}?at={annotation.passage.anchor}#{annotation.passage.anchor}"
        return HttpResponse(headers={"HX-Redirect": url}) if is_htmx(request) else redirect(url)
    if post is not annotation and not post.children.exists():
        focus = ""  # the reply is gone from view: focus its thread
    return _back(request, annotation, "Deleted.", focus)


@login_required
@require_POST
def vote(request: HttpRequest, slug: str, reading_slug: str, thread_id: int) -> HttpResponse:
    annotation = get_thread_for_member(request, slug, reading_slug, thread_id)
    if annotation.kind != Annotation.Kind.QUESTION or annotation.author_id == request.user.pk:
        raise PermissionDenied
    on = request.POST.get("on") != "0"
    services.set_vote(annotation=annotation, user=request.user, on=on)
    annotation.refresh_from_db(fields=["vote_count"])
    return _back(
        request,
        annotation,
        "Vote recorded." if on else "Vote withdrawn.",
        f"#vote-{annotation.pk}",
    )


@login_required
@require_POST
def react(request: HttpRequest, slug: str, reading_slug: str, thread_id: int) -> HttpResponse:
    annotation = get_thread_for_member(request, slug, reading_slug, thread_id)
    post = get_post_in_thread(request, annotation, request.POST.get("reply"))
    # A private note's thread has no one to react but its author; a post out
    # of view takes none either (what is there stays, not shown).
    if annotation.kind == Annotation.Kind.NOTE or post.hidden or post.deleted:
        raise PermissionDenied
    form = ReactionForm(request.POST)
    if not form.is_valid():
        return _respond(request, annotation, status=400)
    kind, on = form.cleaned_data["kind"], form.cleaned_data["on"]
    services.set_reaction(
        annotation=annotation,
        reply=None if post is annotation else post,
        user=request.user,
        kind=kind,
        on=on,
    )
    label = Reaction.Kind(kind).label
    return _back(
        request,
        annotation,
        f"Reacted: {label}." if on else f"Reaction taken back: {label}.",
        f"#react-{'a' if post is annotation else 'r'}{post.pk}-{kind}",
        anchor=f"r-{post.pk}" if post is not annotation else "",
    )


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
        if answer.hidden or answer.deleted:
            message = "A hidden or deleted reply cannot be the answer."
            return _back(
                request,
                annotation,
                message,
                f"#{post_id(annotation, answer)}",
                level=messages.ERROR,
            )
    is_answered = request.POST.get("answered") != "0"
    services.set_answered(
        annotation=annotation, answered=is_answered, actor=request.user, answer=answer
    )
    message = "Marked answered." if is_answered else "Marked unanswered."
    focus = f"#{post_id(annotation, answer)}" if answer else f"#answered-{annotation.pk}"
    return _back(request, annotation, message, focus)


@login_required
@require_POST
def answer_first(
    request: HttpRequest, slug: str, reading_slug: str, thread_id: int
) -> HttpResponse:
    """A facilitator asks for answers first on a question, or reveals its replies."""
    annotation = get_thread_for_member(request, slug, reading_slug, thread_id)
    if not can(annotation.group, FACILITATOR) or annotation.kind != Annotation.Kind.QUESTION:
        raise PermissionDenied
    if request.POST.get("action") == "reveal":
        services.reveal_replies(annotation=annotation)
        focus = f"#{post_id(annotation, annotation)}"
        return _back(request, annotation, "Everyone sees the replies now.", focus)
    services.ask_answer_first(annotation=annotation)
    message = "Members now answer before they see the replies."
    return _back(request, annotation, message, f"#answer-first-{annotation.pk}")


REPORTED = "Reported to the moderators."
ALREADY_REPORTED = "You have reported this already: the moderators will look at it."


def _reported(request: HttpRequest, annotation: Annotation, post, message: str, status: int = 200):
    """Say how the report went: in place of the Report form, for htmx (which
    swaps only a 2xx answer); else on the thread, or the rate limit's page."""
    if is_htmx(request):
        where = f"reported-{post_id(annotation, post)}"
        answer = render(request, "discussions/_reported.html", {"message": message, "id": where})
        return announce(answer, message, f"#{where}")
    if status == 429:
        return too_many(request, message)
    return _back(request, annotation, message, "")


@login_required
@require_POST
def flag(request: HttpRequest, slug: str, reading_slug: str, thread_id: int) -> HttpResponse:
    annotation = get_thread_for_member(request, slug, reading_slug, thread_id)
    post = get_post_in_thread(request, annotation, request.POST.get("reply"))
    form = FlagForm(request.POST)
    if not form.is_valid():
        message = "Say what is wrong with it, so the moderators can judge."
        return _back(
            request, annotation, message, f"#{post_id(annotation, post)}", level=messages.ERROR
        )
    if post.flags.filter(reporter=request.user, resolved=None).exists():
        return _reported(request, annotation, post, ALREADY_REPORTED)
    # Counted only for a new report, so asking again is never what uses the rate up.
    if not allowed(request, "flag"):
        return _reported(request, annotation, post, TOO_OFTEN["flag"], status=429)
    services.flag_post(
        post=post, group=annotation.group, reporter=request.user, reason=form.cleaned_data["reason"]
    )
    return _reported(request, annotation, post, REPORTED)


@login_required
@require_POST
def moderate(request: HttpRequest, slug: str, reading_slug: str, thread_id: int) -> HttpResponse:
    annotation = get_thread_for_member(request, slug, reading_slug, thread_id)
    if not can(annotation.group, FACILITATOR):
        raise PermissionDenied
    post = get_post_in_thread(request, annotation, request.POST.get("reply"))
    action = request.POST.get("action")
    # The moderation queue's buttons say so, to go back there rather than to the thread.
    queue = request.POST.get("back") == "queue"
    level = messages.ERROR
    if action not in ModerationEvent.Action.values:
        message = "Choose hide, restore or dismiss."
    elif post.author_id == request.user.pk:
        # No one judges the reports on their own post, nor lifts their own hiding.
        message = OWN_POST
    else:
        services.moderate(post=post, group=annotation.group, actor=request.user, action=action)
        message, level = f"Done: {ModerationEvent.Action(action).label}.", messages.SUCCESS
    if queue:
        messages.add_message(request, level, message)
        return redirect("discussions:moderation", slug)
    return _back(request, annotation, message, f"#{post_id(annotation, post)}", level=level)
