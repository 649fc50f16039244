"""The insights date range: GET parameters, checked by services.insights.parse_range."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField
from wtforms.validators import Optional


class InsightsRangeForm(FlaskForm):
    """GET filters: no CSRF (nothing changes)."""

    class Meta:
        csrf = False

    start = DateField(_l("From"), validators=[Optional()])
    end = DateField(_l("To (inclusive)"), validators=[Optional()])
