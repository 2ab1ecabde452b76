"""The JSON API: W3C Web Annotations in and out, tokens and sessions, and the
same access rules as the pages."""

import json

import pytest
from django.db import transaction
from django.test import Client, RequestFactory
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.tokens import create_token
from discussions.models import Annotation, ModerationEvent, Reply
from discussions.services import ask_answer_first, delete_post, moderate, post_reply
from discussions.threads import reading_threads, walk
from groups.models import Assignment
from groups.services import assign_reading, create_group
from interop import w3c
from interop.views import api
from tests.conftest import add_member, make_annotation, make_reading, make_user, signed_in
from tests.interop import w3c_suite

CONTEXT = "http://www.w3.org/ns/anno.jsonld"
CREATE = "/api/annotations"
needs_suite = pytest.mark.skipif(
    not w3c_suite.SUITE.is_dir(),
    reason=f"the W3C Web Annotation test suite is absent (looked in {w3c_suite.SUITE})",
)


def source(group, reading) -> str:
    return "http://testserver" + reverse("discussions:reading", args=[group.slug, reading.slug])


def document(group, reading, motivation="questioning", words="worth", **extra) -> dict:
    selector = [{"type": "TextQuoteSelector", "exact": words, "prefix": "something ", "suffix": ""}]
    return {
        "@context": CONTEXT,
        "type": "Annotation",
        "motivation": motivation,
        "body": {"type": "TextualBody", "value": "Why *this*?", "format": "text/markdown"},
        "target": {"source": source(group, reading), "selector": selector},
        **extra,
    }


def post(client, body, **headers):
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(CREATE, data, content_type="application/ld+json", **headers)


def as_token(user) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {create_token(user=user, name='test')}"}


def body_of(response) -> dict:
    return json.loads(response.content)


@pytest.mark.django_db
def test_every_kind_round_trips(client, group, member, assigned_reading):
    signed_in(client, member)
    second = assigned_reading.passages.get(position=2)
    # A question on words, placed by both selectors in the reading's text.
    offset = len(assigned_reading.passages.get(position=1).text) + 2
    start = offset + second.text.index("worth")
    question = document(group, assigned_reading)
    question["target"]["selector"].append(
        {"type": "TextPositionSelector", "start": start, "end": start + 5}
    )
    made = post(client, question)
    assert made.status_code == 201
    stored = body_of(made)
    assert made["Location"] == stored["id"]
    assert stored["motivation"] == "questioning"
    assert stored["body"] == {
        "type": "TextualBody",
        "value": "Why *this*?",
        "format": "text/markdown",
    }
    assert stored["creator"]["name"] == "Maya Member"
    quote, position = stored["target"]["selector"]
    assert quote == {
        "type": "TextQuoteSelector",
        "exact": "worth",
        "prefix": "Passage number 2 says something ",
        "suffix": " discussing.",
    }
    assert position == {"type": "TextPositionSelector", "start": start, "end": start + 5}
    annotation = Annotation.objects.get()
    assert (annotation.kind, annotation.passage, annotation.start) == ("question", second, 32)
    assert body_of(client.get(made["Location"])) == stored

    # A comment on a whole passage: it quotes all of it.
    third = assigned_reading.passages.get(position=3)
    comment = post(client, document(group, assigned_reading, "commenting", words=third.text))
    assert comment.status_code == 201
    assert Annotation.objects.get(kind="comment").start is None
    assert body_of(comment)["target"]["selector"][0]["exact"] == third.text

    # A private note, and replies to the question and to the reply.
    note = post(client, document(group, assigned_reading, "bookmarking"))
    assert body_of(note)["audience"] == {
        "type": "schema:Audience",
        "schema:audienceType": "private",
    }
    assert Annotation.objects.filter(kind="note").count() == 1
    reply = {
        "@context": CONTEXT,
        "type": "Annotation",
        "motivation": "replying",
        "bodyValue": "Because.",
        "target": stored["id"],
    }
    first = post(client, reply)
    assert first.status_code == 201
    assert body_of(first)["target"] == stored["id"]
    nested = post(client, {**reply, "target": first["Location"]})
    assert body_of(nested)["target"] == first["Location"]
    assert Reply.objects.get(body="Because.", parent__isnull=False).parent.parent is None
    assert body_of(client.get(nested["Location"]))["body"]["value"] == "Because."


