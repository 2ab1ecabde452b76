"""The reading page of a group: marks, margins, filters, questions, and
starting a thread on a passage or on words in it."""

import re

import pytest
from django.urls import reverse

from discussions.models import Annotation
from discussions.pieces import MARGIN_THREADS
from discussions.services import delete_post, moderate, post_reply, set_reaction, set_vote
from tests.conftest import add_member, make_annotation, make_reading, make_user, signed_in


def page_url(group, reading, **params):
    url = reverse("discussions:reading", args=[group.slug, reading.slug])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def annotate_url(group, reading):
    return reverse("discussions:annotate", args=[group.slug, reading.slug])


@pytest.mark.django_db
def test_ask_a_question_about_exact_words(client, group, member, assigned_reading):
    passage = assigned_reading.passages.get(position=2)
    signed_in(client, member)
    response = client.post(
        annotate_url(group, assigned_reading),
        {
            "passage": passage.anchor,
            "kind": "question",
            "body": "What is *worth* discussing?",
            "exact": "something worth",
            "start": "22",
            "end": "37",
        },
    )
    assert response.status_code == 302
    anchor = passage.anchor
    assert response.url == page_url(group, assigned_reading) + f"?at={anchor}#{anchor}"
    annotation = Annotation.objects.get()
    assert (annotation.kind, annotation.start, annotation.end) == ("question", 22, 37)
    assert (annotation.exact, annotation.prefix) == ("something worth", "Passage number 2 says ")
    assert annotation.suffix == " discussing."
    assert annotation.body_html == "<p>What is <em>worth</em> discussing?</p>"

    page = client.get(page_url(group, assigned_reading)).content.decode()
    mark = f'<mark class="anno" data-annotations="{annotation.pk}">something worth</mark>'
    assert f"says {mark} discussing" in page
    assert "1 question · 0 comments" in page
    assert "Maya Member:</span> What is worth discussing?" in page
    thread = reverse("discussions:thread", args=[group.slug, assigned_reading.slug, annotation.pk])
    assert f'<a href="{thread}" hx-get="{thread}"' in page


@pytest.mark.django_db
def test_stale_positions_fall_back_to_the_quote(client, group, member, assigned_reading):
    passage = assigned_reading.passages.first()
    signed_in(client, member).post(
        annotate_url(group, assigned_reading),
        {
            "passage": passage.anchor,
            "kind": "comment",
            "body": "Hm",
            "exact": "worth",
            "start": "0",
            "end": "5",
        },
    )
    annotation = Annotation.objects.get()
    assert (annotation.start, annotation.end) == (
        passage.text.index("worth"),
        passage.text.index("worth") + 5,
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"exact": "not in the text"}, "The quoted words do not occur in this passage."),
        ({"body": "   "}, "Write something first."),
        ({"passage": "p-nowhere"}, "That passage is not in this reading."),
        ({"kind": "rant"}, "Select a valid choice."),
    ],
)
def test_bad_annotations_are_refused_and_keep_the_text(
    client, group, member, assigned_reading, data, message
):
    passage = assigned_reading.passages.first()
    form = {"passage": passage.anchor, "kind": "question", "body": "My careful question"} | data
    response = signed_in(client, member).post(annotate_url(group, assigned_reading), form)
    page = response.content.decode()
    assert response.status_code == 400
    assert message in page
    if data.get("body") is None and "passage" not in data:
        assert "My careful question</textarea>" in page
    assert not Annotation.objects.exists()


