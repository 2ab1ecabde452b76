"""Members discuss a reading in two browsers: select words, ask, reply, and see
each other's posts arrive without reloading. Hostile bodies never run."""

import time

import pytest
from playwright.sync_api import expect

from discussions.models import Annotation
from discussions.services import post_reply
from facilitation.models import AgendaItem
from groups.services import assign_reading, create_group
from readings.models import Passage, Reading
from tests.conftest import add_member, make_annotation, make_user
from tests.e2e.conftest import assert_accessible

pytestmark = pytest.mark.e2e

TEXTS = [
    "Kitchen tables were where the circle met, week after week.",
    "They read aloud, and argued over every line they read.",
]


@pytest.fixture
def circle(transactional_db):
    asker = make_user("asker@example.org", "Ada Asker")
    replier = make_user("replier@example.org", "Rex Replier")
    group = create_group(name="Kitchen table", description="", creator=asker)
    add_member(group, replier)
    reading = Reading.objects.create(
        title="Study circles", slug="study-circles", status="published"
    )
    for position, text in enumerate(TEXTS, start=1):
        Passage.objects.create(
            reading=reading, position=position, anchor=f"p-00000{position}", text=text, html=text
        )
    assign_reading(group=group, reading=reading, meeting_date=None, notes="", actor=asker)
    return {"asker": asker, "replier": replier, "url": f"/g/{group.slug}/r/{reading.slug}/"}


def test_ask_about_selected_words_and_see_the_reply_arrive(open_as, circle):
    asker = open_as(circle["asker"], circle["url"])
    first = asker.locator("[data-passage-text]").first
    first.dblclick(position={"x": 4, "y": 8})  # a double click selects the first word
    toolbar = asker.get_by_role("toolbar", name="Discuss the selected words")
    expect(toolbar).to_be_visible()
    toolbar.get_by_role("button", name="Ask a question").click()
    composer = asker.locator("[data-compose-form]")
    expect(composer).to_contain_text("On the words: Kitchen")
    composer.get_by_label("Your question or comment").fill("Whose kitchen was it?")
    composer.get_by_role("button", name="Ask a question").click()

    expect(first.locator("mark")).to_have_text("Kitchen")
    annotation = Annotation.objects.get()
    assert (annotation.exact, annotation.start, annotation.end) == ("Kitchen", 0, 7)
    asker.get_by_role("link", name="Ada Asker: Whose kitchen was it?").click()
    thread = asker.locator(f"#thread-{annotation.pk}")
    expect(thread).to_contain_text("Whose kitchen was it?")

    replier = open_as(circle["replier"], circle["url"])
    replier.get_by_role("link", name="Ada Asker: Whose kitchen was it?").click()
    replier.get_by_label("Your reply").fill("Her grandmother's, in Malmö.")
    replier.get_by_role("button", name="Post").click()
    expect(replier.locator(f"#thread-{annotation.pk}")).to_contain_text("Her grandmother's")
    posted = time.monotonic()

    # The asker never reloads: the reply arrives in the open thread and the margin.
    expect(thread.locator(".replies")).to_contain_text(
        "Her grandmother's, in Malmö.", timeout=5_000
    )
    latency = time.monotonic() - posted
    expect(asker.locator(".margin").first).to_contain_text("1 reply", timeout=5_000)
    print(f"\nlive update latency: {latency:.2f} s")
    assert latency < 5


def test_the_questions_count_follows_new_questions_without_reloading(open_as, circle):
    reader = open_as(circle["replier"], circle["url"])
    count = reader.locator("details.questions summary")
    expect(count).to_have_text("Questions (0)")
    group = circle["asker"].memberships.get().group
    make_annotation(group, group.assignments.get().reading, circle["asker"], body="Whose?")
    expect(count).to_have_text("Questions (1)", timeout=5_000)


