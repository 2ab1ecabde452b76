"""Orphans: threads whose words a revision took out of the text. They stay
readable (the reading page lists them under "From an earlier version", their
thread page says the words are gone), and those who may attach them to the
text again do it on the review page, a plain form."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from discussions.models import Annotation, ModerationEvent
from discussions.services import moderate, post_reply
from groups.services import assign_reading, create_group
from readings.models import Passage
from tests.conftest import (
    add_member,
    browsing_as,
    make_annotation,
    make_reading,
    make_user,
    signed_in,
)


def orphan(annotation: Annotation, revision: int = 2) -> Annotation:
    """As a revision leaves an annotation whose words it took out: its old quote
    kept, its offsets gone."""
    Annotation.objects.filter(pk=annotation.pk).update(orphaned=revision, start=None, end=None)
    annotation.reading.revision = revision
    annotation.reading.save(update_fields=["revision"])
    annotation.refresh_from_db()
    return annotation


def page(user, group, reading, query="") -> str:
    url = reverse("discussions:reading", args=[group.slug, reading.slug]) + query
    response = signed_in(Client(), user).get(url)
    assert response.status_code == 200
    return response.content.decode()


def earlier(html: str) -> str:
    """The page's "From an earlier version" section, or "" when it has none."""
    found = re.search(r'<section class="earlier".*?</section>', html, re.DOTALL)
    return found.group(0) if found else ""


def margins(html: str) -> str:
    return "".join(re.findall(r'<aside class="margin.*?</aside>', html, re.DOTALL))


def review_url(group, reading) -> str:
    return reverse("discussions:orphans", args=[group.slug, reading.slug])


@pytest.fixture
def second(group):
    other = make_user("second@example.org", "Sam Second")
    add_member(group, other)
    return other


@pytest.mark.django_db
def test_an_orphan_leaves_the_margin_and_the_marks_for_its_own_list(
    group, member, second, assigned_reading
):
    lost = orphan(make_annotation(group, assigned_reading, member, body="Gone?", words="worth"))
    make_annotation(group, assigned_reading, member, body="Still here", words="says")
    html = page(second, group, assigned_reading)
    assert "Gone?" not in margins(html) and "Still here" in margins(html)
    assert html.count('<mark class="anno"') == 1  # the anchored one's words only
    listed = earlier(html)
    assert "From an earlier version" in listed
    assert "Question" in listed and "Maya Member" in listed and "<q>worth</q>" in listed
    assert f'href="/g/{group.slug}/r/{assigned_reading.slug}/t/{lost.pk}/"' in listed
    # The questions list still has it, pointing here rather than into the text.
    questions = re.search(r'<details class="questions".*?</details>', html, re.DOTALL).group(0)
    assert "Gone?" in questions and 'href="#earlier">from an earlier version' in questions


@pytest.mark.django_db
def test_orphans_are_seen_as_every_other_post_is(
    group, member, second, facilitator, assigned_reading
):
    note = orphan(make_annotation(group, assigned_reading, member, kind="note", words="worth"))
    rude = orphan(make_annotation(group, assigned_reading, second, kind="comment", words="says"))
    moderate(post=rude, group=group, actor=facilitator, action=ModerationEvent.Action.HIDDEN)
    quiet = orphan(make_annotation(group, assigned_reading, second, words="Passage"))
    post_reply(annotation=quiet, parent=None, body="A reply keeps it", author=member)
    gone = orphan(make_annotation(group, assigned_reading, second, kind="comment", words="number"))
    for post in (quiet, gone):
        post.deleted = timezone.now()
        post.save(update_fields=["deleted"])

    def thread_links(user) -> set[int]:
        return {
            int(pk) for pk in re.findall(r"/t/(\d+)/", earlier(page(user, group, assigned_reading)))
        }

    assert thread_links(member) == {note.pk, rude.pk, quiet.pk}
    assert thread_links(second) == {rude.pk, quiet.pk}
    assert thread_links(facilitator) == {rude.pk, quiet.pk}
    as_member = earlier(page(member, group, assigned_reading))
    assert "hidden by a moderator" in as_member and "<q>says</q>" not in as_member
    assert "<em>deleted</em>" in as_member
    as_author = earlier(page(second, group, assigned_reading))
    assert "<q>says</q>" in as_author and "· hidden" in as_author


@pytest.mark.django_db
def test_the_review_link_shows_to_those_who_may_reattach(
    group, member, second, facilitator, assigned_reading
):
    assert earlier(page(facilitator, group, assigned_reading)) == ""
    orphan(make_annotation(group, assigned_reading, second, words="worth"))
    link = f'href="{review_url(group, assigned_reading)}"'
    assert link in earlier(page(facilitator, group, assigned_reading))
    assert link in earlier(page(second, group, assigned_reading))
    assert link not in earlier(page(member, group, assigned_reading))


@pytest.mark.django_db
def test_an_orphans_thread_says_its_words_are_gone(group, member, assigned_reading):
    lost = orphan(make_annotation(group, assigned_reading, member, body="Why?", words="worth"))
    html = signed_in(Client(), member).get(lost.get_absolute_url()).content.decode()
    assert "These words are no longer in the text" in html
    assert "On <q>worth</q>, words no longer in the text" in html
    assert 'class="thread-passage"' not in html  # not the passage it no longer is on


