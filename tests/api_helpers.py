"""Tokens and checked calls for the API tests: every answer is checked against the OpenAPI document."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

from jsonschema import Draft202012Validator, FormatChecker

from advocacy.db import get_session
from advocacy.models import User
from advocacy.services import api_tokens, clock

PROBLEM_TYPE = "application/problem+json"
YEAR = timedelta(days=365)
_DOCUMENT: dict = {}


def staff_token(app, admin, scopes=api_tokens.STAFF_SCOPES, *, lifetime=YEAR, name="Report") -> str:
    with app.app_context():
        session = get_session()
        created = api_tokens.create_staff_token(session, session.get(User, admin.id), name, list(scopes),
                                                now=clock.now(), lifetime=lifetime)
        session.commit()
        return created.token


def personal_token(app, ambassador, *, lifetime=YEAR, name="My reader") -> str:
    with app.app_context():
        session = get_session()
        created = api_tokens.create_personal_token(session, session.get(User, ambassador.id), name,
                                                   now=clock.now(), lifetime=lifetime)
        session.commit()
        return created.token


def document(client) -> dict:
    if not _DOCUMENT:
        response = client.get("/api/v1/openapi.json")
        assert response.status_code == 200 and response.mimetype == "application/json"
        _DOCUMENT.update(response.get_json())
    return _DOCUMENT


def conforms(client, body, schema_name: str) -> None:
    """``body`` is valid against the document's schema of that name (its $refs resolved in the document)."""
    schema = {**document(client), "$ref": f"#/components/schemas/{schema_name}"}
    Draft202012Validator(schema, format_checker=FormatChecker()).validate(body)


def declared(client, path: str, status: int, media_type: str) -> dict | None:
    """The schema the document declares for this answer (None: no documented path matches, as for an
    unknown address); fails when the path is documented but this status or media type is not."""
    doc = document(client)
    route = urlsplit(path).path.removeprefix(urlsplit(doc["servers"][0]["url"]).path)
    for template, item in doc["paths"].items():
        pattern = "/".join("[^/]+" if part.startswith("{") else re.escape(part) for part in template.split("/"))
        if re.fullmatch(pattern, route):
            responses = item["get"]["responses"]
            assert str(status) in responses, f"{template} does not document the status {status}"
            content = responses[str(status)]["content"]
            assert media_type in content, f"{template} {status} does not document {media_type}"
            return content[media_type]["schema"]
    return None


def get(client, path: str, token: str | None, schema: str | None = None, status: int = 200, **headers):
    """GET an API path with a bearer token; checks the status, the media type and the body's schema
    (a problem for any error status)."""
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    response = client.get(path, headers=headers)
    assert response.status_code == status, (path, response.status_code, response.get_data(as_text=True))
    assert "Set-Cookie" not in response.headers  # the API sets no cookie
    assert response.headers["Cache-Control"] == "no-store"
    found = declared(client, path, status, response.mimetype)
    if found is not None:  # the answer is what the document says this path answers
        Draft202012Validator({**document(client), **found}, format_checker=FormatChecker()).validate(
            response.get_json(force=True))
    if status >= 400:
        assert response.mimetype == PROBLEM_TYPE
        body = response.get_json(force=True)
        conforms(client, body, "Problem")
        assert body["status"] == status and body["type"] == "about:blank" and body["title"] and body["detail"]
    else:
        assert response.mimetype == "application/json"
        body = response.get_json()
        if schema:
            conforms(client, body, schema)
    return response