def test_keyboard_selection_then_q(open_as, circle):
    page = open_as(circle["asker"], circle["url"])
    second = page.locator("[data-passage-text]").nth(1)
    second.focus()
    expect(second).to_be_focused()
    for _ in range(4):
        page.keyboard.press("Shift+ArrowRight")
    page.keyboard.press("q")
    composer = page.locator("[data-compose-form]")
    expect(composer).to_contain_text("On the words: They")
    expect(composer.get_by_label("Your question or comment")).to_be_focused()
    page.keyboard.type("Who is they?")
    composer.get_by_role("button", name="Ask a question").click()
    expect(second.locator("mark")).to_have_text("They")
    assert Annotation.objects.get().kind == "question"


HOSTILE = [
    "<script>alert('script')</script>",
    "<img src=x onerror=alert('img')>",
    "[click](javascript:alert('link'))",
    "[click](&#106;avascript:alert('entity'))",
    "<svg onload=alert('svg')></svg>",
    "<iframe src=\"javascript:alert('frame')\"></iframe>",
    "[x](data:text/html,<script>alert('data')</script>)",
    "<a href=\"javascript:alert('raw')\">raw</a>",
    "**bold** <b onmouseover=alert('hover')>hover me</b>",
    "`<script>alert('code')</script>`",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert('math')>",
    "@Rex Replier <script>alert('mention')</script>",
]


def test_hostile_bodies_never_run(open_as, circle):
    dialogs = []
    asker = open_as(circle["asker"], circle["url"])
    asker.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    for body in HOSTILE:
        asker.get_by_role("link", name="Comment").first.click()
        composer = asker.locator("[data-compose-form]")
        composer.get_by_label("Your question or comment").fill(body)
        composer.get_by_role("button", name="Comment").click()
        expect(composer).to_have_count(0)
    assert Annotation.objects.count() == len(HOSTILE)

    replier = open_as(circle["replier"], circle["url"])
    replier.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    for link in replier.locator("[data-thread-link]").all():
        link.click()
    for annotation in Annotation.objects.all():
        replier.goto(f"{circle['url']}t/{annotation.pk}/")
        for element in replier.locator(".post-body *").all():
            element.hover()
        hrefs = replier.eval_on_selector_all(".post-body a", "links => links.map(a => a.href)")
        assert all(href.startswith(("http://", "https://", "mailto:")) for href in hrefs)
    replier.wait_for_timeout(500)
    assert dialogs == []


def test_a_facilitator_files_selected_words_on_the_agenda(open_as, circle):
    organizer = open_as(circle["asker"], circle["url"])
    first = organizer.locator("[data-passage-text]").first
    first.dblclick(position={"x": 4, "y": 8})
    organizer.get_by_role("toolbar", name="Discuss the selected words").get_by_role(
        "button", name="Ask a question"
    ).click()
    composer = organizer.locator("[data-compose-form]")
    composer.get_by_label("Your question or comment").fill("Why kitchens?")
    composer.get_by_role("button", name="Add to the agenda").click()

    organizer.wait_for_url(f"**{circle['url']}agenda/#item-*")
    expect(organizer.locator(".messages")).to_contain_text("Added to the agenda as a draft.")
    item = AgendaItem.objects.get()
    assert (item.text, item.exact, item.published) == ("Why kitchens?", "Kitchen", None)
    assert not Annotation.objects.exists()


# Selects the words of one passage's text from `start` to `end` (code units) by
# script, as a long press and the selection handles of a phone do.
SELECT = """([anchor, start, end]) => {
  const text = document.getElementById(`text-${anchor}`).firstChild;
  window.getSelection().setBaseAndExtent(text, start, text, end);
}"""


def selection_rect(page) -> dict:
    return page.evaluate(
        """() => {
          const rect = window.getSelection().getRangeAt(0).getBoundingClientRect();
          return {x: rect.x, y: rect.y, width: rect.width, height: rect.height};
        }"""
    )


def overlaps(a: dict, b: dict) -> bool:
    return (
        a["x"] < b["x"] + b["width"]
        and b["x"] < a["x"] + a["width"]
        and a["y"] < b["y"] + b["height"]
        and b["y"] < a["y"] + a["height"]
    )


def inside(box: dict, viewport: dict) -> bool:
    return (
        box["x"] >= 0
        and box["y"] >= 0
        and box["x"] + box["width"] <= viewport["width"]
        and box["y"] + box["height"] <= viewport["height"]
    )