@pytest.mark.django_db
def test_the_words_win_over_a_position_that_points_elsewhere(
    client, group, member, assigned_reading
):
    signed_in(client, member)
    third = assigned_reading.passages.get(position=3)
    elsewhere = document(group, assigned_reading, words="number 2")
    # A position inside the third passage, whose text does not say "number 2".
    start = 2 * (len(third.text) + 2) + 5
    elsewhere["target"]["selector"].append(
        {"type": "TextPositionSelector", "start": start, "end": start + 8}
    )
    assert post(client, elsewhere).status_code == 201
    assert Annotation.objects.get().passage.position == 2


@pytest.mark.django_db
def test_a_context_longer_than_the_one_kept_still_places_the_words(
    client, group, member, assigned_reading
):
    """Only its last 32 characters count (comparing more at each place the words
    occur was quadratic); here they name the third passage."""
    signed_in(client, member)
    words = document(group, assigned_reading)
    words["target"]["selector"][0]["prefix"] = "x" * 5000 + "Passage number 3 says something "
    assert post(client, words).status_code == 201
    assert Annotation.objects.get().passage.position == 3


@pytest.mark.django_db
def test_tokens_sign_in_and_revoked_ones_do_not(group, member, assigned_reading):
    client = Client()
    headers = as_token(member)
    assert post(client, document(group, assigned_reading), **headers).status_code == 201
    member.api_tokens.all().delete()
    refused = post(client, document(group, assigned_reading), **headers)
    assert refused.status_code == 401
    assert "not valid" in body_of(refused)["error"]
    assert post(client, document(group, assigned_reading)).status_code == 401
    assert Annotation.objects.count() == 1


@pytest.mark.django_db
def test_a_session_write_needs_its_csrf_token(group, member, assigned_reading):
    client = signed_in(Client(enforce_csrf_checks=True), member)
    page = client.get(reverse("discussions:reading", args=[group.slug, assigned_reading.slug]))
    token = page.cookies["csrftoken"].value
    refused = post(client, document(group, assigned_reading))
    assert refused.status_code == 403
    assert "CSRF" in body_of(refused)["error"]
    assert (
        post(client, document(group, assigned_reading), HTTP_X_CSRFTOKEN=token).status_code == 201
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "change, message",
    [
        (lambda d: "{not json", "not valid JSON"),
        (lambda d: {**d, "motivation": "tagging"}, "motivation must be"),
        (lambda d: {**d, "bodyValue": "Two"}, "not both"),
        (lambda d: {**d, "body": {"type": "TextualBody", "value": "  "}}, "some text"),
        (
            lambda d: {**d, "target": {**d["target"], "selector": {"type": "XPathSelector"}}},
            "'XPathSelector' is not supported",
        ),
        (lambda d: {**d, "target": {**d["target"], "selector": []}}, "TextQuoteSelector"),
        (
            lambda d: {
                **d,
                "target": {**d["target"], "selector": {"type": "TextQuoteSelector", "exact": "x7"}},
            },
            "do not occur in the reading",
        ),
        (lambda d: {**d, "target": {"source": "https://elsewhere.example/g/x/r/y/"}}, "this site"),
        (lambda d: {**d, "target": {"source": "http://testserver/api/"}}, "reading's address"),
        (lambda d: {**d, "motivation": "bookmarking", "audience": "everyone"}, "private note"),
    ],
)
def test_bad_documents_get_400_saying_why_and_make_nothing(
    client, group, member, assigned_reading, change, message
):
    signed_in(client, member)
    refused = post(client, change(document(group, assigned_reading)))
    assert refused.status_code == 400
    assert message in body_of(refused)["error"]
    assert Annotation.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body, message",
    [
        # Python's parser recurses: deep enough, this was a RecursionError and a 500.
        ('{"a": ' * 100_000 + "1" + "}" * 100_000, "more than 20 deep"),
        ("[" * (5 * 1024 * 1024), "larger than 1.0 MB"),
        ('{"a": ' + "9" * 5000 + "}", "not valid JSON"),
        (b"\xff{}", "not UTF-8"),
    ],
)
def test_an_oversize_or_deep_body_gets_400_at_once_and_changes_nothing(
    client, group, member, assigned_reading, body, message
):
    signed_in(client, member)
    refused = post(client, body)
    assert refused.status_code == 400
    assert message in body_of(refused)["error"]
    thread = make_annotation(group, assigned_reading, member, body="Mine")
    url = reverse("interop:api_annotation", args=[thread.pk])
    changed = client.patch(url, body, content_type="application/json")
    assert changed.status_code == 400
    assert message in body_of(changed)["error"]
    assert [(a.body, a.edited) for a in Annotation.objects.all()] == [("Mine", None)]


