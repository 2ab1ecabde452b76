from django.conf import settings
from django.db import models
from django.urls import reverse

from .jobs import WorkerJob


class Reading(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    title = models.CharField(max_length=300)
    slug = models.SlugField(max_length=80, unique=True)
    author = models.CharField(max_length=200, blank=True)
    source_url = models.URLField("source URL", max_length=500, blank=True)
    standfirst = models.TextField(blank=True, help_text="The introduction shown under the title.")
    original_filename = models.CharField(max_length=255, blank=True)
    # What the importer left out (navigation, appeals, scripts), shown in the preview.
    dropped = models.JSONField(default=list, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    created = models.DateTimeField(auto_now_add=True)
    published = models.DateTimeField(null=True, blank=True)
    # The number of the version of the text its passages now hold: 1 as imported,
    # one more each time a revised text is published.
    revision = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("readings:preview", args=[self.slug])

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class Passage(models.Model):
    class Kind(models.TextChoices):
        PARAGRAPH = "paragraph", "Paragraph"
        HEADING = "heading", "Heading"
        QUOTE = "quote", "Quote"
        LIST_ITEM = "list_item", "List item"
        CAPTION = "caption", "Caption"
        SPEAKER_TURN = "speaker_turn", "Speaker turn"

    reading = models.ForeignKey(Reading, on_delete=models.CASCADE, related_name="passages")
    position = models.PositiveIntegerField()
    anchor = models.CharField(max_length=16)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.PARAGRAPH)
    speaker = models.CharField(max_length=120, blank=True)
    # Plain text: what annotation selectors are measured against.
    text = models.TextField()
    # Sanitized inline HTML whose text content equals `text`.
    html = models.TextField()

    class Meta:
        ordering = ["reading", "position"]
        constraints = [
            # Also the index behind the reading page: passages of one reading in order.
            models.UniqueConstraint(fields=["reading", "position"], name="passage_position_unique"),
            # Permalinks (#anchor) and annotation targets look passages up by anchor.
            models.UniqueConstraint(fields=["reading", "anchor"], name="passage_anchor_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.reading.title} #{self.anchor}"


class Revision(models.Model):
    """One version of a reading's text. A draft (not yet published) waits for a
    member of staff to review what it would change; a published one is kept
    readable in the reading's history. Version 1, as imported, gets its row
    when the first revision is published."""

    reading = models.ForeignKey(Reading, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    # The reading's revision this draft was compared with when it was uploaded:
    # once another revision is published, this one no longer applies.
    base = models.PositiveIntegerField(null=True, blank=True)
    # The version's text: [{anchor, kind, speaker, text, html}] in order. A draft's
    # anchors are empty until publishing gives each passage its own.
    passages = models.JSONField(default=list)
    # What publishing it changed: passages added, removed, edited, unchanged, and
    # the attached things kept, moved and orphaned.
    summary = models.JSONField(default=dict, blank=True)
    original_filename = models.CharField(max_length=255, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    published = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["reading", "number"]
        constraints = [
            # Also the index behind a reading's history and its revision pages.
            models.UniqueConstraint(fields=["reading", "number"], name="revision_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.reading.title}, version {self.number}"

    def get_absolute_url(self) -> str:
        return reverse("readings:revision", args=[self.reading.slug, self.number])

    @property
    def is_draft(self) -> bool:
        return self.published is None


class Upload(WorkerJob):
    """A file (or pasted text) staff sent to be imported: as a new reading, or as
    a revised text of `revises`. The task worker parses it (a long PDF takes
    longer than a web request may) and records what came of it: the reading or
    revision made, or the problem found. Its bytes are dropped once it is done."""

    LOST = "The import did not finish. Please try again; if it keeps failing, tell the site admins."

    filename = models.CharField(max_length=255, blank=True)
    # Emptied once imported (a failed paste keeps its text for the form).
    data = models.BinaryField(blank=True)
    # For a new reading: the format, title, author and source URL chosen on the form.
    details = models.JSONField(default=dict, blank=True)
    revises = models.ForeignKey(
        Reading, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # What came of it: one of these, once finished. Deleting what it made deletes
    # the upload's record too.
    reading = models.ForeignKey(
        Reading, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    revision = models.ForeignKey(
        Revision, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return self.filename or "Pasted text"

    def get_absolute_url(self) -> str:
        return reverse("readings:upload", args=[self.pk])

    @property
    def made(self) -> Reading | Revision | None:
        return self.revision or self.reading

    def finish(self, *, problem: str = "") -> None:
        super().finish(problem=problem)
        # A failed paste keeps its text for the form to offer again (a file is
        # still on its sender's disk); otherwise the bytes have served their turn.
        if not (problem and not self.filename):
            self.data = b""
        self.save(update_fields=["reading", "revision", "problem", "finished", "data"])
