"""A long reading in parts (discussions/views/reading.py): the page shows one
part, the next a link (or a scroll, with htmx) away; permalinks open the part
holding their passage; margins list the liveliest threads and show all on
demand; the live poll stays within the parts a page holds, and bounded."""

import json
import re

import pytest
from django.urls import reverse

from discussions.models import Annotation
from discussions.services import post_reply
from discussions.views.live import LIVE_PASSAGES
from facilitation.services import add_agenda_item, publish_agenda
from groups.services import assign_reading
from tests.conftest import browsing_as, make_annotation, make_reading, signed_in

ROW = re.compile(r'<section class="passage-row" id="row-(p-[0-9a-f]{6})"')


@pytest.fixture
def book(group, organizer):
    """250 passages without headings: parts of 100, 100 and 50."""
    reading = make_reading(passages=250, title="A long one")
    assign_reading(group=group, reading=reading, meeting_date=None, notes="", actor=organizer)
    return reading


def url_of(group, reading, suffix=""):
    return reverse("discussions:reading", args=[group.slug, reading.slug]) + suffix


def anchors(reading, first, last):
    passages = reading.passages.filter(position__range=(first, last))
    return list(passages.values_list("anchor", flat=True))


@pytest.mark.django_db
def test_a_long_reading_shows_its_first_part_and_links_on_to_the_next(
    django_app, group, member, book
):
    page = browsing_as(django_app, member).get(url_of(group, book))
    assert ROW.findall(page.text) == anchors(book, 1, 100)
    assert "Part 1 <span" in page.text and "(of 3; passages 1–100)" in page.text
    # Without JavaScript, the reader follows the link.
    page = page.click(description="Continue with Part 2")
    assert ROW.findall(page.text) == anchors(book, 101, 200)
    assert "Continue with Part 3" in page.text
    page = page.click(description="Back to Part 1")
    assert ROW.findall(page.text) == anchors(book, 1, 100)


@pytest.mark.django_db
def test_htmx_gets_the_next_part_alone_to_add_below(client, group, member, book):
    signed_in(client, member)
    response = client.get(url_of(group, book, "?part=2"), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html and "Questions" not in html
    assert html.startswith('<div class="part" id="part-2" data-part="2">')
    assert ROW.findall(html) == anchors(book, 101, 200)
    assert 'hx-get="' + url_of(group, book, "?part=3") + '"' in html
    # The last part has nothing after it to load.
    html = client.get(url_of(group, book, "?part=3"), HTTP_HX_REQUEST="true").content.decode()
    assert ROW.findall(html) == anchors(book, 201, 250) and "Continue with" not in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query, first",
    [("?part=3", 201), ("?part=99", 201), ("?part=0", 1), ("?part=two", 1), ("?at=p-000000", 1)],
)
def test_a_part_number_out_of_range_or_malformed_shows_the_nearest(
    client, group, member, book, query, first
):
    signed_in(client, member)
    response = client.get(url_of(group, book, query))
    assert response.status_code == 200
    assert ROW.findall(response.content.decode())[0] == anchors(book, first, first)[0]


@pytest.mark.django_db
def test_links_to_a_passage_open_the_part_that_holds_it(client, group, member, organizer, book):
    passage = book.passages.get(position=180)
    thread = make_annotation(group, book, member, passage=passage, body="Far in")
    signed_in(client, member)
    html = client.get(url_of(group, book, f"?at={passage.anchor}")).content.decode()
    assert ROW.findall(html) == anchors(book, 101, 200)
    # A thread's page, search and the agenda send readers there by the same address.
    at = url_of(group, book, f"?at={passage.anchor}#{passage.anchor}")
    thread_page = client.get(thread.get_absolute_url()).content.decode()
    assert f'href="{at}">in the text</a>' in thread_page
    found = client.get(reverse("search:search"), {"q": "passage number 180"}).content.decode()
    assert f'href="{at}"' in found
    add_agenda_item(
        group=group, reading=book, text="Why here?", minutes=5, passage=passage, seen_version=0
    )
    publish_agenda(group=group, reading=book, actor=organizer, seen_version=1)
    html = client.get(url_of(group, book)).content.decode()
    assert f'<a class="muted" href="{at}">in the text</a>' in html
    html = client.get(url_of(group, book, f"?at={passage.anchor}")).content.decode()
    assert f'<a class="muted" href="#{passage.anchor}">in the text</a>' in html


