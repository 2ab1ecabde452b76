"""With JavaScript on, a destructive action still waits for its "Yes, …" box."""

import pytest

from discussions.models import Annotation
from groups.services import assign_reading, create_group
from tests.conftest import PASSWORD, make_annotation, make_reading, make_user
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e


def test_deleting_a_post_waits_for_the_tick(page, transactional_db):
    author = make_user("author@example.org", "Abe Author")
    group = create_group(name="Kitchen table", description="", creator=author)
    reading = make_reading(title="Study circles")
    assign_reading(group=group, reading=reading, meeting_date=None, notes="", actor=author)
    question = make_annotation(group, reading, author, body="Second thoughts")
    sign_in(page, author.email, PASSWORD)
    page.goto(question.get_absolute_url())
    page.locator("summary", has_text="Delete").click()
    page.get_by_role("button", name="Delete").click()
    page.wait_for_timeout(500)  # time for a request, had one been sent and done anything
    assert Annotation.objects.get().deleted is None
    page.get_by_label("Yes, delete it").check()
    page.get_by_role("button", name="Delete").click()
    anchor = question.passage.anchor
    page.wait_for_url(f"**/r/{reading.slug}/?at={anchor}#{anchor}")
    assert Annotation.objects.get().deleted is not None
