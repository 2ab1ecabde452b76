"""A facilitator prepares and runs a meeting; a member's page follows it live."""

import time

import pytest
from playwright.sync_api import expect

from facilitation.services import add_agenda_item, publish_agenda, start_meeting, step_meeting
from groups.services import assign_reading, create_group
from readings.models import Passage, Reading
from tests.conftest import PASSWORD, add_member, make_user
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e


def test_member_follows_the_meeting(browser, live_server, transactional_db):
    facilitator = make_user("fran@example.org", "Fran Facilitator")
    member = make_user("milo@example.org", "Milo Member")
    group = create_group(name="Evening circle", description="", creator=facilitator)
    add_member(group, member)
    reading = Reading.objects.create(title="On meetings", slug="on-meetings", status="published")
    for n, text in enumerate(
        ["The first passage is about time.", "The second is about place."], start=1
    ):
        Passage.objects.create(
            reading=reading, position=n, anchor=f"p-meet0{n}", text=text, html=text
        )
    assign_reading(group=group, reading=reading, meeting_date=None, notes="", actor=facilitator)

    contexts = [browser.new_context(base_url=live_server.url) for _ in range(2)]
    lead, follower = (context.new_page() for context in contexts)
    try:
        sign_in(lead, facilitator.email, PASSWORD)
        lead.goto(f"/g/{group.slug}/r/{reading.slug}/agenda/")
        for text, minutes in [("Why does time matter?", "10"), ("And place?", "5")]:
            lead.get_by_label("Question", exact=True).last.fill(text)
            lead.get_by_label("Minutes", exact=True).last.fill(minutes)
            lead.get_by_role("button", name="Add question").click()
        expect(lead.get_by_text("2 questions, 15 minutes in all; 2 drafts")).to_be_visible()
        lead.get_by_role("button", name="Publish").click()
        expect(lead.get_by_text("Published 2 questions.")).to_be_visible()
        lead.get_by_role("button", name="Start meeting").click()
        expect(lead.get_by_role("heading", name="Why does time matter?")).to_be_visible()

        sign_in(follower, member.email, PASSWORD)
        follower.goto(lead.url)
        expect(follower.get_by_role("heading", name="Why does time matter?")).to_be_visible()
        expect(follower.get_by_role("button", name="Next")).to_have_count(0)

        lead.get_by_role("button", name="Next").click()
        pressed = time.monotonic()
        expect(follower.get_by_role("heading", name="And place?")).to_be_visible(timeout=3_000)
        latency = time.monotonic() - pressed
        print(f"\nmeeting follow latency: {latency:.2f} s")
        assert latency < 3

        lead.get_by_label("Yes, end it for everyone").check()
        lead.get_by_role("button", name="End meeting").click()
        expect(lead.get_by_role("heading", name="Questions covered")).to_be_visible()
        covered = lead.get_by_role("region", name="Questions covered")
        expect(covered).to_contain_text("Why does time matter?")
        expect(covered).to_contain_text("And place?")
        expect(lead.get_by_role("region", name="Attendance (2)")).to_contain_text("Milo Member")
    finally:
        for context in contexts:
            context.close()


def test_members_see_the_meeting_end_without_reloading(browser, live_server, transactional_db):
    facilitator = make_user("fran@example.org", "Fran Facilitator")
    member = make_user("milo@example.org", "Milo Member")
    group = create_group(name="Evening circle", description="", creator=facilitator)
    add_member(group, member)
    reading = Reading.objects.create(title="On endings", slug="on-endings", status="published")
    Passage.objects.create(
        reading=reading,
        position=1,
        anchor="p-end001",
        text="All things end.",
        html="All things end.",
    )
    assign_reading(group=group, reading=reading, meeting_date=None, notes="", actor=facilitator)
    add_agenda_item(group=group, reading=reading, text="Do things end?", minutes=10, seen_version=0)
    publish_agenda(group=group, reading=reading, actor=facilitator, seen_version=1)
    meeting = start_meeting(group=group, reading=reading, actor=facilitator)

    contexts = [browser.new_context(base_url=live_server.url) for _ in range(2)]
    lead, follower = (context.new_page() for context in contexts)
    on_reading = contexts[1].new_page()
    try:
        sign_in(lead, facilitator.email, PASSWORD)
        lead.goto(meeting.get_absolute_url())
        sign_in(follower, member.email, PASSWORD)
        follower.goto(meeting.get_absolute_url())
        on_reading.goto(f"/g/{group.slug}/r/{reading.slug}/")
        heading = follower.get_by_role("heading", level=1)
        expect(heading).to_contain_text("Live")
        expect(follower.locator("[data-countdown]")).to_contain_text("left")
        # Ticking every second, the countdown is in no live region, or it would be read out so.
        live = follower.locator("[data-countdown]").evaluate(
            """(node) => {
              const live = "[aria-live], [role=status], [role=timer], [role=log], [role=alert]";
              const found = [];
              for (let e = node; e; e = e.parentElement) {
                if (e.matches(live)) {
                  found.push(e.outerHTML.slice(0, 80));
                }
              }
              return found;
            }"""
        )
        assert live == []
        expect(on_reading.get_by_role("link", name="Join the meeting")).to_be_visible()

        lead.get_by_label("Yes, end it for everyone").check()
        lead.get_by_role("button", name="End meeting").click()
        expect(lead.get_by_role("heading", name="Questions covered")).to_be_visible()

        ended = follower.get_by_role("heading", name="This meeting has ended")
        expect(ended).to_be_visible(timeout=6_000)
        expect(heading).not_to_contain_text("Live")
        expect(follower.locator("[data-countdown]")).to_have_count(0)
        expect(follower.locator("[data-announcer]")).to_have_text("Meeting ended.")
        follower.get_by_role("link", name="Read the summary").click()
        expect(follower.get_by_role("heading", name="Questions covered")).to_be_visible()

        banner = on_reading.locator("#meeting-banner")
        expect(banner).to_contain_text("The meeting has ended", timeout=6_000)
        expect(on_reading.locator("[data-announcer]")).to_have_text("Meeting ended.")
        expect(on_reading.get_by_role("link", name="Join the meeting")).to_have_count(0)
        on_reading.get_by_role("link", name="Read the summary").click()
        expect(on_reading.get_by_role("heading", name="Questions covered")).to_be_visible()
    finally:
        for context in contexts:
            context.close()