@pytest.mark.django_db
def test_htmx_post_answers_with_the_passage(client, group, member, assigned_reading):
    passage = assigned_reading.passages.first()
    response = signed_in(client, member).post(
        annotate_url(group, assigned_reading),
        {"passage": passage.anchor, "kind": "comment", "body": "In place"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith(f'<section class="passage-row" id="row-{passage.anchor}"')
    assert "0 questions · 1 comment" in html and "In place" in html


@pytest.mark.django_db
def test_htmx_post_answers_with_the_passage_as_the_post_left_it(
    client, group, member, assigned_reading
):
    # What the pieces' keys are made of is cached under the discussion's version:
    # here a refused post drew the passage again (and cached it) at the version before.
    passage = assigned_reading.passages.first()
    signed_in(client, member).get(page_url(group, assigned_reading))

    def post(body):
        data = {"passage": passage.anchor, "kind": "comment", "body": body}
        return client.post(annotate_url(group, assigned_reading), data, HTTP_HX_REQUEST="true")

    assert post("").status_code == 400
    html = post("In place").content.decode()
    assert "0 questions · 1 comment" in html and "In place" in html


@pytest.mark.django_db
def test_without_javascript_the_margin_opens_a_composer(client, group, member, assigned_reading):
    passage = assigned_reading.passages.get(position=3)
    page = signed_in(client, member).get(page_url(group, assigned_reading)).content.decode()
    discuss = f"{page_url(group, assigned_reading)}?discuss={passage.anchor}"
    assert f'href="{discuss}&amp;kind=question#row-{passage.anchor}"' in page
    page = client.get(
        page_url(group, assigned_reading, discuss=passage.anchor, kind="comment")
    ).content.decode()
    row = page[page.index(f'id="row-{passage.anchor}"') :]
    assert f'name="passage" value="{passage.anchor}"' in row.split("</section>")[0]
    assert "Ask a question</button>" in row and "Comment</button>" in row


@pytest.mark.django_db
def test_private_notes_are_seen_only_by_their_author(
    client, group, member, facilitator, assigned_reading
):
    make_annotation(group, assigned_reading, member, kind="note", body="Only for me", words="worth")
    mine = signed_in(client, member).get(page_url(group, assigned_reading)).content.decode()
    assert "Only for me" in mine and "<mark" in mine
    theirs = signed_in(client, facilitator).get(page_url(group, assigned_reading)).content.decode()
    assert "Only for me" not in theirs and "<mark" not in theirs
    note = Annotation.objects.get()
    thread = reverse("discussions:thread", args=[group.slug, assigned_reading.slug, note.pk])
    assert client.get(thread).status_code == 404


@pytest.mark.django_db
def test_overlapping_marks(client, group, member, organizer, assigned_reading):
    first = make_annotation(group, assigned_reading, member, words="number 1 says")
    second = make_annotation(group, assigned_reading, organizer, words="says something")
    page = signed_in(client, member).get(page_url(group, assigned_reading)).content.decode()
    assert (
        f'<mark class="anno" data-annotations="{first.pk}">number 1 </mark>'
        f'<mark class="anno" data-annotations="{first.pk} {second.pk}" data-overlap="2">says</mark>'
        f'<mark class="anno" data-annotations="{second.pk}"> something</mark>'
    ) in page


@pytest.mark.django_db
def test_deleted_without_replies_disappears_with_replies_stays(
    client, group, member, organizer, assigned_reading
):
    lonely = make_annotation(group, assigned_reading, member, body="Lonely", words="Passage")
    answered = make_annotation(group, assigned_reading, member, body="Answered one")
    post_reply(annotation=answered, parent=None, body="A reply", author=organizer)
    delete_post(post=lonely)
    delete_post(post=Annotation.objects.get(pk=answered.pk))
    page = signed_in(client, member).get(page_url(group, assigned_reading)).content.decode()
    assert "Lonely" not in page and "<mark" not in page
    assert "Answered one" not in page and "<em>deleted</em>" in page


@pytest.mark.django_db
def test_hidden_posts_are_blanked_for_members(
    client, group, member, facilitator, outsider, assigned_reading
):
    add_member(group, outsider)
    annotation = make_annotation(group, assigned_reading, member, body="Rude words", words="worth")
    moderate(post=annotation, group=group, actor=facilitator, action="hidden")
    others = signed_in(client, outsider).get(page_url(group, assigned_reading)).content.decode()
    assert (
        "Rude words" not in others and "hidden by a moderator" in others and "<mark" not in others
    )
    for viewer in (member, facilitator):
        page = signed_in(client, viewer).get(page_url(group, assigned_reading)).content.decode()
        assert "Rude words" in page and " · hidden" in page


@pytest.mark.django_db
def test_filters(client, group, member, organizer, facilitator, assigned_reading):
    make_annotation(group, assigned_reading, member, body="My question")
    make_annotation(group, assigned_reading, organizer, kind="comment", body="A comment")
    answered = make_annotation(group, assigned_reading, facilitator, body="Answered question")
    Annotation.objects.filter(pk=answered.pk).update(answered="2030-01-01T00:00Z")
    signed_in(client, member)

    def shown(**params):
        page = client.get(page_url(group, assigned_reading, **params)).content.decode()
        return {
            b for b in ("My question", "A comment", "Answered question") if f"</span> {b}" in page
        }

    assert shown() == {"My question", "A comment", "Answered question"}
    assert shown(kind="question") == {"My question", "Answered question"}
    assert shown(unanswered="on") == {"My question"}
    assert shown(mine="on") == {"My question"}
    assert shown(member=organizer.pk) == {"A comment"}


@pytest.mark.django_db
def test_questions_sorted_by_votes_newest_or_passage(
    client, group, member, organizer, facilitator, assigned_reading
):
    third = assigned_reading.passages.get(position=3)
    first_passage = assigned_reading.passages.get(position=1)
    make_annotation(group, assigned_reading, member, body="Early question", passage=third)
    popular = make_annotation(
        group, assigned_reading, organizer, body="Popular question", passage=third
    )
    make_annotation(
        group, assigned_reading, facilitator, body="Late question", passage=first_passage
    )
    set_vote(annotation=popular, user=member, on=True)
    set_vote(annotation=popular, user=facilitator, on=True)
    signed_in(client, member)

    def order(sort):
        page = client.get(page_url(group, assigned_reading, sort=sort)).content.decode()
        listing = page[page.index('class="question-list"') :]
        return re.findall(r">(\w+) question</a>", listing)

    assert order("votes")[0] == "Popular"
    assert order("newest") == ["Late", "Popular", "Early"]
    assert order("passage") == ["Late", "Early", "Popular"]


@pytest.mark.django_db
def test_margin_counts_and_heat(client, group, member, organizer, assigned_reading):
    question = make_annotation(group, assigned_reading, member, body="Q")
    make_annotation(group, assigned_reading, organizer, kind="comment", body="C")
    for n in range(4):
        post_reply(annotation=question, parent=None, body=f"R{n}", author=organizer)
    page = signed_in(client, member).get(page_url(group, assigned_reading)).content.decode()
    assert 'class="margin heat-3"' in page  # 2 threads + 4 replies = 6 posts
    assert "1 question · 1 comment" in page
    assert "6 posts in all" in page
    assert "4 replies" in page


@pytest.mark.django_db
def test_mentions_link_to_the_members_posts(client, group, member, organizer, assigned_reading):
    make_annotation(group, assigned_reading, member, body="What do you think, @Olga Organizer?")
    annotation = Annotation.objects.get()
    link = f"{page_url(group, assigned_reading)}?member={organizer.pk}"
    assert f'<a class="mention" href="{link}">@Olga Organizer</a>' in annotation.body_html


@pytest.mark.django_db
@pytest.mark.parametrize("annotations", [10, 400])
def test_reading_page_queries_stay_flat(
    client, group, member, organizer, django_assert_num_queries, annotations
):
    reading = make_reading(passages=50, title=f"Busy {annotations}")
    from groups.services import assign_reading

    assign_reading(group=group, reading=reading, meeting_date=None, notes="", actor=organizer)
    people = [member, organizer] + [make_user(f"p{annotations}-{i}@example.org") for i in range(8)]
    for person in people[2:]:
        add_member(group, person)
    passages = list(reading.passages.all())
    for n in range(annotations):
        annotation = make_annotation(
            group,
            reading,
            people[n % len(people)],
            passage=passages[n % 50],
            words="worth" if n % 2 else "",
        )
        if n % 3 == 0:
            post_reply(annotation=annotation, parent=None, body="Reply", author=member)
        if n % 5 == 0:  # counted in the margin, by the query that fetches the threads
            set_reaction(annotation=annotation, reply=None, user=organizer, kind="lost", on=True)
    signed_in(client, member)
    # session, user, the assignment with its group, my role and the reading, members, the
    # reading's parts, the part's outline, each passage's annotation counts and
    # versions and who wrote the private notes and hidden posts there (the cache
    # keys), the passages not cached, their margins (heat, counts, the threads
    # listed: ranked, then fetched; the marks), whether there are threads from an
    # earlier version and who asked hidden questions (the questions list's key),
    # the questions counted and a page of them, published agenda, running meeting,
    # the viewer's visit (moved, returning the one before, in one query), whether I
    # follow the reading, the header's inbox count
    with django_assert_num_queries(22):
        response = client.get(page_url(group, reading))
    listed = min(annotations, 50 * MARGIN_THREADS)  # each margin lists its liveliest
    assert response.content.decode().count('class="thread-summary ') == listed
    if annotations == listed:
        assert response.content.decode().count("I&#x27;m lost: 1") == annotations // 5
    # Again: every passage and the questions list come from the cache, annotations
    # unread; the parts, the outline, the members and what the keys are made of
    # too (until the discussion's version, the text's revision or the group's
    # people version changes), and the meeting banner and the published agenda.
    with django_assert_num_queries(6):
        response = client.get(page_url(group, reading))
    assert response.content.decode().count('class="thread-summary ') == listed