@pytest.mark.django_db
def test_search_still_finds_an_orphan(client, group, member, assigned_reading):
    lost = orphan(make_annotation(group, assigned_reading, member, body="About lighthouses"))
    html = signed_in(client, member).get("/search/", {"q": "lighthouse"}).content.decode()
    assert f"/t/{lost.pk}/" in html


@pytest.mark.django_db
def test_a_revised_text_reaches_a_member_whose_pieces_are_cached(
    group, member, second, assigned_reading
):
    passage = assigned_reading.passages.first()
    make_annotation(group, assigned_reading, member, passage=passage)
    assert "Passage number 1 says" in page(second, group, assigned_reading)  # now cached
    # Publishing a revision changes the passage in place, same id and anchor.
    new = "Passage number 1 now says something else worth discussing."
    Passage.objects.filter(pk=passage.pk).update(text=new, html=new)
    assigned_reading.revision = 2
    assigned_reading.save(update_fields=["revision"])
    html = page(second, group, assigned_reading)
    assert "Passage number 1 now says" in html and "Passage number 1 says" not in html


@pytest.mark.django_db
def test_orphans_cost_one_query_on_a_warm_page(
    client, group, member, second, django_assert_num_queries, assigned_reading
):
    orphan(make_annotation(group, assigned_reading, second, words="worth"))
    page(member, group, assigned_reading)  # the pieces are cached
    signed_in(client, member)
    url = reverse("discussions:reading", args=[group.slug, assigned_reading.slug])
    # The 6 of a warm page (tests/discussions/test_reading.py), which knows from the
    # cache that there are orphans, and the orphans fetched.
    with django_assert_num_queries(7):
        html = client.get(url).content.decode()
    assert "<q>worth</q>" in earlier(html)


# The review page.


def reattach_form(app, group, reading, annotation):
    form_id = f"orphan-{annotation.pk}-passage"
    review = app.get(review_url(group, reading))
    return next(form for form in review.forms.values() if form_id in form.fields)


@pytest.mark.django_db
def test_a_facilitator_attaches_an_orphan_to_new_words(
    django_app, group, member, second, facilitator, assigned_reading
):
    lost = orphan(make_annotation(group, assigned_reading, member, body="Why?", words="worth"))
    version = lost.version
    third = assigned_reading.passages.get(position=3)
    form = reattach_form(browsing_as(django_app, facilitator), group, assigned_reading, lost)
    assert form[f"orphan-{lost.pk}-passage"].value == lost.passage.anchor  # where it was
    form[f"orphan-{lost.pk}-passage"] = third.anchor
    form[f"orphan-{lost.pk}-words"] = "says something"
    done = form.submit().follow()
    assert "The question is attached to the text again." in done.text
    assert "nothing to do here" in done.text
    lost.refresh_from_db()
    assert lost.orphaned is None and lost.passage_id == third.pk
    assert lost.exact == "says something"
    assert third.text[lost.start : lost.end] == "says something"
    assert (
        lost.prefix == third.text[: lost.start][-32:] and lost.suffix == third.text[lost.end :][:32]
    )
    assert lost.version > version
    html = page(second, group, assigned_reading)
    assert earlier(html) == "" and "Why?" in margins(html)
    assert f'data-annotations="{lost.pk}">says something</mark>' in html


@pytest.mark.django_db
def test_repeated_words_ask_which_time_and_keep_what_was_typed(
    django_app, group, member, facilitator, assigned_reading
):
    passage = assigned_reading.passages.first()
    repeated = "The sea, the sea, and the sea again."
    Passage.objects.filter(pk=passage.pk).update(text=repeated, html=repeated)
    lost = orphan(make_annotation(group, assigned_reading, member, words="again"))
    form = reattach_form(browsing_as(django_app, facilitator), group, assigned_reading, lost)
    form[f"orphan-{lost.pk}-words"] = "the sea"
    refused = form.submit(status=400)
    assert "These words occur 2 times in that passage: say which time you mean" in refused.text
    lost.refresh_from_db()
    assert lost.orphaned == 2
    form = next(f for f in refused.forms.values() if f"orphan-{lost.pk}-words" in f.fields)
    assert form[f"orphan-{lost.pk}-words"].value == "the sea"
    form[f"orphan-{lost.pk}-occurrence"] = "2"
    form.submit().follow()
    lost.refresh_from_db()
    assert (lost.orphaned, lost.start, lost.exact) == (
        None,
        repeated.rindex("the sea"),
        "the sea",
    )


@pytest.mark.django_db
def test_an_orphan_can_go_on_a_whole_passage(
    django_app, group, member, facilitator, assigned_reading
):
    lost = orphan(make_annotation(group, assigned_reading, member, words="worth"))
    form = reattach_form(browsing_as(django_app, facilitator), group, assigned_reading, lost)
    form.submit().follow()
    lost.refresh_from_db()
    assert (lost.orphaned, lost.start, lost.end, lost.exact) == (None, None, None, "")


