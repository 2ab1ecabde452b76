"""One thread: its permalink page and every write on it."""

import json

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from discussions.models import Annotation, Flag, ModerationEvent, Reply, Vote
from discussions.services import delete_post, moderate, post_reply
from discussions.threads import MAX_DEPTH
from tests.conftest import add_member, browsing_as, form_with, make_annotation, signed_in

YES = {"confirm": "yes"}  # the box a destructive action's form asks to tick


@pytest.fixture
def question(group, member, assigned_reading):
    return make_annotation(group, assigned_reading, member, body="Why *this* word?", words="worth")


def url(question, action=""):
    base = reverse(
        "discussions:thread", args=[question.group.slug, question.reading.slug, question.pk]
    )
    return base + (f"{action}/" if action else "")


@pytest.mark.django_db
def test_permalink_shows_the_thread_without_javascript(client, question, organizer):
    post_reply(annotation=question, parent=None, body="Because it matters.", author=organizer)
    page = signed_in(client, organizer).get(url(question)).content.decode()
    assert "Why <em>this</em> word?" in page
    assert "On <q>worth</q>" in page
    assert "Because it matters." in page
    assert 'action="' + url(question, "reply") + '"' in page
    assert ">Post</button>" in page and "<summary>Reply</summary>" in page


@pytest.mark.django_db
def test_htmx_gets_the_thread_alone(client, question, member):
    response = signed_in(client, member).get(url(question), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<article class="thread thread--question"')
    assert "<html" not in html


@pytest.mark.django_db
def test_reply_and_reply_to_a_reply(client, question, organizer, member):
    signed_in(client, organizer)
    response = client.post(url(question, "reply"), {"body": "First answer"})
    first = Reply.objects.get()
    assert response.url == url(question) + f"#r-{first.pk}"
    signed_in(client, member).post(
        url(question, "reply"), {"body": "Follow-up", "parent": first.pk}
    )
    second = Reply.objects.get(body="Follow-up")
    assert second.parent == first and second.annotation == question
    question.refresh_from_db()
    assert question.reply_count == 2
    page = client.get(url(question)).content.decode()
    assert page.index(f'id="r-{first.pk}"') < page.index(f'id="r-{second.pk}"')


@pytest.mark.django_db
def test_htmx_reply_answers_with_the_updated_thread(client, question, organizer):
    response = signed_in(client, organizer).post(
        url(question, "reply"), {"body": "In place"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert "In place" in response.content.decode()
    assert response.content.decode().lstrip().startswith("<article")


@pytest.mark.django_db
def test_an_empty_reply_is_refused(client, question, organizer):
    response = signed_in(client, organizer).post(url(question, "reply"), {"body": "  "})
    assert response.status_code == 400
    assert "Write something first." in response.content.decode()
    assert not Reply.objects.exists()


@pytest.mark.django_db
def test_an_empty_reply_by_htmx_comes_back_with_its_error_beside_the_field(
    client, question, organizer
):
    response = signed_in(client, organizer).post(
        url(question, "reply"), {"body": "  "}, HTTP_HX_REQUEST="true"
    )
    # A 400 that base.html's htmx config swaps in, in place of the thread.
    assert response.status_code == 400
    page = BeautifulSoup(response.content, "html.parser")
    assert page.find().name == "article"
    field = page.find("textarea", attrs={"name": "body", "aria-invalid": "true"})
    error = page.find(id=field["aria-describedby"])
    assert error.get_text(strip=True) == "Write something first."
    assert json.loads(response["HX-Trigger-After-Settle"]) == {
        "announce": {
            "message": "Write something first.",
            "focus": f'#thread-{question.pk} [aria-invalid="true"]',
        }
    }
    assert not Reply.objects.exists()


@pytest.mark.django_db
def test_an_empty_reply_without_javascript_shows_its_error_on_the_thread_page(
    django_app, question, organizer
):
    page = browsing_as(django_app, organizer).get(url(question))
    form = form_with(page, "Post")
    form["body"] = "  "
    refused = form.submit(status=400)
    field = refused.html.find("textarea", attrs={"aria-invalid": "true"})
    assert refused.html.find(id=field["aria-describedby"]).get_text(strip=True) == (
        "Write something first."
    )
    assert refused.html.find("html") is not None and not Reply.objects.exists()


@pytest.mark.django_db
def test_replies_nest_four_levels_then_go_flat(client, question, member, organizer):
    parent = None
    for depth in range(1, 7):
        author = member if depth % 2 else organizer
        parent = post_reply(
            annotation=question, parent=parent, body=f"Level {depth}", author=author
        )
    page = signed_in(client, member).get(url(question)).content.decode()
    thread = page[page.index('<ol class="replies">') :]
    # Nested lists up to MAX_DEPTH, then flat with whom they answer.
    assert thread.count('<ol class="replies">') == MAX_DEPTH
    assert "replying to Maya Member" in thread and "replying to Olga Organizer" in thread
    level5 = thread.index("Level 5")
    assert "replying to Olga Organizer" in thread[level5 - 600 : level5]


@pytest.mark.django_db
def test_a_parent_from_another_thread_is_refused(
    client, group, question, member, organizer, assigned_reading
):
    other = make_annotation(group, assigned_reading, organizer, body="Other")
    foreign = post_reply(annotation=other, parent=None, body="Elsewhere", author=organizer)
    response = signed_in(client, member).post(
        url(question, "reply"), {"body": "x", "parent": foreign.pk}
    )
    assert response.status_code == 404
    assert Reply.objects.count() == 1


@pytest.mark.django_db
def test_authors_edit_and_it_is_marked(client, question, member, organizer):
    signed_in(client, member).post(url(question, "edit"), {"body": "Why **that** word?"})
    question.refresh_from_db()
    assert question.body_html == "<p>Why <strong>that</strong> word?</p>" and question.edited
    assert "edited" in client.get(url(question)).content.decode()
    response = signed_in(client, organizer).post(url(question, "edit"), {"body": "Hijack"})
    assert response.status_code == 403
    question.refresh_from_db()
    assert "Hijack" not in question.body


@pytest.mark.django_db
def test_delete_with_replies_leaves_a_placeholder(client, question, member, organizer):
    reply = post_reply(annotation=question, parent=None, body="Still readable", author=organizer)
    assert signed_in(client, organizer).post(url(question, "delete"), YES).status_code == 403
    signed_in(client, member).post(url(question, "delete"), YES)
    page = client.get(url(question)).content.decode()
    assert "This was deleted by its author." in page and "Why <em>this</em> word?" not in page
    assert "Still readable" in page
    assert Annotation.objects.filter(pk=question.pk).exists()  # soft: nothing removed
    assert reply.pk in Reply.objects.values_list("pk", flat=True)


@pytest.mark.django_db
def test_delete_without_replies_disappears(client, question, member):
    response = signed_in(client, member).post(url(question, "delete"), YES)
    assert response.url.endswith(f"#{question.passage.anchor}")
    assert client.get(url(question)).status_code == 404
    assert Annotation.objects.get(pk=question.pk).deleted is not None


@pytest.mark.django_db
def test_deleted_reply_keeps_its_replies_readable(client, question, member, organizer):
    middle = post_reply(annotation=question, parent=None, body="Middle", author=organizer)
    post_reply(annotation=question, parent=middle, body="Below", author=member)
    leaf = post_reply(annotation=question, parent=None, body="Leaf", author=organizer)
    delete_post(post=middle)
    delete_post(post=leaf)
    page = signed_in(client, member).get(url(question)).content.decode()
    assert "Middle" not in page and "This was deleted by its author." in page
    assert "Below" in page
    assert "Leaf" not in page and page.count("This was deleted by its author.") == 1


@pytest.mark.django_db
def test_i_have_this_question_too(django_app, client, question, organizer, facilitator, member):
    signed_in(client, organizer).post(url(question, "vote"), {"on": "1"})
    page = browsing_as(django_app, facilitator).get(url(question))
    vote = form_with(page, "I have this question too")
    page = vote.submit().follow()
    assert "2 members have this question" in page
    assert 'aria-pressed="true"' in page.text
    vote.submit()  # the same form sent again (a double click): still one vote
    question.refresh_from_db()
    assert question.vote_count == 2 and Vote.objects.count() == 2
    page = form_with(page, "I have this question too").submit().follow()  # taken back
    assert "1 member has this question" in page and 'aria-pressed="false"' in page.text
    question.refresh_from_db()
    assert question.vote_count == 1 and Vote.objects.count() == 1
    assert signed_in(client, member).post(url(question, "vote")).status_code == 403  # own


@pytest.mark.django_db
def test_comments_take_no_votes(client, group, member, organizer, assigned_reading):
    comment = make_annotation(group, assigned_reading, member, kind="comment", body="A thought")
    assert signed_in(client, organizer).post(url(comment, "vote")).status_code == 403


@pytest.mark.django_db
def test_the_asker_marks_it_answered_by_a_reply(client, question, member, organizer):
    reply = post_reply(annotation=question, parent=None, body="The answer", author=organizer)
    signed_in(client, member).post(url(question, "answered"), {"answer": reply.pk})
    question.refresh_from_db()
    assert question.answered and question.answer == reply
    page = client.get(url(question)).content.decode()
    answer = page[page.index(f'id="r-{reply.pk}"') :]
    assert answer.index("post--answer") < answer.index("The answer</p>")
    assert '<span class="badge badge--published">The answer</span>' in answer
    client.post(url(question, "answered"), {"answered": "0"})
    question.refresh_from_db()
    assert question.answered is None and question.answer is None


@pytest.mark.django_db
def test_facilitators_may_mark_answered_other_members_may_not(
    client, group, question, facilitator, outsider
):
    add_member(group, outsider)
    assert signed_in(client, outsider).post(url(question, "answered")).status_code == 403
    signed_in(client, facilitator).post(url(question, "answered"))
    question.refresh_from_db()
    assert question.answered


@pytest.mark.django_db
def test_flag_then_moderators_hide_and_restore(
    client, group, question, organizer, facilitator, outsider
):
    add_member(group, outsider)
    signed_in(client, organizer).post(url(question, "flag"), {"reason": "Off topic"})
    client.post(url(question, "flag"), {"reason": "Again"})
    assert Flag.objects.get().reason == "Off topic"

    assert (
        signed_in(client, outsider)
        .post(url(question, "moderate"), {"action": "hidden"})
        .status_code
        == 403
    )
    signed_in(client, facilitator).post(url(question, "moderate"), {"action": "hidden"})
    question.refresh_from_db()
    assert question.hidden and Flag.objects.get().resolved
    blank = signed_in(client, outsider).get(url(question)).content.decode()
    assert "This was hidden by a moderator." in blank and "Why <em>this</em>" not in blank
    marked = signed_in(client, facilitator).get(url(question)).content.decode()
    assert "Hidden by a moderator" in marked and "Why <em>this</em>" in marked

    client.post(url(question, "moderate"), {"action": "restored"})
    question.refresh_from_db()
    assert question.hidden is None
    actions = list(ModerationEvent.objects.values_list("action", "actor__email"))
    assert actions == [("restored", facilitator.email), ("hidden", facilitator.email)]


@pytest.mark.django_db
def test_flagging_a_reply(client, question, organizer, member):
    reply = post_reply(annotation=question, parent=None, body="Spam spam", author=organizer)
    signed_in(client, member).post(url(question, "flag"), {"reason": "Spam", "reply": reply.pk})
    assert Flag.objects.get().reply == reply
    response = client.post(url(question, "flag"), {"reason": ""}, follow=True)
    assert "Say what is wrong with it" in response.content.decode()


@pytest.mark.django_db
def test_moderating_a_reply_blanks_it(client, question, organizer, facilitator, member):
    reply = post_reply(annotation=question, parent=None, body="Nasty", author=organizer)
    moderate(post=reply, group=question.group, actor=facilitator, action="hidden")
    page = signed_in(client, member).get(url(question)).content.decode()
    assert "Nasty" not in page and "This was hidden by a moderator." in page


@pytest.mark.django_db
def test_outsiders_and_other_groups_get_404(client, group, question, outsider, organizer):
    signed_in(client, outsider)
    assert client.get(url(question)).status_code == 404
    assert client.post(url(question, "reply"), {"body": "x"}).status_code == 404
    assert not Reply.objects.exists()


@pytest.mark.django_db
def test_posting_a_reply_query_count(client, question, organizer, django_assert_num_queries):
    signed_in(client, organizer)
    # session, user, assignment+group+role, thread; members for mentions; savepoint,
    # insert, bump version (update + read), update thread; savepoint release
    with django_assert_num_queries(11):
        response = client.post(url(question, "reply"), {"body": "Counted"})
    assert response.status_code == 302
