"""An organizer starts a group and shares its invite link; a newcomer signs up
through it, confirms their address, and lands in the group, with its syllabus
in front of them."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from groups.services import assign_reading, create_group
from tests.conftest import PASSWORD, make_reading, make_user
from tests.e2e.conftest import assert_accessible, sign_in

pytestmark = pytest.mark.e2e


def test_invite_link_brings_a_new_member_into_the_group(browser, live_server, transactional_db):
    organizer = make_user("olga@example.org", "Olga Organizer")
    make_reading(title="Bread and roses")

    context = browser.new_context(base_url=live_server.url)
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    sign_in(page, organizer.email, PASSWORD)
    page.get_by_role("link", name="Start a group").click()
    page.get_by_label("Name").fill("Thursday readers")
    page.get_by_label("Description").fill("A slow reading group.")
    page.get_by_role("button", name="Create group").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thursday readers")

    # An empty syllabus opens the form to fill it.
    page.get_by_label("Reading").select_option(label="Bread and roses")
    page.get_by_label("Meeting date").fill("2031-05-01")
    page.get_by_role("button", name="Add to syllabus").click()
    expect(page.get_by_text("“Bread and roses” is on the syllabus.")).to_be_visible()

    page.get_by_role("link", name="Members and invitations").click()
    page.get_by_role("button", name="Copy link").click()
    expect(page.get_by_role("button", name="Copied")).to_be_visible()
    invite_link = page.evaluate("navigator.clipboard.readText()")
    assert invite_link == page.get_by_label("Invite link").input_value()
    assert re.search(r"/g/thursday-readers-[a-z0-9]{6}/join/", invite_link)
    context.close()

    newcomer = browser.new_context()
    page = newcomer.new_page()
    page.goto(invite_link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Join Thursday readers")
    page.get_by_role("link", name="Sign up and join").click()
    page.get_by_label("Email").fill("nell@example.org")
    page.get_by_label("Display name").fill("Nell Newcomer")
    page.get_by_label("Password", exact=True).fill("correct-horse-battery")
    page.get_by_label("Password (again)").fill("correct-horse-battery")
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_text("We have sent an email to you for verification")).to_be_visible()

    link = re.search(r"https?://\S+/accounts/confirm-email/\S+", mail.outbox[-1].body).group(0)
    page.goto(link)
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thursday readers")
    syllabus = page.get_by_role("region", name="Syllabus")
    expect(syllabus.get_by_role("link", name="Bread and roses")).to_be_visible()
    expect(syllabus).to_contain_text("Thu 1 May 2031")
    expect(page.get_by_role("region", name="Members (2)")).to_contain_text("Nell Newcomer")
    newcomer.close()


def test_an_organizer_edits_the_syllabus_and_the_group_then_deletes_it(
    browser, live_server, transactional_db
):
    organizer = make_user("olga@example.org", "Olga Organizer")
    group = create_group(name="Thursday readers", description="", creator=organizer)
    reading = make_reading(title="Bread and roses")
    assign_reading(group=group, reading=reading, meeting_date=None, notes="", actor=organizer)
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    sign_in(page, organizer.email, PASSWORD)
    page.goto(group.get_absolute_url())

    page.get_by_role("link", name="Edit date and notes for Bread and roses").click()
    assert_accessible(page)
    page.get_by_label("Meeting date").fill("2031-05-01")
    page.get_by_label("Notes").fill("Chapters one and two")
    page.get_by_role("button", name="Save date and notes").click()
    expect(page.get_by_text("Chapters one and two")).to_be_visible()

    page.get_by_role("link", name="Edit or delete the group").click()
    assert_accessible(page)
    page.get_by_label("Name").fill("Friday readers")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Friday readers")

    page.get_by_role("link", name="Edit or delete the group").click()
    page.get_by_role("link", name="Delete Friday readers…").click()
    assert_accessible(page)
    page.get_by_label("The group's name").fill("Friday")
    page.get_by_role("button", name="Delete this group").click()
    expect(page.get_by_text("Nothing was deleted")).to_be_visible()
    page.get_by_label("The group's name").fill("Friday readers")
    page.get_by_role("button", name="Delete this group").click()
    expect(page.get_by_text("The group Friday readers is deleted")).to_be_visible()
    context.close()
