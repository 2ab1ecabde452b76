import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from discussions.services import post_reply
from groups.services import assign_reading, create_group
from tests.conftest import make_annotation, make_reading, make_user, signed_in


@pytest.mark.django_db
def test_anonymous_visitors_get_the_landing_page(client):
    page = client.get(reverse("groups:home")).content.decode()
    assert "Read together, talk in the margins." in page
    assert reverse("account_signup") in page


@pytest.mark.django_db
def test_dashboard_lists_groups_meetings_and_readings(client, group, member, organizer):
    today = timezone.localdate()
    soon = make_reading(title="Soon")
    assign_reading(
        group=group,
        reading=soon,
        meeting_date=today + datetime.timedelta(days=2),
        notes="",
        actor=organizer,
    )
    assign_reading(
        group=group,
        reading=make_reading(title="Last month"),
        meeting_date=today - datetime.timedelta(days=30),
        notes="",
        actor=organizer,
    )
    elsewhere = create_group(name="Not mine", description="", creator=organizer)
    assign_reading(
        group=elsewhere,
        reading=make_reading(title="Secret"),
        meeting_date=today,
        notes="",
        actor=organizer,
    )

    page = signed_in(client, member).get("/").content.decode()
    assert "Welcome, Maya Member" in page
    assert f'href="/g/{group.slug}/">Night readers</a>' in page
    meetings = page[page.index("Next meetings") : page.index("On your syllabi")]
    assert f'href="/g/{group.slug}/r/{soon.slug}/">Soon</a>' in meetings
    assert "Last month" not in meetings
    assert "Last month" in page
    assert "Not mine" not in page and "Secret" not in page
    assert "Open the library" not in page


@pytest.mark.django_db
def test_staff_see_the_library_link(client, staff):
    page = signed_in(client, staff).get("/").content.decode()
    assert "Open the library" in page and "You are not in a group yet." in page


@pytest.mark.django_db
def test_dashboard_queries_stay_flat(client, member, django_assert_num_queries):
    signed_in(client, member)
    organizer = make_user("o@example.org")
    readings = 0
    for size in (1, 20):
        readings += size
        for i in range(size):
            group = create_group(name=f"Group {size}-{i}", description="", creator=organizer)
            group.memberships.create(user=member)
            reading = make_reading(title=f"Reading {size}-{i}")
            assign_reading(
                group=group,
                reading=reading,
                meeting_date=timezone.localdate(),
                notes="",
                actor=organizer,
            )
            thread = make_annotation(group, reading, organizer)
            post_reply(annotation=thread, parent=None, body="Yes", author=organizer)
        # session, user, memberships with groups, assignments with groups and readings,
        # new threads, new replies, the header's inbox count
        with django_assert_num_queries(7):
            page = client.get("/").content.decode()
        assert page.count("2 new posts (1 question)") == readings
