"""A reading's overview for facilitators: the minimap and its table of figures,
the passages ranked by confusion, and "Add to the agenda" from them."""

import pytest
from bs4 import BeautifulSoup
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from discussions.models import Annotation, ModerationEvent, Reaction, Reply
from discussions.services import (
    delete_post,
    moderate,
    post_reply,
    set_answered,
    set_reaction,
    set_vote,
)
from facilitation.figures import RANKED
from facilitation.models import AgendaItem
from groups.services import assign_reading, create_group
from tests.conftest import (
    add_member,
    browsing_as,
    make_annotation,
    make_reading,
    make_user,
    signed_in,
)

LOST, DISCUSS = Reaction.Kind.LOST, Reaction.Kind.DISCUSS
COLUMNS = ["posts", "questions", "open", "votes", "lost", "discuss"]


def overview_url(group, reading) -> str:
    return reverse("facilitation:overview", args=[group.slug, reading.slug])


def figures(html: str) -> dict:
    """The table of figures as {passage number: {column: value}}, with "All" for its totals."""
    table = BeautifulSoup(html, "html.parser").find(id="passage-figures")
    rows = {}
    for row in table.find_all("tr")[1:]:
        cells = [cell.get_text(strip=True) for cell in row.find_all(["th", "td"])]
        rows[cells[0]] = dict(zip(COLUMNS, map(int, cells[1:]), strict=True))
    return rows


def ranked(html: str) -> list[str]:
    """The ranked list's headings, in order."""
    found = BeautifulSoup(html, "html.parser").select(".ranked h3")
    return [" ".join(h.get_text().split()) for h in found]


@pytest.fixture
def second(group):
    """A fourth member, so four people can be lost on one passage."""
    person = make_user("second@example.org", "Sami Second")
    add_member(group, person)
    return person


@pytest.fixture
def reading(group, organizer):
    reading = make_reading(passages=5, title="Five passages")
    assign_reading(group=group, reading=reading, meeting_date=None, notes="", actor=organizer)
    return reading


@pytest.fixture
def discussed(group, reading, organizer, facilitator, member, second):
    """By hand:
    1. an open question with 2 votes, a reply and one "I'm lost"; a comment; a
       "Let's discuss" on the reply;
    2. an answered question, and an open one nobody voted for with 4 "I'm lost";
    3. only what must never count: a private note (with its own reply and a
       reaction), a hidden comment, a deleted question, a hidden reply;
    4. a comment with one "I'm lost";
    5. nothing."""
    p = {passage.position: passage for passage in reading.passages.all()}
    asked = make_annotation(group, reading, member, body="Who is *speaking*?", passage=p[1])
    set_vote(annotation=asked, user=organizer, on=True)
    set_vote(annotation=asked, user=facilitator, on=True)
    reply = post_reply(annotation=asked, parent=None, body="The narrator.", author=facilitator)
    set_reaction(annotation=asked, reply=None, user=organizer, kind=LOST, on=True)
    set_reaction(annotation=asked, reply=reply, user=member, kind=DISCUSS, on=True)
    make_annotation(group, reading, facilitator, kind="comment", body="Fine.", passage=p[1])

    done = make_annotation(group, reading, member, body="Answered?", passage=p[2])
    set_answered(annotation=done, answered=True, actor=facilitator)
    lost = make_annotation(group, reading, second, body="What does this mean?", passage=p[2])
    for person in (organizer, facilitator, member, second):
        set_reaction(annotation=lost, reply=None, user=person, kind=LOST, on=True)

    note = make_annotation(group, reading, member, kind="note", body="Mine", passage=p[3])
    post_reply(annotation=note, parent=None, body="Still mine", author=member)
    set_reaction(annotation=note, reply=None, user=member, kind=LOST, on=True)
    rude = make_annotation(group, reading, second, kind="comment", body="Rude", passage=p[3])
    set_reaction(annotation=rude, reply=None, user=member, kind=LOST, on=True)
    moderate(post=rude, group=group, actor=facilitator, action=ModerationEvent.Action.HIDDEN)
    gone = make_annotation(group, reading, second, body="Never mind", passage=p[3])
    set_vote(annotation=gone, user=member, on=True)
    delete_post(post=gone)
    hidden_reply = post_reply(annotation=lost, parent=None, body="Rude too", author=second)
    set_reaction(annotation=lost, reply=hidden_reply, user=member, kind=DISCUSS, on=True)
    moderate(
        post=hidden_reply, group=group, actor=facilitator, action=ModerationEvent.Action.HIDDEN
    )

    hard = make_annotation(group, reading, member, kind="comment", body="Hard.", passage=p[4])
    set_reaction(annotation=hard, reply=None, user=second, kind=LOST, on=True)
    return {"asked": asked, "lost": lost, "passages": p}