@pytest.mark.django_db
def test_a_body_longer_than_the_forms_allow_gets_400_naming_it(
    client, group, member, assigned_reading
):
    signed_in(client, member)
    long = document(group, assigned_reading, bodyValue="x" * 10_001)
    del long["body"]
    refused = post(client, long)
    assert refused.status_code == 400
    assert body_of(refused)["error"] == (
        "body.value is 10,001 characters long; a post may have 10,000."
    )
    long["bodyValue"] = "x" * 10_000
    made = post(client, long)
    assert made.status_code == 201
    reply = {"motivation": "replying", "bodyValue": "y" * 10_001, "target": made["Location"]}
    assert "10,001 characters" in body_of(post(client, reply))["error"]
    assert Annotation.objects.count() == 1
    assert not Reply.objects.exists()


@pytest.mark.django_db
def test_outsiders_find_nothing(client, group, member, outsider, assigned_reading):
    question = make_annotation(group, assigned_reading, member)
    signed_in(client, outsider)
    assert post(client, document(group, assigned_reading)).status_code == 404
    assert client.get(f"/api/annotations/{question.pk}").status_code == 404
    listing = f"/api/groups/{group.slug}/readings/{assigned_reading.slug}/annotations"
    assert client.get(listing).status_code == 404
    reply = {
        "motivation": "replying",
        "bodyValue": "Hi",
        "target": f"/api/annotations/{question.pk}",
    }
    assert post(client, reply).status_code == 404
    assert Annotation.objects.count() == 1
    assert Reply.objects.count() == 0


@pytest.mark.django_db
def test_private_and_hidden_posts_follow_the_pages_rules(
    client, group, member, facilitator, assigned_reading
):
    other = make_user("other@example.org", "Olive Other")
    add_member(group, other)
    note = make_annotation(group, assigned_reading, member, kind="note", body="Mine alone")
    rude = make_annotation(group, assigned_reading, member, kind="comment", body="Rude words")
    moderate(post=rude, group=group, actor=facilitator, action=ModerationEvent.Action.HIDDEN)
    listing = f"/api/groups/{group.slug}/readings/{assigned_reading.slug}/annotations?page=first"

    signed_in(client, other)
    assert client.get(f"/api/annotations/{note.pk}").status_code == 404
    seen = body_of(client.get(f"/api/annotations/{rude.pk}"))
    assert "body" not in seen
    assert "creator" not in seen
    items = body_of(client.get(listing))["items"]
    assert [item["id"].rsplit("/", 1)[1] for item in items] == [str(rude.pk)]
    assert "Rude words" not in json.dumps(items)

    # A hidden reply reads the same way.
    question = make_annotation(group, assigned_reading, facilitator, body="Fair question")
    answer = post_reply(annotation=question, parent=None, body="Rude reply", author=member)
    moderate(post=answer, group=group, actor=facilitator, action=ModerationEvent.Action.HIDDEN)
    reply_url = f"/api/annotations/{question.pk}/replies/{answer.pk}"
    assert "body" not in body_of(client.get(reply_url))

    for person in (member, facilitator):
        signed_in(client, person)
        assert body_of(client.get(f"/api/annotations/{rude.pk}"))["body"]["value"] == "Rude words"
        assert body_of(client.get(reply_url))["body"]["value"] == "Rude reply"
    signed_in(client, member)
    assert "Mine alone" in json.dumps(body_of(client.get(listing)))
    signed_in(client, facilitator)
    assert "Mine alone" not in json.dumps(body_of(client.get(listing)))


