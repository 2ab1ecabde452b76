"""Organizers edit what exists: a syllabus entry's date and notes, the group's
name and description, and delete the group after typing its name."""

import datetime

import pytest
from django.urls import reverse

from discussions.models import Annotation
from groups.models import Assignment, Group, Membership
from groups.services import assign_reading, create_group
from tests.conftest import browsing_as, form_with, make_annotation, make_reading, signed_in


@pytest.mark.django_db
def test_organizer_changes_a_syllabus_entrys_date_and_notes(django_app, group, organizer):
    reading = make_reading(title="Bread and roses")
    assign_reading(group=group, reading=reading, meeting_date=None, notes="", actor=organizer)
    browsing_as(django_app, organizer)
    page = django_app.get(group.get_absolute_url())
    page = page.click(description='Edit date and notes<span class="visually-hidden"> for Bread')
    form = form_with(page, "Save date and notes")
    form["meeting_date"] = "2031-03-04"
    form["notes"] = "Read part two first"
    page = form.submit().follow()
    assert "The date and notes for “Bread and roses” are saved." in page
    assert "Tue 4 Mar 2031" in page and "Read part two first" in page
    assignment = Assignment.objects.get(reading=reading)
    assert assignment.meeting_date == datetime.date(2031, 3, 4)
    # The form shows what is saved, so clearing the date is one field away.
    form = form_with(
        django_app.get(page.request.url).click(href="/edit/$", index=1), "Save date and notes"
    )
    assert form["meeting_date"].value == "2031-03-04"
    form["meeting_date"] = ""
    form.submit()
    assert Assignment.objects.get(reading=reading).meeting_date is None


@pytest.mark.django_db
def test_members_and_facilitators_cannot_edit_the_syllabus(
    client, group, member, facilitator, assigned_reading
):
    assignment = Assignment.objects.get()
    url = reverse("groups:edit_assignment", args=[group.slug, assignment.pk])
    for user in (member, facilitator):
        signed_in(client, user)
        assert client.get(url).status_code == 403
        assert client.post(url, {"meeting_date": "2031-01-01", "notes": "Mine"}).status_code == 403
    assignment.refresh_from_db()
    assert (assignment.meeting_date, assignment.notes) == (None, "")


@pytest.mark.django_db
def test_another_groups_syllabus_entry_is_not_found(client, group, organizer, outsider):
    theirs = create_group(name="Day readers", description="", creator=outsider)
    entry = assign_reading(
        group=theirs, reading=make_reading(), meeting_date=None, notes="Theirs", actor=outsider
    )
    url = reverse("groups:edit_assignment", args=[group.slug, entry.pk])
    signed_in(client, organizer)
    assert client.get(url).status_code == 404
    assert client.post(url, {"notes": "Taken over"}).status_code == 404
    assert Assignment.objects.get(pk=entry.pk).notes == "Theirs"


@pytest.mark.django_db
def test_oversize_or_malformed_syllabus_edits_change_nothing(
    django_app, group, organizer, assigned_reading
):
    browsing_as(django_app, organizer)
    url = reverse("groups:edit_assignment", args=[group.slug, Assignment.objects.get().pk])
    for field, value, says in [
        ("notes", "n" * 2001, "at most 2000 characters"),
        ("meeting_date", "the 4th of never", "Enter a valid date."),
    ]:
        form = form_with(django_app.get(url), "Save date and notes")
        form[field] = value
        page = form.submit(status=400)
        assert says in page
    assignment = Assignment.objects.get()
    assert (assignment.meeting_date, assignment.notes) == (None, "")


@pytest.mark.django_db
def test_organizer_renames_the_group_and_its_address_stays(django_app, group, organizer):
    slug = group.slug
    browsing_as(django_app, organizer)
    page = django_app.get(group.get_absolute_url()).click("Edit or delete the group")
    form = form_with(page, "Save")
    assert form["name"].value == "Night readers"
    form["name"] = "  Evening   readers "
    form["description"] = "We read a little earlier now."
    page = form.submit().follow()
    assert "<h1>Evening readers</h1>" in page and "We read a little earlier now." in page
    group.refresh_from_db()
    assert (group.name, group.slug) == ("Evening readers", slug)


@pytest.mark.django_db
def test_a_name_another_group_has_is_allowed_and_the_addresses_stay_apart(
    django_app, group, organizer, outsider
):
    theirs = create_group(name="Day readers", description="", creator=outsider)
    browsing_as(django_app, organizer)
    form = form_with(django_app.get(reverse("groups:edit", args=[group.slug])), "Save")
    form["name"] = "Day readers"
    form.submit().follow()
    group.refresh_from_db()
    theirs.refresh_from_db()
    assert group.name == theirs.name == "Day readers"
    assert group.slug.startswith("night-readers-") and theirs.slug.startswith("day-readers-")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("name", "x" * 121, "at most 120 characters"),
        ("name", " !!! ", "Give the group a name with letters or numbers in it."),
        ("description", "d" * 2001, "at most 2000 characters"),
    ],
)
def test_bad_group_edits_change_nothing(django_app, group, organizer, field, value, says):
    browsing_as(django_app, organizer)
    form = form_with(django_app.get(reverse("groups:edit", args=[group.slug])), "Save")
    form[field] = value
    assert says in form.submit(status=400)
    group.refresh_from_db()
    assert (group.name, group.description) == ("Night readers", "We read late.")


@pytest.mark.django_db
def test_members_and_facilitators_cannot_edit_or_delete_the_group(
    client, group, member, facilitator
):
    for user in (member, facilitator):
        signed_in(client, user)
        for name in ("groups:edit", "groups:delete"):
            url = reverse(name, args=[group.slug])
            assert client.get(url).status_code == 403
            assert client.post(url, {"name": "Night readers", "description": ""}).status_code == 403
    group.refresh_from_db()
    assert group.name == "Night readers"


@pytest.mark.django_db
def test_organizer_deletes_the_group_after_typing_its_name(
    django_app, group, organizer, member, assigned_reading
):
    make_annotation(group, assigned_reading, member)
    browsing_as(django_app, organizer)
    page = django_app.get(reverse("groups:edit", args=[group.slug])).click("Delete Night readers")
    text = " ".join(page.html.get_text(" ").split())
    assert "its 3 memberships" in text
    assert "its syllabus of 1 reading " in text
    assert "its 1 question, comment and note" in text
    form = form_with(page, "Delete this group")
    form["name"] = "Night readers"
    page = form.submit().follow()
    assert "The group Night readers is deleted" in page
    assert not Group.objects.exists() and not Annotation.objects.exists()
    assert not Membership.objects.exists()
    assigned_reading.refresh_from_db()  # the reading stays in the library


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["", "night readers", "Night readers!", "Night"])
def test_a_group_is_not_deleted_without_its_exact_name(django_app, group, organizer, typed):
    browsing_as(django_app, organizer)
    form = form_with(
        django_app.get(reverse("groups:delete", args=[group.slug])), "Delete this group"
    )
    form["name"] = typed
    page = form.submit().follow()
    assert "Nothing was deleted: Type the name of the group, Night readers, to delete it." in page
    assert Group.objects.filter(pk=group.pk).exists()


@pytest.mark.django_db
def test_another_groups_organizer_cannot_delete_this_one(client, group, outsider):
    create_group(name="Night readers", description="", creator=outsider)
    signed_in(client, outsider)
    response = client.post(reverse("groups:delete", args=[group.slug]), {"name": "Night readers"})
    assert response.status_code == 404
    assert Group.objects.filter(pk=group.pk).exists()
