"""A facilitator asks for answers first on a question; a member reads the
others' replies only after posting their own. Each state passes axe."""

import pytest
from playwright.sync_api import expect

from discussions.services import post_reply
from groups.models import Membership
from groups.services import assign_reading, create_group
from tests.conftest import PASSWORD, add_member, make_annotation, make_reading, make_user
from tests.e2e.conftest import assert_accessible, sign_in

pytestmark = pytest.mark.e2e


def test_a_member_answers_first_then_reads_the_replies(browser, live_server, transactional_db):
    organizer = make_user("olga@example.org", "Olga Organizer")
    facilitator = make_user("femi@example.org", "Femi Facilitator")
    member = make_user("maya@example.org", "Maya Member")
    group = create_group(name="Night readers", description="", creator=organizer)
    add_member(group, facilitator, Membership.Role.FACILITATOR)
    add_member(group, member)
    reading = make_reading(title="On reading")
    assign_reading(group=group, reading=reading, meeting_date=None, notes="", actor=organizer)
    question = make_annotation(group, reading, organizer, body="What is it for?")
    post_reply(annotation=question, parent=None, body="For the long nights.", author=organizer)
    url = question.get_absolute_url()

    def open_as(user):
        context = browser.new_context(base_url=live_server.url)
        page = context.new_page()
        page.set_default_timeout(10_000)
        sign_in(page, user.email, PASSWORD)
        page.goto(url)
        return context, page

    context, page = open_as(facilitator)
    page.get_by_role("button", name="Ask for answers first").click()
    expect(
        page.get_by_text("Members see the replies once they have posted their own.")
    ).to_be_visible()
    expect(page.get_by_role("button", name="Reveal the replies")).to_be_visible()
    expect(page.get_by_text("For the long nights.")).to_be_visible()
    assert_accessible(page)
    context.close()

    context, page = open_as(member)
    expect(page.get_by_text("Answer first to see the replies (1 reply).")).to_be_visible()
    expect(page.get_by_text("For the long nights.")).to_have_count(0)
    assert_accessible(page)
    page.get_by_label("Your reply").fill("For reading aloud.")
    page.get_by_role("button", name="Post", exact=True).click()
    expect(page.get_by_text("For the long nights.")).to_be_visible()
    expect(page.get_by_role("paragraph").filter(has_text="For reading aloud.")).to_be_visible()
    expect(page.get_by_text("Answer first to see")).to_have_count(0)
    assert_accessible(page)
    context.close()
