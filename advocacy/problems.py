"""Errors of the JSON API as RFC 9457 problem details (``application/problem+json``).

Every refusal under /api/ answers this way, whether a view raised it, the
rate limiter did, or no route matched: ``errors.py`` sends API paths here
instead of to the HTML error page. ``type`` is "about:blank", so ``title``
is the status's own phrase; ``detail`` says what happened in the reader's
language (Accept-Language), and ``code`` names it for programs.
"""

from __future__ import annotations

import json

from flask import Response, request
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

from .messages import message_for
from .services.api_serialisers import ApiRequestError

API_PREFIX = "/api/"
MEDIA_TYPE = "application/problem+json"


def is_api_request() -> bool:
    return request.path.startswith(API_PREFIX)


def for_status(status: int) -> ApiRequestError:
    """What a status says when nothing more precise was given (an abort, the limiter, routing)."""
    if status == 400:
        return ApiRequestError("bad_request")
    if status == 401:
        return ApiRequestError("missing_token")
    if status == 403:
        return ApiRequestError("forbidden")
    if status == 404:
        return ApiRequestError("not_found")
    if status == 405:
        return ApiRequestError("method_not_allowed")
    if status == 429:
        return ApiRequestError("rate_limited")
    return ApiRequestError("server_error")


KNOWN_STATUSES = (400, 401, 403, 404, 405, 429)


def problem(status: int, error: ApiRequestError | None = None) -> Response:
    error = error or for_status(status)
    body = {"type": "about:blank", "title": HTTP_STATUS_CODES.get(status, "Error"), "status": status,
            "detail": message_for(error), "code": error.code}
    response = Response(json.dumps(body), status=status, mimetype=MEDIA_TYPE)
    response.headers["Cache-Control"] = "no-store"  # also where no API route matched
    if status == 401:
        # RFC 6750: a missing token gets the bare challenge, a bad one says so.
        challenge = 'Bearer realm="relais"' + ('' if error.code == "missing_token" else ', error="invalid_token"')
        response.headers["WWW-Authenticate"] = challenge
    return response


def from_http_error(error: HTTPException) -> Response:
    """Any HTTP error met on an API path (abort, the limiter's 429, an unknown URL)."""
    status = error.code if error.code in KNOWN_STATUSES else 500
    response = problem(status)
    retry_after = error.get_response().headers.get("Retry-After")
    if status == 429 and retry_after:
        response.headers["Retry-After"] = retry_after
    return response
