"""Check a JSON document against the W3C Web Annotation test suite in ../shared.

Each `.test` file lists assertion files: draft-04 JSON Schemas carrying `assertionType`,
`expectedResult`, `onUnexpectedResult` and `errorMessage`. `check` evaluates them the way the
web-platform-tests annotation-model runner (JSONtest.js) does, offline.
"""

import json
import re
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from jsonschema import Draft4Validator, FormatChecker
from jsonschema.exceptions import best_match
from referencing import Registry
from referencing.jsonschema import DRAFT4

SUITE = Path(__file__).resolve().parents[2].parent / "shared" / "w3c-web-annotation-tests"

Kind = Literal["must", "should", "may"]

# The values the WPT annotation-model README allows; the first of each is the default.
_KINDS = ("must", "should", "may")
_EXPECTED = ("valid", "invalid")
_ON_UNEXPECTED = (
    "failAndContinue",
    "failAndSkip",
    "failAndAbort",
    "passAndContinue",
    "passAndSkip",
    "passAndAbort",
)


@dataclass(frozen=True)
class Result:
    assertion: str  # as listed in the .test file, relative to SUITE
    kind: Kind
    passed: bool
    message: str  # empty when passed

    @property
    def error(self) -> bool:
        """A failed MUST. A failed should/may only reports a feature left out."""
        return self.kind == "must" and not self.passed


def check(document: dict, test_file: str) -> list[Result]:
    """Evaluate `document` against each assertion of `test_file` (relative to SUITE), in order.

    Absolute paths work too, for the test file or its entries. A .test file's "skipFailures"
    only hid failed should/may sub-tests in the browser runner: here every result is returned,
    and `Result.error` tells which failures count.
    """
    test = _load(SUITE / test_file)
    results = []
    for entry in test["assertions"]:
        if not isinstance(entry, str):
            # The WPT format also allows inline assertion objects, nested lists and compareWith
            # groups. None occurs in this suite; refuse them rather than silently drop checks.
            raise ValueError(f"{test_file}: unsupported assertion entry {entry!r}")
        assertion, validator = _assertion(entry)
        error = best_match(validator.iter_errors(document))
        passed = (error is None) == (assertion["expectedResult"] == "valid")
        if passed:
            message = ""
        elif "errorMessage" in assertion:
            message = assertion["errorMessage"]
        elif error is not None:
            message = f"{error.json_path}: {error.message}"
        else:
            message = "Result was not invalid"
        results.append(Result(entry, assertion["assertionType"], passed, message))
        # In a flat list "skip the rest of this level" and "abort" both end the run.
        if not passed and not assertion["onUnexpectedResult"].endswith("Continue"):
            break
    return results


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


@cache
def _assertion(entry: str) -> tuple[dict, Draft4Validator]:
    assertion = _load(SUITE / entry)
    assertion.setdefault("assertionType", _KINDS[0])
    assertion.setdefault("expectedResult", _EXPECTED[0])
    assertion.setdefault("onUnexpectedResult", _ON_UNEXPECTED[0])
    for key, allowed in (
        ("assertionType", _KINDS),
        ("expectedResult", _EXPECTED),
        ("onUnexpectedResult", _ON_UNEXPECTED),
    ):
        if assertion[key] not in allowed:
            raise ValueError(f"{entry}: {key} is {assertion[key]!r}, not one of {allowed}")
    validator = Draft4Validator(assertion, registry=_definitions(), format_checker=_FORMATS)
    return assertion, validator


@cache
def _definitions() -> Registry:
    # The runner added definitions/*.json to Ajv under their own relative ids ("id.json"), and
    # each assertion's relative id is its base, so "id.json#/..." must resolve in that same flat
    # namespace, not beside the assertion file. A Registry without `retrieve` never fetches;
    # jsonschema adds the draft metaschemas from its bundled jsonschema-specifications.
    resources = []
    for path in sorted((SUITE / "definitions").glob("*.json")):
        contents = _load(path)
        resources.append((contents["id"], DRAFT4.create_resource(contents)))
    return Registry().with_resources(resources)


# Only the two formats the suite uses, checked here: jsonschema would silently accept both
# unless the optional rfc3339-validator and rfc3987 packages happened to be installed.
_FORMATS = FormatChecker(formats=())

_DATE_TIME = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})", re.ASCII
)
_URI = re.compile(
    r"[A-Za-z][A-Za-z0-9+.-]*:([A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*"
)


@_FORMATS.checks("date-time")
def _is_date_time(value: object) -> bool:
    """RFC 3339: a full date, a time with seconds and an offset, on a real calendar day."""
    if not isinstance(value, str):
        return True
    if not _DATE_TIME.fullmatch(value):
        return False
    try:
        datetime.fromisoformat(value.upper())
    except ValueError:
        return False
    return True


@_FORMATS.checks("uri")
def _is_uri(value: object) -> bool:
    """RFC 3986 absolute URI: a scheme, then only URI characters or %-escapes."""
    if not isinstance(value, str):
        return True
    if not _URI.fullmatch(value):
        return False
    try:
        urlsplit(value)  # catches an unbalanced IPv6 host, which the character check lets by
    except ValueError:
        return False
    return True