def test_the_toolbar_by_keyboard_alone(open_as, circle):
    page = open_as(circle["asker"], circle["url"])
    first = page.locator("[data-passage-text]").first
    for _ in range(60):
        page.keyboard.press("Tab")
        if first.evaluate("body => body === document.activeElement"):
            break
    expect(first).to_be_focused()
    for _ in range(7):
        page.keyboard.press("Shift+ArrowRight")
    toolbar = page.get_by_role("toolbar", name="Discuss the selected words")
    expect(toolbar).to_be_visible()
    # Right after the words in the document, so the next Tab reaches it.
    assert toolbar.evaluate("bar => bar.previousElementSibling.firstElementChild.id") == (
        "text-p-000001"
    )
    assert_accessible(page)
    page.keyboard.press("Tab")
    ask = toolbar.get_by_role("button", name="Ask a question")
    expect(ask).to_be_focused()
    page.keyboard.press("Escape")
    expect(first).to_be_focused()
    assert page.evaluate("window.getSelection().toString()") == "Kitchen"
    page.keyboard.press("Tab")
    expect(ask).to_be_focused()
    page.keyboard.press("Enter")

    composer = page.locator("[data-compose-form]")
    expect(composer).to_contain_text("On the words: Kitchen")
    expect(composer.get_by_label("Your question or comment")).to_be_focused()
    page.keyboard.type("Whose kitchen?")
    page.keyboard.press("Tab")
    expect(composer.get_by_role("button", name="Ask a question")).to_be_focused()
    page.keyboard.press("Enter")
    expect(first.locator("mark")).to_have_text("Kitchen")
    expect(page.get_by_role("link", name="Ada Asker: Whose kitchen?")).to_be_visible()
    assert Annotation.objects.get().exact == "Kitchen"


def test_the_toolbar_stays_inside_a_phone_screen(open_as, circle):
    page = open_as(circle["asker"], circle["url"], viewport={"width": 360, "height": 740})
    # The word whose right edge is furthest right: the toolbar would run off it.
    word = page.evaluate(
        """() => {
          const text = document.getElementById("text-p-000001").firstChild;
          let best = null;
          for (const match of text.data.matchAll(/\\S+/g)) {
            const range = document.createRange();
            range.setStart(text, match.index);
            range.setEnd(text, match.index + match[0].length);
            const right = range.getBoundingClientRect().right;
            if (!best || right > best.right) {
              best = {right, start: range.startOffset, end: range.endOffset};
            }
          }
          return best;
        }"""
    )
    assert word["right"] > 300
    page.evaluate(SELECT, ["p-000001", word["start"], word["end"]])
    toolbar = page.get_by_role("toolbar", name="Discuss the selected words")
    expect(toolbar).to_be_visible()
    # Brought into view, smoothly where motion is not reduced: measured once there.
    expect(toolbar).to_be_in_viewport(ratio=1)
    box = toolbar.bounding_box()
    assert inside(box, page.viewport_size), box
    assert not overlaps(box, selection_rect(page))


def test_words_across_two_passages_say_why_they_cannot_be_discussed(open_as, circle):
    page = open_as(circle["asker"], circle["url"])
    first, second = page.locator("[data-passage-text]").all()
    start, end = first.bounding_box(), second.bounding_box()
    page.mouse.move(start["x"] + 80, start["y"] + 8)
    page.mouse.down()
    page.mouse.move(end["x"] + 40, end["y"] + 8, steps=5)
    page.mouse.up()
    toolbar = page.get_by_role("toolbar", name="Discuss the selected words")
    status = toolbar.get_by_role("status")
    expect(status).to_have_text("Select words within one passage to ask or comment.")
    expect(status).to_be_visible()
    expect(toolbar.get_by_role("button")).to_have_count(0)
    assert_accessible(page)

    # Words in one passage again: the buttons come back and the reason goes.
    page.evaluate(SELECT, ["p-000002", 0, 4])
    expect(toolbar.get_by_role("button", name="Ask a question")).to_be_visible()
    expect(status).to_have_text("")


