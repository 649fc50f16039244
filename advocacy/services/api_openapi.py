"""The OpenAPI 3.1 document of the read-only JSON API (served at /api/v1/openapi.json).

Written by hand, beside the serialisers it describes (``api_serialisers``):
tests/test_api.py validates the document and checks every answer of the
tests against these schemas, so the two cannot drift apart unnoticed.
"""

from __future__ import annotations

from typing import Any

from .api_serialisers import MAX_LIMIT, MAX_SUGGESTIONS
from .api_tokens import PERSONAL_SCOPES, STAFF_SCOPES

VERSION = "1.0.0"


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _object(properties: dict[str, Any], *, required: list[str] | None = None) -> dict:
    return {"type": "object", "required": required if required is not None else list(properties),
            "properties": properties}


STRING = {"type": "string"}
INTEGER = {"type": "integer"}
BOOLEAN = {"type": "boolean"}
DATE_TIME = {"type": "string", "format": "date-time"}
NULLABLE_DATE_TIME = {"type": ["string", "null"], "format": "date-time"}
COUNTS = {"shares": INTEGER, "clicks": INTEGER, "previews": INTEGER}

SCHEMAS: dict[str, Any] = {
    "Problem": {**_object({"type": STRING, "title": STRING, "status": INTEGER, "detail": STRING,
                           "code": STRING}, required=["type", "title", "status", "detail"]),
                "description": "RFC 9457 problem details; ``code`` names the refusal for programs."},
    "People": {
        "description": "A count of people under the k rule: a band of k (low..high), or hidden when fewer "
                       "than k. Nobody (0) is the band 0..0.",
        "oneOf": [_object({"low": INTEGER, "high": INTEGER}),
                  _object({"hidden": {"const": True}, "fewer_than": INTEGER})],
    },
    "Rate": {"description": "A percentage as the range the bands allow, hidden with its counts; null: "
                            "nobody to divide by.",
             "oneOf": [_ref("People"), {"type": "null"}]},
    "Counts": _object(COUNTS),
    "Row": _object({"id": STRING, "label": STRING, **COUNTS}),
    "Insights": _object({
        "range": _object({"start": {"type": "string", "format": "date"},
                          "end": {"type": "string", "format": "date"}}),
        "k": INTEGER,
        "totals": _ref("Counts"),
        "weeks": {"type": "array", "items": _object({"week": {"type": "string", "format": "date"}, **COUNTS})},
        "networks": {"type": "array", "items": _object({"network": STRING, **COUNTS})},
        "topics": {"type": "array", "items": _ref("Row")},
        "needs": {"type": "array", "items": _ref("Row")},
        "top_content": {"type": "array", "items": _ref("Row")},
        "participation": _object({"active": _ref("People"), "sharers": _ref("People"), "percent": _ref("Rate")}),
        "departments": {"type": "array", "items": _object({
            "label": STRING, "other": BOOLEAN, "active": _ref("People"), "sharers": _ref("People"),
            "percent": _ref("Rate")})},
    }),
    "Content": _object({
        "id": INTEGER, "slug": STRING, "title": STRING, "summary": STRING, "url": STRING,
        "status": {"enum": ["draft", "scheduled", "published", "expired", "archived"]},
        "publish_at": NULLABLE_DATE_TIME, "expires_at": NULLABLE_DATE_TIME, "highlighted": BOOLEAN,
        "needs": {"type": "array", "items": STRING}, "topics": {"type": "array", "items": STRING},
        "texts": {"type": "array", "items": _object({"network": STRING, "text": STRING})},
        "created_at": DATE_TIME, "updated_at": DATE_TIME,
    }),
    "Feed": _object({
        "id": INTEGER, "url": STRING, "title": STRING, "site_url": {"type": ["string", "null"]},
        "enabled": BOOLEAN, "interval_minutes": INTEGER, "last_checked_at": NULLABLE_DATE_TIME,
        "last_success_at": NULLABLE_DATE_TIME, "consecutive_errors": INTEGER,
        "last_error_code": {"type": ["string", "null"]}, "created_at": DATE_TIME,
    }),
    "ContentList": _object({"items": {"type": "array", "items": _ref("Content")},
                            "next_cursor": {"type": ["string", "null"]}}),
    "FeedList": _object({"items": {"type": "array", "items": _ref("Feed")},
                         "next_cursor": {"type": ["string", "null"]}}),
    "Suggestions": _object({"items": {"type": "array", "items": _object({
        "id": INTEGER, "title": STRING, "summary": STRING, "url": STRING, "publish_at": NULLABLE_DATE_TIME,
        "highlighted": BOOLEAN, "score": INTEGER,
        "why": _object({"needs": {"type": "array", "items": STRING},
                        "topics": {"type": "array", "items": STRING}})})}}),
    "PersonalData": {
        **_object({"$schema": STRING, "exported_at": DATE_TIME, "account": {"type": "object"}},
                  required=["$schema", "exported_at", "account"]),
        "description": "The same document as the personal-data export of \"My data\" (its JSON Schema: "
                       "docs/personal-data-export.schema.json).",
    },
}

