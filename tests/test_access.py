"""Every URL pattern in the project, and what each kind of person gets from it.

The table states the expected answer for GET and for POST (with no form data),
for: anonymous, outsider, member, facilitator, organizer, staff. A URL pattern
without a row fails the suite, so every new URL comes with its access rules.

  L  redirect to the sign-in page      A  redirect to the admin's sign-in page
  R  redirect elsewhere (a write done, or a page that sends you on)
  numbers are status codes
"""

import re

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLResolver, get_resolver
from django.utils.timezone import now

from accounts.models import ApiToken
from accounts.tokens import create_token
from discussions.models import PrintJob
from discussions.services import post_reply
from facilitation.services import add_agenda_item, publish_agenda, start_meeting
from groups.models import Assignment
from notifications.emails import unsubscribe_token
from notifications.models import Notification
from readings.models import Upload
from readings.services import upload_revision
from tests.conftest import make_annotation

ROLES = ("anonymous", "outsider", "member", "facilitator", "organizer", "staff")
EVERYONE_200 = "200 200 200 200 200 200"
GET_ONLY = "405 405 405 405 405 405"
SIGNED_IN_GET_ONLY = "L 405 405 405 405 405"
ADMIN_MODEL = ("A A A A A 403", "A A A A A 403")  # staff without that model's permission
ADMIN_OBJECT = ("A A A A A R", "A A A A A R")  # the admin sends /<id>/ on to /<id>/change/

READING = "g/<slug:slug>/r/<slug:reading_slug>/"
THREAD = READING + "t/<int:thread_id>/"

