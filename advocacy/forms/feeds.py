"""Forms for managing feeds."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import IntegerField, URLField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ..models.feeds import DEFAULT_INTERVAL_MINUTES

MAX_INTERVAL_MINUTES = 7 * 24 * 60


def interval_field():
    # The lower bound is a setting (FEED_MIN_INTERVAL), checked by the service.
    return IntegerField(
        _l("Check every (minutes)"),
        default=DEFAULT_INTERVAL_MINUTES,
        validators=[
            Optional(),
            NumberRange(min=1, max=MAX_INTERVAL_MINUTES,
                        message=_l("Between %(min)s and %(max)s minutes.")),
        ],
    )


class AddFeedForm(FlaskForm):
    url = URLField(_l("Feed address"), validators=[DataRequired(), Length(max=2048)])
    interval = interval_field()


class IntervalForm(FlaskForm):
    interval = interval_field()


class OpmlImportForm(FlaskForm):
    file = FileField(_l("OPML file"), validators=[FileRequired()])
