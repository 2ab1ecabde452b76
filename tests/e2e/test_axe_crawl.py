"""axe-core crawl: every page each role can open, and the states that matter
(words selected, a thread open, an error shown, a meeting running or just
ended, a form refused for its stale CSRF token, a margin showing all its
threads), at a desktop width and the narrowest phone width WCAG reflows to
(320 px), with no violation of the WCAG 2.1 A/AA and best-practice rules and
nothing wider than the window; then the dark theme at the desktop width for the
roles that read and discuss. Prints each page's violation count, and the number
of Tab presses from the top of the reading page to its first passage."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils.timezone import now
from playwright.sync_api import expect

from discussions.models import Annotation, PrintJob
from discussions.services import ask_answer_first, post_reply, set_reaction
from facilitation.services import add_agenda_item, end_meeting, publish_agenda, start_meeting
from groups.models import Membership
from groups.services import assign_reading, create_group
from readings.models import Upload
from readings.services import upload_revision
from tests.conftest import (
    PASSWORD,
    add_member,
    make_annotation,
    make_questions,
    make_reading,
    make_user,
)
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e

RULES = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
    }
}
ROLES = ["anonymous", "member", "facilitator", "organizer", "staff"]
PASSES = [
    *[(role, width, "light") for width in (1280, 320) for role in ROLES],
    *[(role, 1280, "dark") for role in ("member", "facilitator")],
]


@pytest.fixture
def site(transactional_db):
    """A group with its cast, a reading with threads (one orphaned, one with a
    reaction, one to answer first), a published agenda (with a facilitator's
    notes), an ended meeting and a running one, and staff's uploads."""
    organizer = make_user("olga@example.org", "Olga Organizer")
    facilitator = make_user("femi@example.org", "Femi Facilitator")
    member = make_user("maya@example.org", "Maya Member")
    staff = make_user("stella@example.org", "Stella Staff", is_staff=True)
    group = create_group(name="Night readers", description="We read late.", creator=organizer)
    add_member(group, facilitator, Membership.Role.FACILITATOR)
    add_member(group, member)
    reading = make_reading(passages=4, title="On reading")
    assignment = assign_reading(
        group=group, reading=reading, meeting_date=None, notes="", actor=organizer
    )
    thread = make_annotation(group, reading, member, body="Worth what?", words="worth")
    # Reactions: counted in the margin, pressed for the facilitator, listed by name.
    set_reaction(annotation=thread, reply=None, user=facilitator, kind="lost", on=True)
    make_annotation(group, reading, facilitator, kind="comment", body="A note on it.")
    # A question to answer first, with a reply: the member is asked to answer
    # before reading it, the facilitator offered to reveal it.
    puzzle = make_annotation(group, reading, organizer, body="What now?")
    ask_answer_first(annotation=puzzle)
    post_reply(annotation=puzzle, parent=None, body="Sleep on it.", author=organizer)
    lost = make_annotation(group, reading, member, body="Which number?", words="number")
    Annotation.objects.filter(pk=lost.pk).update(orphaned=1, start=None, end=None)
    # A long reading, in three parts; the first passage of part 2 holds more
    # threads than a margin lists.
    long = make_reading(passages=250, title="A long reading")
    assign_reading(group=group, reading=long, meeting_date=None, notes="", actor=organizer)
    busy = long.passages.get(position=101)
    for n in range(1, 7):
        make_annotation(group, long, member, passage=busy, body=f"Busy thread {n}?")

    def agenda():
        assignment.refresh_from_db()
        return assignment.agenda_version

    for text, notes in [("Why read at night?", "Start with the quiet ones."), ("Worth it?", "")]:
        add_agenda_item(
            group=group,
            reading=reading,
            text=text,
            minutes=10,
            notes=notes,
            seen_version=agenda(),
        )
    publish_agenda(group=group, reading=reading, actor=facilitator, seen_version=agenda())
    ended = start_meeting(group=group, reading=reading, actor=facilitator)
    end_meeting(meeting=ended)
    running = start_meeting(group=group, reading=reading, actor=facilitator)

    # Questions enough for two pages of the list: its second, opened, with its links.
    many = make_reading(passages=3, title="Many questions")
    assign_reading(group=group, reading=many, meeting_date=None, notes="", actor=organizer)
    make_questions(group, many, [member, organizer], 25)

    draft = make_reading(passages=2, title="A draft", status="draft", uploaded_by=staff)
    revised = "\n\n".join(p.text for p in reading.passages.all()).replace("worth", "well worth")
    upload_revision(
        reading=reading, data=revised.encode(), filename="revised.txt", uploaded_by=staff
    )
    upload = Upload.objects.create(filename="notes.txt", uploaded_by=staff, problem="Not text.")
    # The member's PDF of the print edition: one the worker is making, one it could not.
    making = PrintJob.objects.create(user=member, group=group, reading=reading, paper="a4")
    unmade = PrintJob.objects.create(
        user=member, group=group, reading=reading, paper="a4", finished=now(), problem="It broke."
    )

    r = f"/g/{group.slug}/r/{reading.slug}/"
    member_pages = {
        "dashboard": "/",
        "group": f"/g/{group.slug}/",
        "reading": r,
        "reading, not following the meeting": f"{r}?follow=off",
        "reading, questions page 2": f"/g/{group.slug}/r/{many.slug}/?qpage=2",
        "reading, part 2 of a long one": f"/g/{group.slug}/r/{long.slug}/?part=2",
        "threads on a passage": f"/g/{group.slug}/r/{long.slug}/p/{busy.anchor}/",
        "thread": f"{r}t/{thread.pk}/",
        "thread to answer first": f"{r}t/{puzzle.pk}/",
        "print edition": f"{r}print/",
        "meeting running": f"/g/{group.slug}/m/{running.pk}/",
        "meeting summary": f"/g/{group.slug}/m/{ended.pk}/",
        "participation": f"/g/{group.slug}/participation/",
        "inbox": "/inbox/",
        "email settings": "/inbox/email/",
        "settings": "/settings/",
        "search results": "/search/?q=worth",
        "api docs": "/api/",
        "404": "/no-such-page/",
    }
    facilitator_pages = {
        **member_pages,
        "agenda": f"{r}agenda/",
        "overview": f"{r}overview/",
        "guide": f"{r}agenda/guide/",
        "orphans": f"{r}orphans/",
        "moderation": f"/g/{group.slug}/moderation/",
    }
    staff_pages = {
        "dashboard": "/",
        "library": "/library/",
        "preview": f"/library/{draft.slug}/",
        "read": f"/library/{reading.slug}/read/",
        "revision review": f"/library/{reading.slug}/revisions/2/",
        "revision history": f"/library/{reading.slug}/revisions/",
        "upload status": f"/library/uploads/{upload.pk}/",
        "settings": "/settings/",
        "api docs": "/api/",
        "404 (a group not theirs)": f"/g/{group.slug}/",
        "invitation": group.get_invite_path(),
    }
    return {
        "users": {
            "member": member,
            "facilitator": facilitator,
            "organizer": organizer,
            "staff": staff,
        },
        "pages": {
            "anonymous": {
                "landing": "/",
                "sign in": "/accounts/login/",
                "sign up": "/accounts/signup/",
                "api docs": "/api/",
                "invitation": group.get_invite_path(),
                "404": "/no-such-page/",
            },
            "member": {
                **member_pages,
                "403 (the agenda)": f"{r}agenda/",
                "PDF being made": making.get_absolute_url(),
                "PDF not made": unmade.get_absolute_url(),
            },
            "facilitator": facilitator_pages,
            "organizer": {
                **facilitator_pages,
                "members": f"/g/{group.slug}/members/",
                "import": f"/g/{group.slug}/import/",
                "new group": "/g/new/",
                "group edit": f"/g/{group.slug}/edit/",
                "group delete": f"/g/{group.slug}/delete/",
                "assignment edit": f"/g/{group.slug}/syllabus/{assignment.pk}/edit/",
            },
            "staff": staff_pages,
        },
        "reading": r,
        "long part 2": member_pages["reading, part 2 of a long one"],
        "thread": thread,
        "running": running,
    }


