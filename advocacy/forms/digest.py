"""Forms of the digest: the admins' weekly slot."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms.validators import InputRequired

WEEKDAY_LABELS = (_l("Monday"), _l("Tuesday"), _l("Wednesday"), _l("Thursday"), _l("Friday"), _l("Saturday"),
                  _l("Sunday"))


class DigestScheduleForm(FlaskForm):
    weekday = SelectField(_l("Day"), coerce=int, validators=[InputRequired()],
                          choices=lambda: list(enumerate(WEEKDAY_LABELS)))
    hour = SelectField(_l("Hour"), coerce=int, validators=[InputRequired()],
                       choices=lambda: [(hour, f"{hour:02d}:00") for hour in range(24)])
