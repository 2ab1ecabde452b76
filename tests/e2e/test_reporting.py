"""A member reports a post and is told so where the Report form was."""

import pytest
from playwright.sync_api import expect

from discussions.models import Flag
from groups.services import assign_reading, create_group
from tests.conftest import add_member, make_annotation, make_reading, make_user

pytestmark = pytest.mark.e2e


@pytest.fixture
def rude_question(transactional_db):
    author = make_user("author@example.org", "Abe Author")
    reader = make_user("reader@example.org", "Rita Reader")
    group = create_group(name="Kitchen table", description="", creator=author)
    add_member(group, reader)
    reading = make_reading(title="Study circles")
    assign_reading(group=group, reading=reading, meeting_date=None, notes="", actor=author)
    question = make_annotation(group, reading, author, body="A rude question")
    return reader, question


def test_reporting_a_post_says_reported_in_place(open_as, rude_question):
    reader, question = rude_question
    page = open_as(reader, question.get_absolute_url())
    page.evaluate("window.sameDocument = true")
    page.get_by_text("Report", exact=True).click()
    page.get_by_label("What is wrong with it?").fill("Rude")
    page.get_by_role("button", name="Report to the moderators").click()
    expect(
        page.get_by_role("status").filter(has_text="Reported to the moderators.")
    ).to_be_visible()
    expect(page.get_by_role("button", name="Report to the moderators")).to_have_count(0)
    assert page.evaluate("window.sameDocument === true")  # in place: no page was loaded
    assert Flag.objects.get().reason == "Rude"
