"""Writes that span models, each in one transaction: membership changes (each
recorded in the group's log), the syllabus, and the discussion of a reading
(each bumping its version, which live pages poll)."""

from dataclasses import asdict

from allauth.account.adapter import get_adapter
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from readings.models import Passage, Reading

from . import w3c
from .anchoring import Selector, resolve_selector
from .bodies import excerpt, render_body
from .models import (
    AgendaItem,
    Annotation,
    Assignment,
    Flag,
    Group,
    Meeting,
    MeetingStep,
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
        return Annotation.objects.create(
            group=group,
            reading=reading,
            passage=passage,
            kind=kind,
            body=body,
            body_html=body_html,
            author=author,
            version=_next_version(group, reading),
            **(asdict(selector) if selector else {}),
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


# --- agendas and meetings ------------------------------------------------------


class AgendaConflict(GroupRuleError):
    pass


def _agenda_write(group: Group, reading: Reading, seen_version: int) -> Assignment:
    """Lock the agenda for a write that was prepared against `seen_version`."""
    assignment = Assignment.objects.select_for_update().get(group=group, reading=reading)
    if assignment.agenda_version != seen_version:
        raise AgendaConflict(
            "Someone else changed this agenda after you opened it, so nothing was saved. "
            "The agenda below is the current one; your text is still in the form."
        )
    assignment.agenda_version += 1
    assignment.save(update_fields=["agenda_version"])
    return assignment


def _selector_fields(selector: Selector | None) -> dict:
    if not selector:
        return {"exact": "", "start": None, "end": None}
    return {"exact": selector.exact, "start": selector.start, "end": selector.end}


def add_agenda_item(
    *,
    group: Group,
    reading: Reading,
    text: str,
    minutes: int,
    notes: str = "",
    passage: Passage | None = None,
    selector: Selector | None = None,
    promoted_from: Annotation | None = None,
    seen_version: int,
) -> AgendaItem:
    with transaction.atomic():
        _agenda_write(group, reading, seen_version)
        last = AgendaItem.objects.filter(group=group, reading=reading).order_by("-position")
        position = (last.values_list("position", flat=True).first() or 0) + 1
        return AgendaItem.objects.create(
            group=group,
            reading=reading,
            position=position,
            text=text,
            minutes=minutes,
            notes=notes,
            passage=passage,
            promoted_from=promoted_from,
            thread=promoted_from,
            **_selector_fields(selector),
        )


def promote_question(*, question: Annotation, seen_version: int) -> AgendaItem:
    """A member's question onto the agenda, credited to its asker; its thread
    collects the meeting's responses."""
    selector = None
    if question.start is not None:
        selector = Selector(
            question.exact, question.prefix, question.suffix, question.start, question.end
        )
    return add_agenda_item(
        group=question.group,
        reading=question.reading,
        text=excerpt(question.body_html, 500),
        minutes=10,
        passage=question.passage,
        selector=selector,
        promoted_from=question,
        seen_version=seen_version,
    )


def update_agenda_item(
    *,
    item: AgendaItem,
    text: str,
    minutes: int,
    notes: str,
    passage: Passage | None,
    seen_version: int,
) -> None:
    with transaction.atomic():
        _agenda_write(item.group, item.reading, seen_version)
        if passage != item.passage:
            item.exact, item.start, item.end = "", None, None
        item.text, item.minutes, item.notes, item.passage = text, minutes, notes, passage
        item.save()


def move_agenda_item(*, item: AgendaItem, step: int, seen_version: int) -> None:
    """Swap an item with its neighbour above (step -1) or below (+1)."""
    with transaction.atomic():
        _agenda_write(item.group, item.reading, seen_version)
        items = list(AgendaItem.objects.filter(group=item.group, reading=item.reading))
        index = next(i for i, other in enumerate(items) if other.pk == item.pk)
        if 0 <= index + step < len(items):
            items[index], items[index + step] = items[index + step], items[index]
            for position, other in enumerate(items, start=1):
                if other.position != position:
                    other.position = position
                    other.save(update_fields=["position"])


def delete_agenda_item(*, item: AgendaItem, seen_version: int) -> None:
    with transaction.atomic():
        _agenda_write(item.group, item.reading, seen_version)
        item.delete()


def publish_agenda(*, group: Group, reading: Reading, actor, seen_version: int) -> int:
    """Publish every draft item: members then see it, and it gets a thread
    (its own question, opened by the facilitator, unless it was promoted)."""
    with transaction.atomic():
        _agenda_write(group, reading, seen_version)
        drafts = list(
            AgendaItem.objects.filter(group=group, reading=reading, published=None).select_related(
                "passage"
            )
        )
        first_passage = reading.passages.first()
        now = timezone.now()
        for item in drafts:
            if item.thread is None:
                selector = None
                if item.start is not None:
                    selector = resolve_selector(
                        item.passage.text, exact=item.exact, start=item.start, end=item.end
                    )
                item.thread = post_annotation(
                    group=group,
                    reading=reading,
                    passage=item.passage or first_passage,
                    kind=Annotation.Kind.QUESTION,
                    body=item.text,
                    author=actor,
                    selector=selector,
                )
            item.published = now
            item.save(update_fields=["thread", "published"])
        return len(drafts)


def copy_agenda(*, source_group: Group, group: Group, reading: Reading, seen_version: int) -> int:
    """Copy another group's agenda for the same reading, as drafts at the end."""
    with transaction.atomic():
        _agenda_write(group, reading, seen_version)
        existing = AgendaItem.objects.filter(group=group, reading=reading).count()
        sources = AgendaItem.objects.filter(group=source_group, reading=reading)
        AgendaItem.objects.bulk_create(
            AgendaItem(
                group=group,
                reading=reading,
                position=existing + n,
                text=item.text,
                minutes=item.minutes,
                notes=item.notes,
                passage_id=item.passage_id,
                exact=item.exact,
                start=item.start,
                end=item.end,
            )
            for n, item in enumerate(sources, start=1)
        )
        return len(sources)


def _open_step(meeting: Meeting, item: AgendaItem | None, now) -> None:
    MeetingStep.objects.filter(meeting=meeting, ended=None).update(ended=now)
    meeting.current_item = item
    meeting.item_started = now if item else None
    if item:
        MeetingStep.objects.create(meeting=meeting, item=item, started=now)


def start_meeting(*, group: Group, reading: Reading, actor) -> Meeting:
    """Start a meeting on the first published agenda item; one runs at a time."""
    with transaction.atomic():
        Assignment.objects.select_for_update().get(group=group, reading=reading)
        running = Meeting.objects.filter(group=group, reading=reading, ended=None).first()
        if running:
            return running
        meeting = Meeting.objects.create(group=group, reading=reading, started_by=actor)
        first = (
            AgendaItem.objects.filter(group=group, reading=reading).exclude(published=None).first()
        )
        _open_step(meeting, first, meeting.started)
        meeting.save(update_fields=["current_item", "item_started"])
        _next_version(group, reading)
    return meeting


def step_meeting(*, meeting: Meeting, step: int) -> None:
    """Go to the next (+1) or previous (-1) published agenda item."""
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        items = list(
            AgendaItem.objects.filter(group=meeting.group_id, reading=meeting.reading_id).exclude(
                published=None
            )
        )
        ids = [item.pk for item in items]
        index = ids.index(meeting.current_item_id) if meeting.current_item_id in ids else -1
        if 0 <= index + step < len(items):
            _open_step(meeting, items[index + step], timezone.now())
            meeting.save(update_fields=["current_item", "item_started"])
            _next_version(meeting.group, meeting.reading)


def end_meeting(*, meeting: Meeting) -> None:
    with transaction.atomic():
        now = timezone.now()
        MeetingStep.objects.filter(meeting=meeting, ended=None).update(ended=now)
        meeting.ended = now
        meeting.save(update_fields=["ended"])
        _next_version(meeting.group, meeting.reading)


# --- moving discussions between groups -------------------------------------------


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
    assignments = {a.reading.slug: a for a in group.assignments.select_related("reading")}
    made, passages = {}, {}
    with transaction.atomic():
        for number, item in enumerate(items, start=1):
            if not isinstance(item, dict):
                raise w3c.W3CError(f"Item {number} is not an annotation.")
            try:
                _import_one(item, group, importer, made, assignments, passages)
            except w3c.W3CError as problem:
                raise w3c.W3CError(
                    f"Item {number} ({item.get('id', 'no id')}): {problem}."
                ) from None
    threads = sum(isinstance(post, Annotation) for post in made.values())
    return {"threads": threads, "replies": len(made) - threads}