EXPECTED = {
    # The home page: a landing page or the dashboard.
    "": (EVERYONE_200, GET_ONLY),
    # Groups: private to their members; organizers manage them. Staff are outsiders
    # to every group they are not a member of (the staff here are in none).
    "g/new/": ("L 200 200 200 200 200", "L 200 200 200 200 200"),
    "g/<slug:slug>/": ("L 404 200 200 200 404", SIGNED_IN_GET_ONLY),
    "g/<slug:slug>/edit/": ("L 404 403 403 200 404", "L 404 403 403 400 404"),
    # Deleting asks for the group's name: a POST without it deletes nothing.
    "g/<slug:slug>/delete/": ("L 404 403 403 200 404", "L 404 403 403 R 404"),
    "g/<slug:slug>/join/<str:code>/": ("200 200 R R R 200", "L R R R R R"),
    "g/<slug:slug>/leave/": (SIGNED_IN_GET_ONLY, "L 404 R R R 404"),
    "g/<slug:slug>/members/": ("L 404 403 403 200 404", SIGNED_IN_GET_ONLY),
    "g/<slug:slug>/members/<int:user_id>/role/": (SIGNED_IN_GET_ONLY, "L 404 403 403 R 404"),
    "g/<slug:slug>/members/<int:user_id>/remove/": (SIGNED_IN_GET_ONLY, "L 404 403 403 R 404"),
    "g/<slug:slug>/invite/": (SIGNED_IN_GET_ONLY, "L 404 403 403 400 404"),
    "g/<slug:slug>/invite/rotate/": (SIGNED_IN_GET_ONLY, "L 404 403 403 R 404"),
    "g/<slug:slug>/syllabus/": (SIGNED_IN_GET_ONLY, "L 404 403 403 R 404"),
    "g/<slug:slug>/syllabus/<int:assignment_id>/edit/": (
        "L 404 403 403 200 404",
        "L 404 403 403 R 404",
    ),
    "g/<slug:slug>/syllabus/<int:assignment_id>/remove/": (
        SIGNED_IN_GET_ONLY,
        "L 404 403 403 R 404",
    ),
    "g/<slug:slug>/moderation/": ("L 404 403 200 200 404", SIGNED_IN_GET_ONLY),
    # A reading's discussion: members only. The thread is the member's own question:
    # only its author edits or deletes it, the others may vote on it, moderators moderate.
    "g/<slug:slug>/r/<slug:reading_slug>/": ("L 404 200 200 200 404", SIGNED_IN_GET_ONLY),
    "g/<slug:slug>/r/<slug:reading_slug>/annotate/": (SIGNED_IN_GET_ONLY, "L 404 400 400 400 404"),
    # The live poll wants the signed ticket its page gives out; without it, nothing.
    "g/<slug:slug>/r/<slug:reading_slug>/live/": ("404 404 404 404 404 404", GET_ONLY),
    # Orphans (threads whose words a revision took out): each member sees the ones
    # they may attach again (a facilitator, the group's; anyone, their own). The
    # thread here is anchored, not an orphan, so there is nothing to attach.
    READING + "orphans/": ("L 404 200 200 200 404", SIGNED_IN_GET_ONLY),
    # A passage with every thread on it: what its margin's "Show all" opens.
    READING + "p/<slug:anchor>/": ("L 404 200 200 200 404", SIGNED_IN_GET_ONLY),
    # The print edition (and its PDF): members only, each seeing what they may.
    READING + "print/": ("L 404 200 200 200 404", SIGNED_IN_GET_ONLY),
    # Its PDF, asked for by a POST naming the choices (a bare one is refused), is made
    # by the task worker; the job (here the member's, done) is its owner's alone.
    READING + "print/pdf/": (SIGNED_IN_GET_ONLY, "L 404 400 400 400 404"),
    READING + "print/pdf/<int:job_id>/": ("L 404 200 404 404 404", SIGNED_IN_GET_ONLY),
    READING + "print/pdf/<int:job_id>/file/": ("L 404 200 404 404 404", SIGNED_IN_GET_ONLY),
    READING + "orphans/<int:thread_id>/": (SIGNED_IN_GET_ONLY, "L 404 404 404 404 404"),
    # Agendas: facilitators and organizers. The meeting runs: members follow it,
    # facilitators drive it; it has no summary to export until it ends.
    READING + "agenda/": ("L 404 403 200 200 404", SIGNED_IN_GET_ONLY),
    READING + "agenda/edit/": (SIGNED_IN_GET_ONLY, "L 404 403 R R 404"),
    READING + "agenda/add/": (SIGNED_IN_GET_ONLY, "L 404 403 400 400 404"),
    READING + "agenda/<int:item_id>/": (SIGNED_IN_GET_ONLY, "L 404 403 R R 404"),
    READING + "agenda/guide/": ("L 404 403 200 200 404", SIGNED_IN_GET_ONLY),
    READING + "agenda/guide.md": ("L 404 403 200 200 404", SIGNED_IN_GET_ONLY),
    # A reading's overview is for its facilitators; participation for every member
    # (each sees their own figures; tests/facilitation/test_participation.py).
    READING + "overview/": ("L 404 403 200 200 404", SIGNED_IN_GET_ONLY),
    "g/<slug:slug>/participation/": ("L 404 200 200 200 404", SIGNED_IN_GET_ONLY),
    READING + "meetings/start/": (SIGNED_IN_GET_ONLY, "L 404 403 R R 404"),
    "g/<slug:slug>/m/<int:meeting_id>/": ("L 404 200 200 200 404", "L 404 403 R R 404"),
    "g/<slug:slug>/m/<int:meeting_id>/live/": ("404 404 404 404 404 404", GET_ONLY),
    "g/<slug:slug>/m/<int:meeting_id>/summary.md": ("L 404 404 404 404 404", SIGNED_IN_GET_ONLY),
    THREAD: ("L 404 200 200 200 404", SIGNED_IN_GET_ONLY),
    THREAD + "reply/": (SIGNED_IN_GET_ONLY, "L 404 400 400 400 404"),
    THREAD + "edit/": (SIGNED_IN_GET_ONLY, "L 404 R 403 403 404"),
    THREAD + "delete/": (SIGNED_IN_GET_ONLY, "L 404 R 403 403 404"),
    THREAD + "vote/": (SIGNED_IN_GET_ONLY, "L 404 403 R R 404"),
    # Reacting wants a kind and whether to put it on: a bare POST is refused.
    THREAD + "react/": (SIGNED_IN_GET_ONLY, "L 404 400 400 400 404"),
    THREAD + "answered/": (SIGNED_IN_GET_ONLY, "L 404 R R R 404"),
    # Asking for answers first, or revealing the replies: the group's facilitators.
    THREAD + "answer-first/": (SIGNED_IN_GET_ONLY, "L 404 403 R R 404"),
    THREAD + "flag/": (SIGNED_IN_GET_ONLY, "L 404 R R R 404"),
    THREAD + "moderate/": (SIGNED_IN_GET_ONLY, "L 404 403 R R 404"),
    # Exports: a reading's discussion for its members; the whole group, and imports,
    # for organizers.
    READING + "export.md": ("L 404 200 200 200 404", SIGNED_IN_GET_ONLY),
    READING + "export.csv": ("L 404 200 200 200 404", SIGNED_IN_GET_ONLY),
    "g/<slug:slug>/export.jsonld": ("L 404 403 403 200 404", SIGNED_IN_GET_ONLY),
    "g/<slug:slug>/import/": ("L 404 403 403 200 404", "L 404 403 403 400 404"),
    # The JSON API answers in JSON: 401 to the anonymous, 404 to outsiders; its
    # documentation is public. (PATCH and DELETE: tests/discussions/test_api.py.)
    "api/": (EVERYONE_200, GET_ONLY),
    "api/schema": (EVERYONE_200, GET_ONLY),
    "api/annotations": (GET_ONLY, "401 400 400 400 400 400"),
    "api/annotations/<int:pk>": ("401 404 200 200 200 404", GET_ONLY),
    "api/annotations/<int:pk>/replies/<int:reply_pk>": ("401 404 200 200 200 404", GET_ONLY),
    "api/groups/<slug:slug>/readings/<slug:reading_slug>/annotations": (
        "401 404 200 200 200 404",
        GET_ONLY,
    ),
    # Search: across the groups one belongs to (staff, in none here, find nothing).
    "search/": ("L 200 200 200 200 200", SIGNED_IN_GET_ONLY),
    # Settings: one's own API tokens (the token here is the member's).
    "settings/": ("L 200 200 200 200 200", "L 400 400 400 400 400"),
    "settings/name/": (SIGNED_IN_GET_ONLY, "L 400 400 400 400 400"),
    "settings/tokens/<int:token_id>/revoke/": (SIGNED_IN_GET_ONLY, "L 404 R 404 404 404"),
    # The library: staff only; to everyone else it does not exist.
    "library/": ("L 404 404 404 404 200", "L 404 404 404 404 400"),
    "library/<slug:slug>/": ("L 404 404 404 404 200", "L 404 404 404 404 400"),
    "library/<slug:slug>/publish/": (SIGNED_IN_GET_ONLY, "L 404 404 404 404 R"),
    "library/<slug:slug>/delete/": (SIGNED_IN_GET_ONLY, "L 404 404 404 404 R"),
    "library/<slug:slug>/read/": ("L 404 404 404 404 200", SIGNED_IN_GET_ONLY),
    # An upload's progress (here, still importing): any member of staff may follow it.
    "library/uploads/<int:upload_id>/": ("L 404 404 404 404 200", SIGNED_IN_GET_ONLY),
    # Revisions of a reading's text (here the reading has a draft of version 2).
    "library/<slug:slug>/revise/": (SIGNED_IN_GET_ONLY, "L 404 404 404 404 400"),
    "library/<slug:slug>/revisions/": ("L 404 404 404 404 200", SIGNED_IN_GET_ONLY),
    "library/<slug:slug>/revisions/<int:number>/": ("L 404 404 404 404 200", SIGNED_IN_GET_ONLY),
    "library/<slug:slug>/revisions/<int:number>/publish/": (
        SIGNED_IN_GET_ONLY,
        "L 404 404 404 404 R",
    ),
    "library/<slug:slug>/revisions/<int:number>/discard/": (
        SIGNED_IN_GET_ONLY,
        "L 404 404 404 404 R",
    ),
    # Accounts (allauth): signed-in people are sent on from sign-in and sign-up.
    "accounts/login/": ("200 R R R R R", "200 R R R R R"),
    "accounts/logout/": ("R 200 200 200 200 200", "R R R R R R"),
    "accounts/inactive/": (EVERYONE_200, GET_ONLY),
    "accounts/signup/": ("200 R R R R R", "200 R R R R R"),
    "accounts/reauthenticate/": ("L 200 200 200 200 200", "L 200 200 200 200 200"),
    "accounts/email/": ("L 200 200 200 200 200", "L R R R R R"),
    "accounts/confirm-email/": (EVERYONE_200, GET_ONLY),
    "accounts/password/change/": ("L 200 200 200 200 200", "L 200 200 200 200 200"),
    "accounts/password/set/": ("L R R R R R", "L R R R R R"),
    "accounts/password/reset/": (EVERYONE_200, EVERYONE_200),
    "accounts/login/code/confirm/": ("L R R R R R", "L R R R R R"),
    "accounts/^confirm-email/(?P<key>[-:\\w]+)/$": (EVERYONE_200, "404 404 404 404 404 404"),
    "accounts/password/reset/key/done/": (EVERYONE_200, GET_ONLY),
    "accounts/^password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$": (
        EVERYONE_200,
        EVERYONE_200,
    ),
    "accounts/password/reset/done/": (EVERYONE_200, GET_ONLY),
    # Django's admin: only staff get past its sign-in.
    "admin/": ("A A A A A 200", "A A A A A 200"),
    # Its sign-in is the site's (with its rate limits); signed-in non-staff are refused.
    "admin/login/": ("L 403 403 403 403 R", "L 403 403 403 403 200"),
    "admin/logout/": ("R R R R R 405", "R R R R R 200"),
    "admin/password_change/": ("A A A A A 200", "A A A A A 200"),
    "admin/password_change/done/": ("A A A A A 200", "A A A A A 405"),
    "admin/autocomplete/": ("A A A A A 403", "A A A A A 405"),
    "admin/jsi18n/": ("A A A A A 200", "A A A A A 405"),
    "admin/account/emailaddress/": ADMIN_MODEL,
    "admin/account/emailaddress/add/": ADMIN_MODEL,
    "admin/account/emailaddress/<path:object_id>/history/": ADMIN_MODEL,
    "admin/account/emailaddress/<path:object_id>/delete/": ADMIN_MODEL,
    "admin/account/emailaddress/<path:object_id>/change/": ADMIN_MODEL,
    "admin/account/emailaddress/<path:object_id>/": ADMIN_OBJECT,
    "admin/accounts/user/<id>/password/": ADMIN_MODEL,
    "admin/accounts/user/": ADMIN_MODEL,
    "admin/accounts/user/add/": ADMIN_MODEL,
    "admin/accounts/user/<path:object_id>/history/": ADMIN_MODEL,
    "admin/accounts/user/<path:object_id>/delete/": ADMIN_MODEL,
    "admin/accounts/user/<path:object_id>/change/": ADMIN_MODEL,
    "admin/accounts/user/<path:object_id>/": ADMIN_OBJECT,
    "admin/^(?P<app_label>account|accounts)/$": ("A A A A A 404", "A A A A A 404"),
    "admin/(?P<url>.*)$": ("A A A A A 404", "A A A A A 404"),
    # The inbox is one's own: another's notification does not exist (404). An
    # unsubscribe link works signed out; this one is tampered with, so it is refused.
    "inbox/": ("L 200 200 200 200 200", SIGNED_IN_GET_ONLY),
    "inbox/read/": (SIGNED_IN_GET_ONLY, "L R R R R R"),
    "inbox/<int:notification_id>/read/": (SIGNED_IN_GET_ONLY, "L 404 R 404 404 404"),
    "inbox/email/": ("L 200 200 200 200 200", "L R 400 400 400 R"),
    "inbox/unsubscribe/<str:token>/": ("400 400 400 400 400 400", "400 400 400 400 400 400"),
    # Following a reading or a thread: its group's members.
    READING + "follow/": (SIGNED_IN_GET_ONLY, "L 404 R R R 404"),
    THREAD + "follow/": (SIGNED_IN_GET_ONLY, "L 404 R R R 404"),
    # For load balancers.
    "healthz": (EVERYONE_200, GET_ONLY),
}