@pytest.mark.django_db
def test_only_the_author_changes_or_deletes(client, group, member, facilitator, assigned_reading):
    question = make_annotation(group, assigned_reading, member, body="First")
    reply = post_reply(annotation=question, parent=None, body="Reply", author=facilitator)
    url, reply_url = (
        f"/api/annotations/{question.pk}",
        f"/api/annotations/{question.pk}/replies/{reply.pk}",
    )
    change = json.dumps({"body": {"type": "TextualBody", "value": "Second"}})

    signed_in(client, facilitator)
    assert client.patch(url, change, content_type="application/json").status_code == 403
    assert client.delete(url).status_code == 403
    assert client.delete(reply_url).status_code == 204

    signed_in(client, member)
    changed = client.patch(url, change, content_type="application/json")
    assert changed.status_code == 200
    assert body_of(changed)["body"]["value"] == "Second"
    assert body_of(changed)["modified"] > body_of(changed)["created"]
    assert client.patch(reply_url, change, content_type="application/json").status_code == 404
    motivation = json.dumps({"motivation": "commenting", "bodyValue": "x"})
    assert client.patch(url, motivation, content_type="application/json").status_code == 400
    assert client.delete(url).status_code == 204
    # Deleted, with no reply left to keep it as a placeholder: gone, as on the page.
    assert client.get(url).status_code == 404
    assert Annotation.objects.get().deleted is not None


@pytest.mark.django_db
def test_a_deleted_thread_with_replies_stays_as_a_placeholder(
    client, group, member, facilitator, assigned_reading
):
    question = make_annotation(group, assigned_reading, member, body="Soon gone")
    post_reply(annotation=question, parent=None, body="Still here", author=facilitator)
    signed_in(client, member)
    assert client.delete(f"/api/annotations/{question.pk}").status_code == 204
    placeholder = body_of(client.get(f"/api/annotations/{question.pk}"))
    assert "body" not in placeholder
    assert client.delete(f"/api/annotations/{question.pk}").status_code == 409


@pytest.mark.django_db
def test_the_collection_pages_50_whole_threads_at_a_time_in_flat_queries(
    client, group, member, assigned_reading, django_assert_num_queries
):
    threads = [make_annotation(group, assigned_reading, member, body=f"Q{n}") for n in range(230)]
    for thread in threads[:220]:
        post_reply(annotation=thread, parent=None, body="R", author=member)
    signed_in(client, member)
    url = f"/api/groups/{group.slug}/readings/{assigned_reading.slug}/annotations"
    collection = body_of(client.get(url))
    assert collection["type"] == "AnnotationCollection"
    assert collection["total"] == 450
    assert collection["first"].endswith("?page=first")
    sizes, page_url = [], collection["first"]
    while page_url:
        # session, user, the assignment with its group and my role, the page's threads,
        # (after the first) the threads before them for `prev`, passages,
        # their replies
        with django_assert_num_queries(7 if sizes else 6):
            page = body_of(client.get(page_url))
        sizes.append(len(page["items"]))
        assert page["partOf"]["id"] == collection["id"]
        page_url = page.get("next")
    assert sizes == [100, 100, 100, 100, 50]
    assert page["id"] == collection["last"]
    assert client.get(page["prev"]).status_code == 200
    # Each thread with its reply, the next page beginning with the next thread.
    first_page = body_of(client.get(collection["first"]))
    assert first_page["items"][1]["target"] == first_page["items"][0]["id"]
    assert body_of(client.get(first_page["next"]))["items"][0]["id"].endswith(f"/{threads[50].pk}")