_PROBLEM = {"application/problem+json": {"schema": _ref("Problem")}}
_ERRORS = {
    "400": {"description": "A parameter cannot be used", "content": _PROBLEM},
    "401": {"description": "No token, or a token that is unknown, revoked or expired, or whose owner "
                           "may no longer use it", "content": _PROBLEM},
    "403": {"description": "The token lacks the scope (or, for suggestions, its ambassador is not an "
                           "active member now: mandate ended or charter not accepted)", "content": _PROBLEM},
    "429": {"description": "Too many requests with this token", "content": _PROBLEM},
}
_PAGING = [
    {"name": "cursor", "in": "query", "required": False, "schema": STRING,
     "description": "The next_cursor of the previous page (opaque)."},
    {"name": "limit", "in": "query", "required": False,
     "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT}},
]


def _get(summary: str, scope: str, schema: str, parameters: list | None = None, *, not_found: bool = False) -> dict:
    responses: dict[str, Any] = {"200": {"description": "OK",
                                         "content": {"application/json": {"schema": _ref(schema)}}}, **_ERRORS}
    if not_found:
        responses["404"] = {"description": "No such item", "content": _PROBLEM}
    return {"get": {"summary": summary, "security": [{"bearer": [scope]}], "parameters": parameters or [],
                    "responses": responses}}


def document(server_url: str) -> dict[str, Any]:
    scopes = {**dict.fromkeys(STAFF_SCOPES, "staff: aggregates and the program's own data, never a person"),
              **dict.fromkeys(PERSONAL_SCOPES, "an ambassador: their own suggestions and data")}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Relais read-only API", "version": VERSION,
                 "description": "Aggregates under the k rule, contents and feeds for staff tokens; an "
                                "ambassador's own suggestions and data for theirs. Bearer tokens only "
                                "(no cookies); errors are RFC 9457 problem details."},
        "servers": [{"url": server_url}],
        "paths": {
            "/insights": _get("Aggregate insights for a date range", "insights:read", "Insights", [
                {"name": "start", "in": "query", "required": False, "schema": {"type": "string", "format": "date"}},
                {"name": "end", "in": "query", "required": False, "schema": {"type": "string", "format": "date"}},
            ]),
            "/contents": _get("Contents, oldest first", "contents:read", "ContentList", _PAGING),
            "/contents/{content_id}": _get("One content", "contents:read", "Content", [
                {"name": "content_id", "in": "path", "required": True, "schema": INTEGER}], not_found=True),
            "/feeds": _get("Feeds, oldest first", "feeds:read", "FeedList", _PAGING),
            "/me/suggestions": _get("My suggestions, best first (the first page of my feed)", "me:read",
                                    "Suggestions", [{"name": "limit", "in": "query", "required": False,
                                                     "schema": {"type": "integer", "minimum": 1,
                                                                "maximum": MAX_SUGGESTIONS}}]),
            "/me/data": _get("Everything held about me", "me:read", "PersonalData"),
        },
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                           "description": "Scopes: " + ", ".join(
                                               f"{name} ({text})" for name, text in scopes.items())}},
        },
    }
