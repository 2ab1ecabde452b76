"""The cast every view test draws on, and plain helpers to make data."""

import pytest
from django.contrib.auth import get_user_model

from readings.models import Passage, Reading
from readings.services import passage_anchors

PASSWORD = "a-long-test-password"


def make_user(email: str, display_name: str = "", **extra):
    return get_user_model().objects.create_user(
        email=email, password=PASSWORD, display_name=display_name or email.split("@")[0], **extra
    )


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


@pytest.fixture
def staff(db):
    return make_user("staff@example.org", "Stella Staff", is_staff=True)


@pytest.fixture
def member(db):
    return make_user("member@example.org", "Maya Member")


@pytest.fixture
def outsider(db):
    return make_user("outsider@example.org", "Otto Outsider")


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def member_client(client, member):
    client.force_login(member)
    return client