@pytest.mark.django_db
def test_openapi_and_docs_describe_every_api_address(client):
    schema = body_of(client.get("/api/schema"))
    assert schema["openapi"].startswith("3.1")
    assert set(schema["paths"]) == {
        "/api/annotations",
        "/api/annotations/{pk}",
        "/api/annotations/{pk}/replies/{reply_pk}",
        "/api/groups/{group}/readings/{reading}/annotations",
    }
    sent = schema["paths"]["/api/annotations"]["post"]["requestBody"]["content"]
    body = sent["application/ld+json"]["schema"]["properties"]["body"]
    assert body["properties"]["value"]["maxLength"] == 10_000
    docs = client.get("/api/").content.decode()
    assert "curl -X POST" in docs
    assert 'href="/api/schema"' in docs
    assert "So do a request body over 1.0 MB, arrays and objects nested more than 20 deep" in docs
    assert "a text over 10,000 characters" in docs
    # One page size, in the docs and the schema.
    assert f"hold {api.PAGE_SIZE} threads each, whole" in docs
    page = schema["paths"]["/api/groups/{group}/readings/{reading}/annotations"]["parameters"][2]
    assert f"AnnotationPage of {api.PAGE_SIZE} whole threads" in page["description"]


def _kinds(group, reading, member, facilitator, client) -> list[dict]:
    """One of every kind, as the API gives them."""
    signed_in(client, member)
    made = [
        post(client, document(group, reading, m))
        for m in ("questioning", "commenting", "bookmarking")
    ]
    made.append(
        post(client, {"motivation": "replying", "bodyValue": "R", "target": made[0]["Location"]})
    )
    return [body_of(response) for response in made]


@needs_suite
@pytest.mark.django_db
def test_annotations_meet_every_must_of_the_w3c_suite(
    client, group, member, facilitator, assigned_reading
):
    shoulds = []
    for annotation in _kinds(group, assigned_reading, member, facilitator, client):
        results = w3c_suite.check(annotation, "annotations/annotationMusts.test")
        assert len(results) == 54
        assert [r for r in results if not r.passed] == []
        for optional in ("annotationOptionals.test", "annotationsAgentOptionals.test"):
            shoulds += [
                r
                for r in w3c_suite.check(annotation, f"annotations/{optional}")
                if r.kind == "should"
            ]
    passed = sum(r.passed for r in shoulds)
    print(f"W3C SHOULD assertions passed by our annotations: {passed} of {len(shoulds)}")
    assert passed > 0


@needs_suite
@pytest.mark.django_db
def test_collections_and_pages_meet_every_must_of_the_w3c_suite(
    client, group, member, facilitator, assigned_reading
):
    _kinds(group, assigned_reading, member, facilitator, client)
    url = f"/api/groups/{group.slug}/readings/{assigned_reading.slug}/annotations"
    collection = body_of(client.get(url))
    page = body_of(client.get(collection["first"]))
    for doc, suite in (
        (collection, "collections/collectionMusts.test"),
        (page, "collections/pages/pageMusts.test"),
    ):
        results = w3c_suite.check(doc, suite)
        assert results
        assert [r for r in results if not r.passed] == []
    shoulds = [
        r
        for doc, suite in (
            (collection, "collections/collectionOptionals.test"),
            (page, "collections/pages/pageOptionals.test"),
        )
        for r in w3c_suite.check(doc, suite)
        if r.kind == "should"
    ]
    passed = sum(r.passed for r in shoulds)
    print(f"W3C SHOULD assertions passed by our collection and page: {passed} of {len(shoulds)}")
    # An empty discussion is a valid collection too.
    empty = make_reading(title="Untouched")
    assign_reading(group=group, reading=empty, meeting_date=None, notes="", actor=member)
    empty_collection = body_of(
        client.get(f"/api/groups/{group.slug}/readings/{empty.slug}/annotations")
    )
    assert empty_collection["total"] == 0
    assert all(
        r.passed for r in w3c_suite.check(empty_collection, "collections/collectionMusts.test")
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role, patch, delete",
    [
        ("anonymous", 401, 401),
        ("outsider", 404, 404),
        ("member", 200, 204),  # the author
        ("facilitator", 403, 403),
        ("organizer", 403, 403),
        ("staff", 404, 404),  # staff are outsiders to groups they are not in
    ],
)
def test_changing_a_thread_by_role(
    request, client, group, member, assigned_reading, staff, role, patch, delete
):
    question = make_annotation(group, assigned_reading, member)
    if role != "anonymous":
        signed_in(client, request.getfixturevalue(role))
    url = f"/api/annotations/{question.pk}"
    change = json.dumps({"bodyValue": "Changed"})
    assert client.patch(url, change, content_type="application/json").status_code == patch
    assert client.delete(url).status_code == delete
    question.refresh_from_db()
    assert (question.body == "Changed") == (patch == 200)
    assert (question.deleted is not None) == (delete == 204)


