"""The API's OpenAPI 3.1 description, served at /api/schema."""

from discussions.forms import BODY_MAX
from readings.services import size_label

from .w3c import ANNOTATION_MAX_BYTES, MAX_DEPTH

ANNOTATION = {
    "type": "object",
    "description": "A W3C Web Annotation (https://www.w3.org/TR/annotation-model/).",
    "required": ["@context", "type", "motivation", "target"],
    "properties": {
        "@context": {"const": "http://www.w3.org/ns/anno.jsonld"},
        "id": {"type": "string", "format": "uri", "readOnly": True},
        "type": {"const": "Annotation"},
        "motivation": {
            "enum": ["questioning", "commenting", "bookmarking", "replying"],
            "description": "bookmarking is a private note; replying answers the target annotation.",
        },
        "audience": {
            "type": "object",
            "description": "Notes only: {type: schema:Audience, schema:audienceType: private}.",
        },
        "created": {"type": "string", "format": "date-time", "readOnly": True},
        "modified": {"type": "string", "format": "date-time", "readOnly": True},
        "creator": {"type": "object", "readOnly": True},
        "body": {
            "type": "object",
            "description": "Left out where the page shows a placeholder (deleted or hidden).",
            "properties": {
                "type": {"const": "TextualBody"},
                "value": {"type": "string", "maxLength": BODY_MAX, "description": "Markdown."},
                "format": {"enum": ["text/markdown", "text/plain"]},
            },
        },
        "target": {
            "description": (
                "For a thread: {source: the reading's address in its group, selector: "
                "[TextQuoteSelector, optional TextPositionSelector]}; positions count code "
                "points in the reading's passages joined by blank lines. A thread whose words "
                "a revision of the text took out (an orphan) has no TextPositionSelector, only "
                "its old TextQuoteSelector if it was on words, and state: a TimeState. For a "
                "reply: the id of the annotation or reply it answers."
            ),
            "oneOf": [{"type": "string", "format": "uri"}, {"type": "object"}],
        },
    },
}
ERROR = {"type": "object", "properties": {"error": {"type": "string"}}, "required": ["error"]}


def _json(schema: dict) -> dict:
    return {"application/ld+json": {"schema": schema}}


def _errors(*codes: int) -> dict:
    words = {
        400: (
            "The document is wrong, over "
            f"{size_label(ANNOTATION_MAX_BYTES)}, or nested more than {MAX_DEPTH} deep; "
            "the message says how. Nothing was changed."
        ),
        401: "Not signed in and no valid token.",
        403: "Not allowed (not the author; or a session write without its CSRF token).",
        404: "Not found, or not in one of your groups.",
        409: "Deleted already.",
    }
    return {
        str(code): {"description": words[code], "content": {"application/json": {"schema": ERROR}}}
        for code in codes
    }


def schema(docs_url: str) -> dict:
    one = {"name": "pk", "in": "path", "required": True, "schema": {"type": "integer"}}
    reply = {"name": "reply_pk", "in": "path", "required": True, "schema": {"type": "integer"}}
    written = {"required": True, "content": _json(ANNOTATION)}
    edit = {
        "required": True,
        "content": _json(
            {"type": "object", "properties": {"body": ANNOTATION["properties"]["body"]}}
        ),
    }
    read_write = {
        "get": {
            "summary": "Read it",
            "responses": {
                "200": {"description": "The annotation", "content": _json(ANNOTATION)},
                **_errors(401, 404),
            },
        },
        "patch": {
            "summary": "Change its body (its author)",
            "requestBody": edit,
            "responses": {
                "200": {"description": "Changed", "content": _json(ANNOTATION)},
                **_errors(400, 401, 403, 404, 409),
            },
        },
        "delete": {
            "summary": "Delete it (its author); replies stay readable",
            "responses": {"204": {"description": "Deleted"}, **_errors(401, 403, 404, 409)},
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Marginalia API",
            "version": "1",
            "description": f"Group discussions as W3C Web Annotations. Examples: {docs_url}",
        },
        "components": {
            "securitySchemes": {
                "token": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A personal API token, made on /settings/.",
                },
                "session": {
                    "type": "apiKey",
                    "in": "cookie",
                    "name": "sessionid",
                    "description": "Signed in; writes also send the X-CSRFToken header.",
                },
            }
        },
        "security": [{"token": []}, {"session": []}],
        "paths": {
            "/api/annotations": {
                "post": {
                    "summary": "Make a question, comment, private note or reply",
                    "requestBody": written,
                    "responses": {
                        "201": {
                            "description": "Made; Location is its id",
                            "content": _json(ANNOTATION),
                        },
                        **_errors(400, 401, 403, 404),
                    },
                }
            },
            "/api/annotations/{pk}": {"parameters": [one], **read_write},
            "/api/annotations/{pk}/replies/{reply_pk}": {"parameters": [one, reply], **read_write},
            "/api/groups/{group}/readings/{reading}/annotations": {
                "parameters": [
                    {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
                    for name in ("group", "reading")
                ]
                + [
                    {
                        "name": "page",
                        "in": "query",
                        "schema": {
                            "type": "string",
                            "pattern": r"^(first|[0-9]{1,9}\.[0-9]{1,17}\.[0-9]{1,18})$",
                        },
                        "description": "Left out: the AnnotationCollection. Given: that "
                        "AnnotationPage of 50 whole threads (each followed by its replies, "
                        "threads in passage order): first, or the name of the thread it "
                        "begins with, as the first, next, prev and last links give it; "
                        "a name they do not make, 400; past the last thread, 404.",
                    }
                ],
                "get": {
                    "summary": "A reading's discussion in a group, paged",
                    "responses": {
                        "200": {
                            "description": "AnnotationCollection or AnnotationPage",
                            "content": _json({"type": "object"}),
                        },
                        "400": {
                            "description": "Not the name of a page.",
                            "content": {"application/json": {"schema": ERROR}},
                        },
                        **_errors(401, 404),
                    },
                },
            },
        },
    }
