"""Tokens and checked calls for the API tests: every answer is checked against the OpenAPI document."""

from __future__ import annotations

from datetime import timedelta

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


def get(client, path: str, token: str | None, schema: str | None = None, status: int = 200, **headers):
    """GET an API path with a bearer token; checks the status, the media type and the body's schema
    (a problem for any error status)."""
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    response = client.get(path, headers=headers)
    assert response.status_code == status, (path, response.status_code, response.get_data(as_text=True))
    assert "Set-Cookie" not in response.headers  # the API sets no cookie
    assert response.headers["Cache-Control"] == "no-store"
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
