"""Writes that span models, each in one transaction: membership changes (each
recorded in the group's log), the syllabus, and the discussion of a reading
(each bumping its version, which live pages poll)."""

from allauth.account.adapter import get_adapter
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from readings.models import Passage, Reading

from .anchoring import Selector
from .bodies import render_body
from .models import (
    Annotation,
    Assignment,
    Flag,
    Group,
    Membership,
    MembershipEvent,
    ModerationEvent,
    Reply,
    Vote,
    new_invite_code,
)

Role = Membership.Role
Action = MembershipEvent.Action
# Slugs that would shadow a URL under /g/.
RESERVED_SLUGS = {"new"}
PENDING_JOIN = "marginalia_pending_join"


class GroupRuleError(Exception):
    """A change that would break one of a group's rules; the message says which."""


def _unique_slug(name: str) -> str:
    base = slugify(name)[:70].strip("-") or "group"
    slug, number = base, 2
    while slug in RESERVED_SLUGS or Group.objects.filter(slug=slug).exists():
        slug, number = f"{base}-{number}", number + 1
    return slug


def create_group(*, name: str, description: str, creator) -> Group:
    with transaction.atomic():
        group = Group.objects.create(name=name, slug=_unique_slug(name), description=description)
        Membership.objects.create(group=group, user=creator, role=Role.ORGANIZER)
        MembershipEvent.objects.create(group=group, actor=creator, action=Action.CREATED)
    return group


def join_group(*, group: Group, user, code: str) -> Membership:
    """Join through the invite link; joining twice changes nothing."""
    if code != group.invite_code:
        raise GroupRuleError("This invite link is no longer valid. Ask an organizer for a new one.")
    with transaction.atomic():
        membership, created = Membership.objects.get_or_create(group=group, user=user)
        if created:
            MembershipEvent.objects.create(
                group=group, actor=user, subject=user, action=Action.JOINED
            )
    return membership


def join_pending_invitation(*, request, user) -> Group | None:
    """After signing up through an invite link, land in the group it was for."""
    pending = request.session.pop(PENDING_JOIN, None)
    if not pending:
        return None
    group = Group.objects.filter(slug=pending.get("group")).first()
    if group is None:
        return None
    try:
        join_group(group=group, user=user, code=pending.get("code", ""))
    except GroupRuleError:
        return None
    return group


def _keep_an_organizer(group: Group, leaving: Membership) -> None:
    """Refuse a change that would leave the group without an organizer. The
    organizers' rows are locked so that two such changes cannot pass at once."""
    organizers = list(
        Membership.objects.select_for_update().filter(group=group, role=Role.ORGANIZER)
    )
    if leaving.role == Role.ORGANIZER and all(m.pk == leaving.pk for m in organizers):
        raise GroupRuleError(
            "A group needs at least one organizer. Make someone else an organizer first."
        )


def change_role(*, group: Group, membership: Membership, role: str, actor) -> None:
    with transaction.atomic():
        membership = Membership.objects.select_for_update().get(pk=membership.pk)
        if membership.role == role:
            return
        if role != Role.ORGANIZER:
            _keep_an_organizer(group, membership)
        old = membership.get_role_display()
        membership.role = role
        membership.save(update_fields=["role"])
        MembershipEvent.objects.create(
            group=group,
            actor=actor,
            subject=membership.user,
            action=Action.ROLE_CHANGED,
            detail=f"{old} → {membership.get_role_display()}",
        )


def remove_member(*, group: Group, membership: Membership, actor) -> None:
    leaving = membership.user == actor
    with transaction.atomic():
        membership = Membership.objects.select_for_update().get(pk=membership.pk)
        _keep_an_organizer(group, membership)
        membership.delete()
        MembershipEvent.objects.create(
            group=group,
            actor=actor,
            subject=membership.user,
            action=Action.LEFT if leaving else Action.REMOVED,
        )


