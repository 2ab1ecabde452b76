"""An orphan (a revision took its words out of the text) in the API and the
exports: its words can no longer be found by position, only by its old quote."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from discussions.models import Annotation
from groups.services import assign_reading, create_group
from tests.conftest import make_annotation, signed_in
from tests.interop import w3c_suite


def orphan(annotation: Annotation) -> Annotation:
    Annotation.objects.filter(pk=annotation.pk).update(orphaned=2, start=None, end=None)
    annotation.refresh_from_db()
    return annotation


@pytest.mark.django_db
def test_an_orphan_has_its_quote_and_no_position(client, group, member, assigned_reading):
    lost = orphan(make_annotation(group, assigned_reading, member, words="worth"))
    on_passage = orphan(make_annotation(group, assigned_reading, member, kind="comment"))
    anchored = make_annotation(group, assigned_reading, member, words="says")
    signed_in(client, member)
    target = json.loads(client.get(f"/api/annotations/{lost.pk}").content)["target"]
    assert target["selector"] == [
        {
            "type": "TextQuoteSelector",
            "exact": "worth",
            "prefix": lost.prefix,
            "suffix": lost.suffix,
        }
    ]
    # Made on a whole passage that a revision took out: nothing of the text to quote.
    target = json.loads(client.get(f"/api/annotations/{on_passage.pk}").content)["target"]
    assert "selector" not in target and target["source"].endswith(f"/r/{assigned_reading.slug}/")
    url = f"/api/groups/{group.slug}/readings/{assigned_reading.slug}/annotations?page=first"
    items = {
        item["id"].rsplit("/", 1)[1]: item for item in json.loads(client.get(url).content)["items"]
    }
    kinds = [s["type"] for s in items[str(lost.pk)]["target"]["selector"]]
    assert kinds == ["TextQuoteSelector"]
    kinds = [s["type"] for s in items[str(anchored.pk)]["target"]["selector"]]
    assert kinds == ["TextQuoteSelector", "TextPositionSelector"]


@pytest.mark.skipif(
    not w3c_suite.SUITE.is_dir(),
    reason=f"the W3C Web Annotation test suite is absent (looked in {w3c_suite.SUITE})",
)
@pytest.mark.django_db
def test_an_orphan_is_still_a_valid_web_annotation(client, group, member, assigned_reading):
    signed_in(client, member)
    for words in ("worth", ""):
        lost = orphan(make_annotation(group, assigned_reading, member, words=words))
        document = json.loads(client.get(f"/api/annotations/{lost.pk}").content)
        results = w3c_suite.check(document, "annotations/annotationMusts.test")
        assert [r for r in results if not r.passed] == []


@pytest.mark.django_db
def test_the_markdown_export_says_the_words_are_gone(client, group, member, assigned_reading):
    orphan(make_annotation(group, assigned_reading, member, body="Lost one", words="worth"))
    signed_in(client, member)
    url = reverse("interop:export_md", args=[group.slug, assigned_reading.slug])
    text = client.get(url).content.decode()
    assert "**Question, 0 votes, on words no longer in the text** by Maya Member" in text
    assert "On the words: “worth”" in text


@pytest.mark.django_db
def test_a_group_export_imports_its_orphans_as_orphans(
    client, group, member, organizer, assigned_reading
):
    orphan(make_annotation(group, assigned_reading, member, body="Lost words", words="worth"))
    orphan(make_annotation(group, assigned_reading, member, kind="comment", body="Lost passage"))
    make_annotation(group, assigned_reading, member, body="Still here", words="says")
    signed_in(client, organizer)
    document = json.loads(client.get(f"/g/{group.slug}/export.jsonld").content)
    other = create_group(name="Day readers", description="", creator=organizer)
    assign_reading(group=other, reading=assigned_reading, meeting_date=None, notes="", actor=None)
    upload = SimpleUploadedFile("export.jsonld", json.dumps(document).encode())
    response = client.post(reverse("interop:import_group", args=[other.slug]), {"file": upload})
    assert response.status_code == 302
    imported = {a.body.split("\n\n")[-1]: a for a in Annotation.objects.filter(group=other)}
    first = assigned_reading.passages.first()
    words, passage = imported["Lost words"], imported["Lost passage"]
    assert (words.orphaned, words.start, words.exact, words.passage_id) == (
        1,
        None,
        "worth",
        first.pk,
    )
    assert (passage.orphaned, passage.exact) == (1, "")
    assert imported["Still here"].orphaned is None and imported["Still here"].exact == "says"


@pytest.mark.django_db
def test_an_earlier_texts_quote_that_is_malformed_is_still_refused(
    client, group, organizer, assigned_reading
):
    document = {
        "type": "AnnotationPage",
        "items": [
            {
                "type": "Annotation",
                "motivation": "commenting",
                "bodyValue": "Hm",
                "target": {
                    "source": f"http://testserver/g/{group.slug}/r/{assigned_reading.slug}/",
                    "state": {"type": "TimeState", "sourceDate": "2026-01-01T00:00:00Z"},
                    "selector": [{"type": "TextQuoteSelector", "exact": ["not", "text"]}],
                },
            }
        ],
    }
    signed_in(client, organizer)
    upload = SimpleUploadedFile("export.jsonld", json.dumps(document).encode())
    response = client.post(reverse("interop:import_group", args=[group.slug]), {"file": upload})
    assert response.status_code == 400
    assert "TextQuoteSelector with the exact words" in response.content.decode()
    assert not Annotation.objects.exists()