@pytest.mark.django_db
def test_figures_and_ranking_of_a_hand_built_discussion(
    client, group, reading, facilitator, discussed
):
    html = signed_in(client, facilitator).get(overview_url(group, reading)).content.decode()
    assert figures(html) == {
        "1": {"posts": 3, "questions": 1, "open": 1, "votes": 2, "lost": 1, "discuss": 1},
        "2": {"posts": 2, "questions": 2, "open": 1, "votes": 0, "lost": 4, "discuss": 0},
        "4": {"posts": 1, "questions": 0, "open": 0, "votes": 0, "lost": 1, "discuss": 0},
        "All": {"posts": 6, "questions": 3, "open": 2, "votes": 2, "lost": 6, "discuss": 1},
    }
    # Confusion: open questions + same-question votes + "I'm lost".
    assert ranked(html) == [
        "Passage 2: confusion 5",
        "Passage 1: confusion 4",
        "Passage 4: confusion 1",
    ]
    page = BeautifulSoup(html, "html.parser")
    first = page.select(".ranked > li")[0]
    assert "What does this mean?" in first.get_text() and "Sami Second" in first.get_text()
    # The minimap: a bar per passage, taller with more posts, and a mark where
    # four said they were lost.
    bars = page.select("svg.minimap > rect")
    assert [bar["class"] for bar in bars] == [["h2"], ["h1"], ["h0"], ["h1"], ["h0"]]
    assert [int(bar["height"]) for bar in bars] == [8, 4, 2, 4, 2]
    marks = page.select("svg.minimap > use")
    assert [(m["href"], m["x"]) for m in marks] == [("#ml", bars[1]["x"])]
    svg = page.select_one("svg.minimap")
    assert svg["role"] == "img" and svg["aria-labelledby"] == "map-title map-desc"


@pytest.mark.django_db
def test_a_members_private_notes_change_no_figure(
    client, group, reading, facilitator, member, discussed
):
    """The attacker's test: whatever a member writes in private notes (questions
    in disguise, replies, reactions and votes on them) shows in no figure."""
    signed_in(client, facilitator)

    def shown() -> str:
        html = client.get(overview_url(group, reading)).content.decode()
        main = BeautifulSoup(html, "html.parser").find("main")
        for token in main.select("[name=csrfmiddlewaretoken]"):
            token.decompose()
        return str(main)

    before = shown()
    for passage in discussed["passages"].values():
        for _ in range(4):
            note = make_annotation(group, reading, member, kind="note", body="?", passage=passage)
            post_reply(annotation=note, parent=None, body="More", author=member)
            # Not offered on a note by any page; written to the tables here all the same.
            Reaction.objects.create(annotation=note, user=member, kind=LOST)
            Reaction.objects.create(annotation=note, user=member, kind=DISCUSS)
            set_vote(annotation=note, user=member, on=True)
    assert shown() == before


@pytest.mark.django_db
def test_add_to_the_agenda_from_the_rendered_form_drafts_the_top_question(
    django_app, group, reading, facilitator, discussed
):
    page = browsing_as(django_app, facilitator).get(overview_url(group, reading))
    forms = [f for f in page.forms.values() if "Add to the agenda" in f.text]
    agenda = forms[0].submit("action").follow()
    item = AgendaItem.objects.get()
    question = discussed["lost"]
    assert (item.text, item.passage, item.promoted_from, item.published) == (
        "What does this mean?",
        discussed["passages"][2],
        question,
        None,
    )
    assert agenda.request.path == reverse("facilitation:agenda", args=[group.slug, reading.slug])
    assert "What does this mean?" in agenda.text and "Sami Second" in agenda.text
    # Once there, the overview says so in place of the button.
    again = django_app.get(overview_url(group, reading))
    first = again.html.select(".ranked > li")[0]
    assert "This question is on the agenda." in first.get_text()
    assert first.find("button") is None


@pytest.mark.django_db
def test_a_passage_lost_without_a_question_drafts_a_question_on_it(
    django_app, group, reading, facilitator, discussed
):
    page = browsing_as(django_app, facilitator).get(overview_url(group, reading))
    forms = [f for f in page.forms.values() if "Add to the agenda" in f.text]
    forms[2].submit("action").follow()
    item = AgendaItem.objects.get()
    assert (item.text, item.passage, item.promoted_from) == (
        "What makes passage 4 hard to follow?",
        discussed["passages"][4],
        None,
    )


