"""The meeting summary's picture: planned against actual minutes per question,
drawn as bars to one scale, with a table of the same figures; and who came."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from facilitation.models import AgendaItem, Attendance, MeetingStep
from facilitation.services import add_agenda_item, end_meeting, publish_agenda, start_meeting
from tests.conftest import signed_in


@pytest.fixture
def meeting(group, facilitator, member, organizer, assigned_reading):
    """A meeting that spent 12 then 3 more minutes on a 10-minute question (it
    came back to it), 4 on a 5-minute one, and never reached a third; two came."""
    for position, (text, minutes) in enumerate((("Why?", 10), ("How?", 5), ("Then?", 20))):
        add_agenda_item(
            group=group, reading=assigned_reading, text=text, minutes=minutes, seen_version=position
        )
    publish_agenda(group=group, reading=assigned_reading, actor=facilitator, seen_version=3)
    meeting = start_meeting(group=group, reading=assigned_reading, actor=facilitator)
    why, how, _ = AgendaItem.objects.all()
    start = timezone.now() - datetime.timedelta(minutes=30)
    MeetingStep.objects.all().delete()
    for item, begins, ends in ((why, 0, 12), (how, 12, 16), (why, 16, 19)):
        MeetingStep.objects.create(
            meeting=meeting,
            item=item,
            started=start + datetime.timedelta(minutes=begins),
            ended=start + datetime.timedelta(minutes=ends),
        )
    for person in (facilitator, member):
        Attendance.objects.create(meeting=meeting, user=person)
    end_meeting(meeting=meeting)
    return meeting


def spent(item) -> float:
    steps = MeetingStep.objects.filter(item=item)
    return round(sum((s.ended - s.started).total_seconds() for s in steps) / 60, 1)


@pytest.mark.django_db
def test_the_table_holds_the_steps_and_the_bars_are_drawn_to_scale(client, meeting, member):
    page = signed_in(client, member).get(meeting.get_absolute_url()).content.decode()
    rows = re.findall(r"<tr><td>([^<]+)</td><td>([\d.]+) min</td><td>([\d.]+) min</td></tr>", page)
    items = {item.text: item for item in AgendaItem.objects.all()}
    assert [text for text, *_ in rows] == ["Why?", "How?"]  # the third was never reached
    for text, planned, actual in rows:
        assert float(planned) == items[text].minutes
        assert float(actual) == spent(items[text])
    assert [(t, float(p), float(a)) for t, p, a in rows] == [("Why?", 10, 15), ("How?", 5, 4)]

    bars = re.findall(r'<rect class="bar bar--(planned|actual)"[^>]* width="([\d.]+)"', page)
    figures = [float(figure) for _, planned, actual in rows for figure in (planned, actual)]
    assert [kind for kind, _ in bars] == ["planned", "actual"] * 2
    widths = [float(width) for _, width in bars]
    # One scale for every bar, the longest taking the whole span.
    assert max(widths) == 440.0
    assert all(
        width == pytest.approx(figure * 440 / 15, abs=0.1)
        for width, figure in zip(widths, figures, strict=True)
    )
    # Each bar says what it is and its figure: not colour alone.
    text = " ".join(re.sub(r"<[^>]+>", " ", page).split())
    assert "Why? Planned 10 min Actual 15.0 min How? Planned 5 min Actual 4.0 min" in text


@pytest.mark.django_db
def test_the_chart_is_one_image_named_by_its_caption(client, meeting, member):
    page = signed_in(client, member).get(meeting.get_absolute_url()).content.decode()
    assert '<svg role="img" aria-labelledby="chart-caption"' in page
    assert (
        '<figcaption id="chart-caption">Minutes planned and taken, per question</figcaption>'
        in (page)
    )
    assert "<script" not in page.split("<svg", 1)[1].split("</svg>", 1)[0]


@pytest.mark.django_db
def test_attendance_counts_and_names_who_came(client, meeting, member, group):
    signed_in(client, member)
    text = " ".join(
        re.sub(r"<[^>]+>", " ", client.get(meeting.get_absolute_url()).content.decode()).split()
    )
    assert "Attendance (2) Femi Facilitator Maya Member" in text
    markdown = client.get(
        reverse("facilitation:summary_markdown", args=[group.slug, meeting.pk])
    ).content.decode()
    assert "## Attendance (2)\n\n- Femi Facilitator\n- Maya Member\n" in markdown


@pytest.mark.django_db
def test_a_meeting_that_covered_nothing_draws_no_chart(
    client, group, facilitator, member, assigned_reading
):
    add_agenda_item(group=group, reading=assigned_reading, text="Why?", minutes=10, seen_version=0)
    publish_agenda(group=group, reading=assigned_reading, actor=facilitator, seen_version=1)
    meeting = start_meeting(group=group, reading=assigned_reading, actor=facilitator)
    MeetingStep.objects.all().delete()
    end_meeting(meeting=meeting)
    page = signed_in(client, member).get(meeting.get_absolute_url()).content.decode()
    assert "<svg" not in page
