"""An orphan (a revision took its words out of the text) in the API and the
exports: its words can no longer be found by position, only by its old quote."""

import json

import pytest
from django.urls import reverse

from discussions.models import Annotation
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
    url = f"/api/groups/{group.slug}/readings/{assigned_reading.slug}/annotations?page=0"
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
