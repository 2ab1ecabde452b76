"""The W3C Web Annotation suite harness (tests/interop/w3c_suite.py) tells conforming documents from
broken ones, naming the assertion each breakage fails."""

import copy
import json
from collections import Counter
from pathlib import Path

import pytest

from tests.interop.w3c_suite import SUITE, check

pytestmark = pytest.mark.skipif(
    not SUITE.is_dir(),
    reason="../shared/w3c-web-annotation-tests is absent: check out the W3C web-annotation-tests "
    "there to run the harness tests",
)

ANNOTATION_MUSTS = "annotations/annotationMusts.test"
COLLECTION_MUSTS = "collections/collectionMusts.test"
PAGE_MUSTS = "collections/pages/pageMusts.test"

CONTEXT = "http://www.w3.org/ns/anno.jsonld"
SOURCE = "https://example.org/doc"

ANNOTATION = {
    "@context": CONTEXT,
    "id": "https://example.org/anno/1",
    "type": "Annotation",
    "body": {"type": "TextualBody", "value": "x", "format": "text/markdown"},
    "target": {
        "source": SOURCE,
        "selector": [
            {"type": "TextQuoteSelector", "exact": "a", "prefix": "", "suffix": "b"},
            {"type": "TextPositionSelector", "start": 0, "end": 1},
        ],
    },
    "created": "2026-11-25T10:00:00Z",
    "creator": {"id": "https://example.org/u/1", "type": "Person", "name": "A"},
    "motivation": "commenting",
}

COLLECTION = {
    "@context": CONTEXT,
    "id": "https://example.org/groups/1/annotations",
    "type": "AnnotationCollection",
    "label": "Notes on the first reading",
    "total": 2,
    "first": "https://example.org/groups/1/annotations?page=1",
    "last": "https://example.org/groups/1/annotations?page=1",
}

PAGE = {
    "@context": CONTEXT,
    "id": "https://example.org/groups/1/annotations?page=1",
    "type": "AnnotationPage",
    "partOf": {"id": "https://example.org/groups/1/annotations", "label": "Notes", "total": 2},
    "startIndex": 0,
    "next": "https://example.org/groups/1/annotations?page=2",
    "items": [ANNOTATION, "https://example.org/anno/2"],
}


def changed(document: dict, changes: dict) -> dict:
    """A copy of document with changes applied; a None value removes the key."""
    result = copy.deepcopy(document)
    for key, value in changes.items():
        if value is None:
            result.pop(key)
        else:
            result[key] = value
    return result


def failed(document: dict, test_file: str) -> set[str]:
    return {Path(r.assertion).name for r in check(document, test_file) if not r.passed}


def targeting(*selectors: dict) -> dict:
    return {"target": {"source": SOURCE, "selector": list(selectors)}}


def test_the_suite_sits_in_shared_beside_the_project():
    project = Path(__file__).resolve().parents[2]
    assert project.parent / "shared" / "w3c-web-annotation-tests" == SUITE


@pytest.mark.parametrize(
    ("test_file", "count"), [(ANNOTATION_MUSTS, 54), (COLLECTION_MUSTS, 10), (PAGE_MUSTS, 15)]
)
def test_a_musts_file_holds_only_musts(test_file, count):
    document = {"a": "document every MUST file can be run against"}
    results = check(document, test_file)
    assert len(results) == count
    assert {r.kind for r in results} == {"must"}


def test_a_minimal_annotation_meets_every_must():
    results = check(ANNOTATION, ANNOTATION_MUSTS)
    assert [r for r in results if not r.passed] == []
    assert {r.message for r in results} == {""}


