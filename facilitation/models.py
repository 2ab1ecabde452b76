from django.conf import settings
from django.db import models
from django.urls import reverse

from discussions.models import Annotation
from groups.models import Group
from readings.models import Passage, Reading


class AgendaItem(models.Model):
    """A facilitator's discussion question for a group's reading."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="agenda_items")
    reading = models.ForeignKey(Reading, on_delete=models.CASCADE, related_name="agenda_items")
    position = models.PositiveIntegerField()
    text = models.TextField()
    minutes = models.PositiveSmallIntegerField(default=10)
    notes = models.TextField(blank=True, help_text="Only facilitators and organizers see these.")
    # Members answer its question before they read the others' replies: asked of
    # its thread when the item is published (or saved, once published).
    answer_first = models.BooleanField(default=False)
    passage = models.ForeignKey(
        Passage, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    exact = models.TextField(blank=True)
    start = models.PositiveIntegerField(null=True, blank=True)
    end = models.PositiveIntegerField(null=True, blank=True)
    published = models.DateTimeField(null=True, blank=True)
    # Promoted from a member's question (credited to its asker); or, once
    # published, the thread the facilitator opened for it. Responses are its replies.
    thread = models.ForeignKey(
        Annotation, null=True, blank=True, on_delete=models.SET_NULL, related_name="agenda_items"
    )
    promoted_from = models.ForeignKey(
        Annotation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["position", "id"]
        # The agenda page and the meeting: a group's items for one reading, in order.
        indexes = [models.Index(fields=["group", "reading", "position"], name="agenda_order")]

    def __str__(self) -> str:
        return self.text[:60]


class Meeting(models.Model):
    """A group's session on a reading: run live, then kept as its summary."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="meetings")
    reading = models.ForeignKey(Reading, on_delete=models.CASCADE, related_name="meetings")
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    started = models.DateTimeField(auto_now_add=True)
    ended = models.DateTimeField(null=True, blank=True)
    current_item = models.ForeignKey(
        AgendaItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    item_started = models.DateTimeField(null=True, blank=True)
    summary = models.TextField(blank=True)

    class Meta:
        ordering = ["-started"]
        # The group page's past meetings; the reading page's running meeting.
        indexes = [models.Index(fields=["group", "reading", "ended"], name="meeting_running")]

    def __str__(self) -> str:
        return f"{self.group} on {self.reading}, {self.started:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("facilitation:meeting", args=[self.group.slug, self.pk])

    @property
    def running(self) -> bool:
        return self.ended is None


class MeetingStep(models.Model):
    """The time a meeting spent on one agenda item (an item visited twice has two)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="steps")
    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="+")
    started = models.DateTimeField()
    ended = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["started", "id"]

    def __str__(self) -> str:
        return f"{self.item} in {self.meeting}"


class Attendance(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    joined = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["joined"]
        constraints = [models.UniqueConstraint(fields=["meeting", "user"], name="attend_once")]

    def __str__(self) -> str:
        return f"{self.user} at {self.meeting}"