SETTLE = """() => new Promise((done) => {
  // Resolves once the page has not scrolled for two frames: a smooth scroll is over.
  let last = -1, still = 0;
  const tick = () => {
    still = window.scrollY === last ? still + 1 : 0;
    last = window.scrollY;
    if (still >= 2) done(last); else requestAnimationFrame(tick);
  };
  tick();
})"""


def test_the_banner_stays_in_view_while_following_until_stopped(
    browser, live_server, transactional_db
):
    facilitator = make_user("fran@example.org", "Fran Facilitator")
    member = make_user("milo@example.org", "Milo Member")
    group = create_group(name="Evening circle", description="", creator=facilitator)
    add_member(group, member)
    reading = Reading.objects.create(title="A long one", slug="a-long-one", status="published")
    for n in range(1, 41):
        text = f"Passage {n} goes on for a while, " * 6
        Passage.objects.create(reading=reading, position=n, anchor=f"p-{n}", text=text, html=text)
    assign_reading(group=group, reading=reading, meeting_date=None, notes="", actor=facilitator)
    passages = {p.position: p for p in reading.passages.all()}
    for version, (text, position) in enumerate(
        [("Where do we start?", 2), ("What happens near the end?", 35), ("And midway?", 20)]
    ):
        add_agenda_item(
            group=group,
            reading=reading,
            text=text,
            minutes=10,
            passage=passages[position],
            seen_version=version,
        )
    publish_agenda(group=group, reading=reading, actor=facilitator, seen_version=3)
    meeting = start_meeting(group=group, reading=reading, actor=facilitator)

    context = browser.new_context(base_url=live_server.url, viewport={"width": 360, "height": 640})
    page = context.new_page()
    try:
        sign_in(page, member.email, PASSWORD)
        page.goto(f"/g/{group.slug}/r/{reading.slug}/")
        banner = page.locator("#meeting-banner")
        expect(banner).to_contain_text("Where do we start?")

        step_meeting(meeting=meeting, step=1)  # to passage 35, far down
        expect(banner).to_contain_text("What happens near the end?", timeout=6_000)
        expect(page.locator("#p-35")).to_be_in_viewport()
        assert page.evaluate(SETTLE) > 2_000
        box, passage = banner.bounding_box(), page.locator("#p-35").bounding_box()
        assert box["y"] >= 0 and box["y"] + box["height"] <= 640  # in view, at the top
        assert passage["y"] >= box["y"] + box["height"]  # not under the banner

        page.get_by_role("link", name="Stop following").click()
        expect(page.get_by_role("link", name="Follow the meeting")).to_be_visible()
        stopped_at = page.evaluate(SETTLE)
        # It lands on the passage it followed, below the banner: not under it.
        box, passage = banner.bounding_box(), page.locator("#p-35").bounding_box()
        assert box["y"] + box["height"] <= passage["y"] < 640
        step_meeting(meeting=meeting, step=1)  # to passage 20: the page stays put
        expect(banner).to_contain_text("And midway?", timeout=6_000)
        assert page.evaluate(SETTLE) == stopped_at
        expect(page.get_by_role("link", name="Follow the meeting")).to_be_visible()
    finally:
        context.close()
