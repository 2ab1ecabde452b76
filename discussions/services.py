"""Writes to the discussion of a reading, each in one transaction and each
bumping the discussion's version, which live pages poll."""

from dataclasses import asdict

from django.db import transaction
from django.db.models import F, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.urls import reverse
from django.utils import timezone

from groups.models import Assignment, Group
from readings.models import Passage, Reading

from . import events
from .anchoring import Selector
from .bodies import render_body
from .models import Annotation, Flag, ModerationEvent, Reaction, Reply, Vote


def next_version(group: Group, reading: Reading) -> int:
    """Bump the discussion's version past every version its threads carry: a
    reading taken off the syllabus and put back is a new assignment, counting
    from 0 again, while its old threads keep theirs. The row stays locked until
    the transaction commits, so a poll never sees a version before the rows
    written with it."""
    newest = (
        Annotation.objects.filter(group=group, reading=reading)
        .order_by("-version")
        .values("version")[:1]
    )
    versions = Assignment.objects.filter(group=group, reading=reading)
    versions.update(
        discussion_version=Greatest(F("discussion_version"), Coalesce(Subquery(newest), 0)) + 1
    )
    version = versions.values_list("discussion_version", flat=True).first()
    if version is None:
        # Off the syllabus (a revision still carries its threads): past their
        # newest, so they count as changed when the reading is put back.
        version = (newest.values_list("version", flat=True).first() or 0) + 1
    return version


def _touch(annotation: Annotation, version: int | None = None, **changes) -> None:
    """Save `changes` on an annotation and mark its thread as changed (at
    `version`, if the caller took it already)."""
    changes["version"] = version or next_version(annotation.group, annotation.reading)
    Annotation.objects.filter(pk=annotation.pk).update(**changes)
    for name, value in changes.items():
        if not hasattr(value, "resolve_expression"):
            setattr(annotation, name, value)


def mention_links(group: Group, reading: Reading) -> dict[str, str]:
    """@Display Name -> the reading filtered to that member's posts."""
    base = reverse("discussions:reading", args=[group.slug, reading.slug])
    members = group.memberships.select_related("user")
    return {str(m.user): f"{base}?member={m.user_id}" for m in members}


def post_annotation(
    *,
    group: Group,
    reading: Reading,
    passage: Passage,
    kind: str,
    body: str,
    author,
    selector: Selector | None,
    whole_reading: bool = False,
) -> Annotation:
    body_html = render_body(body, mentions=mention_links(group, reading))
    with transaction.atomic():
        version = next_version(group, reading)
        annotation = Annotation.objects.create(
            group=group,
            reading=reading,
            passage=passage,
            whole_reading=whole_reading,
            kind=kind,
            body=body,
            body_html=body_html,
            author=author,
            version=version,
            posted=version,
            last_posted=version,
            last_poster=author,
            **(asdict(selector) if selector else {}),
        )
        events.announce("annotation_posted", annotation_id=annotation.pk)
    return annotation


def reattach(*, annotation: Annotation, passage: Passage, selector: Selector | None) -> None:
    """Put an orphan back into the text: on `selector`'s words of `passage`, or
    on the whole passage."""
    words = asdict(selector) if selector else {"exact": "", "prefix": "", "suffix": ""}
    with transaction.atomic():
        _touch(annotation, passage=passage, orphaned=None, **{"start": None, "end": None, **words})


def post_reply(*, annotation: Annotation, parent: Reply | None, body: str, author) -> Reply:
    body_html = render_body(body, mentions=mention_links(annotation.group, annotation.reading))
    with transaction.atomic():
        version = next_version(annotation.group, annotation.reading)
        reply = Reply.objects.create(
            annotation=annotation,
            parent=parent,
            body=body,
            body_html=body_html,
            author=author,
            posted=version,
        )
        _touch(
            annotation,
            version,
            reply_count=F("reply_count") + 1,
            last_posted=version,
            last_poster=author,
        )
        events.announce("reply_posted", reply_id=reply.pk)
    return reply


def _last_post(thread: Annotation) -> dict:
    """The thread's newest post on view, after one left or came back: its
    newest reply on view, else the thread's own post if on view."""
    on_view = thread.replies.filter(hidden=None, deleted=None).order_by("-posted", "-pk")
    newest = on_view.values_list("posted", "author").first()
    if newest is None and not (thread.hidden or thread.deleted):
        newest = (thread.posted, thread.author_id)
    posted, poster = newest or (0, None)
    return {"last_posted": posted, "last_poster_id": poster}


