from django.conf import settings
from django.db import connection, models
from django.urls import reverse

from groups.models import Assignment, Group, Membership
from readings.jobs import WorkerJob
from readings.models import Passage, Reading


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
    # The discussion version this post was made at: what "new since your last
    # look" compares with a member's Visit.
    posted = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


class AnnotationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Private notes only to their author; a deleted annotation only while
        replies hang on it (as a placeholder)."""
        return self.exclude(models.Q(kind=Annotation.Kind.NOTE) & ~models.Q(author=user)).exclude(
            deleted__isnull=False, reply_count=0
        )

    def replies_open_to(self, user):
        """The threads whose replies `user` may read. A question asked "answer
        first" keeps its replies from a member until they post one of their
        own or a facilitator reveals them; its asker and the group's
        facilitators read them all along."""
        facilitating = Membership.objects.filter(
            group=models.OuterRef("group"),
            user=user,
            role__in=[Membership.Role.FACILITATOR, Membership.Role.ORGANIZER],
        )
        replied = Reply.objects.filter(annotation=models.OuterRef("pk"), author=user)
        return self.filter(
            models.Q(answer_first=False)
            | models.Q(revealed__isnull=False)
            | models.Q(author=user)
            | models.Exists(facilitating)
            | models.Exists(replied)
        )


class ReplyQuerySet(models.QuerySet):
    def placeholders(self, group, reading):
        """The deleted replies the threads of a group's reading still show, as
        placeholders: those with a reply still there below them (reply_tree's
        rule, in SQL, so that a thread's posts count without being fetched).
        Found from the deleted replies with a living one under them, climbing
        through the deleted ones above: any depth is stored."""
        q = connection.ops.quote_name
        table = q(Reply._meta.db_table)
        sql = f"""
            WITH RECURSIVE kept (id, parent_id) AS (
                SELECT above.id, above.parent_id
                FROM {table} above
                JOIN {q(Annotation._meta.db_table)} thread ON thread.id = above.annotation_id
                WHERE above.deleted IS NOT NULL
                    AND thread.group_id = %s AND thread.reading_id = %s
                    AND EXISTS (
                        SELECT 1 FROM {table} below
                        WHERE below.parent_id = above.id AND below.deleted IS NULL
                    )
                UNION
                SELECT above.id, above.parent_id
                FROM {table} above JOIN kept ON above.id = kept.parent_id
                WHERE above.deleted IS NOT NULL
            )
            SELECT id FROM kept"""
        return self.filter(pk__in=models.expressions.RawSQL(sql, [group.pk, reading.pk]))


class Annotation(Post):
    """The root of a thread: a question, comment or private note on a passage,
    or on exact words in it."""

    class Kind(models.TextChoices):
        QUESTION = "question", "Question"
        COMMENT = "comment", "Comment"
        NOTE = "note", "Private note"

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="annotations")
    reading = models.ForeignKey(Reading, on_delete=models.CASCADE, related_name="annotations")
    # Publishing a revision moves every thread off the passages it removes before
    # deleting them; one posted there meanwhile stops the delete (and the
    # publishing) instead of going with it. Deleting a whole reading still takes
    # its threads, through `reading`.
    passage = models.ForeignKey(Passage, on_delete=models.RESTRICT, related_name="annotations")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # W3C TextQuoteSelector + TextPositionSelector on passage.text; all empty
    # when the annotation is on the whole passage.
    exact = models.TextField(blank=True)
    prefix = models.CharField(max_length=64, blank=True)
    suffix = models.CharField(max_length=64, blank=True)
    start = models.PositiveIntegerField(null=True, blank=True)
    end = models.PositiveIntegerField(null=True, blank=True)
    # About the reading as a whole (a facilitator's question on no passage):
    # every thread needs a passage, so it is kept on the first, but pages
    # neither list it in that passage's margin nor say it is about it.
    whole_reading = models.BooleanField(default=False)
    # The reading's revision that deleted or rewrote its words: it keeps its old
    # quote (`exact`, no offsets) and its thread, on the passage nearest to where
    # the words stood, until a facilitator attaches it again.
    orphaned = models.PositiveIntegerField(null=True, blank=True)
    answered = models.DateTimeField(null=True, blank=True)
    # A question members answer before they read the others' replies (see
    # `replies_open_to`), until a facilitator reveals them or a meeting turns to it.
    answer_first = models.BooleanField(default=False)
    revealed = models.DateTimeField(null=True, blank=True)
    answer = models.ForeignKey(
        "Reply", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept by the services so the margin needs no aggregate queries.
    reply_count = models.PositiveIntegerField(default=0)
    vote_count = models.PositiveIntegerField(default=0)
    # The assignment's discussion_version when this thread (the annotation,
    # its replies or its votes) last changed: what a live poll re-sends.
    version = models.PositiveIntegerField(default=0)
    # The newest post on view in the thread (itself or a reply, neither hidden
    # nor deleted): when and by whom, so the cached margin, the same for every
    # member, can say which threads are new to each.
    last_posted = models.PositiveIntegerField(default=0)
    last_poster = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = AnnotationQuerySet.as_manager()

    class Meta:
        ordering = ["created", "id"]
        indexes = [
            # The reading page: a group's annotations on one reading.
            models.Index(fields=["group", "reading", "created"], name="annotation_page"),
            # The API's pages: a reading's threads passage by passage, oldest first,
            # from where a page begins.
            models.Index(
                fields=["group", "reading", "passage", "created"], name="annotation_passage_order"
            ),
            # The live poll: what changed after a version.
            models.Index(fields=["group", "reading", "version"], name="annotation_version"),
            # The reading page's threads from an earlier version of the text: few, so
            # they are found without reading the rest of a big discussion.
            models.Index(
                fields=["group", "reading"],
                condition=models.Q(orphaned__isnull=False),
                name="annotation_orphans",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(start__isnull=True, end__isnull=True, exact=""))
                | models.Q(start__isnull=False, end__isnull=False, start__lt=models.F("end"))
                | models.Q(orphaned__isnull=False, start__isnull=True, end__isnull=True),
                name="annotation_selector_whole_or_range",
            ),
            models.CheckConstraint(
                condition=models.Q(whole_reading=False) | models.Q(start__isnull=True),
                name="annotation_whole_reading_has_no_words",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} by {self.author} on {self.passage.anchor}"

    def get_absolute_url(self) -> str:
        return reverse("discussions:thread", args=[self.group.slug, self.reading.slug, self.pk])

    def replies_hidden_for(self, user) -> bool:
        """Whether `user` must answer first to read this thread's replies (a
        query only for a question asked so and not revealed)."""
        if not self.answer_first or self.revealed:
            return False
        return not Annotation.objects.filter(pk=self.pk).replies_open_to(user).exists()


class Reply(Post):
    annotation = models.ForeignKey(Annotation, on_delete=models.CASCADE, related_name="replies")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )

    objects = ReplyQuerySet.as_manager()

    class Meta:
        ordering = ["created", "id"]
        indexes = [
            # A reading's deleted replies, few among many: which still show as
            # placeholders (`placeholders`), counted for every page of the API.
            models.Index(
                fields=["annotation"],
                condition=models.Q(deleted__isnull=False),
                name="reply_deleted",
            ),
        ]

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


class Reaction(models.Model):
    """A member's quick response to a post (the thread's own, or a reply): at
    most one of each kind per member per post, taken back by pressing again."""

    class Kind(models.TextChoices):
        LOST = "lost", "I'm lost"
        DISCUSS = "discuss", "Let's discuss this"
        GOOD_POINT = "good_point", "Good point"
        DISAGREE = "disagree", "I disagree"

    # Shown beside each label, for the eye only: the label says it all. Symbols
    # that ordinary text fonts draw (emoji show as empty boxes where no emoji
    # font is installed).
    ICONS = {
        Kind.LOST: "\N{DOUBLE QUESTION MARK}",
        Kind.DISCUSS: "\N{HEAVY DOUBLE TURNED COMMA QUOTATION MARK ORNAMENT}",
        Kind.GOOD_POINT: "\N{CHECK MARK}",
        Kind.DISAGREE: "\N{BALLOT X}",
    }

    # Always the thread, also for a reaction to one of its replies: a reading's
    # reactions count by thread and passage with no join through the replies.
    # (Indexed first in reaction_thread.)
    annotation = models.ForeignKey(
        Annotation, on_delete=models.CASCADE, related_name="reactions", db_index=False
    )
    reply = models.ForeignKey(
        Reply, null=True, blank=True, on_delete=models.CASCADE, related_name="reactions"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created", "id"]
        indexes = [
            # A thread's reactions (its page, the margin's counts), and a reading's
            # of one kind thread by thread (the "I'm lost" of an overview).
            models.Index(fields=["annotation", "kind"], name="reaction_thread"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["annotation", "kind", "user"],
                condition=models.Q(reply=None),
                name="reaction_once_on_thread",
            ),
            models.UniqueConstraint(
                fields=["reply", "kind", "user"],
                condition=models.Q(reply__isnull=False),
                name="reaction_once_on_reply",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_kind_display()} on {self.reply_id or self.annotation_id}"


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


class Visit(models.Model):
    """When a member last opened a reading's page, as the discussion version
    then; and the visit before, which that page shows what is new against."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="+")
    version = models.PositiveIntegerField(default=0)
    previous = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            # Also the index behind the dashboard's and group page's counts.
            models.UniqueConstraint(fields=["user", "assignment"], name="visit_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} at version {self.version} of {self.assignment_id}"

    @classmethod
    def record(cls, user, assignment) -> int:
        """Mark the assignment's current version seen by `user`, and return the
        version of their visit before (0 for the first): in one query, which
        the ORM cannot do (an upsert returning the value it replaces)."""
        table, q = cls._meta.db_table, connection.ops.quote_name
        sql = (
            f"INSERT INTO {q(table)} (user_id, assignment_id, version, previous) "
            "VALUES (%s, %s, %s, 0) ON CONFLICT (user_id, assignment_id) DO UPDATE "
            f"SET previous = {q(table)}.version, version = excluded.version RETURNING previous"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [user.pk, assignment.pk, assignment.discussion_version])
            return cursor.fetchone()[0]


class PrintJob(WorkerJob):
    """A member's request for the PDF of a print edition: the page's HTML as
    they saw it, laid out by the task worker (WeasyPrint takes about a fifth of
    a second of CPU a page, longer than a web request may hold a worker), then
    the PDF it made or the problem. The HTML is dropped once it is done."""

    class Paper(models.TextChoices):
        A4 = "a4", "A4"
        LETTER = "letter", "Letter"

    LOST = (
        "The PDF was not made in time. Please try again; if it keeps failing, tell the site admins."
    )

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="+")
    reading = models.ForeignKey(Reading, on_delete=models.CASCADE, related_name="+")
    paper = models.CharField(max_length=10, choices=Paper.choices)
    html = models.TextField(blank=True)
    pdf = models.BinaryField(blank=True)

    class Meta:
        ordering = ["-created"]
        # A member's jobs for a reading: the one to show or replace.
        indexes = [models.Index(fields=["user", "group", "reading"], name="printjob_owner")]

    def __str__(self) -> str:
        return f"PDF of {self.reading_id} for {self.user}"

    def get_absolute_url(self) -> str:
        return reverse("discussions:print_job", args=[self.group.slug, self.reading.slug, self.pk])

    @property
    def filename(self) -> str:
        return f"{self.group.slug}-{self.reading.slug}.pdf"

    def finish(self, *, pdf: bytes = b"", problem: str = "") -> None:
        super().finish(problem=problem)
        self.pdf = pdf
        self.html = ""  # it has served its turn
        # An update, not a save: a job its member replaced meanwhile is gone, and stays so.
        PrintJob.objects.filter(pk=self.pk).update(
            pdf=self.pdf, problem=self.problem, finished=self.finished, html=""
        )
