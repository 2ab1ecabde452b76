"""The reading page's questions list: counted, sorted, filtered and paged in the
database, 20 a page, whatever the size of the discussion."""

import re

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from discussions.models import Annotation
from discussions.services import delete_post, moderate, post_reply
from groups.services import assign_reading, create_group
from tests.conftest import (
    add_member,
    browsing_as,
    make_annotation,
    make_questions,
    make_user,
    signed_in,
)


def page_url(group, reading) -> str:
    return reverse("discussions:reading", args=[group.slug, reading.slug])


def listed(html: str) -> list[int]:
    """The ids of the questions the list shows, in its order."""
    listing = html[html.index('id="questions"') : html.index("</details>")]
    return [int(pk) for pk in re.findall(r'<li><a href="[^"]*/t/(\d+)/">', listing)]


def count_shown(html: str) -> int:
    return int(re.search(r'<summary>Questions <span id="question-count">\((\d+)\)', html)[1])


def more_link(html: str) -> str | None:
    found = re.search(r'<a href="([^"]*)">More questions</a>', html)
    return found and found[1].replace("&amp;", "&")


def whole_list(client, url: str) -> tuple[list[int], int]:
    """Every question, page after page by the "More questions" links, and the
    number of pages."""
    ids, pages = [], 0
    while url:
        html = client.get(url).content.decode()
        ids += listed(html)
        pages += 1
        link = more_link(html)
        url = link and url.split("?")[0] + link.split("#")[0]
    return ids, pages


ORDERS = {
    "votes": lambda a: (-a.vote_count, a.created, a.pk),
    "newest": lambda a: (-a.created.timestamp(), a.pk),
    "passage": lambda a: (a.passage.position, a.start or 0, a.created, a.pk),
}


def expected(questions, user, *, sort="votes", kind="", unanswered=False, mine=False, member=None):
    """The list the page should give, worked out in Python from every question."""
    kept = [
        q
        for q in questions
        if (kind in ("", "question"))
        and not (unanswered and q.answered)
        and not (mine and q.author_id != user.pk)
        and not (member and q.author_id != member)
        and q.deleted is None
    ]
    return [q.pk for q in sorted(kept, key=ORDERS[sort])]


@pytest.mark.django_db
def test_paging_through_the_list_by_its_links(
    django_app, group, member, organizer, assigned_reading
):
    questions = make_questions(group, assigned_reading, [member, organizer], 45)
    page = browsing_as(django_app, member).get(page_url(group, assigned_reading) + "?sort=newest")
    assert count_shown(page.text) == 45 and "open" not in page.text.split('id="questions"')[1][:8]
    seen = listed(page.text)
    assert "Earlier questions" not in page.text and ">questions 1–20 · " in page.text
    page = page.click("More questions")
    # Following the link opens the list, keeps the sort, and goes on from where it was.
    assert 'id="questions" open' in page.text and "sort=newest" in page.request.url
    seen += listed(page.text)
    page = page.click("More questions")
    seen += listed(page.text)
    assert "· questions 41–45</p>" in page.text and "More questions" not in page.text
    assert seen == expected(questions, member, sort="newest")
    assert listed(page.click("Earlier questions").text) == seen[20:40]


@pytest.mark.django_db
def test_filters_and_paging_combine(client, group, member, organizer, assigned_reading):
    questions = make_questions(group, assigned_reading, [member, organizer], 130)
    signed_in(client, member)
    url = page_url(group, assigned_reading) + "?unanswered=on&mine=on&sort=passage&follow=off"
    ids, pages = whole_list(client, url)
    assert (len(ids), pages) == (43, 3)
    assert ids == expected(questions, member, sort="passage", unanswered=True, mine=True)
    assert count_shown(client.get(url).content.decode()) == 43
    # The links keep every other parameter of the page's address.
    link = more_link(client.get(url).content.decode())
    assert "follow=off" in link and "unanswered=on" in link and "qpage=2" in link


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("qpage", "first"), [("abc", 0), ("0", 0), ("-3", 0), ("", 0), ("2", 20), ("99", 40)]
)
def test_a_malformed_or_far_page_gives_the_first_or_the_last(
    client, group, member, assigned_reading, qpage, first
):
    questions = make_questions(group, assigned_reading, [member], 45)
    signed_in(client, member)
    response = client.get(page_url(group, assigned_reading) + f"?qpage={qpage}")
    assert response.status_code == 200
    assert listed(response.content.decode()) == expected(questions, member)[first : first + 20]
    huge = client.get(page_url(group, assigned_reading) + "?qpage=" + "9" * 5000)
    assert listed(huge.content.decode()) == expected(questions, member)[:20]