@pytest.mark.django_db
def test_a_member_cannot_post_the_add_form(client, group, reading, facilitator, member, discussed):
    html = signed_in(client, facilitator).get(overview_url(group, reading)).content.decode()
    form = BeautifulSoup(html, "html.parser").select_one(".ranked form")
    data = {i["name"]: i["value"] for i in form.find_all("input")} | {"action": "promote"}
    response = signed_in(client, member).post(form["action"], data)
    assert response.status_code == 403
    assert not AgendaItem.objects.exists()


@pytest.mark.django_db
def test_bogus_passage_or_question_adds_nothing(
    client, group, reading, facilitator, organizer, discussed
):
    signed_in(client, facilitator)
    url = reverse("facilitation:agenda_action", args=[group.slug, reading.slug])
    elsewhere = make_reading(passages=2, title="Elsewhere")
    other = create_group(name="Other", description="", creator=organizer)
    assign_reading(group=other, reading=reading, meeting_date=None, notes="", actor=organizer)
    theirs = make_annotation(other, reading, organizer, body="Not yours")
    version = {"new-version": 0, "version": 0}
    for data, status in [
        # A passage of another reading, one that does not exist, and no passage id at all.
        ({"new-passage": elsewhere.passages.first().pk}, 400),
        ({"new-passage": 10**9}, 400),
        ({"new-passage": "p-bogus"}, 400),
        # Another group's question on the same reading, a hidden one, one that does not exist.
        ({"question": theirs.pk}, 404),
        ({"question": Annotation.objects.get(body="Rude").pk}, 404),
        ({"question": 10**9}, 404),
    ]:
        action = "promote" if "question" in data else "add"
        fields = {"action": action, "new-text": "Sneaky", "new-minutes": 10, **version, **data}
        assert client.post(url, fields).status_code == status, data
    assert not AgendaItem.objects.exists()


@pytest.mark.django_db
def test_another_groups_reading_is_not_found(client, group, reading, facilitator, organizer):
    other = create_group(name="Other", description="", creator=organizer)
    theirs = make_reading(passages=2, title="Theirs")
    assign_reading(group=other, reading=theirs, meeting_date=None, notes="", actor=organizer)
    signed_in(client, facilitator)
    # Their reading through our group, and their group: neither is ours to see.
    assert client.get(overview_url(group, theirs)).status_code == 404
    assert client.get(overview_url(other, theirs)).status_code == 404


@pytest.mark.django_db
def test_links_for_facilitators_only(client, group, reading, facilitator, member):
    url = overview_url(group, reading)
    reading_page = reverse("discussions:reading", args=[group.slug, reading.slug])
    for person, shown in ((facilitator, True), (member, False)):
        signed_in(client, person)
        for page in (reading_page, group.get_absolute_url()):
            assert (f'href="{url}"' in client.get(page).content.decode()) == shown, (person, page)


@pytest.mark.django_db
def test_only_the_most_confused_are_ranked(client, group, facilitator, organizer, member):
    reading = make_reading(passages=RANKED + 5, title="Long")
    assign_reading(group=group, reading=reading, meeting_date=None, notes="", actor=organizer)
    for passage in reading.passages.all():
        # Passage n has n open questions: the last RANKED, most first.
        for _ in range(passage.position):
            make_annotation(group, reading, member, body="Eh?", passage=passage)
    html = signed_in(client, facilitator).get(overview_url(group, reading)).content.decode()
    positions = [int(h.split()[1].rstrip(":")) for h in ranked(html)]
    assert positions == list(range(RANKED + 5, 5, -1))


def grow(group, reading, people, n: int) -> None:
    """n more threads, each with a reply, a vote and reactions, across the passages."""
    passages = list(reading.passages.all())
    for k in range(n):
        thread = make_annotation(
            group, reading, people[k % 3], body=f"Why {k}?", passage=passages[k % len(passages)]
        )
        reply = post_reply(annotation=thread, parent=None, body="Hm.", author=people[1])
        set_vote(annotation=thread, user=people[2], on=True)
        set_reaction(annotation=thread, reply=None, user=people[0], kind=LOST, on=True)
        set_reaction(annotation=thread, reply=reply, user=people[2], kind=DISCUSS, on=True)