@pytest.mark.parametrize(
    ("changes", "failures"),
    [
        ({"@context": None}, {"3.1-annotationContextValidated.json"}),
        (
            {"@context": "https://www.w3.org/ns/anno.jsonld"},
            {"3.1-annotationContextValidated.json"},
        ),
        ({"id": "/anno/1"}, {"3.1-annotationIdValidated.json"}),
        ({"type": "Note"}, {"3.1-annotationTypeValidated.json"}),
        ({"bodyValue": "x"}, {"3.2.5-notBodyBodyValue.json"}),
        ({"body": None, "bodyValue": ["x", "y"]}, {"3.2.5-bodyValueValidated.json"}),
        ({"created": "25/11/2026"}, {"3.3.1-annotationCreatedValidated.json"}),
        ({"created": "2026-11-25T10:00:00"}, {"3.3.1-annotationCreatedValidated.json"}),
        ({"created": "2026-02-30T10:00:00Z"}, {"3.3.1-annotationCreatedValidated.json"}),
        (
            {"modified": ["2026-11-25T10:00:00Z", "2026-11-26T10:00:00Z"]},
            {"3.3.1-annotationModifiedValidated.json"},
        ),
        ({"generated": "now"}, {"3.3.1-annotationGeneratedValidated.json"}),
        ({"rights": "all rights reserved"}, {"3.3.6-annotationRightsValidated.json"}),
        ({"target": None}, {"3.1-targetKeyFound.json", "3.2-targetObjectsRecognized.json"}),
        (
            {"target": {"type": "TextualBody", "value": "x"}},
            {"3.2-targetObjectsRecognized.json", "3.2.4-targNoTypeTextualBody.json"},
        ),
        (
            {"body": {"type": "TextualBody", "value": "x", "textDirection": "sideways"}},
            {"3.2.1-bodyTextDirectionValidated.json"},
        ),
        (
            targeting({"type": "TextQuoteSelector", "prefix": "a"}),
            {"4.2-selectorValidIfPresent.json", "4.2.4-textQuoteSelectorValid.json"},
        ),
        (
            targeting({"type": "TextPositionSelector", "start": "0", "end": 1}),
            {"4.2-selectorValidIfPresent.json", "4.2-TextDataPositionSelectorValid.json"},
        ),
    ],
)
def test_a_broken_annotation_fails_the_matching_musts(changes, failures):
    assert failed(changed(ANNOTATION, changes), ANNOTATION_MUSTS) == failures


@pytest.mark.parametrize(
    "changes",
    [
        {"@context": [CONTEXT, "https://example.org/context.jsonld"]},
        {"id": "urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66"},
        {"type": ["Annotation", "Highlight"]},
        {"body": None},
        {"body": None, "bodyValue": "x"},
        {"target": [SOURCE, "https://example.org/other"]},
        {"created": "2026-11-25t10:00:00.123456789+05:30"},
        {"modified": ["2026-11-26T10:00:00-08:00"]},
    ],
)
def test_the_shapes_the_model_allows_meet_every_must(changes):
    assert failed(changed(ANNOTATION, changes), ANNOTATION_MUSTS) == set()


def test_a_failed_must_reports_the_suites_error_message():
    result = next(r for r in check({"type": "Annotation"}, ANNOTATION_MUSTS) if not r.passed)
    assertion = json.loads((SUITE / result.assertion).read_text())
    assert result.error
    assert result.message == assertion["errorMessage"]


def test_a_minimal_collection_meets_every_must():
    assert failed(COLLECTION, COLLECTION_MUSTS) == set()


