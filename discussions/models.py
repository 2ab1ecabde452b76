import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse

from readings.models import Passage, Reading


def new_invite_code() -> str:
    return secrets.token_urlsafe(12)


class Group(models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True)
    # The secret in the invite link; rotating it retires every link given out.
    invite_code = models.CharField(max_length=32, unique=True, default=new_invite_code)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("discussions:group", args=[self.slug])

    def get_invite_path(self) -> str:
        return reverse("discussions:join", args=[self.slug, self.invite_code])


class Membership(models.Model):
    class Role(models.TextChoices):
        MEMBER = "member", "Member"
        FACILITATOR = "facilitator", "Facilitator"
        ORGANIZER = "organizer", "Organizer"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=12, choices=Role.choices, default=Role.MEMBER)
    joined = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["joined"]
        constraints = [
            # Also the index behind every access check: (group, user) -> role.
            models.UniqueConstraint(fields=["group", "user"], name="membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.group} ({self.role})"


# Each role can do everything the roles before it can.
ROLE_RANK = {
    Membership.Role.MEMBER: 1,
    Membership.Role.FACILITATOR: 2,
    Membership.Role.ORGANIZER: 3,
}


class MembershipEvent(models.Model):
    """Who changed a group's membership, what they did, and when."""

    class Action(models.TextChoices):
        CREATED = "created", "created the group"
        JOINED = "joined", "joined"
        INVITED = "invited", "invited"
        LEFT = "left", "left"
        REMOVED = "removed", "removed"
        ROLE_CHANGED = "role_changed", "changed the role of"
        LINK_ROTATED = "link_rotated", "replaced the invite link"

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    email = models.EmailField(blank=True, help_text="Who was invited, for invitations.")
    action = models.CharField(max_length=16, choices=Action.choices)
    detail = models.CharField(max_length=200, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created", "-id"]
        # The organizers' log: a group's events, newest first.
        indexes = [models.Index(fields=["group", "-created"], name="event_group_created")]

    def __str__(self) -> str:
        return f"{self.actor} {self.get_action_display()} {self.subject or self.email}".strip()


class Assignment(models.Model):
    """A reading on a group's syllabus."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="assignments")
    reading = models.ForeignKey(Reading, on_delete=models.PROTECT, related_name="assignments")
    meeting_date = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    # Bumped by every change to this reading's discussion in this group; live
    # pages poll it, and each changed row records the version it changed at.
    discussion_version = models.PositiveIntegerField(default=0)
    # Bumped by every change to the agenda: a facilitator's save must name the
    # version it started from, so two editors never overwrite each other silently.
    agenda_version = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = [models.F("meeting_date").asc(nulls_last=True), "created"]
        constraints = [
            # Also the index behind /g/<group>/r/<reading>/ and the syllabus list.
            models.UniqueConstraint(fields=["group", "reading"], name="assignment_unique"),
        ]
        indexes = [
            # The dashboard's next meetings across a person's groups.
            models.Index(fields=["meeting_date"], name="assignment_meeting_date"),
        ]

    def __str__(self) -> str:
        return f"{self.reading} for {self.group}"

    def get_absolute_url(self) -> str:
        return reverse("discussions:reading", args=[self.group.slug, self.reading.slug])


class Post(models.Model):
    """What annotations and replies share: a Markdown body, an author, and the
    ways a post can leave view (deleted by its author, hidden by a moderator)."""

    body = models.TextField()
    body_html = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created = models.DateTimeField(auto_now_add=True)
    edited = models.DateTimeField(null=True, blank=True)
    deleted = models.DateTimeField(null=True, blank=True)
    hidden = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True


class AnnotationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Private notes only to their author; a deleted annotation only while
        replies hang on it (as a placeholder)."""
        return self.exclude(models.Q(kind=Annotation.Kind.NOTE) & ~models.Q(author=user)).exclude(
            deleted__isnull=False, reply_count=0
        )


class Annotation(Post):
    """The root of a thread: a question, comment or private note on a passage,
    or on exact words in it."""

    class Kind(models.TextChoices):
        QUESTION = "question", "Question"
        COMMENT = "comment", "Comment"
        NOTE = "note", "Private note"

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="annotations")
    reading = models.ForeignKey(Reading, on_delete=models.CASCADE, related_name="annotations")
    passage = models.ForeignKey(Passage, on_delete=models.CASCADE, related_name="annotations")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # W3C TextQuoteSelector + TextPositionSelector on passage.text; all empty
    # when the annotation is on the whole passage.
    exact = models.TextField(blank=True)
    prefix = models.CharField(max_length=64, blank=True)
    suffix = models.CharField(max_length=64, blank=True)
    start = models.PositiveIntegerField(null=True, blank=True)
    end = models.PositiveIntegerField(null=True, blank=True)
    answered = models.DateTimeField(null=True, blank=True)
    answer = models.ForeignKey(
        "Reply", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept by the services so the margin needs no aggregate queries.
    reply_count = models.PositiveIntegerField(default=0)
    vote_count = models.PositiveIntegerField(default=0)
    # The assignment's discussion_version when this thread (the annotation,
    # its replies or its votes) last changed: what a live poll re-sends.
    version = models.PositiveIntegerField(default=0)

    objects = AnnotationQuerySet.as_manager()

    class Meta:
        ordering = ["created", "id"]
        indexes = [
            # The reading page: a group's annotations on one reading.
            models.Index(fields=["group", "reading", "created"], name="annotation_page"),
            # The live poll: what changed after a version.
            models.Index(fields=["group", "reading", "version"], name="annotation_version"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(start__isnull=True, end__isnull=True, exact=""))
                | models.Q(start__isnull=False, end__isnull=False, start__lt=models.F("end")),
                name="annotation_selector_whole_or_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} by {self.author} on {self.passage.anchor}"

    def get_absolute_url(self) -> str:
        return reverse("discussions:thread", args=[self.group.slug, self.reading.slug, self.pk])


class Reply(Post):
    annotation = models.ForeignKey(Annotation, on_delete=models.CASCADE, related_name="replies")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )

    class Meta:
        ordering = ["created", "id"]

    def __str__(self) -> str:
        return f"Reply by {self.author} in thread {self.annotation_id}"


class Vote(models.Model):
    """ "I have this question too"."""

    annotation = models.ForeignKey(Annotation, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["annotation", "user"], name="vote_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user} on {self.annotation_id}"


class Flag(models.Model):
    """A member's report of an annotation or a reply, for the moderators."""

    annotation = models.ForeignKey(
        Annotation, null=True, blank=True, on_delete=models.CASCADE, related_name="flags"
    )
    reply = models.ForeignKey(
        Reply, null=True, blank=True, on_delete=models.CASCADE, related_name="flags"
    )
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="flags")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    reason = models.CharField(max_length=500)
    created = models.DateTimeField(auto_now_add=True)
    resolved = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]
        indexes = [
            # The moderators' list: a group's open flags.
            models.Index(fields=["group", "resolved"], name="flag_open"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(annotation__isnull=False, reply__isnull=True)
                | models.Q(annotation__isnull=True, reply__isnull=False),
                name="flag_one_target",
            ),
        ]

    def __str__(self) -> str:
        return f"Flag by {self.reporter}: {self.reason[:40]}"

    @property
    def target(self):
        return self.annotation or self.reply


class ModerationEvent(models.Model):
    """Every hide, restore and dismissal, with who did it."""

    class Action(models.TextChoices):
        HIDDEN = "hidden", "hid"
        RESTORED = "restored", "restored"
        DISMISSED = "dismissed", "dismissed the reports on"

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="moderation_events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    annotation = models.ForeignKey(
        Annotation, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    reply = models.ForeignKey(
        Reply, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    action = models.CharField(max_length=10, choices=Action.choices)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created", "-id"]
        # The moderation log: a group's events, newest first.
        indexes = [models.Index(fields=["group", "-created"], name="moderation_group_created")]

    def __str__(self) -> str:
        return f"{self.actor} {self.get_action_display()} {self.annotation_id or self.reply_id}"


class AgendaItem(models.Model):
    """A facilitator's discussion question for a group's reading."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="agenda_items")
    reading = models.ForeignKey(Reading, on_delete=models.CASCADE, related_name="agenda_items")
    position = models.PositiveIntegerField()
    text = models.TextField()
    minutes = models.PositiveSmallIntegerField(default=10)
    notes = models.TextField(blank=True, help_text="Only facilitators and organizers see these.")
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
        return reverse("discussions:meeting", args=[self.group.slug, self.pk])

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