def violations(page) -> list[str]:
    """axe's violations, and a page wider than the window (it scrolls sideways)."""
    found = Axe().run(page, options=RULES).response["violations"]
    problems = [f"{v['id']}: {', '.join(str(n['target']) for n in v['nodes'])}" for v in found]
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > page.viewport_size["width"]:
        problems.append(f"overflow: {width} px wide, by {page.evaluate(WIDEST)}")
    return problems


# The outermost elements reaching past the window's right edge: where to look.
WIDEST = """() => {
  const edge = document.documentElement.clientWidth;
  const past = (el) => el && el.getBoundingClientRect().right > edge;
  return [...document.body.querySelectorAll("*")]
    .filter((el) => past(el) && !past(el.parentElement))
    .map((el) => el.tagName.toLowerCase() + (el.className ? "." + el.className : ""))
    .join(", ");
}"""


def reading_states(page, url, thread):
    """The reading page in the states a member meets on it, each yielded by name."""
    page.goto(url)
    page.locator("[data-passage-text]").first.dblclick(position={"x": 4, "y": 8})
    expect(page.get_by_role("toolbar", name="Discuss the selected words")).to_be_visible()
    yield "reading: words selected"
    page.get_by_role("button", name="Ask a question").click()
    composer = page.locator("[data-compose-form]")
    yield "reading: composer open"
    composer.get_by_label("Your question or comment").fill("   ")
    # form.submit() skips htmx and the browser's own check, as a browser without
    # JavaScript posts it: the whole page comes back with the error.
    with page.expect_navigation():
        composer.evaluate("form => form.submit()")
    expect(page.get_by_text("Write something first.")).to_be_visible()
    yield "reading: error after an empty question"
    page.goto(url)
    page.get_by_role("link", name=f"Maya Member: {thread.body}").click()
    expect(page.locator(f"#thread-{thread.pk}")).to_contain_text(thread.body)
    yield "reading: thread open"