def url_patterns(patterns=None, prefix=""):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from url_patterns(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern)


def test_every_url_pattern_has_stated_access():
    missing = [p for p in url_patterns() if p not in EXPECTED]
    assert missing == [], f"state who may reach these in tests/test_access.py: {missing}"
    stale = [p for p in EXPECTED if p not in set(url_patterns())]
    assert stale == []


def concrete(pattern: str, values: dict) -> str:
    def value(match):
        return str(values[match.group(1) or match.group(2)])

    path = re.sub(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>[^)]*\)", value, pattern)
    return "/" + path.replace("^", "").replace("$", "")


def answer(response) -> str:
    if response.status_code != 302:
        return str(response.status_code)
    location = response["Location"]
    if location.startswith("/accounts/login/"):
        return "L"
    return "A" if location.startswith("/admin/login/") else "R"


@pytest.mark.django_db
@pytest.mark.parametrize("pattern", list(EXPECTED))
def test_access(pattern, group, organizer, facilitator, member, outsider, staff, assigned_reading):
    people = dict(zip(ROLES, (None, outsider, member, facilitator, organizer, staff), strict=True))
    question = make_annotation(group, assigned_reading, member)
    item = add_agenda_item(
        group=group, reading=assigned_reading, text="What is it for?", minutes=5, seen_version=0
    )
    publish_agenda(group=group, reading=assigned_reading, actor=organizer, seen_version=1)
    meeting = start_meeting(group=group, reading=assigned_reading, actor=organizer)
    reply = post_reply(annotation=question, parent=None, body="Yes.", author=facilitator)
    create_token(user=member, name="A script")
    draft = upload_revision(reading=assigned_reading, data=b"New text.\n\nAnd more.", filename="")
    values = {
        "slug": assigned_reading.slug if pattern.startswith("library/") else group.slug,
        "code": group.invite_code,
        "user_id": member.pk,
        "id": member.pk,
        "object_id": member.pk,
        "assignment_id": Assignment.objects.get().pk,
        "reading_slug": assigned_reading.slug,
        "anchor": assigned_reading.passages.first().anchor,
        "thread_id": question.pk,
        "pk": question.pk,
        "reply_pk": reply.pk,
        "token_id": ApiToken.objects.get().pk,
        "item_id": item.pk,
        "meeting_id": meeting.pk,
        "number": draft.number,
        "upload_id": Upload.objects.create(filename="long.pdf", data=b"%PDF").pk,
        "job_id": PrintJob.objects.create(
            user=member, group=group, reading=assigned_reading, pdf=b"%PDF-", finished=now()
        ).pk,
        "key": "not-a-real-key",
        "uidb36": "1",
        "url": "no-such-admin-page/",
        "app_label": "accounts",
        "notification_id": Notification.objects.create(
            user=member, group=group, reading=assigned_reading, event="e", url="/", text="Hi"
        ).pk,
        "token": unsubscribe_token(member, group) + "x",
    }
    url = concrete(pattern, values)
    for method, expected in zip(("get", "post"), EXPECTED[pattern], strict=True):
        got = []
        for role in ROLES:
            # Each request starts from the same data: a POST's effects are undone.
            savepoint = transaction.savepoint()
            client = Client()
            if people[role]:
                client.force_login(people[role])
            got.append(answer(getattr(client, method)(url)))
            transaction.savepoint_rollback(savepoint)
        assert " ".join(got) == expected, f"{method.upper()} {url} as {', '.join(ROLES)}"
