"""Forms of thanks: a message to the whole network or to one ambassador."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, TextAreaField
from wtforms.validators import DataRequired, Length


class ThanksForm(FlaskForm):
    message = TextAreaField(_l("Message"), validators=[DataRequired(), Length(max=2000)])
    # 0: the whole network. Otherwise an ambassador who agreed to be named.
    thanked = SelectField(_l("To"), coerce=int, default=0, validate_choice=True)
