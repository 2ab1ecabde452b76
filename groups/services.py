"""Changes to a group's membership (each recorded in the group's log) and its
syllabus, each in one transaction."""

from datetime import timedelta

from allauth.account.adapter import get_adapter
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.text import slugify

from readings.models import Reading

from .models import Assignment, Group, Membership, MembershipEvent, new_invite_code

Role = Membership.Role
Action = MembershipEvent.Action
SLUG_SUFFIX_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789"
PENDING_JOIN = "marginalia_pending_join"


class GroupRuleError(Exception):
    """A change that would break one of a group's rules; the message says which."""


class EmailNotVerified(GroupRuleError):
    """Joining waits until the person has confirmed their email address."""


class TooManyInvitations(GroupRuleError):
    """An organizer's invitations are capped per hour (INVITATIONS_PER_HOUR)."""


def _unique_slug(name: str) -> str:
    """The name and a random suffix, whether or not another group has the name:
    an address that changed only when the name was taken would tell the creator
    that a private group of that name exists."""
    base = slugify(name)[:70].strip("-") or "group"
    while True:
        slug = f"{base}-{get_random_string(6, SLUG_SUFFIX_CHARS)}"
        if not Group.objects.filter(slug=slug).exists():
            return slug


def create_group(*, name: str, description: str, creator) -> Group:
    with transaction.atomic():
        group = Group.objects.create(name=name, slug=_unique_slug(name), description=description)
        Membership.objects.create(group=group, user=creator, role=Role.ORGANIZER)
        MembershipEvent.objects.create(group=group, actor=creator, action=Action.CREATED)
    return group


def check_can_join(*, group: Group, user) -> None:
    """Refuse an account whose email address is not confirmed (anyone can sign up
    as any address), and someone an organizer removed until an organizer invites
    them back by email: the invite link they kept does not let them in again."""
    if not user.has_verified_email():
        raise EmailNotVerified(f"Confirm your email address first: then you join {group.name}.")
    removed = (
        group.events.filter(action=Action.REMOVED, subject=user)
        .values_list("created", flat=True)
        .first()
    )
    if removed is None:
        return
    invited_since = group.events.filter(
        action=Action.INVITED, email__iexact=user.email, created__gt=removed
    )
    if not invited_since.exists():
        raise GroupRuleError(
            f"An organizer removed you from {group.name}. "
            "To come back, ask an organizer to invite you again."
        )


def join_group(*, group: Group, user, code: str) -> Membership:
    """Join through the invite link; joining twice changes nothing."""
    if code != group.invite_code:
        raise GroupRuleError("This invite link is no longer valid. Ask an organizer for a new one.")
    check_can_join(group=group, user=user)
    with transaction.atomic():
        membership, created = Membership.objects.get_or_create(group=group, user=user)
        if created:
            MembershipEvent.objects.create(
                group=group, actor=user, subject=user, action=Action.JOINED
            )
    return membership


def join_pending_invitation(*, request, user) -> Group | None:
    """Join the group whose invite link this browser opened before the person
    could join (before signing up, or before confirming their address)."""
    pending = request.session.get(PENDING_JOIN)
    if not pending:
        return None
    group = Group.objects.filter(slug=pending.get("group")).first()
    if group is None:
        return None
    try:
        join_group(group=group, user=user, code=pending.get("code", ""))
    except GroupRuleError:
        return None
    del request.session[PENDING_JOIN]
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
    """Email the invite link; it works whether or not the person has an account.
    All or none: an organizer sends at most INVITATIONS_PER_HOUR an hour, counted
    in the logs of all their groups, so the site does not become a spam relay."""
    limit = settings.INVITATIONS_PER_HOUR
    sent = MembershipEvent.objects.filter(
        actor=actor, action=Action.INVITED, created__gt=timezone.now() - timedelta(hours=1)
    ).count()
    if sent + len(emails) > limit:
        raise TooManyInvitations(
            f"You can invite {limit} people an hour, and {max(limit - sent, 0)} more for now."
        )
    link = request.build_absolute_uri(group.get_invite_path())
    adapter = get_adapter(request)
    for email in emails:
        # Logged once sent, so the log never claims an invitation that failed.
        adapter.send_mail(
            "groups/email/invitation", email, {"group": group, "inviter": actor, "link": link}
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
