"""Error pages in the visitor's language, and a clean 400 for bad CSRF tokens (API paths: problem details)."""

from __future__ import annotations

from flask import Flask, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from . import problems
from .security import SESSIONLESS_PREFIX

ERROR_TEXTS = {
    400: (_l("Bad request"), _l("The request could not be understood. Please go back and try again.")),
    403: (_l("Access denied"), _l("Your account does not give access to this page.")),
    404: (_l("Page not found"), _l("There is nothing at this address. It may have moved or been removed.")),
    405: (_l("Not allowed"), _l("This action cannot be done this way.")),
    410: (_l("No longer available"), _l("What you are looking for has expired or was removed.")),
    413: (_l("Too large"), _l("What was sent is larger than Relais accepts. Please go back and send less.")),
    429: (_l("Too many attempts"), _l("Please wait a minute before trying again.")),
    500: (_l("Something went wrong"), _l("An unexpected error occurred. It has been logged; please try again later.")),
}


def render_error(code: int, message: str | None = None, action: tuple[str, str] | None = None):
    """The error page; ``action`` (label, URL) replaces its "back to the home page" button."""
    title, default_message = ERROR_TEXTS.get(code, ERROR_TEXTS[500])
    if request.path.startswith(SESSIONLESS_PREFIX):
        # Feed readers show no page, and a page's forms need the session these paths never open.
        return f"{title}\n", code, {"Content-Type": "text/plain; charset=utf-8"}
    return render_template(
        "errors/error.html", code=code, title=title, message=message or default_message, action=action
    ), code


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(_error):
        from flask_babel import gettext as _

        return render_error(
            400, _("Your form expired or was sent from another site. Please reload the page and try again.")
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if problems.is_api_request():  # a program reads these: problem details, not a page
            return problems.from_http_error(error)
        if error.code in ERROR_TEXTS:
            return render_error(error.code)
        return error

    @app.errorhandler(500)
    def server_error(_error):
        if problems.is_api_request():
            return problems.problem(500)
        return render_error(500)
