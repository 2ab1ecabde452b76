"""The syllabus (organizers assign published readings) and the
reading in its group's context."""

import datetime

import pytest
from django.urls import reverse

from groups.models import Assignment
from tests.conftest import make_reading, signed_in


@pytest.mark.django_db
def test_organizer_assigns_a_published_reading(client, group, organizer):
    reading = make_reading(title="Bread and roses")
    response = signed_in(client, organizer).post(
        reverse("groups:assign", args=[group.slug]),
        {"reading": reading.pk, "meeting_date": "2031-03-04", "notes": "Read part one"},
        follow=True,
    )
    assignment = Assignment.objects.get()
    assert (assignment.group, assignment.reading, assignment.added_by) == (
        group,
        reading,
        organizer,
    )
    assert assignment.meeting_date == datetime.date(2031, 3, 4)
    page = response.content.decode()
    assert "“Bread and roses” is on the syllabus." in page
    assert "Tue 4 Mar 2031" in page and "Read part one" in page


@pytest.mark.django_db
def test_drafts_and_unknown_readings_cannot_be_assigned(client, group, organizer):
    draft = make_reading(title="Draft", status="draft")
    signed_in(client, organizer)
    response = client.post(
        reverse("groups:assign", args=[group.slug]), {"reading": draft.pk}, follow=True
    )
    assert "The reading was not added: Select a valid choice." in response.content.decode()
    assert not Assignment.objects.exists()
    page = client.get(reverse("groups:group", args=[group.slug])).content.decode()
    assert f'<option value="{draft.pk}"' not in page


@pytest.mark.django_db
def test_members_and_facilitators_cannot_change_the_syllabus(client, group, member, facilitator):
    reading = make_reading()
    for user in (member, facilitator):
        response = signed_in(client, user).post(
            reverse("groups:assign", args=[group.slug]), {"reading": reading.pk}
        )
        assert response.status_code == 403
    assert not Assignment.objects.exists()


@pytest.mark.django_db
def test_staff_cannot_assign_without_being_a_member(client, group, staff):
    reading = make_reading()
    response = signed_in(client, staff).post(
        reverse("groups:assign", args=[group.slug]), {"reading": reading.pk}
    )
    assert response.status_code == 404
    assert not Assignment.objects.exists()


@pytest.mark.django_db
def test_take_a_reading_off_the_syllabus(client, group, organizer, assigned_reading):
    assignment = Assignment.objects.get()
    signed_in(client, organizer).post(
        reverse("groups:unassign", args=[group.slug, assignment.pk]), {"confirm": "yes"}
    )
    assert not Assignment.objects.exists()


@pytest.mark.django_db
def test_reading_in_context_for_members(client, group, member, assigned_reading):
    url = reverse("discussions:reading", args=[group.slug, assigned_reading.slug])
    page = signed_in(client, member).get(url).content.decode()
    assert "On the syllabus" in page
    assert f'<a href="/g/{group.slug}/">Night readers</a>' in page
    assert page.count('class="passage ') == 3


@pytest.mark.django_db
def test_reading_in_context_is_hidden_from_everyone_else(
    client, group, outsider, member, assigned_reading
):
    url = reverse("discussions:reading", args=[group.slug, assigned_reading.slug])
    assert client.get(url).status_code == 302  # anonymous: sign in first
    assert signed_in(client, outsider).get(url).status_code == 404
    # A published reading that is not on this group's syllabus is not reachable through it.
    other = make_reading(title="Elsewhere")
    signed_in(client, member)
    assert (
        client.get(reverse("discussions:reading", args=[group.slug, other.slug])).status_code == 404
    )