def every_page(client, url) -> tuple[list[dict], list[dict]]:
    """The collection's pages, followed from `first` by their `next` links, and
    their items one after another."""
    collection = body_of(client.get(url))
    pages, page_url = [], collection["first"]
    while page_url:
        pages.append(body_of(client.get(page_url)))
        assert pages[-1]["id"] == page_url
        page_url = pages[-1].get("next")
    assert pages[-1]["id"] == collection["last"]
    # Back from the last by `prev`, the same pages.
    assert [page.get("prev") for page in pages] == [None] + [page["id"] for page in pages[:-1]]
    items = [item for page in pages for item in page["items"]]
    assert len(items) == collection["total"]
    # Each page whole threads (it begins with one), PAGE_SIZE of them but the last.
    threads = [sum(item["motivation"] != "replying" for item in page["items"]) for page in pages]
    assert all(page["items"][0]["motivation"] != "replying" for page in pages if page["items"])
    assert all(n == api.PAGE_SIZE for n in threads[:-1]) and threads[-1] <= api.PAGE_SIZE
    return pages, items


def as_the_thread_pages_show_it(assignment, user) -> list[dict]:
    """The whole discussion built from the rules the thread pages follow
    (`reading_threads`), as the API listed it before it paged in the database."""
    request = RequestFactory().get("/")
    request.user = user
    passages, on_passage = reading_threads(assignment, user)
    starts = w3c.passage_starts(passages)
    items = []
    for passage in passages:
        for thread, tree in on_passage.get(passage.pk, []):
            thread.passage = passage
            items.append(w3c.annotation_json(request, thread, thread.state, starts[passage.pk]))
            items += [w3c.reply_json(request, n.reply, n.reply.state) for n, _ in walk(tree)]
    return items


PEOPLE = ("member", "facilitator", "other")
# What happens in a discussion, one step at a time: a person posts a thread of a
# kind on a passage, replies to an earlier post (or the latest reply, for deep
# trees), deletes their post, a facilitator hides one or asks a question
# answer-first.
steps = st.lists(
    st.one_of(
        st.tuples(
            st.just("thread"),
            st.sampled_from(PEOPLE),
            st.integers(0, 2),
            st.sampled_from(["question", "comment", "note"]),
        ),
        st.tuples(st.just("reply"), st.sampled_from(PEOPLE), st.integers(0, 50)),
        st.tuples(st.just("deeper"), st.sampled_from(PEOPLE)),
        st.tuples(st.just("delete"), st.integers(0, 50)),
        st.tuples(st.just("hide"), st.integers(0, 50)),
        st.tuples(st.just("answer_first"), st.integers(0, 50)),
    ),
    max_size=30,
)