@pytest.mark.parametrize(
    ("changes", "failures"),
    [
        ({"@context": None}, {"5.1-collectionContextValidated.json"}),
        ({"id": None}, {"5.1-collectionIdValidated.json"}),
        ({"type": "Collection"}, {"5.1-collectionTypeValidated.json"}),
        ({"label": []}, {"5.1-collectionLabelValidated.json"}),
        ({"label": 3}, {"5.1-collectionLabelValidated.json"}),
        ({"total": -1}, {"5.1-collectionTotalValidated.json"}),
        ({"total": "2"}, {"5.1-collectionTotalValidated.json"}),
        # With a total above zero there must be a first page.
        ({"first": None}, {"5.1-collectionFirstValidated.json"}),
        ({"first": "page 1"}, {"5.1-collectionFirstValidated.json"}),
        ({"first": {"id": PAGE["id"], "items": []}}, {"5.1-collectionFirstValidated.json"}),
        # Unlike first, last may only be a URI.
        (
            {"last": {"id": PAGE["id"], "type": "AnnotationPage"}},
            {"5.1-collectionLastValidated.json"},
        ),
        ({"created": "2026-11-25"}, {"3.3.1-collectionCreatedValidated.json"}),
        ({"rights": "CC-BY"}, {"3.3.6-collectionRightsValidated.json"}),
    ],
)
def test_a_broken_collection_fails_the_matching_musts(changes, failures):
    assert failed(changed(COLLECTION, changes), COLLECTION_MUSTS) == failures


@pytest.mark.parametrize(
    "changes",
    [
        {"total": 0, "first": None, "last": None},
        {"total": None, "first": None, "last": None, "label": None},
        {"first": {"id": PAGE["id"], "type": "AnnotationPage", "items": []}},
        {"total": [2], "label": ["Notes", "Remarques"], "last": [COLLECTION["last"]]},
    ],
)
def test_the_collection_shapes_the_model_allows_meet_every_must(changes):
    assert failed(changed(COLLECTION, changes), COLLECTION_MUSTS) == set()


def test_a_minimal_page_meets_every_must():
    assert failed(PAGE, PAGE_MUSTS) == set()


def test_a_collection_with_its_first_page_embedded_meets_every_page_must():
    assert failed(changed(COLLECTION, {"first": PAGE}), PAGE_MUSTS) == set()


@pytest.mark.parametrize(
    ("changes", "failures"),
    [
        ({"@context": None}, {"5.2-pageContextValidated.json"}),
        ({"id": None}, {"5.2-pageIdValidated.json"}),
        ({"items": None}, {"5.2-pageItemsValidated.json"}),
        ({"items": ["anno 2"]}, {"5.2-pageItemsValidated.json"}),
        ({"items": [{"id": "https://example.org/anno/2"}]}, {"5.2-pageItemsValidated.json"}),
        ({"startIndex": -1}, {"5.2-pageStartIndexValidated.json"}),
        ({"next": "page 2"}, {"5.2-pageNextValidated.json"}),
        ({"prev": [PAGE["id"], PAGE["id"]]}, {"5.2-pagePrevValidated.json"}),
        ({"partOf": {"total": 2}}, {"5.2-pagePartOfValidated.json"}),
        ({"partOf": {"id": COLLECTION["id"], "total": -2}}, {"5.2-pageTotalValidated.json"}),
        # Without the AnnotationPage type, every check keyed on a page's own keys fails.
        (
            {"type": "Page"},
            {
                "5.2-pageIdValidated.json",
                "5.2-pageTypeValidated.json",
                "5.2-pageStartIndexValidated.json",
                "5.2-pagePartOfValidated.json",
                "5.2-pageNextValidated.json",
                "5.2-pagePrevValidated.json",
            },
        ),
    ],
)
def test_a_broken_page_fails_the_matching_musts(changes, failures):
    assert failed(changed(PAGE, changes), PAGE_MUSTS) == failures


def test_the_suite_wants_a_pages_part_of_as_an_object():
    # The model allows a bare collection IRI, but the suite checks partOf's total, label,
    # first, last, created, modified and rights through schemas typed "object".
    assert failed(changed(PAGE, {"partOf": COLLECTION["id"]}), PAGE_MUSTS) == {
        "5.2-pageTotalValidated.json",
        "5.2-pageLabelValidated.json",
        "5.2-pageFirstValidated.json",
        "5.2-pageLastValidated.json",
        "3.3.1-pageCreatedValidated.json",
        "3.3.1-pageModifiedValidated.json",
        "3.3.6-pageRightsValidated.json",
    }
    assert failed(changed(PAGE, {"partOf": None}), PAGE_MUSTS) == set()


