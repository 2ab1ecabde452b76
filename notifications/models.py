from django.conf import settings
from django.db import models

from discussions.models import Annotation
from groups.models import Group
from readings.models import Reading


class Kind(models.TextChoices):
    MENTION = "mention", "Someone mentions you"
    REPLY = "reply", "A reply in a thread you started or posted in"
    FOLLOWED = "followed", "A post in a thread or reading you follow"
    ANSWERED = "answered", "Your question is marked answered"
    AGENDA = "agenda", "A reading's agenda is published"
    MEETING = "meeting", "A meeting starts"


class Follow(models.Model):
    """A member following one thread, or (with no annotation) a whole reading."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="+")
    reading = models.ForeignKey(Reading, on_delete=models.CASCADE, related_name="+")
    annotation = models.ForeignKey(
        Annotation, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "annotation"], name="follow_thread_once"),
            models.UniqueConstraint(
                fields=["user", "group", "reading"],
                condition=models.Q(annotation=None),
                name="follow_reading_once",
            ),
        ]
        # The fan-out: who follows this reading (and, with annotation, this thread).
        indexes = [models.Index(fields=["group", "reading", "annotation"], name="follow_target")]

    def __str__(self) -> str:
        return f"{self.user} follows {self.annotation_id or self.reading}"


class NotificationQuerySet(models.QuerySet):
    def of_members(self):
        """Only those of groups their members are still in: leaving a group takes
        its news out of the inbox, the count and the emails."""
        return self.filter(group__memberships__user=models.F("user"))

    def for_inbox(self, user):
        return self.filter(user=user).of_members()


class Notification(models.Model):
    """One thing that happened, for one member: their inbox's row, and what an
    email or the digest tells them."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="+")
    reading = models.ForeignKey(Reading, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # Names the event ("reply-12"): one notification per member per event, so a
    # retried fan-out, or a reply that both mentions and answers you, counts once.
    event = models.CharField(max_length=60)
    # The exact post (a thread's permalink with the reply's #anchor) or page.
    url = models.CharField(max_length=300)
    text = models.CharField(max_length=300)
    created = models.DateTimeField(auto_now_add=True)
    read = models.DateTimeField(null=True, blank=True)
    # When an email or a digest told of it; the digest takes those still unsent.
    emailed = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "event"], name="notify_once_per_event")
        ]
        indexes = [
            # The inbox: a member's notifications, newest first.
            models.Index(fields=["user", "-created"], name="notification_inbox"),
            # The header's count: a member's unread ones.
            models.Index(
                fields=["user"], condition=models.Q(read=None), name="notification_unread"
            ),
            # The digest: a group's notifications still to be emailed.
            models.Index(
                fields=["group"], condition=models.Q(emailed=None), name="notification_unsent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.user}: {self.text[:40]}"

    def get_absolute_url(self) -> str:
        return self.url


class EmailPreference(models.Model):
    """A member's choice of email for one kind of news from one group; without
    a row, the default for the kind holds."""

    class Choice(models.TextChoices):
        NOW = "now", "Email each one as it happens"
        DIGEST = "digest", "In the daily digest"
        OFF = "off", "No email"

    DEFAULTS = {Kind.MENTION: Choice.NOW, Kind.REPLY: Choice.NOW}
    DEFAULT = Choice.DIGEST

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    choice = models.CharField(max_length=10, choices=Choice.choices)

    class Meta:
        ordering = ["group", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["user", "group", "kind"], name="one_choice_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.group}: {self.kind} {self.choice}"

    @classmethod
    def default(cls, kind: str) -> str:
        return cls.DEFAULTS.get(kind, cls.DEFAULT)

    @classmethod
    def choices_for(cls, users, group: Group) -> dict[tuple[int, str], str]:
        """(user id, kind) -> choice, for every kind, defaults filled in."""
        user_ids = [getattr(u, "pk", u) for u in users]
        found = {
            (user_id, kind): choice
            for user_id, kind, choice in cls.objects.filter(
                group=group, user__in=user_ids
            ).values_list("user", "kind", "choice")
        }
        return {
            (user_id, kind): found.get((user_id, kind), cls.default(kind))
            for user_id in user_ids
            for kind in Kind.values
        }