@pytest.mark.django_db
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=steps)
def test_the_pages_together_are_the_discussion_as_its_pages_show_it(
    steps, monkeypatch, group, member, facilitator, assigned_reading
):
    # Pages of 2 threads, whatever their reply trees.
    monkeypatch.setattr(api, "PAGE_SIZE", 2)
    with transaction.atomic():
        people = {"member": member, "facilitator": facilitator}
        people["other"] = make_user("other@example.org", "Olive Other")
        add_member(group, people["other"])
        passages = list(assigned_reading.passages.all())
        threads, posts = [], []
        for step in steps:
            if step[0] == "thread":
                _, who, on, kind = step
                threads.append(
                    make_annotation(
                        group, assigned_reading, people[who], kind=kind, passage=passages[on]
                    )
                )
                posts.append(threads[-1])
            elif step[0] in ("reply", "deeper") and threads:
                above = posts[-1] if step[0] == "deeper" else posts[step[2] % len(posts)]
                thread = above if isinstance(above, Annotation) else above.annotation
                parent = None if isinstance(above, Annotation) else above
                posts.append(
                    post_reply(annotation=thread, parent=parent, body="R", author=people[step[1]])
                )
            elif step[0] == "delete" and posts:
                post = posts[step[1] % len(posts)]
                post.refresh_from_db()
                if not post.deleted:
                    delete_post(post=post)
            elif step[0] == "hide" and posts:
                action = ModerationEvent.Action.HIDDEN
                moderate(
                    post=posts[step[1] % len(posts)], group=group, actor=facilitator, action=action
                )
            elif step[0] == "answer_first" and threads:
                thread = threads[step[1] % len(threads)]
                thread.refresh_from_db()
                ask_answer_first(annotation=thread)
        assignment = Assignment.objects.get(group=group, reading=assigned_reading)
        assignment.group = group
        url = f"/api/groups/{group.slug}/readings/{assigned_reading.slug}/annotations"
        for who, person in people.items():
            group.viewer_role = group.memberships.get(user=person).role
            client = signed_in(Client(), person)
            pages, items = every_page(client, url)
            assert items == as_the_thread_pages_show_it(assignment, person), who
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_another_members_private_note_is_on_no_page(client, group, member, assigned_reading):
    other = make_user("other@example.org", "Olive Other")
    add_member(group, other)
    for n in range(250):
        make_annotation(group, assigned_reading, member, body=f"Q{n}")
        if n == 120:
            note = make_annotation(group, assigned_reading, member, kind="note", body="Mine")
    url = f"/api/groups/{group.slug}/readings/{assigned_reading.slug}/annotations"
    signed_in(client, other)
    pages, items = every_page(client, url)
    assert len(items) == 250
    assert not any(item["id"].endswith(f"/{note.pk}") for item in items)
    signed_in(client, member)
    pages, items = every_page(client, url)
    assert len(items) == 251
    assert items[120 + 1]["id"].endswith(f"/{note.pk}")


@pytest.mark.django_db
def test_another_groups_reading_is_on_no_page(client, group, member, outsider, assigned_reading):
    theirs = create_group(name="Day readers", description="", creator=outsider)
    their_reading = make_reading(title="Theirs")
    assign_reading(group=theirs, reading=their_reading, meeting_date=None, notes="", actor=outsider)
    make_annotation(theirs, their_reading, outsider, body="Their question")
    make_annotation(group, assigned_reading, member, body="Our question")
    signed_in(client, member)
    for path in (
        f"/api/groups/{theirs.slug}/readings/{their_reading.slug}/annotations",
        f"/api/groups/{group.slug}/readings/{their_reading.slug}/annotations",
    ):
        assert client.get(path).status_code == 404
        assert client.get(path + "?page=first").status_code == 404
    # Their reading, assigned to both groups: each group sees its own discussion only.
    assign_reading(group=group, reading=their_reading, meeting_date=None, notes="", actor=member)
    ours = f"/api/groups/{group.slug}/readings/{their_reading.slug}/annotations?page=first"
    assert body_of(client.get(ours))["items"] == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name, status",
    [
        ("first", 200),
        ("0.0.0", 200),  # before every thread: the first page's threads
        ("999999999.0.0", 404),  # past the last thread
        ("999999999.99999999999999999.999999999999999999", 404),  # the largest a name holds
        ("0", 400),  # a page number, as pages were named once
        ("1", 400),
        ("FIRST", 400),
        ("", 400),
        ("-1.0.0", 400),
        ("1.2", 400),
        ("1.2.3.4", 400),
        (" 1.2.3", 400),
        ("1.2.3\n", 400),
        ("1.999999999999999999.3", 400),  # past any date
        ("9" * 5000 + ".1.1", 400),  # past int()'s digit limit
        ("\N{ARABIC-INDIC DIGIT ONE}.1.1", 400),  # a digit to int(), not in a name
    ],
)
def test_page_names_past_the_end_or_malformed_find_nothing(
    client, group, member, assigned_reading, name, status
):
    for n in range(51):
        make_annotation(group, assigned_reading, member, body=f"Q{n}")
    signed_in(client, member)
    url = f"/api/groups/{group.slug}/readings/{assigned_reading.slug}/annotations"
    response = client.get(url, {"page": name})
    assert response.status_code == status
    if status == 200:
        assert len(body_of(response)["items"]) == 50
    elif status == 404:
        assert body_of(response) == {"error": "Not found."}
    else:
        assert "follow the collection's first, next, prev or last" in body_of(response)["error"]


