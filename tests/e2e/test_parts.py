"""A long reading in a browser, a part at a time: the next part arrives as the
reader scrolls to the end of one, a link to a passage opens its part (or, when
the passage is on the page, only moves to it), a busy margin lists five threads
and shows all in place, a mark opens a thread the margin leaves out, and the
live poll brings only what the loaded parts show, or past its bound asks for a
reload."""

import pytest
from playwright.sync_api import expect

from groups.services import assign_reading
from tests.conftest import make_annotation, make_reading

pytestmark = pytest.mark.e2e


@pytest.fixture
def long_reading(group, organizer):
    """250 passages without headings: three parts (1–100, 101–200, 201–250)."""
    reading = make_reading(passages=250, title="A long reading")
    assign_reading(group=group, reading=reading, meeting_date=None, notes="", actor=organizer)
    return reading


@pytest.fixture
def url(group, long_reading):
    return f"/g/{group.slug}/r/{long_reading.slug}/"


def at(reading, position: int):
    return reading.passages.get(position=position)


def row(page, passage):
    return page.locator(f"#row-{passage.anchor}")


def thread_links(page, passage):
    return page.locator(f"#margin-{passage.anchor} [data-thread-link]")


@pytest.fixture
def busy_passage(group, long_reading, facilitator):
    """Passage 5 with eight threads; the first, the least lately active, on the
    word "Passage" and so left out of the margin's five."""
    passage = at(long_reading, 5)
    make_annotation(
        group, long_reading, facilitator, passage=passage, body="The oldest?", words="Passage"
    )
    for n in range(2, 9):
        make_annotation(group, long_reading, facilitator, passage=passage, body=f"Thread {n}?")
    return passage


def test_scrolling_to_the_end_of_a_part_brings_the_next_below_it(
    open_as, member, long_reading, url
):
    page = open_as(member, url)
    first, next_first = at(long_reading, 1), at(long_reading, 101)
    expect(row(page, first)).to_be_visible()
    expect(row(page, next_first)).to_have_count(0)
    address = page.url

    page.get_by_role("link", name="Continue with Part 2").scroll_into_view_if_needed()

    expect(row(page, next_first)).to_be_attached()
    expect(row(page, at(long_reading, 200))).to_be_attached()
    expect(page.get_by_role("link", name="Continue with Part 2")).to_have_count(0)
    expect(page.get_by_role("link", name="Continue with Part 3")).to_have_count(1)
    expect(row(page, at(long_reading, 201))).to_have_count(0)
    # Part 2 comes after part 1, on the same page, at the same address.
    expect(page.locator("[data-part]")).to_have_count(2)
    assert page.locator("[data-part]").evaluate_all("parts => parts.map(p => p.dataset.part)") == [
        "1",
        "2",
    ]
    assert page.url == address


def test_show_all_threads_lists_every_thread_in_place(open_as, member, busy_passage, url):
    page = open_as(member, url)
    expect(thread_links(page, busy_passage)).to_have_count(5)
    address = page.url

    page.get_by_role("link", name="Show all 8 threads").click()

    expect(thread_links(page, busy_passage)).to_have_count(8)
    expect(page.get_by_role("link", name="Show all 8 threads")).to_have_count(0)
    expect(page.locator("[data-announcer]")).to_have_text(
        "Showing all of 8 threads on this passage."
    )
    expect(page.locator(f"#threads-{busy_passage.anchor} [data-thread-link]").first).to_be_focused()
    assert page.url == address
    # The page is still the reading, with its other passages.
    expect(page.locator("[data-passage-text]")).to_have_count(100)


def test_the_keyboard_shows_all_threads_the_same(open_as, member, busy_passage, url):
    page = open_as(member, url)
    thread_links(page, busy_passage).last.focus()
    page.keyboard.press("Tab")
    show_all = page.get_by_role("link", name="Show all 8 threads")
    expect(show_all).to_be_focused()
    page.keyboard.press("Enter")

    expect(thread_links(page, busy_passage)).to_have_count(8)
    expect(page.locator("[data-announcer]")).to_have_text(
        "Showing all of 8 threads on this passage."
    )
    expect(page.locator(f"#threads-{busy_passage.anchor} [data-thread-link]").first).to_be_focused()


def test_a_link_by_anchor_alone_opens_the_part_holding_the_passage(
    open_as, live_server, member, long_reading, url
):
    wanted = at(long_reading, 180)
    page = open_as(member, f"{url}#{wanted.anchor}")

    expect(page).to_have_url(f"{live_server.url}{url}?at={wanted.anchor}#{wanted.anchor}")
    expect(page.locator(f"#{wanted.anchor}")).to_be_in_viewport()
    expect(row(page, at(long_reading, 101))).to_be_attached()
    expect(row(page, at(long_reading, 1))).to_have_count(0)
    expect(page.get_by_role("navigation", name="Parts of this reading")).to_contain_text("Part 2")