def edit_post(*, post: Annotation | Reply, body: str) -> None:
    thread = post if isinstance(post, Annotation) else post.annotation
    post.body = body
    post.body_html = render_body(body, mentions=mention_links(thread.group, thread.reading))
    post.edited = timezone.now()
    with transaction.atomic():
        post.save(update_fields=["body", "body_html", "edited"])
        _touch(thread)


def delete_post(*, post: Annotation | Reply) -> None:
    """Soft delete: the row stays; views show a placeholder while replies hang on it."""
    post.deleted = timezone.now()
    with transaction.atomic():
        post.save(update_fields=["deleted"])
        if isinstance(post, Annotation):
            _touch(post, **_last_post(post))
        else:
            _touch(post.annotation, reply_count=F("reply_count") - 1, **_last_post(post.annotation))


def set_vote(*, annotation: Annotation, user, on: bool) -> bool:
    """ "I have this question too", or taking it back. The form says which (as
    reactions do), so a double click or a resent form is harmless; returns
    whether the vote changed."""
    with transaction.atomic():
        if on:
            _, changed = Vote.objects.get_or_create(annotation=annotation, user=user)
        else:
            changed, _ = Vote.objects.filter(annotation=annotation, user=user).delete()
        if changed:
            _touch(annotation, vote_count=F("vote_count") + (1 if on else -1))
        return bool(changed)


def set_reaction(*, annotation: Annotation, reply: Reply | None, user, kind: str, on: bool) -> None:
    """Put the member's reaction of `kind` on the post (the thread's own when
    `reply` is None), or take it off. Saying what it should be, not "toggle",
    makes a double click or a resent form harmless. The thread changes (cached
    margins and live pages show the counts) only if the reaction did."""
    with transaction.atomic():
        if on:
            _, changed = Reaction.objects.get_or_create(
                annotation=annotation, reply=reply, user=user, kind=kind
            )
        else:
            changed, _ = Reaction.objects.filter(
                annotation=annotation, reply=reply, user=user, kind=kind
            ).delete()
        if changed:
            _touch(annotation)


def set_answered(
    *, annotation: Annotation, answered: bool, actor, answer: Reply | None = None
) -> None:
    with transaction.atomic():
        _touch(
            annotation,
            answered=timezone.now() if answered else None,
            answer=answer if answered else None,
        )
        if answered:
            events.announce("answered", annotation_id=annotation.pk, actor_id=actor.pk)


def ask_answer_first(*, annotation: Annotation) -> None:
    """Members read the question's replies only once they have posted their own.
    Once only: replies revealed have been read, and told of in notifications."""
    if not annotation.answer_first:
        with transaction.atomic():
            _touch(annotation, answer_first=True)


def reveal_replies(*, annotation: Annotation) -> None:
    """Show an answer-first question's replies to everyone (once; else nothing to do)."""
    if annotation.answer_first and not annotation.revealed:
        with transaction.atomic():
            _touch(annotation, revealed=timezone.now())


def flag_post(*, post: Annotation | Reply, group: Group, reporter, reason: str) -> Flag:
    """Report a post to the group's moderators; reporting it again changes nothing."""
    target = {"annotation": post} if isinstance(post, Annotation) else {"reply": post}
    flag, _ = Flag.objects.get_or_create(
        group=group, reporter=reporter, resolved=None, **target, defaults={"reason": reason}
    )
    return flag


def moderate(*, post: Annotation | Reply, group: Group, actor, action: str) -> None:
    """Hide, restore, or dismiss the reports on a post; resolves its open flags."""
    Action = ModerationEvent.Action
    target = {"annotation": post} if isinstance(post, Annotation) else {"reply": post}
    thread = post if isinstance(post, Annotation) else post.annotation
    now = timezone.now()
    with transaction.atomic():
        if action in (Action.HIDDEN, Action.RESTORED):
            post.hidden = now if action == Action.HIDDEN else None
            post.save(update_fields=["hidden"])
            _touch(thread, **_last_post(thread))
        Flag.objects.filter(resolved=None, **target).update(resolved=now)
        ModerationEvent.objects.create(group=group, actor=actor, action=action, **target)