@pytest.mark.django_db
def test_the_composer_opens_in_the_part_of_its_passage(django_app, group, member, book):
    passage = book.passages.get(position=150)
    page = browsing_as(django_app, member).get(
        url_of(group, book, f"?discuss={passage.anchor}&kind=comment")
    )
    assert ROW.findall(page.text) == anchors(book, 101, 200)
    form = page.forms["compose-form"] if "compose-form" in page.forms else page.forms[0]
    for candidate in page.forms.values():
        if candidate.fields.get("passage") and candidate["passage"].value == passage.anchor:
            form = candidate
    form["body"] = "Far into the book."
    page = form.submit("kind", value="comment").follow()
    assert Annotation.objects.get(body="Far into the book.").passage == passage
    assert ROW.findall(page.text) == anchors(book, 101, 200)


def threads_on(group, reading, passage, people, count):
    return [
        make_annotation(group, reading, people[n % len(people)], passage=passage, body=f"T{n}")
        for n in range(count)
    ]


@pytest.mark.django_db
def test_a_busy_margin_lists_its_liveliest_threads_and_shows_all_on_demand(
    django_app, group, member, facilitator, book
):
    passage = book.passages.get(position=3)
    threads = threads_on(group, book, passage, [member, facilitator], 8)
    post_reply(annotation=threads[0], parent=None, body="Lately", author=facilitator)
    page = browsing_as(django_app, member).get(url_of(group, book))
    margin = page.html.find(id=f"margin-{passage.anchor}")
    listed = [a["data-thread-link"] for a in margin.select("[data-thread-link]")]
    # The five most lately active, in the order they were started.
    assert listed == [str(t.pk) for t in [threads[0], *threads[4:]]]
    assert "4 questions" not in margin.text and "8 questions" in margin.text
    page = page.click(description="Show all 8 threads")
    listed = [a["data-thread-link"] for a in page.html.select("[data-thread-link]")]
    assert listed == [str(t.pk) for t in threads]
    assert "Threads on passage 3" in page.text


@pytest.mark.django_db
def test_show_all_in_place_is_announced_and_pages_a_very_busy_passage(
    client, group, member, facilitator, book
):
    passage = book.passages.get(position=3)
    threads_on(group, book, passage, [member, facilitator], 53)
    signed_in(client, member)
    url = reverse("discussions:passage", args=[group.slug, book.slug, passage.anchor])
    response = client.get(url, HTTP_HX_REQUEST="true")
    said = json.loads(response["HX-Trigger-After-Settle"])["announce"]
    assert said == {
        "message": "Showing 1–50 of 53 threads on this passage.",
        "focus": f"#threads-{passage.anchor} [data-thread-link]",
    }
    html = response.content.decode()
    assert html.count("data-thread-link=") == 50
    assert f'href="{url}?page=2">Show the next threads (51–53)' in html
    html = client.get(url + "?page=2").content.decode()
    assert html.count("data-thread-link=") == 3 and "Show the threads before" in html
    assert client.get(url + "?page=zzz").status_code == 200


@pytest.mark.django_db
def test_show_all_keeps_the_filters_and_never_lists_anothers_note(
    client, group, member, facilitator, book
):
    passage = book.passages.get(position=3)
    threads_on(group, book, passage, [member, facilitator], 7)
    make_annotation(group, book, facilitator, passage=passage, kind="note", body="Mine alone")
    signed_in(client, member)
    html = client.get(url_of(group, book, "?mine=on")).content.decode()
    url = reverse("discussions:passage", args=[group.slug, book.slug, passage.anchor])
    # Four of the member's own: no "Show all" needed through this filter.
    assert "Show all" not in html
    html = client.get(url + "?mine=on").content.decode()
    assert html.count("data-thread-link=") == 4
    html = client.get(url).content.decode()
    assert html.count("data-thread-link=") == 7 and "Mine alone" not in html
    assert "Mine alone" not in client.get(url_of(group, book)).content.decode()


@pytest.mark.django_db
def test_the_passage_page_is_the_groups_own(client, group, member, outsider, book):
    other = make_reading(passages=3, title="Elsewhere")
    other.passages.filter(position=1).update(anchor="p-abcdef")
    signed_in(client, member)
    wrong_anchor = reverse("discussions:passage", args=[group.slug, book.slug, "p-000000"])
    assert client.get(wrong_anchor).status_code == 404
    # An anchor of a reading not on the group's syllabus.
    anchor = other.passages.first().anchor
    elsewhere = reverse("discussions:passage", args=[group.slug, book.slug, anchor])
    assert anchor not in anchors(book, 1, 250) and client.get(elsewhere).status_code == 404
    signed_in(client, outsider)
    mine = reverse("discussions:passage", args=[group.slug, book.slug, anchors(book, 1, 1)[0]])
    assert client.get(mine).status_code == 404


