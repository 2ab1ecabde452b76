"""Agenda items on a reading's passages, as a revision of the text sees them.

An item whose words a revision deleted or rewrote has no orphan state of its
own (an agenda is a facilitator's plan, not a member's thread): it stays on the
passage nearest to where its words stood, about the whole passage, and its quote
is dropped. The revision's review page says so before anyone publishes."""

from readings.attached import Attached, Placed

from .models import AgendaItem


def collect(reading) -> list[Attached]:
    items = AgendaItem.objects.filter(reading=reading, passage__isnull=False).select_related(
        "group"
    )
    # Staff review revisions and are outsiders to groups: an item's text is the
    # group's discussion, so the label names the item without quoting it.
    return [
        Attached(
            key=f"agenda:{item.pk}",
            group=item.group.name,
            label=f"Agenda item {item.position}",
            passage_id=item.passage_id,
            start=item.start,
            end=item.end,
            exact=item.exact if item.start is not None else "",
        )
        for item in items
    ]


def move(reading, placed: dict[str, Placed]) -> None:
    items = AgendaItem.objects.in_bulk([int(key.split(":")[1]) for key in placed])
    for key, where in placed.items():
        item = items[int(key.split(":")[1])]
        item.passage_id = where.passage_id
        if where.outcome == "orphaned" or where.start is None:
            item.start = item.end = None
            item.exact = ""
        else:
            item.start, item.end, item.exact = where.start, where.end, where.exact
    AgendaItem.objects.bulk_update(
        items.values(), ["passage", "start", "end", "exact"], batch_size=500
    )
