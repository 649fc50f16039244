"""Forms for the curation queue, the content editor and topics."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.fields import DateTimeLocalField, SearchField
from wtforms.validators import DataRequired, Length, Optional

from ..services.contents import MAX_SUMMARY, MAX_TEXT_CHARS, MAX_TEXTS_PER_NETWORK, MAX_TITLE
from ..services.networks import NETWORKS
from ..services.queue import MAX_SKIP_REASON
from ..services.taxonomy import MAX_TOPIC_NAME
from .common import MultiCheckboxField
from .validators import PlausibleYear

# Blank boxes offered after the texts already written, per network (never
# beyond MAX_TEXTS_PER_NETWORK boxes in all).
SPARE_TEXT_BOXES = 2
# An index in a box's name has at most this many digits: int() of a longer
# one is slow, or refused past 4,300 digits.
_MAX_INDEX_DIGITS = 4
# datetime-local sends minutes; the first format is the one rendered.
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]


class QueueFilterForm(FlaskForm):
    """GET filters: no CSRF (nothing changes), names kept short for the URL."""

    class Meta:
        csrf = False

    status = SelectField(
        _l("Status"), choices=[SelectChoice("new", _l("New")), SelectChoice("skipped", _l("Skipped"))], default="new"
    )
    feed = SelectField(_l("Feed"), coerce=str, default="")
    since = DateField(_l("From"), validators=[Optional(), PlausibleYear()])
    until = DateField(_l("To"), validators=[Optional(), PlausibleYear()])
    q = SearchField(_l("Search titles and excerpts"), validators=[Optional(), Length(max=200)])


class SkipForm(FlaskForm):
    reason = StringField(_l("Reason (optional)"), validators=[Optional(), Length(max=MAX_SKIP_REASON)])
    next = HiddenField()


class ContentForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=MAX_TITLE)])
    summary = TextAreaField(_l("Summary"), validators=[Optional(), Length(max=MAX_SUMMARY)])
    image_url = URLField(_l("Image address"), validators=[Optional(), Length(max=2048)])
    target_url = URLField(_l("Link to share"), validators=[DataRequired(), Length(max=2048)])
    publication = RadioField(
        _l("Publication"), default="publish",
        choices=[SelectChoice("publish", _l("Publish at the time below")),
                 SelectChoice("draft", _l("Keep as a draft"))],
    )
    publish_at = DateTimeLocalField(_l("Publish at"), format=DATETIME_FORMATS,
                                    validators=[Optional(), PlausibleYear()])
    expires_at = DateTimeLocalField(_l("Expires at (optional)"), format=DATETIME_FORMATS,
                                    validators=[Optional(), PlausibleYear()])
    highlighted = BooleanField(_l("Highlight of the week"))
    needs = MultiCheckboxField(_l("Needs it serves"), coerce=int)
    topics = MultiCheckboxField(_l("Topics"), coerce=int)

    def text_lists(self) -> list[tuple[str, FieldList]]:
        return [(network, getattr(self, f"texts_{network}")) for network in NETWORKS]


class TextBoxes(FieldList):
    """One network's text boxes, at most MAX_TEXTS_PER_NETWORK of them read.

    Capped while the request is read, before anything is measured: the boxes
    after the last one allowed are not read at all, and the last one says
    so (WTForms' own max_entries drops them without a word, and would also
    refuse to show content saved with more texts before the cap).
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.boxes_dropped = 0

    def _extract_indices(self, prefix, formdata):
        offset = len(prefix) + 1
        # ASCII digits only (str.isdigit() accepts "²", which int() refuses), and few.
        indices = sorted({int(key[offset:]) for key in formdata
                          if key.startswith(prefix + self._separator) and key[offset:].isascii()
                          and key[offset:].isdigit() and len(key) - offset <= _MAX_INDEX_DIGITS})
        self.boxes_dropped = max(0, len(indices) - MAX_TEXTS_PER_NETWORK)
        return iter(indices[:MAX_TEXTS_PER_NETWORK])

    def validate(self, form, extra_validators=()) -> bool:
        valid = super().validate(form, extra_validators)
        if self.boxes_dropped and self.entries:
            last = self.entries[-1]
            last.errors = [*last.errors, _l("At most %(maximum)s variants per network: the boxes after this one "
                                            "were not kept.", maximum=MAX_TEXTS_PER_NETWORK)]
            self.errors = [entry.errors for entry in self.entries]
            return False
        return valid


# One list of text boxes per network: texts_x-0, texts_x-1, ... The browser
# stops typing at maxlength; the service refuses a longer text unmeasured.
for _network in NETWORKS:
    setattr(ContentForm, f"texts_{_network}",
            TextBoxes(TextAreaField(_l("Text"), validators=[Optional()],
                                    render_kw={"maxlength": MAX_TEXT_CHARS}), min_entries=0))


class TopicForm(FlaskForm):
    # One name at least (the service says so); the other language shows it until it has its own.
    name_fr = StringField(_l("Name in French"), validators=[Optional(), Length(max=MAX_TOPIC_NAME)],
                          render_kw={"lang": "fr"})
    name_en = StringField(_l("Name in English"), validators=[Optional(), Length(max=MAX_TOPIC_NAME)],
                          render_kw={"lang": "en"})
    categories = StringField(_l("Feed categories that suggest it (separated by commas)"),
                             validators=[Optional(), Length(max=2000)])
