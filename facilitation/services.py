"""Writes to a reading's agenda (each against the version the facilitator
started from) and to its meetings, each in one transaction."""

from django.db import transaction
from django.utils import timezone

from discussions import events
from discussions.anchoring import Selector, resolve_selector
from discussions.bodies import excerpt
from discussions.models import Annotation
from discussions.services import ask_answer_first, next_version, post_annotation, reveal_replies
from groups.models import Assignment, Group
from groups.services import GroupRuleError
from readings.models import Passage, Reading

from .models import AgendaItem, Meeting, MeetingStep


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
    answer_first: bool = False,
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
            answer_first=answer_first,
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


def _meeting_question_changed(item: AgendaItem) -> None:
    """A running meeting's question reworded or removed: a new discussion
    version, so the pages following the meeting learn of it at their next poll."""
    if Meeting.objects.filter(current_item=item, ended=None).exists():
        next_version(item.group, item.reading)


def update_agenda_item(
    *,
    item: AgendaItem,
    text: str,
    minutes: int,
    notes: str,
    answer_first: bool,
    passage: Passage | None,
    seen_version: int,
) -> None:
    with transaction.atomic():
        _agenda_write(item.group, item.reading, seen_version)
        if passage != item.passage:
            item.exact, item.start, item.end = "", None, None
        item.text, item.minutes, item.notes, item.passage = text, minutes, notes, passage
        item.answer_first = answer_first
        item.save()
        _meeting_question_changed(item)
        if answer_first and item.published:
            ask_answer_first(annotation=item.thread)


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
        _meeting_question_changed(item)
        item.delete()


def publish_agenda(*, group: Group, reading: Reading, actor, seen_version: int) -> int:
    """Publish every draft item: members then see it, and it gets a thread
    (its own question, opened by the facilitator, unless it was promoted). An
    item on no passage gets a thread on the whole reading."""
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
                    whole_reading=item.passage is None,
                )
            if item.answer_first:
                ask_answer_first(annotation=item.thread)
            item.published = now
            item.save(update_fields=["thread", "published"])
        if drafts:
            events.announce(
                "agenda_published", group_id=group.pk, reading_id=reading.pk, actor_id=actor.pk
            )
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
    """Turn the meeting to `item`: an answer-first question's replies are
    everyone's from then on."""
    MeetingStep.objects.filter(meeting=meeting, ended=None).update(ended=now)
    meeting.current_item = item
    meeting.item_started = now if item else None
    if item:
        MeetingStep.objects.create(meeting=meeting, item=item, started=now)
        if item.thread_id:
            reveal_replies(annotation=item.thread)


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
        next_version(group, reading)
        events.announce("meeting_started", meeting_id=meeting.pk)
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
            next_version(meeting.group, meeting.reading)


def end_meeting(*, meeting: Meeting) -> None:
    with transaction.atomic():
        now = timezone.now()
        MeetingStep.objects.filter(meeting=meeting, ended=None).update(ended=now)
        meeting.ended = now
        meeting.save(update_fields=["ended"])
        next_version(meeting.group, meeting.reading)
