"""Validators shared by several areas' forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError

FIRST_YEAR = 1900
LAST_YEAR = 2999


class PlausibleYear:
    """A typed date or time must fall in a year the program can mean.

    Year 1 or 9999 parse fine, but moving them between the program's time
    zone and UTC overflows Python's datetime: without this check a typo
    like 0001 ends in a server error instead of a message by the field.
    """

    def __call__(self, form, field) -> None:
        if field.data is not None and not FIRST_YEAR <= field.data.year <= LAST_YEAR:
            raise ValidationError(_l("Enter a date between the years %(first)s and %(last)s.",
                                     first=FIRST_YEAR, last=LAST_YEAR))
