"""The home page: where each role starts."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import login_required

from ..db import get_session
from ..forms.ambassador import NETWORK_LABELS
from ..services import ambassadors

bp = Blueprint("main", __name__)


@bp.get("/")
@login_required
def home():
    return render_template("main/home.html")


@bp.get("/directory")
@login_required
def directory():
    """Ambassadors who chose to be listed, so colleagues know whom to ask."""
    return render_template("main/directory.html", entries=ambassadors.directory(get_session()),
                           network_labels=NETWORK_LABELS)
