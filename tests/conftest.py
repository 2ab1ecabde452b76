"""The cast every view test draws on (anonymous, outsider, member, facilitator,
organizer, staff), and plain helpers to make data."""

import re
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache, caches
from django.test import Client
from django.utils import timezone

from groups.models import Membership
from groups.services import assign_reading, create_group
from readings.models import Passage, Reading
from readings.services import passage_anchors

PASSWORD = "a-long-test-password"


def make_user(email: str, display_name: str = "", *, verified: bool = True, **extra):
    """A person; `verified` as if they had followed the link sent to their address."""
    user = get_user_model().objects.create_user(
        email=email, password=PASSWORD, display_name=display_name or email.split("@")[0], **extra
    )
    EmailAddress.objects.create(user=user, email=email, verified=verified, primary=True)
    return user


def make_reading(passages: int = 3, title: str = "A reading", **fields) -> Reading:
    fields.setdefault("status", Reading.Status.PUBLISHED)
    reading = Reading.objects.create(
        title=title, slug=fields.pop("slug", title.lower().replace(" ", "-")), **fields
    )
    texts = [f"Passage number {n} says something worth discussing." for n in range(1, passages + 1)]
    Passage.objects.bulk_create(
        Passage(reading=reading, position=n, anchor=anchor, text=text, html=text)
        for n, (text, anchor) in enumerate(zip(texts, passage_anchors(texts), strict=True), start=1)
    )
    return reading


def add_member(group, user, role=Membership.Role.MEMBER) -> Membership:
    return Membership.objects.create(group=group, user=user, role=role)


def signed_in(client, user):
    client.force_login(user)
    return client


def browsing_as(django_app, user):
    """django-webtest's app with `user` signed in by a real session, as a browser
    is after signing in (its own `user=` skips the session pages depend on)."""
    client = Client()
    client.force_login(user)
    cookie = settings.SESSION_COOKIE_NAME
    django_app.set_cookie(cookie, client.cookies[cookie].value)
    return django_app


def form_with(page, button: str):
    """The form on a django-webtest page whose submit button says `button`."""
    says = re.compile(rf">\s*{re.escape(button)}\s*</button>")
    return next(form for form in page.forms.values() if says.search(form.text))


def make_questions(group, reading, authors, n: int) -> list:
    """`n` questions spread over the passages, authors, votes and time, some
    answered, some on words: bulk-created, as the list must cope with many."""
    from discussions.models import Annotation

    passages = list(reading.passages.all())
    now = timezone.now()
    Annotation.objects.bulk_create(
        Annotation(
            group=group,
            reading=reading,
            passage=passages[i * 7 % len(passages)],
            author=authors[i % len(authors)],
            kind=Annotation.Kind.QUESTION,
            body=f"Question {i}",
            body_html=f"<p>Question {i}</p>",
            vote_count=i * 5 % 4,
            # Some share a time: the order still settles each one's place.
            created=now - timedelta(minutes=i * 3 % 17),
            answered=now if i % 3 == 0 else None,
            start=i % 4 if i % 2 else None,
            end=i % 4 + 5 if i % 2 else None,
        )
        for i in range(n)
    )
    return list(Annotation.objects.filter(reading=reading, kind=Annotation.Kind.QUESTION))


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Real hashing costs a third of a second per user; tests make hundreds.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def empty_caches() -> None:
    """The shared cache and this process's copies of the pieces, emptied."""
    cache.clear()
    caches["pieces"].clear()


@pytest.fixture(autouse=True)
def empty_cache():
    # Each test's database starts its ids and versions again: so must the caches.
    empty_caches()


@pytest.fixture
def staff(db):
    return make_user("staff@example.org", "Stella Staff", is_staff=True)


@pytest.fixture
def organizer(db):
    return make_user("organizer@example.org", "Olga Organizer")


@pytest.fixture
def facilitator(db):
    return make_user("facilitator@example.org", "Femi Facilitator")


@pytest.fixture
def member(db):
    return make_user("member@example.org", "Maya Member")


@pytest.fixture
def outsider(db):
    return make_user("outsider@example.org", "Otto Outsider")


@pytest.fixture
def group(organizer, facilitator, member):
    group = create_group(name="Night readers", description="We read late.", creator=organizer)
    add_member(group, facilitator, Membership.Role.FACILITATOR)
    add_member(group, member)
    return group


@pytest.fixture
def assigned_reading(group, organizer):
    reading = make_reading(title="On the syllabus")
    assign_reading(group=group, reading=reading, meeting_date=None, notes="", actor=organizer)
    return reading


@pytest.fixture
def staff_client(client, staff):
    return signed_in(client, staff)


@pytest.fixture
def member_client(client, member):
    return signed_in(client, member)


def make_annotation(
    group, reading, author, *, kind="question", body="Why?", passage=None, words=""
):
    """A thread on the reading, on `words` of the passage when given."""
    from discussions.anchoring import resolve_selector
    from discussions.services import post_annotation

    passage = passage or reading.passages.first()
    selector = resolve_selector(passage.text, exact=words) if words else None
    return post_annotation(
        group=group,
        reading=reading,
        passage=passage,
        kind=kind,
        body=body,
        author=author,
        selector=selector,
    )