@pytest.mark.django_db
def test_queries_stay_flat_as_the_discussion_grows(
    client, django_assert_num_queries, group, organizer, facilitator, member
):
    people = [organizer, facilitator, member]
    reading = make_reading(passages=30, title="Growing")
    assign_reading(group=group, reading=reading, meeting_date=None, notes="", actor=organizer)
    signed_in(client, facilitator)
    url = overview_url(group, reading)
    # Session and user, the assignment with its group and the viewer's role; the
    # passages, and the threads, replies and reactions counted by passage; the
    # ranked passages' open questions; the header's inbox count.
    for more in (1, 10, 40):
        grow(group, reading, people, more)
        with django_assert_num_queries(9):
            assert client.get(url).status_code == 200


KINDS = ["question", "comment", "note"]
ACTIONS = st.lists(
    st.one_of(
        st.tuples(st.just("thread"), st.integers(0, 2), st.integers(0, 2), st.sampled_from(KINDS)),
        st.tuples(st.just("reply"), st.integers(0, 2), st.integers(0, 9)),
        st.tuples(st.just("vote"), st.integers(0, 2), st.integers(0, 9)),
        st.tuples(
            st.just("react"),
            st.integers(0, 2),
            st.integers(0, 9),
            st.booleans(),
            st.sampled_from(Reaction.Kind.values),
        ),
        st.tuples(st.sampled_from(["hide", "delete", "answer", "hide reply"]), st.integers(0, 9)),
    ),
    max_size=30,
)


@pytest.mark.django_db
def test_totals_are_the_posts_every_member_can_read(
    client, group, reading, organizer, facilitator, member
):
    """For any discussion (threads of each kind, replies, votes, reactions, with
    some hidden, deleted or answered), the table's totals are what a member could
    count on the page; the participation table's posts add up to the same."""
    people = [organizer, facilitator, member]
    passages = list(reading.passages.all())
    viewer = signed_in(Client(), facilitator)

    @settings(
        max_examples=30,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(ACTIONS)
    def discussing(actions):
        with transaction.atomic():
            threads, replies = [], []
            for action, *args in actions:
                if action == "thread":
                    who, where, kind = args
                    threads.append(
                        make_annotation(
                            group, reading, people[who], kind=kind, passage=passages[where]
                        )
                    )
                    continue
                if action == "hide reply":
                    if replies:
                        post = replies[args[0] % len(replies)]
                        moderate(post=post, group=group, actor=facilitator, action="hidden")
                    continue
                if not threads:
                    continue
                thread = threads[(args[0] if len(args) == 1 else args[1]) % len(threads)]
                thread.refresh_from_db()
                if action == "reply":
                    replies.append(
                        post_reply(
                            annotation=thread, parent=None, body="Re", author=people[args[0]]
                        )
                    )
                elif action == "vote" and thread.kind == "question":
                    set_vote(annotation=thread, user=people[args[0]], on=True)
                elif action == "react":
                    who, _, on_reply, kind = args
                    mine = [r for r in replies if r.annotation_id == thread.pk]
                    reply = mine[0] if on_reply and mine else None
                    set_reaction(
                        annotation=thread, reply=reply, user=people[who], kind=kind, on=True
                    )
                elif action == "hide":
                    moderate(post=thread, group=group, actor=facilitator, action="hidden")
                elif action == "delete":
                    delete_post(post=thread)
                elif action == "answer" and thread.kind == "question":
                    set_answered(annotation=thread, answered=True, actor=facilitator)

            shared = [
                a
                for a in Annotation.objects.all()
                if a.kind != "note" and not a.deleted and not a.hidden
            ]
            on_view = [r for r in Reply.objects.all() if not r.deleted and not r.hidden]
            replies_shown = [r for r in on_view if r.annotation in shared]
            open_questions = [a for a in shared if a.kind == "question" and not a.answered]
            reactions = [
                r
                for r in Reaction.objects.all()
                if r.annotation in shared and (r.reply is None or r.reply in on_view)
            ]
            html = viewer.get(overview_url(group, reading)).content.decode()
            assert figures(html)["All"] == {
                "posts": len(shared) + len(replies_shown),
                "questions": sum(a.kind == "question" for a in shared),
                "open": len(open_questions),
                "votes": sum(a.votes.count() for a in open_questions),
                "lost": sum(r.kind == LOST for r in reactions),
                "discuss": sum(r.kind == DISCUSS for r in reactions),
            }
            participation = viewer.get(reverse("facilitation:participation", args=[group.slug]))
            table = BeautifulSoup(participation.content, "html.parser").find(id="member-figures")
            posts = [int(row.find_all("td")[0].text) for row in table.tbody.find_all("tr")]
            assert sum(posts) == len(shared) + len(replies_shown)
            transaction.set_rollback(True)

    discussing()