@pytest.mark.django_db
def test_a_page_keeps_its_place_as_the_discussion_changes(client, group, member, assigned_reading):
    passages = list(assigned_reading.passages.all())
    threads = [
        make_annotation(group, assigned_reading, member, passage=passages[1], body=f"Q{n}")
        for n in range(52)
    ]
    signed_in(client, member)
    url = f"/api/groups/{group.slug}/readings/{assigned_reading.slug}/annotations"
    second = body_of(client.get(body_of(client.get(url))["first"]))["next"]
    # A thread posted on an earlier passage, and the one the page began with deleted.
    make_annotation(group, assigned_reading, member, passage=passages[0], body="Earlier")
    assert client.delete(f"/api/annotations/{threads[50].pk}").status_code == 204
    page = body_of(client.get(second))
    assert [item["body"]["value"] for item in page["items"]] == ["Q51"]


def page_name(thread: Annotation) -> str:
    """The name of the page that would begin at `thread`, as the API makes it."""
    return api._key(thread.passage.position, thread.created, thread.pk)


@pytest.mark.django_db
def test_a_page_named_after_a_post_one_may_not_see_shows_nothing_of_it(
    client, group, member, outsider, assigned_reading
):
    other = make_user("other@example.org", "Olive Other")
    add_member(group, other)
    before = make_annotation(group, assigned_reading, member, body="Before")
    note = make_annotation(group, assigned_reading, member, kind="note", body="Mine alone")
    after = make_annotation(group, assigned_reading, member, body="After")
    # The same reading in another group, posted on in between.
    theirs = create_group(name="Day readers", description="", creator=outsider)
    assign_reading(
        group=theirs, reading=assigned_reading, meeting_date=None, notes="", actor=outsider
    )
    their = make_annotation(theirs, assigned_reading, outsider, body="Their question")
    last = make_annotation(group, assigned_reading, member, body="Last")
    url = f"/api/groups/{group.slug}/readings/{assigned_reading.slug}/annotations"
    signed_in(client, other)
    for hidden, shown in ((note, [after, last]), (their, [last])):
        page = body_of(client.get(url, {"page": page_name(hidden)}))
        assert [item["id"].rsplit("/", 1)[1] for item in page["items"]] == [
            str(thread.pk) for thread in shown
        ]
        assert "Mine alone" not in json.dumps(page) and "Their" not in json.dumps(page)
        assert page["prev"].endswith("?page=first")
    assert body_of(client.get(url, {"page": "first"}))["items"][0]["id"].endswith(f"/{before.pk}")
    # Their collection, named by one of ours, is still not ours to see.
    theirs_url = f"/api/groups/{theirs.slug}/readings/{assigned_reading.slug}/annotations"
    assert client.get(theirs_url, {"page": page_name(after)}).status_code == 404


@pytest.mark.django_db
def test_a_page_takes_the_same_queries_however_long_the_discussion(
    client, group, member, facilitator, assigned_reading, django_assert_num_queries
):
    url = f"/api/groups/{group.slug}/readings/{assigned_reading.slug}/annotations"
    signed_in(client, member)

    def counted(path: str, queries: int) -> dict:
        with django_assert_num_queries(queries):
            response = client.get(path)
        assert response.status_code == 200
        return body_of(response)

    first = make_annotation(group, assigned_reading, member)
    post_reply(annotation=first, parent=None, body="R", author=facilitator)
    # session, user, the assignment with its group and my role, then the total
    # (one page)
    assert counted(url, 4)["total"] == 2
    # ... or the page's threads, passages, their replies
    assert len(counted(url + "?page=first", 6)["items"]) == 2
    for n in range(300):
        thread = make_annotation(group, assigned_reading, member, body=f"Q{n}")
        parent = None
        for _ in range(n % 6):  # deeper than the pages nest
            parent = post_reply(annotation=thread, parent=parent, body="R", author=facilitator)
        if n % 7 == 0:
            delete_post(post=parent or thread)
    # ... and where the last page begins
    collection = counted(url, 5)
    assert counted(collection["first"], 6)["items"]
    # ... and the threads before the page, for `prev`
    assert counted(collection["last"], 7)["items"]
