import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from groups.models import Group, Membership, MembershipEvent
from groups.services import assign_reading
from tests.conftest import (
    add_member,
    browsing_as,
    form_with,
    make_annotation,
    make_reading,
    make_user,
    signed_in,
)


@pytest.mark.django_db
def test_any_signed_in_user_creates_a_group_and_organizes_it(client, outsider):
    signed_in(client, outsider)
    response = client.post(
        reverse("groups:group_create"), {"name": "  Tuesday   readers ", "description": "Hi"}
    )
    group = Group.objects.get()
    assert response.status_code == 302 and response.url == f"/g/{group.slug}/"
    assert group.name == "Tuesday readers"
    assert re.fullmatch(r"tuesday-readers-[a-z0-9]{6}", group.slug)
    assert Membership.objects.get(group=group).role == Membership.Role.ORGANIZER
    assert MembershipEvent.objects.get(group=group).action == MembershipEvent.Action.CREATED


@pytest.mark.django_db
def test_group_names_need_letters_and_slugs_stay_unique(client, outsider):
    signed_in(client, outsider)
    bad = client.post(reverse("groups:group_create"), {"name": "!!!"})
    assert "Give the group a name with letters or numbers in it." in bad.content.decode()
    client.post(reverse("groups:group_create"), {"name": "New"})
    client.post(reverse("groups:group_create"), {"name": "New"})
    slugs = set(Group.objects.values_list("slug", flat=True))
    assert len(slugs) == 2 and all(re.fullmatch(r"new-[a-z0-9]{6}", slug) for slug in slugs)


@pytest.mark.django_db
def test_a_new_groups_address_does_not_tell_whether_its_name_is_taken(django_app, group, outsider):
    browsing_as(django_app, outsider)
    addresses = []
    for name in (group.name, "A name nobody has used"):
        form = form_with(django_app.get(reverse("groups:group_create")), "Create group")
        form["name"] = name
        addresses.append(form.submit().follow().request.path)
    # Night readers is taken (by the fixture's private group), the other is free:
    # both addresses look alike.
    taken, free = addresses
    assert re.fullmatch(r"/g/night-readers-[a-z0-9]{6}/", taken)
    assert re.fullmatch(r"/g/a-name-nobody-has-used-[a-z0-9]{6}/", free)


@pytest.mark.django_db
def test_anonymous_cannot_create_a_group(client):
    response = client.post(reverse("groups:group_create"), {"name": "Sneaky"})
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    assert not Group.objects.exists()


@pytest.mark.django_db
def test_group_page_is_private(client, group, outsider):
    url = reverse("groups:group", args=[group.slug])
    assert client.get(url).status_code == 302
    signed_in(client, outsider)
    response = client.get(url)
    assert response.status_code == 404
    assert "Night readers" not in response.content.decode()
    assert client.get("/g/no-such-group/").status_code == 404


@pytest.mark.django_db
def test_group_page_lists_the_syllabus_next_meeting_first(client, group, member, organizer):
    today = timezone.localdate()
    for title, days in [("Later", 14), ("Past", -7), ("Undated", None), ("Soon", 3)]:
        date = today + datetime.timedelta(days=days) if days is not None else None
        assign_reading(
            group=group,
            reading=make_reading(title=title),
            meeting_date=date,
            notes="",
            actor=organizer,
        )
    page = signed_in(client, member).get(f"/g/{group.slug}/").content.decode()
    positions = [page.index(f">{title}</a>") for title in ["Soon", "Later", "Undated", "Past"]]
    assert positions == sorted(positions)
    assert page.index("Next meeting") < page.index(">Soon</a>") < page.index(">Later</a>")
    assert "Earlier" in page


@pytest.mark.django_db
def test_group_page_shows_members_and_roles(client, group, member):
    page = signed_in(client, member).get(f"/g/{group.slug}/").content.decode()
    for name in ["Olga Organizer", "Femi Facilitator", "Maya Member"]:
        assert name in page
    assert "Members (3)" in page
    # Members do not get the organizers' controls.
    assert "Add a reading to the syllabus" not in page
    assert "Members and invitations" not in page
    assert "/moderation/" not in page


@pytest.mark.django_db
def test_facilitators_get_the_moderation_link(client, group, facilitator):
    page = signed_in(client, facilitator).get(f"/g/{group.slug}/").content.decode()
    assert f'href="/g/{group.slug}/moderation/">Moderation</a>' in page
    assert "Members and invitations" not in page


@pytest.mark.django_db
def test_organizers_get_the_controls(client, group, organizer):
    page = signed_in(client, organizer).get(f"/g/{group.slug}/").content.decode()
    assert "Add a reading to the syllabus" in page and "Members and invitations" in page


@pytest.mark.django_db
def test_staff_see_a_group_only_as_the_members_its_organizers_added(
    client, group, organizer, staff, assigned_reading
):
    make_annotation(group, assigned_reading, organizer, kind="note", body="Only mine")
    question = make_annotation(group, assigned_reading, organizer, body="A question")
    signed_in(client, staff)
    reading = f"/g/{group.slug}/r/{assigned_reading.slug}/"
    for url in (
        f"/g/{group.slug}/",
        f"/g/{group.slug}/members/",
        f"/g/{group.slug}/export.jsonld",
        reading,
        f"{reading}t/{question.pk}/",
        f"{reading}export.md",
        f"/api/annotations/{question.pk}",
    ):
        assert client.get(url).status_code == 404, url
    assert group.name not in client.get("/").content.decode()

    add_member(group, staff)
    assert client.get(f"/g/{group.slug}/members/").status_code == 403  # a member, no more
    page = client.get(reading).content.decode()
    assert "A question" in page and "Only mine" not in page


@pytest.mark.django_db
def test_group_page_queries_stay_flat(
    client, group, member, facilitator, organizer, django_assert_num_queries
):
    signed_in(client, member)
    counts = []
    for size in (1, 25):
        for i in range(size):
            add_member(group, make_user(f"m{size}-{i}@example.org"))
            reading = make_reading(title=f"Text {size} {i}")
            assign_reading(
                group=group, reading=reading, meeting_date=None, notes="", actor=organizer
            )
            make_annotation(group, reading, organizer, kind="comment")
        # session, user, group with my role, meetings, syllabus with readings, new threads,
        # new replies, members with users, the header's inbox count
        with django_assert_num_queries(9):
            page = client.get(f"/g/{group.slug}/").content.decode()
        counts.append(page.count("1 new post<"))
        # A facilitator's one more: the open reports counted beside the moderation link.
        signed_in(client, facilitator)
        with django_assert_num_queries(10):
            client.get(f"/g/{group.slug}/")
        signed_in(client, member)
    assert counts == [1, 26]