def rotate_invite_link(*, group: Group, actor) -> None:
    with transaction.atomic():
        group.invite_code = new_invite_code()
        group.save(update_fields=["invite_code"])
        MembershipEvent.objects.create(group=group, actor=actor, action=Action.LINK_ROTATED)


def invite_by_email(*, request, group: Group, emails: list[str], actor) -> None:
    """Email the invite link; it works whether or not the person has an account."""
    link = request.build_absolute_uri(group.get_invite_path())
    adapter = get_adapter(request)
    for email in emails:
        # Logged once sent, so the log never claims an invitation that failed.
        adapter.send_mail(
            "discussions/email/invitation", email, {"group": group, "inviter": actor, "link": link}
        )
        MembershipEvent.objects.create(group=group, actor=actor, email=email, action=Action.INVITED)


def assign_reading(
    *, group: Group, reading: Reading, meeting_date, notes: str, actor
) -> Assignment:
    if not reading.is_published:
        raise GroupRuleError("Only published readings can go on a syllabus.")
    assignment, _ = Assignment.objects.update_or_create(
        group=group,
        reading=reading,
        defaults={"meeting_date": meeting_date, "notes": notes},
        create_defaults={
            "meeting_date": meeting_date,
            "notes": notes,
            "added_by": actor,
        },
    )
    return assignment


# --- discussions -------------------------------------------------------------


def _next_version(group: Group, reading: Reading) -> int:
    """Bump the discussion's version. The row stays locked until the transaction
    commits, so a poll never sees a version before the rows written with it."""
    versions = Assignment.objects.filter(group=group, reading=reading)
    versions.update(discussion_version=F("discussion_version") + 1)
    return versions.values_list("discussion_version", flat=True).get()


def _touch(annotation: Annotation, **changes) -> None:
    """Save `changes` on an annotation and mark its thread as changed."""
    changes["version"] = _next_version(annotation.group, annotation.reading)
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
) -> Annotation:
    body_html = render_body(body, mentions=mention_links(group, reading))
    with transaction.atomic():
        fields = {}
        if selector:
            fields = {
                "exact": selector.exact,
                "prefix": selector.prefix,
                "suffix": selector.suffix,
                "start": selector.start,
                "end": selector.end,
            }
        return Annotation.objects.create(
            group=group,
            reading=reading,
            passage=passage,
            kind=kind,
            body=body,
            body_html=body_html,
            author=author,
            version=_next_version(group, reading),
            **fields,
        )


def post_reply(*, annotation: Annotation, parent: Reply | None, body: str, author) -> Reply:
    body_html = render_body(body, mentions=mention_links(annotation.group, annotation.reading))
    with transaction.atomic():
        reply = Reply.objects.create(
            annotation=annotation, parent=parent, body=body, body_html=body_html, author=author
        )
        _touch(annotation, reply_count=F("reply_count") + 1)
    return reply


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
            _touch(post)
        else:
            _touch(post.annotation, reply_count=F("reply_count") - 1)


def toggle_vote(*, annotation: Annotation, user) -> bool:
    """ "I have this question too", or take it back. Returns whether it is on now."""
    with transaction.atomic():
        removed, _ = Vote.objects.filter(annotation=annotation, user=user).delete()
        if removed:
            _touch(annotation, vote_count=F("vote_count") - 1)
            return False
        Vote.objects.create(annotation=annotation, user=user)
        _touch(annotation, vote_count=F("vote_count") + 1)
        return True


def set_answered(*, annotation: Annotation, answered: bool, answer: Reply | None = None) -> None:
    with transaction.atomic():
        _touch(
            annotation,
            answered=timezone.now() if answered else None,
            answer=answer if answered else None,
        )


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
            _touch(thread)
        Flag.objects.filter(resolved=None, **target).update(resolved=now)
        ModerationEvent.objects.create(group=group, actor=actor, action=action, **target)
