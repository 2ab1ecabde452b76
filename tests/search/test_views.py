"""The search page: what each person finds, and what nobody finds that they may not see."""

import re

import pytest

from discussions.models import ModerationEvent
from discussions.services import delete_post, moderate, post_reply
from groups.models import Membership
from groups.services import assign_reading, create_group
from readings.models import Reading
from tests.conftest import (
    add_member,
    browsing_as,
    form_with,
    make_annotation,
    make_reading,
    signed_in,
)

# Every post says "lighthouse"; each also says a word of its own, to tell them apart.
SEEN_BY_MEMBERS = {"passageword", "questionword", "replyword"}
NEVER_SEEN = {
    "hiddenword",
    "deletedword",
    "moderatedanswer",
    "retractedanswer",
    "elsewhereword",
    "unassignedword",
    "draftword",
}


def set_text(passage, text):
    passage.text = passage.html = text
    passage.save(update_fields=["text", "html"])


@pytest.fixture
def discussion(group, organizer, facilitator, member, outsider, assigned_reading):
    """The group's reading, with the posts of every state; the outsider's own
    group on the same reading; a reading on no syllabus, and a draft on it."""
    set_text(assigned_reading.passages.first(), "The lighthouse passageword stands.")
    question = make_annotation(
        group, assigned_reading, member, body="Why the lighthouse questionword?"
    )
    post_reply(
        annotation=question, parent=None, body="The lighthouse replyword.", author=facilitator
    )
    hidden_reply = post_reply(
        annotation=question, parent=None, body="lighthouse moderatedanswer", author=organizer
    )
    moderate(
        post=hidden_reply, group=group, actor=facilitator, action=ModerationEvent.Action.HIDDEN
    )
    deleted_reply = post_reply(
        annotation=question, parent=None, body="lighthouse retractedanswer", author=member
    )
    delete_post(post=deleted_reply)
    make_annotation(group, assigned_reading, member, kind="note", body="lighthouse noteword")
    hidden = make_annotation(
        group, assigned_reading, member, kind="comment", body="lighthouse hiddenword"
    )
    moderate(post=hidden, group=group, actor=facilitator, action=ModerationEvent.Action.HIDDEN)
    deleted = make_annotation(group, assigned_reading, facilitator, body="lighthouse deletedword")
    delete_post(post=deleted)
    other = create_group(name="Day readers", description="", creator=outsider)
    assign_reading(group=other, reading=assigned_reading, meeting_date=None, notes="", actor=None)
    make_annotation(other, assigned_reading, outsider, body="lighthouse elsewhereword")
    unassigned = make_reading(title="On no syllabus")
    set_text(unassigned.passages.first(), "A lighthouse unassignedword.")
    draft = make_reading(title="A draft")
    set_text(draft.passages.first(), "A lighthouse draftword.")
    assign_reading(group=group, reading=draft, meeting_date=None, notes="", actor=None)
    # Taken back to draft after it went on the syllabus: the reading page refuses it now.
    Reading.objects.filter(pk=draft.pk).update(status=Reading.Status.DRAFT)
    return question


def found(client, **query) -> str:
    response = client.get("/search/", {"q": "lighthouse", **query})
    assert response.status_code == 200
    return response.content.decode()


def words_in(page: str) -> set[str]:
    return {w for w in SEEN_BY_MEMBERS | NEVER_SEEN | {"noteword"} if re.search(rf"\b{w}\b", page)}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role, expected",
    [
        ("member", SEEN_BY_MEMBERS | {"noteword"}),  # her own private note too
        ("facilitator", SEEN_BY_MEMBERS),  # moderators neither: hidden is out of search
        ("organizer", SEEN_BY_MEMBERS),
        ("outsider", {"passageword", "elsewhereword"}),  # only their own group's
        ("staff", set()),  # staff are outsiders to every group they are not in
    ],
)
def test_each_role_finds_only_what_they_may_see(client, discussion, request, role, expected):
    page = found(signed_in(client, request.getfixturevalue(role)))
    # Not in the results, the counts or the highlights: nowhere on the page.
    assert words_in(page) == expected
    if not expected:
        assert "0 matches" in page