def meeting_ended_states(page, site, role):
    """The meeting page and the reading page right after the meeting ends."""
    meeting = site["running"]
    page.goto(meeting.get_absolute_url())
    if role == "member":
        end_meeting(meeting=meeting)
        ended = page.get_by_role("heading", name="This meeting has ended")
        expect(ended).to_be_visible(timeout=6_000)
        yield "meeting: just ended, on the live page"
    else:
        page.get_by_label("Yes, end it for everyone").check()
        page.get_by_role("button", name="End meeting").click()
        expect(page.get_by_text("The meeting has ended. Here is its summary.")).to_be_visible()
        yield "meeting: just ended, its summary"
    page.goto(site["reading"])
    expect(page.get_by_text("The meeting has ended.")).to_be_visible()
    yield "reading: the meeting just ended"


def refuse_a_stale_form(page) -> int:
    """Posts a form without its CSRF token, as one left open across a sign-in is
    sent: Django's CSRF failure page answers. Returns its status."""
    with page.expect_navigation() as navigation:
        page.evaluate(
            """() => {
              const form = document.createElement("form");
              form.method = "post";
              form.action = "/accounts/login/";
              document.body.append(form);
              form.submit();
            }"""
        )
    expect(page.get_by_role("heading", name="The form could not be sent")).to_be_visible()
    return navigation.value.status


@pytest.mark.parametrize(("role", "width", "scheme"), PASSES)
def test_every_page_passes_axe(browser, live_server, site, role, width, scheme):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 800}, color_scheme=scheme
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    report = {}
    try:
        if role != "anonymous":
            sign_in(page, site["users"][role].email, PASSWORD)
        for name, url in site["pages"][role].items():
            status = page.goto(url).status
            expected = int(name[:3]) if name[:3] in ("403", "404") else 200
            assert status == expected, f"{name}: {url} answered {status}"
            report[f"{name} ({status})"] = violations(page)
        status = refuse_a_stale_form(page)
        assert status == 403
        report[f"403 CSRF failure ({status})"] = violations(page)
        if role != "anonymous" and role != "staff":
            for name in reading_states(page, site["reading"], site["thread"]):
                report[name] = violations(page)
            for name in meeting_ended_states(page, site, role):
                report[name] = violations(page)
            page.goto(site["long part 2"])
            page.get_by_role("link", name="Show all 6 threads").click()
            expect(page.locator("[data-announcer]")).to_have_text(
                "Showing all of 6 threads on this passage."
            )
            report["reading: a margin showing all its threads"] = violations(page)
        if role in ("facilitator", "organizer"):
            page.goto(site["pages"][role]["overview"])
            page.get_by_text("The figures as a table").click()
            report["overview: the figures' table open"] = violations(page)
        if role == "anonymous":
            # The server error page, as Django renders it: without a request, so
            # without context processors, and without the database.
            with CaptureQueriesContext(connection) as queries:
                html = render_to_string("500.html")
            assert len(queries) == 0
            page.set_content(html)
            report["500 (rendered)"] = violations(page)
    finally:
        context.close()
    print(f"\naxe violations, {role} at {width} px, {scheme}:")
    for name, found in report.items():
        print(f"  {len(found):3d}  {name}")
    print(f"  {sum(map(len, report.values())):3d}  in all, over {len(report)} pages and states")
    failures = [f"{name}: {v}" for name, found in report.items() for v in found]
    assert failures == [], "\n".join(failures)


def tab_stops_to_first_passage(page, *, skip: str | None) -> int:
    """Tab presses from the top of the page until focus is in its first passage,
    pressing Enter on the skip link named `skip` when Tab reaches it."""
    first = page.locator("[data-passage-text]").first
    for stops in range(1, 100):
        page.keyboard.press("Tab")
        if first.evaluate("el => el.contains(document.activeElement)"):
            return stops
        if skip and page.evaluate("document.activeElement.textContent") == skip:
            page.keyboard.press("Enter")
    raise AssertionError("99 Tab presses never reached the first passage")


def test_a_skip_link_brings_the_keyboard_to_the_first_passage(browser, live_server, site):
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    try:
        sign_in(page, site["users"]["member"].email, PASSWORD)
        page.goto(site["reading"])
        plain = tab_stops_to_first_passage(page, skip=None)
        page.goto(site["reading"])
        skipping = tab_stops_to_first_passage(page, skip="Skip to the text")
    finally:
        context.close()
    print(f"\nTab stops from the top of the reading page to the first passage: {plain}")
    print(f"the same with the skip link (Tab, Tab, Enter, Tab): {skipping}")
    assert skipping <= 3
