"""notifications/services.py and tasks.py: who hears of what, once, and only
of what they may see."""

from django.core import mail

from discussions.models import ModerationEvent
from discussions.services import delete_post, moderate, post_reply, set_answered
from facilitation.services import add_agenda_item, publish_agenda, start_meeting
from groups.services import remove_member
from notifications.models import EmailPreference, Follow, Kind, Notification
from notifications.services import toggle_follow
from tests.conftest import add_member, make_annotation, make_user


def inbox(user):
    return list(Notification.objects.for_inbox(user).values_list("kind", flat=True))


def test_a_reply_tells_everyone_who_posted_in_the_thread(
    group, assigned_reading, member, facilitator, organizer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        question = make_annotation(group, assigned_reading, member)
        post_reply(annotation=question, parent=None, body="One view.", author=facilitator)
        reply = post_reply(annotation=question, parent=None, body="Another.", author=organizer)
    assert inbox(member) == [Kind.REPLY, Kind.REPLY]
    assert inbox(facilitator) == [Kind.REPLY]  # not of their own reply
    assert inbox(organizer) == []
    newest = Notification.objects.for_inbox(member).first()
    assert newest.url == f"{question.get_absolute_url()}#r-{reply.pk}"
    assert "Another." in newest.text


def test_a_mention_is_told_once_even_to_a_poster(
    group, assigned_reading, member, facilitator, organizer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        question = make_annotation(group, assigned_reading, member)
        post_reply(
            annotation=question,
            parent=None,
            body="@Maya Member and @Olga Organizer, look.",
            author=facilitator,
        )
    assert inbox(member) == [Kind.MENTION]
    assert inbox(organizer) == [Kind.MENTION]


def test_following_and_unfollowing(
    group, assigned_reading, member, facilitator, organizer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        question = make_annotation(group, assigned_reading, member)
    assert toggle_follow(user=organizer, group=group, reading=assigned_reading, annotation=question)
    assert not toggle_follow(
        user=member, group=group, reading=assigned_reading, annotation=question
    )
    toggle_follow(user=facilitator, group=group, reading=assigned_reading)
    with django_capture_on_commit_callbacks(execute=True):
        post_reply(annotation=question, parent=None, body="Hm.", author=make_member(group))
        make_annotation(group, assigned_reading, organizer, kind="comment", body="New")
    assert inbox(organizer) == [Kind.FOLLOWED]  # the thread; not of their own comment
    assert inbox(member) == []  # unfollowed their own question
    assert inbox(facilitator) == [Kind.FOLLOWED, Kind.FOLLOWED]  # the reading: both


def make_member(group):
    user = make_user("ada@example.org", "Ada Lovelace")
    add_member(group, user)
    return user


def test_nobody_hears_of_private_notes_or_hidden_posts(
    group, assigned_reading, member, facilitator, organizer, django_capture_on_commit_callbacks
):
    toggle_follow(user=organizer, group=group, reading=assigned_reading)
    with django_capture_on_commit_callbacks(execute=True):
        note = make_annotation(group, assigned_reading, member, kind="note", body="@Olga Organizer")
        post_reply(annotation=note, parent=None, body="@Olga Organizer again", author=member)
        rude = make_annotation(group, assigned_reading, member, kind="comment", body="Rude")
        moderate(post=rude, group=group, actor=facilitator, action=ModerationEvent.Action.HIDDEN)
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        post_reply(annotation=rude, parent=None, body="Ruder, @Olga Organizer", author=member)
    assert Notification.objects.count() == 0


def test_a_post_hidden_or_deleted_before_the_worker_ran_tells_nobody(
    group, assigned_reading, member, facilitator, django_capture_on_commit_callbacks
):
    question = make_annotation(group, assigned_reading, member)
    with django_capture_on_commit_callbacks() as pending:
        reply = post_reply(annotation=question, parent=None, body="Gone", author=facilitator)
    delete_post(post=reply)
    for callback in pending:
        callback()
    assert Notification.objects.count() == 0


def test_members_who_left_hear_nothing_more(
    group, assigned_reading, member, facilitator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        question = make_annotation(group, assigned_reading, member)
        post_reply(annotation=question, parent=None, body="Before", author=facilitator)
    remove_member(group=group, membership=member.memberships.get(), actor=member)
    assert inbox(member) == []  # the old news leaves the inbox too
    with django_capture_on_commit_callbacks(execute=True):
        post_reply(annotation=question, parent=None, body="After", author=facilitator)
    assert Notification.objects.filter(user=member).count() == 1


def test_an_answer_tells_the_asker(
    group, assigned_reading, member, facilitator, django_capture_on_commit_callbacks
):
    question = make_annotation(group, assigned_reading, member)
    with django_capture_on_commit_callbacks(execute=True):
        set_answered(annotation=question, answered=True, actor=facilitator)
    with django_capture_on_commit_callbacks(execute=True):
        set_answered(annotation=question, answered=False, actor=facilitator)
    assert inbox(member) == [Kind.ANSWERED]
    with django_capture_on_commit_callbacks(execute=True):
        set_answered(annotation=question, answered=True, actor=member)  # their own act
    assert inbox(member) == [Kind.ANSWERED]


def test_agenda_and_meeting_tell_the_group_once(
    group, assigned_reading, member, facilitator, organizer, django_capture_on_commit_callbacks
):
    toggle_follow(user=member, group=group, reading=assigned_reading)
    add_agenda_item(group=group, reading=assigned_reading, text="Why?", minutes=5, seen_version=0)
    with django_capture_on_commit_callbacks(execute=True):
        publish_agenda(group=group, reading=assigned_reading, actor=facilitator, seen_version=1)
        meeting = start_meeting(group=group, reading=assigned_reading, actor=facilitator)
        start_meeting(group=group, reading=assigned_reading, actor=organizer)  # the same one
    # The agenda's new thread is told of as the agenda, not again as a post.
    assert inbox(member) == [Kind.MEETING, Kind.AGENDA]
    assert inbox(organizer) == [Kind.MEETING, Kind.AGENDA]
    assert inbox(facilitator) == []
    assert Notification.objects.filter(kind=Kind.MEETING).first().url == meeting.get_absolute_url()


def test_starting_or_replying_follows_the_thread(
    group, assigned_reading, member, facilitator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        question = make_annotation(group, assigned_reading, member)
        post_reply(annotation=question, parent=None, body="Yes", author=facilitator)
    followers = Follow.objects.filter(annotation=question).values_list("user", flat=True)
    assert set(followers) == {member.pk, facilitator.pk}


def test_a_retried_fan_out_notifies_once(group, assigned_reading, member, facilitator):
    from notifications.services import fan_out

    question = make_annotation(group, assigned_reading, member)
    reply = post_reply(annotation=question, parent=None, body="Yes", author=facilitator)
    Follow.objects.create(user=member, group=group, reading=assigned_reading, annotation=question)
    fan_out("reply_posted", {"reply_id": reply.pk})
    fan_out("reply_posted", {"reply_id": reply.pk})
    assert inbox(member) == [Kind.REPLY]


def test_replies_to_you_are_emailed_at_once_the_rest_waits(
    group, assigned_reading, member, facilitator, organizer, django_capture_on_commit_callbacks
):
    toggle_follow(user=organizer, group=group, reading=assigned_reading)
    with django_capture_on_commit_callbacks(execute=True):
        question = make_annotation(group, assigned_reading, member)
        mail.outbox.clear()
        reply = post_reply(annotation=question, parent=None, body="Because.", author=facilitator)
    assert [m.to for m in mail.outbox] == [[member.email]]  # the organizer's is for the digest
    sent = mail.outbox[0]
    assert sent.subject == f"[{group.name}] {assigned_reading.title}"
    assert f"{question.get_absolute_url()}#r-{reply.pk}" in sent.body
    assert sent.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert sent.extra_headers["List-Unsubscribe"].startswith("<http")
    assert Notification.objects.get(user=member).emailed is not None


def test_email_choices_are_kept(
    group, assigned_reading, member, facilitator, django_capture_on_commit_callbacks
):
    EmailPreference.objects.create(
        user=member, group=group, kind=Kind.REPLY, choice=EmailPreference.Choice.OFF
    )
    with django_capture_on_commit_callbacks(execute=True):
        question = make_annotation(group, assigned_reading, member)
        post_reply(annotation=question, parent=None, body="Because.", author=facilitator)
    assert mail.outbox == []
    assert inbox(member) == [Kind.REPLY]


class FailingOnce:
    """A mail server that is down for the first send."""

    calls = 0

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        FailingOnce.calls += 1
        if FailingOnce.calls == 1:
            raise OSError("connection refused")
        mail.outbox.extend(messages)
        return len(messages)


def test_a_failed_send_is_retried_and_keeps_the_notification(
    settings, group, assigned_reading, member, facilitator, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = f"{__name__}.FailingOnce"
    FailingOnce.calls = 0
    with django_capture_on_commit_callbacks(execute=True):
        question = make_annotation(group, assigned_reading, member)
        post_reply(annotation=question, parent=None, body="Because.", author=facilitator)
    assert FailingOnce.calls == 2
    assert len(mail.outbox) == 1
    assert Notification.objects.get(user=member).emailed is not None


class AlwaysDown(FailingOnce):
    def send_messages(self, messages):
        raise OSError("connection refused")


def test_a_send_that_keeps_failing_loses_no_notification(
    settings, group, assigned_reading, member, facilitator, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = f"{__name__}.AlwaysDown"
    with django_capture_on_commit_callbacks(execute=True):
        question = make_annotation(group, assigned_reading, member)
        post_reply(annotation=question, parent=None, body="Because.", author=facilitator)
    notification = Notification.objects.get(user=member)
    assert notification.emailed is None  # the digest takes it up later