@pytest.mark.django_db
def test_anonymous_is_sent_to_sign_in(client, discussion):
    response = client.get("/search/", {"q": "lighthouse"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_results_link_to_the_passage_the_thread_and_the_reply(client, member, discussion, group):
    page = found(signed_in(client, member))
    reading = f"/g/{group.slug}/r/on-the-syllabus/"
    anchor = discussion.reading.passages.first().anchor
    reply = discussion.replies.get(body__contains=" replyword")
    assert f'href="{reading}?at={anchor}#{anchor}"' in page
    assert f'href="{reading}t/{discussion.pk}/"' in page
    assert f'href="{reading}t/{discussion.pk}/#r-{reply.pk}"' in page
    # The thread page has that anchor for the link to land on.
    assert f'id="r-{reply.pk}"' in client.get(f"{reading}t/{discussion.pk}/").content.decode()


@pytest.mark.django_db
def test_matched_words_are_marked_and_user_text_is_escaped(client, member, group, assigned_reading):
    make_annotation(
        group,
        assigned_reading,
        member,
        body='<script>alert("x")</script> <mark>fake</mark> the keepers \x02kept\x03 lighthouses',
    )
    page = found(signed_in(client, member))
    assert "<mark>lighthouses</mark>" in page  # stemmed: lighthouse finds lighthouses
    # Escaped on SQLite; PostgreSQL's headline leaves tags out of the context.
    assert "alert(" in page and "<script>alert" not in page
    assert "<mark>fake" not in page
    # Control characters in a post cannot open or close a mark that is not a match.
    assert page.count("<mark>") == page.count("</mark>")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query, message",
    [
        ("", "Type a word to search for"),
        ("   ", "Type a word to search for"),
        ('?!*()"-:^', "Type a word to search for"),
        ("lighthouse " * 910, "Search for at most 200 characters."),
    ],
)
def test_nothing_to_search_for_says_so(client, member, discussion, query, message):
    response = signed_in(client, member).get("/search/", {"q": query})
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert words_in(page) == set()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        'lighthouse"',
        '"lighthouse',
        "(lighthouse",
        "lighthouse*",
        "-lighthouse",
        "^lighthouse",
        "lighthouse & | ! <-> :*",
        "'lighthouse'",
        "{lighthouse}",
    ],
)
def test_query_syntax_is_only_words(client, member, discussion, query):
    response = signed_in(client, member).get("/search/", {"q": query})
    assert response.status_code == 200
    assert "questionword" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        "OR",
        "body:lighthouse",
        "lighthouse AND NOT",
        "NEAR(lighthouse keeper, 2)",
        "lighthouse OR x",
    ],
)
def test_query_keywords_are_words_too(client, member, discussion, query):
    response = signed_in(client, member).get("/search/", {"q": query})
    assert response.status_code == 200
    assert "match" in response.content.decode()


@pytest.mark.django_db
def test_a_page_with_no_query_shows_the_form(client, member, discussion):
    page = signed_in(client, member).get("/search/").content.decode()
    assert "<h1>Search your groups</h1>" in page
    assert "match" not in page and "Type a word" not in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    "filters, expected",
    [
        ({"kind": "passage"}, {"passageword"}),
        ({"kind": "question"}, {"questionword"}),
        ({"kind": "note"}, {"noteword"}),
        ({"kind": "comment"}, set()),
        ({"kind": "reply"}, {"replyword"}),
        ({"author": "facilitator"}, {"replyword"}),
        ({"author": "member", "kind": "reply"}, set()),
        ({"reading": "on-the-syllabus"}, SEEN_BY_MEMBERS | {"noteword"}),
        ({"group": "group"}, SEEN_BY_MEMBERS | {"noteword"}),
    ],
)
def test_filters(client, member, group, discussion, request, filters, expected):
    if "group" in filters:
        filters["group"] = group.slug
    if "author" in filters:
        filters["author"] = request.getfixturevalue(filters["author"]).pk
    assert words_in(found(signed_in(client, member), **filters)) == expected


@pytest.mark.django_db
def test_a_filter_naming_what_one_may_not_see_finds_nothing(client, member, outsider, discussion):
    other = outsider.memberships.get().group.slug
    for filters in ({"group": other}, {"reading": "on-no-syllabus"}, {"author": 10**6}):
        page = found(signed_in(client, member), **filters)
        assert "Select a valid choice" in page
        assert words_in(page) == set()
    # Someone in no group of hers is not offered, so cannot be chosen.
    assert "Otto Outsider" not in found(client)


@pytest.mark.django_db
def test_a_passage_shows_once_for_each_of_ones_groups_with_its_reading(
    client, member, discussion, assigned_reading, organizer
):
    second = create_group(name="Weekend readers", description="", creator=organizer)
    add_member(second, member, Membership.Role.MEMBER)
    assign_reading(group=second, reading=assigned_reading, meeting_date=None, notes="", actor=None)
    page = found(signed_in(client, member), kind="passage")
    assert page.count("passageword") == 2
    assert f"/g/{second.slug}/r/on-the-syllabus/?at=" in page
    assert found(client, kind="passage", group=second.slug).count("passageword") == 1


@pytest.mark.django_db
def test_search_from_the_header_and_the_page(django_app, member, discussion):
    app = browsing_as(django_app, member)
    form = form_with(app.get("/"), "Search")
    form["q"] = "lighthouse"
    page = form.submit()
    assert "questionword" in page.text
    form = page.forms["search-form"]
    form["q"] = "lighthouse"
    form["kind"] = "reply"
    page = form.submit()
    assert words_in(page.text) == {"replyword"}
    assert page.forms["search-form"]["kind"].value == "reply"


@pytest.mark.django_db
def test_query_count_is_fixed_as_results_grow(
    client, member, group, assigned_reading, django_assert_num_queries
):
    signed_in(client, member)
    set_text(assigned_reading.passages.first(), "The lighthouse.")

    def queries_for(posts: int) -> int:
        for n in range(posts):
            thread = make_annotation(group, assigned_reading, member, body=f"lighthouse {n}")
            post_reply(annotation=thread, parent=None, body="lighthouse too", author=member)
        # Session, user; syllabus, people to filter by; each table: match, then rows;
        # the header's inbox count.
        with django_assert_num_queries(11):
            assert "</mark> too" in client.get("/search/", {"q": "lighthouse"}).text

    queries_for(2)
    queries_for(30)