@pytest.mark.django_db
def test_in_the_text_opens_the_section_holding_the_passage(client, group, member, assigned_reading):
    question = make_annotation(group, assigned_reading, member, words="worth")
    make_annotation(group, assigned_reading, member, body="Whole?")
    Annotation.objects.filter(body="Whole?").update(whole_reading=True)
    lost = make_annotation(group, assigned_reading, member, body="Lost?", words="worth")
    Annotation.objects.filter(pk=lost.pk).update(orphaned=1, start=None, end=None)
    html = signed_in(client, member).get(page_url(group, assigned_reading)).content.decode()
    anchor = question.passage.anchor
    url = page_url(group, assigned_reading)
    assert f'<a href="{url}?at={anchor}#{anchor}">in the text</a>' in html
    assert html.count(">in the text</a>") == 1
    assert "on the whole reading" in html and '<a href="#earlier">from an earlier' in html


@pytest.mark.django_db
def test_private_notes_and_hidden_questions_of_others(
    client, group, member, organizer, facilitator, assigned_reading
):
    asker = make_user("asker@example.org", "Ada Asker")
    add_member(group, asker)
    make_annotation(group, assigned_reading, asker, kind="note", body="My own note")
    rude = make_annotation(group, assigned_reading, asker, body="Rude question")
    make_annotation(group, assigned_reading, organizer, body="Fine question")
    gone = make_annotation(group, assigned_reading, organizer, body="Gone question")
    post_reply(annotation=gone, parent=None, body="Kept", author=member)
    delete_post(post=Annotation.objects.get(pk=gone.pk))
    moderate(post=rude, group=group, actor=facilitator, action="hidden")

    def questions_of(user) -> str:
        html = signed_in(client, user).get(page_url(group, assigned_reading)).content.decode()
        return html[html.index('id="questions"') : html.index("</details>")]

    # Each in turn, so that none is given a list cached for another.
    own = questions_of(asker)
    assert "Rude question" in own and "My own note" not in own and count_shown(own) == 2
    for user in (member, facilitator, member):
        shown = questions_of(user)
        assert ("Rude question" in shown) == (user == facilitator)
        assert ("hidden by a moderator" in shown) == (user == member)
        assert "My own note" not in shown and "Gone question" not in shown
        assert count_shown(shown) == 2


@pytest.mark.django_db
@pytest.mark.parametrize("questions", [30, 300])
def test_the_list_costs_the_same_queries_at_any_size(
    client, group, member, organizer, django_assert_num_queries, assigned_reading, questions
):
    make_questions(group, assigned_reading, [member, organizer], questions)
    signed_in(client, member)
    url = page_url(group, assigned_reading) + "?sort=passage&qpage=2"
    # The page's 22 (tests/discussions/test_reading.py), the list among them: who
    # asked hidden questions, the questions counted, a page of them.
    with django_assert_num_queries(22):
        html = client.get(url).content.decode()
    assert len(listed(html)) == min(20, questions - 20) and count_shown(html) == questions
    # From the cache: the list costs none of those.
    with django_assert_num_queries(6):
        assert listed(client.get(url).content.decode()) == listed(html)


@pytest.mark.django_db
def test_the_pages_together_are_the_whole_sorted_filtered_list(
    client, group, member, organizer, facilitator, assigned_reading
):
    outsider = make_user("third@example.org", "Theo Third")
    add_member(group, outsider)
    authors = [member, organizer, facilitator, outsider]
    questions = make_questions(group, assigned_reading, authors, 57)
    signed_in(client, member)

    @settings(
        max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    @given(
        sort=st.sampled_from(sorted(ORDERS)),
        kind=st.sampled_from(["", "question", "comment"]),
        unanswered=st.booleans(),
        mine=st.booleans(),
        member_pk=st.sampled_from([None, *(a.pk for a in authors)]),
    )
    def check(sort, kind, unanswered, mine, member_pk):
        params = {"sort": sort, "kind": kind, "unanswered": "on" if unanswered else ""}
        params |= {"mine": "on" if mine else "", "member": member_pk or ""}
        url = (
            page_url(group, assigned_reading)
            + "?"
            + "&".join(f"{k}={v}" for k, v in params.items())
        )
        ids, _ = whole_list(client, url)
        wanted = expected(
            questions,
            member,
            sort=sort,
            kind=kind,
            unanswered=unanswered,
            mine=mine,
            member=member_pk,
        )
        assert ids == wanted
        assert count_shown(client.get(url).content.decode()) == len(wanted)

    check()


@pytest.mark.django_db
def test_another_groups_questions_on_the_same_reading_stay_theirs(
    client, group, member, organizer, outsider, assigned_reading
):
    other = create_group(name="Day readers", description="", creator=outsider)
    assign_reading(
        group=other, reading=assigned_reading, meeting_date=None, notes="", actor=outsider
    )
    make_questions(other, assigned_reading, [outsider], 25)
    make_annotation(group, assigned_reading, organizer, body="Ours?")
    html = signed_in(client, member).get(page_url(group, assigned_reading)).content.decode()
    assert count_shown(html) == 1 and "Ours?" in html and "Question 1<" not in html
    assert "More questions" not in html