@pytest.mark.parametrize(
    ("document", "test_file", "kinds", "present", "absent"),
    [
        (
            ANNOTATION,
            "annotations/annotationOptionals.test",
            {"should": 16, "may": 58},
            "annotations/3.3.1-annotationCreatedImplemented.json",
            "annotations/3.3.1-annotationModifiedImplemented.json",
        ),
        (
            ANNOTATION,
            "annotations/annotationsAgentOptionals.test",
            {"should": 16, "may": 20},
            "annotations/3.3.2-annotationCreatorAgentNameImplemented.json",
            "annotations/3.3.1-annotationGeneratorImplemented.json",
        ),
        (
            COLLECTION,
            "collections/collectionOptionals.test",
            {"should": 3, "may": 12},
            "collections/5.1-collectionLabelImplemented.json",
            "collections/3.3.1-collectionCreatorImplemented.json",
        ),
        (
            PAGE,
            "collections/pages/pageOptionals.test",
            {"should": 2, "may": 17},
            "collections/pages/5.2-pagePartOfImplemented.json",
            "collections/pages/5.2-pagePrevImplemented.json",
        ),
    ],
)
def test_optionals_report_features_without_errors(document, test_file, kinds, present, absent):
    results = {r.assertion: r for r in check(document, test_file)}
    assert Counter(r.kind for r in results.values()) == kinds
    assert not any(r.error for r in results.values())
    assert results[present].passed
    assert not results[absent].passed
    assert results[absent].message


@pytest.fixture
def assertion_file(tmp_path):
    """Write a hand-made assertion; its absolute path works as a .test entry."""

    def write(name: str, **assertion) -> str:
        path = tmp_path / f"{name}.json"
        path.write_text(
            json.dumps({"$schema": "http://json-schema.org/draft-04/schema#"} | assertion)
        )
        return str(path)

    return write


def write_test(tmp_path, *assertions) -> str:
    path = tmp_path / "hand-made.test"
    path.write_text(json.dumps({"name": "hand-made", "assertions": list(assertions)}))
    return str(path)


def test_an_invalid_expectation_holds_when_the_schema_does_not_validate(tmp_path, assertion_file):
    no_id = assertion_file(
        "no-id",
        expectedResult="invalid",
        errorMessage="A draft must not have an id yet.",
        **{"$ref": "id.json#/definitions/idValueFound"},
    )
    suite_test = write_test(tmp_path, no_id)
    (draft,) = check({"type": "Annotation"}, suite_test)
    (published,) = check({"id": "https://example.org/anno/1"}, suite_test)
    assert (draft.kind, draft.passed, draft.message) == ("must", True, "")
    assert (published.passed, published.message) == (False, "A draft must not have an id yet.")


def test_without_an_error_message_the_validators_reason_is_reported(tmp_path, assertion_file):
    has_id = assertion_file("has-id", **{"$ref": "id.json#/definitions/idValueFound"})
    (result,) = check({"id": "not a uri"}, write_test(tmp_path, has_id))
    assert not result.passed
    assert "$.id" in result.message


def test_a_fail_and_skip_assertion_ends_the_run(tmp_path, assertion_file):
    gate = assertion_file(
        "gate", assertionType="should", onUnexpectedResult="failAndSkip", required=["target"]
    )
    after = assertion_file("after", required=["id"])
    results = check({"id": "https://example.org/anno/1"}, write_test(tmp_path, gate, after))
    assert [(Path(r.assertion).name, r.passed) for r in results] == [("gate.json", False)]


def test_an_entry_that_is_not_a_file_is_refused(tmp_path):
    with pytest.raises(ValueError, match="unsupported assertion entry"):
        check({}, write_test(tmp_path, {"title": "inline", "required": ["id"]}))