def test_a_mark_opens_a_thread_the_margin_leaves_out(open_as, member, busy_passage, url):
    page = open_as(member, url)
    margin = page.locator(f"#margin-{busy_passage.anchor}")
    expect(margin).not_to_contain_text("The oldest?")

    row(page, busy_passage).locator("mark", has_text="Passage").click()

    panel = page.locator(f"#thread-in-{busy_passage.anchor}")
    expect(panel).to_contain_text("The oldest?")
    expect(panel).to_be_visible()


def test_the_live_poll_brings_only_what_the_loaded_part_shows(
    open_as, member, facilitator, group, long_reading, url
):
    page = open_as(member, url)
    live = page.locator("[data-live-url]").get_attribute("data-live-url").split("?")[0]
    margins = page.locator(".margin").evaluate_all("margins => margins.map(m => m.outerHTML)")

    # Posted on part 2, which this page has not loaded: the poll answers, and nothing changes.
    elsewhere = at(long_reading, 150)
    with page.expect_response(lambda r: live in r.url and r.status == 200, timeout=6_000) as poll:
        make_annotation(group, long_reading, facilitator, passage=elsewhere, kind="comment")
    assert elsewhere.anchor not in poll.value.text()
    expect(row(page, elsewhere)).to_have_count(0)
    expect(page.locator("[data-part]")).to_have_count(1)
    expect(page.locator("#live-reload")).to_be_hidden()
    assert margins == page.locator(".margin").evaluate_all("ms => ms.map(m => m.outerHTML)")

    # Posted on part 1: it arrives in its passage's margin.
    here = at(long_reading, 10)
    make_annotation(group, long_reading, facilitator, passage=here, body="Arriving here?")
    expect(page.locator(f"#margin-{here.anchor}")).to_contain_text("Arriving here?")


def test_many_posts_at_once_ask_to_reload_the_part(
    open_as, live_server, member, facilitator, group, long_reading, url
):
    page = open_as(member, url)
    for position in range(1, 23):  # more passages than a poll sends
        passage = at(long_reading, position)
        make_annotation(group, long_reading, facilitator, passage=passage, body=f"On {position}?")

    reload = page.get_by_role("link", name="Reload this part")
    expect(reload).to_be_visible(timeout=6_000)
    reload.click()
    expect(page).to_have_url(f"{live_server.url}{url}?part=1")
    expect(page.locator(f"#margin-{at(long_reading, 1).anchor}")).to_contain_text("On 1?")
    expect(page.locator(f"#margin-{at(long_reading, 22).anchor}")).to_contain_text("On 22?")


def test_a_link_into_the_text_on_the_page_only_moves_to_the_passage(
    open_as, member, facilitator, group, long_reading, url
):
    passage = at(long_reading, 90)
    make_annotation(group, long_reading, facilitator, passage=passage, body="Far down?")
    page = open_as(member, url)
    page.get_by_role("link", name="Femi Facilitator: Far down?").click()
    thread = page.locator(f"#thread-in-{passage.anchor}")
    expect(thread).to_contain_text("Far down?")
    page.evaluate("window.stillHere = true")  # gone if the page loads again
    page.mouse.wheel(0, -100_000)
    expect(page.locator(f"#{passage.anchor}")).not_to_be_in_viewport()

    thread.get_by_role("link", name="in the text").click()

    expect(page.locator(f"#{passage.anchor}")).to_be_in_viewport()
    assert page.url.endswith(f"#{passage.anchor}")
    assert page.evaluate("window.stillHere") is True
    expect(thread).to_contain_text("Far down?")


def test_next_new_goes_on_to_the_parts_with_news(
    open_as, group, member, facilitator, long_reading, url
):
    near = make_annotation(group, long_reading, facilitator, passage=at(long_reading, 5))
    further = make_annotation(group, long_reading, facilitator, passage=at(long_reading, 150))
    furthest = make_annotation(group, long_reading, facilitator, passage=at(long_reading, 240))
    page = open_as(member, url)
    status = page.get_by_role("status").filter(has_text="More in other parts of the reading")
    expect(status).to_contain_text("1 thread with new posts since your last visit.")
    next_new = page.get_by_role("button", name="Next new")

    next_new.click()
    expect(page.locator(f'[data-thread-link="{near.pk}"]')).to_be_focused()
    # Past the last new thread here: part 2 comes next, loaded below.
    next_new.click()
    expect(page.locator(f'[data-thread-link="{further.pk}"]')).to_be_focused()
    assert page.url.endswith(url)
    # Part 3 too, the next one after part 2.
    next_new.click()
    expect(page.locator(f'[data-thread-link="{furthest.pk}"]')).to_be_focused()
    # Every part with news is on the page: round to the first again.
    next_new.click()
    expect(page.locator(f'[data-thread-link="{near.pk}"]')).to_be_focused()


def test_next_new_opens_a_part_further_on(open_as, group, member, facilitator, long_reading, url):
    far = make_annotation(group, long_reading, facilitator, passage=at(long_reading, 240))
    page = open_as(member, url)
    page.get_by_role("button", name="Next new").click()
    # Part 3 is not next to part 1: it opens in its place.
    expect(page).to_have_url(f"{page.url.split('?')[0].split(url)[0]}{url}?part=3")
    page.get_by_role("button", name="Next new").click()
    expect(page.locator(f'[data-thread-link="{far.pk}"]')).to_be_focused()