def test_a_thread_panel_closes_by_button_and_by_escape(open_as, circle):
    group = circle["asker"].memberships.get().group
    make_annotation(group, group.assignments.get().reading, circle["replier"], body="Whose?")
    page = open_as(circle["asker"], circle["url"])
    link = page.get_by_role("link", name="Rex Replier: Whose?")
    panel = page.locator("#panel-p-000001")
    expect(link).to_have_attribute("aria-expanded", "false")
    expect(link).to_have_attribute("aria-controls", "panel-p-000001")
    expect(panel).to_be_hidden()

    link.click()
    expect(panel.locator("[data-thread]")).to_contain_text("Whose?")
    expect(link).to_have_attribute("aria-expanded", "true")
    assert_accessible(page)
    panel.get_by_role("button", name="Close thread").click()
    expect(panel).to_be_hidden()
    expect(link).to_be_focused()
    expect(link).to_have_attribute("aria-expanded", "false")

    page.keyboard.press("Enter")
    expect(link).to_have_attribute("aria-expanded", "true")
    reply = panel.get_by_label("Your reply")
    reply.fill("Mine.")
    reply.press("Escape")  # a draft is kept
    expect(panel).to_be_visible()
    reply.fill("")
    panel.get_by_role("link", name="permalink").focus()
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    expect(link).to_be_focused()
    expect(link).to_have_attribute("aria-expanded", "false")


def test_ask_about_words_chosen_by_touch_on_a_phone(open_as, circle):
    page = open_as(
        circle["asker"],
        circle["url"],
        viewport={"width": 360, "height": 740},
        has_touch=True,
        is_mobile=True,
    )
    second = page.locator("[data-passage-text]").nth(1)
    second.scroll_into_view_if_needed()
    # A long press on "argued": the finger down and up, then the phone selects the word.
    start = TEXTS[1].index("argued")
    box = second.bounding_box()
    page.touchscreen.tap(box["x"] + 10, box["y"] + 8)
    page.evaluate(SELECT, ["p-000002", start, start + len("argued")])
    toolbar = page.get_by_role("toolbar", name="Discuss the selected words")
    expect(toolbar).to_be_visible()
    expect(toolbar).to_be_in_viewport(ratio=1)
    toolbar_box = toolbar.bounding_box()
    assert inside(toolbar_box, page.viewport_size), toolbar_box
    assert not overlaps(toolbar_box, selection_rect(page))

    toolbar.get_by_role("button", name="Ask a question").tap()
    composer = page.locator("[data-compose-form]")
    expect(composer).to_contain_text("On the words: argued")
    composer.get_by_label("Your question or comment").fill("About what?")
    composer.get_by_role("button", name="Ask a question").tap()
    expect(second.locator("mark")).to_have_text("argued")
    expect(page.get_by_role("link", name="Ada Asker: About what?")).to_be_visible()
    assert Annotation.objects.get().exact == "argued"


def test_members_watching_get_the_same_news_and_keep_their_own_notes(open_as, circle):
    """Two members watch the reading; one keeps a private note on the passage
    a reply comes to. Both see the reply arrive in the margin (the second may
    be given the answer drawn for the first); the note stays its author's."""
    group = circle["asker"].memberships.get().group
    reading = Reading.objects.get()
    passage = reading.passages.first()
    question = make_annotation(
        group, reading, circle["replier"], body="Whose table?", passage=passage
    )
    noter, plain = (
        make_user("noter@example.org", "Nia Noter"),
        make_user("pat@example.org", "Pat Plain"),
    )
    for person in (noter, plain):
        add_member(group, person)
    make_annotation(group, reading, noter, kind="note", body="My own note", passage=passage)
    pages = {person: open_as(person, circle["url"]) for person in (plain, noter)}
    post_reply(annotation=question, parent=None, body="Ada's, at first.", author=circle["asker"])
    for page in pages.values():
        expect(page.locator(".margin").first).to_contain_text("1 reply", timeout=5_000)
    expect(pages[noter].locator(".margin").first).to_contain_text("My own note")
    expect(pages[plain].locator(".margin").first).not_to_contain_text("My own note")
