"""notifications/digest.py and the send_digests command (run by cron)."""

import datetime
import io

from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from discussions.services import set_answered, set_vote
from groups.models import Assignment
from notifications.models import EmailPreference, Kind, Notification
from tests.conftest import make_annotation


def send_digests():
    call_command("send_digests", stdout=io.StringIO())


def notify(user, group, reading, kind, n=0, **fields):
    return Notification.objects.create(
        user=user,
        group=group,
        reading=reading,
        kind=kind,
        event=f"test-{kind}-{n}",
        url=f"/there/#r-{n}",
        text=f"{kind} news {n}",
        **fields,
    )


def test_the_digest_sends_what_waits_for_it_once(group, member, organizer, assigned_reading):
    notify(member, group, assigned_reading, Kind.MEETING)
    notify(member, group, assigned_reading, Kind.AGENDA, emailed=timezone.now())  # sent
    notify(member, group, assigned_reading, Kind.REPLY)  # wanted at once: not the digest's
    send_digests()
    assert [m.to for m in mail.outbox] == [[member.email]]
    digest = mail.outbox[0]
    assert digest.subject == f"[{group.name}] Daily digest"
    assert "meeting news 0" in digest.body and "/there/#r-0" in digest.body
    assert "agenda news" not in digest.body and "reply news" not in digest.body
    assert "/inbox/unsubscribe/" in digest.extra_headers["List-Unsubscribe"]
    mail.outbox.clear()
    send_digests()
    assert mail.outbox == []


def test_no_digest_for_those_who_chose_none(group, member, assigned_reading):
    EmailPreference.objects.create(
        user=member, group=group, kind=Kind.MEETING, choice=EmailPreference.Choice.OFF
    )
    notify(member, group, assigned_reading, Kind.MEETING)
    send_digests()
    assert mail.outbox == []


def test_an_email_that_never_went_out_comes_in_the_digest(group, member, assigned_reading):
    late = notify(member, group, assigned_reading, Kind.REPLY)
    Notification.objects.filter(pk=late.pk).update(
        created=timezone.now() - datetime.timedelta(hours=3)
    )
    send_digests()
    assert "reply news" in mail.outbox[0].body


def test_before_a_meeting_the_digest_says_what_the_group_asked(
    group, member, facilitator, organizer, assigned_reading
):
    Assignment.objects.update(meeting_date=timezone.localdate() + datetime.timedelta(days=2))
    popular = make_annotation(group, assigned_reading, member, body="Popular question")
    set_vote(annotation=popular, user=organizer, on=True)
    make_annotation(group, assigned_reading, member, body="Quiet question")
    answered = make_annotation(group, assigned_reading, member, body="Settled question")
    set_vote(annotation=answered, user=organizer, on=True)
    set_vote(annotation=answered, user=facilitator, on=True)
    set_answered(annotation=answered, answered=True, actor=facilitator)
    make_annotation(group, assigned_reading, member, kind="note", body="Secret question")
    send_digests()
    # Everyone who takes a digest gets it, news or not.
    assert len(mail.outbox) == 3
    body = mail.outbox[0].body
    assert "What the group asked this week" in body
    assert body.index("Popular") < body.index("Quiet") < body.index("Settled")
    assert "Secret" not in body