@pytest.mark.django_db
def test_words_not_in_the_passage_are_refused_and_change_nothing(
    django_app, group, member, facilitator, assigned_reading
):
    lost = orphan(make_annotation(group, assigned_reading, member, words="worth"))
    before = Annotation.objects.values().get(pk=lost.pk)
    form = reattach_form(browsing_as(django_app, facilitator), group, assigned_reading, lost)
    form[f"orphan-{lost.pk}-words"] = "words it never had"
    refused = form.submit(status=400)
    assert "These words do not occur in that passage." in refused.text
    assert Annotation.objects.values().get(pk=lost.pk) == before


@pytest.mark.django_db
def test_a_member_reattaches_their_own_orphan_only(
    django_app, group, member, second, assigned_reading
):
    mine = orphan(make_annotation(group, assigned_reading, member, kind="note", words="worth"))
    theirs = orphan(make_annotation(group, assigned_reading, second, words="says"))
    review = browsing_as(django_app, member).get(review_url(group, assigned_reading))
    assert f"orphan-{mine.pk}-passage" in review.text
    assert f"orphan-{theirs.pk}-passage" not in review.text
    reattach_form(django_app, group, assigned_reading, mine).submit().follow()
    mine.refresh_from_db()
    assert mine.orphaned is None


def post_reattach(app, group, reading, thread_id, **fields):
    url = reverse("discussions:reattach", args=[group.slug, reading.slug, thread_id])
    review = app.get(review_url(group, reading))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', review.text)
    data = {"csrfmiddlewaretoken": token.group(1) if token else "", **fields}
    return app.post(url, data, expect_errors=True)


@pytest.mark.django_db
def test_attacks_on_the_reattach_form_get_4xx_and_change_nothing(
    django_app, group, member, facilitator, organizer, assigned_reading
):
    # One orphan of the facilitator's own, so the review page has a form and a token.
    own = orphan(make_annotation(group, assigned_reading, facilitator, words="says"))
    note = orphan(make_annotation(group, assigned_reading, member, kind="note", words="worth"))
    anchored = make_annotation(group, assigned_reading, member, words="Passage")
    other_group = create_group(name="Day readers", description="", creator=organizer)
    assign_reading(
        group=other_group, reading=assigned_reading, meeting_date=None, notes="", actor=None
    )
    elsewhere = orphan(make_annotation(other_group, assigned_reading, organizer, words="worth"))
    other_reading = make_reading(title="Another reading", passages=0)
    other_reading.passages.create(position=1, anchor="p-0ther1", text="Elsewhere.", html="")
    before = list(Annotation.objects.values().order_by("pk"))
    app = browsing_as(django_app, facilitator)
    anchor = assigned_reading.passages.first().anchor
    for thread in (note, anchored, elsewhere):
        response = post_reattach(
            app, group, assigned_reading, thread.pk, **{f"orphan-{thread.pk}-passage": anchor}
        )
        assert response.status_int == 404
    foreign = other_reading.passages.first().anchor
    response = post_reattach(
        app, group, assigned_reading, own.pk, **{f"orphan-{own.pk}-passage": foreign}
    )
    assert (
        response.status_int == 400
        and "That passage is not one of those offered here." in response.text
    )
    response = post_reattach(
        app,
        group,
        assigned_reading,
        own.pk,
        **{f"orphan-{own.pk}-passage": anchor, f"orphan-{own.pk}-words": "x" * 20_000},
    )
    assert response.status_int == 400 and "at most 10000 characters" in response.text
    response = post_reattach(
        app,
        group,
        assigned_reading,
        own.pk,
        **{
            f"orphan-{own.pk}-passage": anchor,
            f"orphan-{own.pk}-occurrence": "-3",
            f"orphan-{own.pk}-words": "Passage",
        },
    )
    assert response.status_int == 400
    url = reverse("discussions:reattach", args=[group.slug, assigned_reading.slug, own.pk])
    assert app.get(url, expect_errors=True).status_int == 405
    assert list(Annotation.objects.values().order_by("pk")) == before


@pytest.mark.django_db
@pytest.mark.parametrize("count", [3, 30])
def test_the_review_page_queries_stay_flat(
    client, group, member, facilitator, organizer, django_assert_num_queries, count
):
    reading = make_reading(passages=60, title=f"Long {count}")
    assign_reading(group=group, reading=reading, meeting_date=None, notes="", actor=organizer)
    passages = list(reading.passages.all())
    for n in range(count):
        orphan(make_annotation(group, reading, member, words="worth", passage=passages[n * 2]))
    signed_in(client, facilitator)
    # session, user, the assignment with its group, my role and the reading, the
    # orphans with their authors, the passages, the header's inbox count
    with django_assert_num_queries(6):
        html = client.get(review_url(group, reading)).content.decode()
    assert html.count("Attach it here") == count
    # Each offers the passages near its own: 10 on each side where there are.
    first = re.search(r"<select[^>]*>.*?</select>", html, re.DOTALL).group(0)
    assert first.count("<option") == 11 and "selected" in first
