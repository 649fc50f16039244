"""Curation: the queue of feed items, the content editor, topics, history.

Views stay thin: they parse forms, call ``services.queue``,
``services.contents`` and ``services.taxonomy``, commit once and render.
"""

from flask import Blueprint

bp = Blueprint("curation", __name__, url_prefix="/curation")

from . import contents, queue, topics  # noqa: E402,F401  (routes register on bp)
