import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse

from readings.models import Reading


def new_invite_code() -> str:
    return secrets.token_urlsafe(12)


class Group(models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True)
    # The secret in the invite link; rotating it retires every link given out.
    invite_code = models.CharField(max_length=32, unique=True, default=new_invite_code)
    created = models.DateTimeField(auto_now_add=True)
    # Some groups want no counting of who says how much: off, the participation
    # page and every link to it are gone, for everyone.
    participation_visible = models.BooleanField(default=True)
    # Goes up whenever who is in the group, or the name of anyone its pages
    # show, changes: the discussions' list of people is cached under it.
    people_version = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("groups:group", args=[self.slug])

    def get_invite_path(self) -> str:
        return reverse("groups:join", args=[self.slug, self.invite_code])


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