@pytest.mark.django_db
def test_the_first_page_costs_the_same_however_long_the_book(
    client, group, member, organizer, django_assert_num_queries
):
    sizes = []
    for passages in (120, 600):
        reading = make_reading(passages=passages, title=f"Book of {passages}")
        assign_reading(group=group, reading=reading, meeting_date=None, notes="", actor=organizer)
        signed_in(client, member)
        client.get(url_of(group, reading))  # the parts and pieces cached
        # As a one-part reading's warm page (tests/discussions/test_reading.py), and
        # which parts hold news.
        with django_assert_num_queries(7):
            html = client.get(url_of(group, reading)).content.decode()
        sizes.append(len(html.replace(reading.title, "")))
        assert len(ROW.findall(html)) == 100
    # Only the list of parts grows: a line for each hundred passages or so.
    assert 0 < sizes[1] - sizes[0] < 4 * 100


def poll(client, group, reading, page, since, parts, query=""):
    """The page's live poll as live.js sends it: with the page's query string."""
    live_url = re.search(r'data-live-url="([^"]+)"', page).group(1).replace("&amp;", "&")
    url = f"{live_url}&parts={parts}{query}"
    return client.get(url, HTTP_IF_NONE_MATCH=f'"{since}"')


@pytest.mark.django_db
def test_the_live_poll_sends_only_the_loaded_parts_changes(
    client, group, member, facilitator, book
):
    signed_in(client, member)
    page = client.get(url_of(group, book)).content.decode()
    near, far = book.passages.get(position=10), book.passages.get(position=150)
    make_annotation(group, book, facilitator, passage=far, body="Far away")
    response = poll(client, group, book, page, 0, "1")
    assert response.status_code == 200 and far.anchor not in response.content.decode()
    make_annotation(group, book, facilitator, passage=near, body="Close by")
    html = poll(client, group, book, page, 1, "1").content.decode()
    assert f'data-live="margin-{near.anchor}"' in html and "Close by" in html
    # A page that has scrolled on to part 2 is sent that part's changes too.
    html = poll(client, group, book, page, 0, "1,2").content.decode()
    assert f'data-live="margin-{far.anchor}"' in html and "Far away" in html


@pytest.mark.django_db
def test_a_poll_that_missed_much_is_told_to_reload_its_part(
    client, group, member, facilitator, book
):
    signed_in(client, member)
    page = client.get(url_of(group, book, "?mine=on")).content.decode()
    for passage in book.passages.filter(position__range=(101, 101 + LIVE_PASSAGES)):
        make_annotation(group, book, facilitator, passage=passage)
    html = poll(client, group, book, page, 0, "2", "&mine=on").content.decode()
    assert 'data-live="margin-' not in html
    reload_link = url_of(group, book, "?mine=on&amp;part=2")
    assert f'<a href="{reload_link}">Reload this part</a>' in html
    # The parts before were quiet: a page holding only part 1 hears nothing of this.
    assert "Reload this part" not in poll(client, group, book, page, 0, "1").content.decode()


@pytest.mark.django_db
def test_the_page_says_which_other_parts_hold_news(client, group, member, facilitator, book):
    signed_in(client, member)
    client.get(url_of(group, book))  # the visit before
    make_annotation(group, book, facilitator, passage=book.passages.get(position=150))
    make_annotation(group, book, member, passage=book.passages.get(position=230))  # one's own
    make_annotation(group, book, facilitator, kind="note", passage=book.passages.get(position=240))
    html = client.get(url_of(group, book)).content.decode()
    assert 'data-new-parts="2"' in html
    # Seen now: nothing is new on the next visit.
    assert 'data-new-parts=""' in client.get(url_of(group, book)).content.decode()


@pytest.mark.django_db
def test_going_from_part_to_part_continues_the_visit(client, group, member, facilitator, book):
    signed_in(client, member)
    client.get(url_of(group, book))  # the visit before
    make_annotation(group, book, facilitator, passage=book.passages.get(position=150))
    client.get(url_of(group, book))  # this visit: the thread on passage 150 is new
    html = client.get(url_of(group, book, "?part=2")).content.decode()
    seen = int(re.search(r'data-seen="(\d+)"', html).group(1))
    assert seen < Annotation.objects.get(passage__position=150).last_posted


@pytest.mark.django_db
def test_from_a_passages_page_asking_opens_the_composer_in_its_part(
    django_app, group, member, book
):
    passage = book.passages.get(position=160)
    url = reverse("discussions:passage", args=[group.slug, book.slug, passage.anchor])
    page = browsing_as(django_app, member).get(url)
    page = page.click(description="Ask a question")
    assert ROW.findall(page.text) == anchors(book, 101, 200)
    composer = next(f for f in page.forms.values() if "body" in f.fields)
    assert composer["passage"].value == passage.anchor
