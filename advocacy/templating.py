"""What every template can use: navigation per role, language helpers, figures under the k rule,
dates and times in the reader's language and the program's zone."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from babel import Locale
from babel import dates as babel_dates
from flask import Flask, current_app
from flask_babel import get_locale, gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

from content_feeds import without_images

from .forms.common import LANGUAGE_LABELS
from .intents import hidden_field as intent_field
from .models import Role, Topic
from .program_clock import program_zone
from .services import clock
from .services.anonymity import Band, Hidden

STAFF = (Role.CURATOR, Role.ADMIN)
EVERYONE = (Role.AMBASSADOR, Role.CURATOR, Role.ADMIN)
# Staff menus group the program's pages under one disclosure each, so that an
# admin's menu (the longest) stays on one row at 1280 px in French too. An
# ambassador's menu has few entries: they stay direct links.
PROGRAM = _l("Program")
ADMINISTRATION = _l("Administration")
# (endpoint, label, roles that see it, the staff group it belongs to or None).
# Areas not installed yet are skipped.
NAVIGATION = [
    ("main.home", _l("Home"), EVERYONE, None),
    ("curation.queue", _l("Queue"), STAFF, None),
    ("curation.contents", _l("Content"), STAFF, None),
    ("feeds.index", _l("Feeds"), STAFF, None),
    ("insights.index", _l("Insights"), STAFF, None),
    ("main.directory", _l("Directory"), EVERYONE, PROGRAM),
    ("kit.index", _l("Kit"), EVERYONE, PROGRAM),
    ("calendar.index", _l("Calendar"), EVERYONE, PROGRAM),
    ("feedback.index", _l("Feedback"), (Role.AMBASSADOR,), None),
    ("feedback.inbox", _l("Feedback"), STAFF, PROGRAM),
    ("surveys.index", _l("Surveys"), (Role.AMBASSADOR,), None),
    ("surveys.manage", _l("Surveys"), STAFF, PROGRAM),
    ("thanks.index", _l("Thanks"), EVERYONE, PROGRAM),
    ("program_admin.coverage", _l("Coverage"), STAFF, PROGRAM),
    ("admin.users", _l("People"), (Role.ADMIN,), ADMINISTRATION),
    ("program_admin.texts", _l("Charter and consents"), (Role.ADMIN,), ADMINISTRATION),
    ("digest.settings", _l("Digest"), (Role.ADMIN,), ADMINISTRATION),
    # "Me": profile, consents, data (and own shares) are linked from each other.
    ("ambassador.profile", _l("Me"), (Role.AMBASSADOR,), None),
    ("ambassador.my_data", _l("My data"), STAFF, None),
]


@dataclass(frozen=True)
class NavEntry:
    """One entry of the menu: a link (endpoint set), or a group of links (links set)."""

    label: str
    endpoint: str | None = None
    links: tuple[tuple[str, str], ...] = ()


# The ambassador's own pages, shown as a second row of links on each of them.
MY_PAGES = [
    ("ambassador.profile", _l("My profile")),
    ("ambassador.consents", _l("My consents")),
    ("ambassador.my_shares", _l("My shares")),
    ("ambassador.my_data", _l("My data")),
    ("devices.index", _l("My devices")),
]


def my_pages() -> list[tuple[str, str]]:
    return [(endpoint, label) for endpoint, label in MY_PAGES if endpoint in current_app.view_functions]


def navigation() -> list[NavEntry]:
    """The signed-in person's menu, in NAVIGATION's order; a group stands where its first link would."""
    if not current_user.is_authenticated:
        return []
    entries: list[NavEntry] = []
    groups: dict[str, list[tuple[str, str]]] = {}
    for endpoint, label, roles, group in NAVIGATION:
        if current_user.role not in roles or endpoint not in current_app.view_functions:
            continue
        if group is None or not current_user.is_staff:
            entries.append(NavEntry(label=str(label), endpoint=endpoint))
            continue
        if str(group) not in groups:
            groups[str(group)] = []
            entries.append(NavEntry(label=str(group)))
        groups[str(group)].append((endpoint, str(label)))
    return [NavEntry(label=entry.label, links=tuple(groups[entry.label])) if entry.endpoint is None else entry
            for entry in entries]


def paragraphs(text: str | None) -> Markup:
    """Plain text with blank-line paragraphs, escaped: consent texts are shown exactly."""
    blocks = [block.strip() for block in (text or "").replace("\r\n", "\n").split("\n\n") if block.strip()]
    return Markup("".join(
        Markup("<p>{}</p>").format(Markup("<br>").join(block.split("\n"))) for block in blocks))


def is_hidden(value: object) -> bool:
    """``{% if figure is hidden %}``: a figure withheld under the k rule (services.anonymity)."""
    return isinstance(value, Hidden)


def people_count(value: int | Hidden | Band) -> int | str:
    """``{{ count|people_count }}``: 0, the band ("10–14"), or "fewer than k" when it is hidden."""
    if isinstance(value, Hidden):
        return gettext("fewer than %(k)s", k=value.k)
    return str(value) if isinstance(value, Band) else value


def images_removed(html: str) -> Markup:
    """``{{ item.summary_html|images_removed }}``: feed HTML (sanitised at ingest) without
    its images, whose sources are on the publisher's host."""
    return Markup(without_images(html or ""))


# Dates and times: the only way pages, flash messages and e-mails show them.
# One medium date ("10 déc. 2026", "10 Dec 2026") and times to the minute, in
# the program's zone (TIMEZONE), in the reader's locale (flask_babel's,
# forced to the recipient's for e-mails) with the date conventions of
# DATE_LOCALES. Babel's own "medium" datetime carries seconds, hence these.
def _date_locale() -> Locale:
    language = str(get_locale())
    return Locale.parse(current_app.config["DATE_LOCALES"].get(language, language))


def day(value: date | datetime | None) -> str:
    """``{{ survey.opens_on|day }}``: a medium date; an instant gives the program's day it falls on."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = clock.program_day(value, program_zone())
    return babel_dates.format_date(value, "medium", locale=_date_locale())


def month(value: date) -> str:
    """``{{ milestones.month|month }}``: "décembre 2026", "December 2026"."""
    return babel_dates.format_skeleton("yMMMM", value, locale=_date_locale())


def _clock_time(local: datetime, locale: Locale) -> str:
    return babel_dates.format_time(local, "short", locale=locale)


def moment(value: datetime | None) -> str:
    """``{{ event.starts_at|moment }}``: date and time to the minute, in the program's zone."""
    if value is None:
        return ""
    locale = _date_locale()
    local = value.astimezone(clock.zone(program_zone()))
    # The locale's own glue between date and time ("{1}, {0}" in fr and en).
    return str(babel_dates.get_datetime_format("medium", locale)).format(
        _clock_time(local, locale), babel_dates.format_date(local.date(), "medium", locale=locale))


def time_range(start: datetime, end: datetime | None) -> str:
    """``{{ time_range(event.starts_at, event.ends_at) }}``: the start, and the end's time
    alone when it is the same day ("10 déc. 2026, 12:30 – 13:30")."""
    if end is None:
        return moment(start)
    zone = clock.zone(program_zone())
    if start.astimezone(zone).date() == end.astimezone(zone).date():
        return f"{moment(start)} – {_clock_time(end.astimezone(zone), _date_locale())}"
    return f"{moment(start)} – {moment(end)}"


def topic_names(topics: Iterable[Topic]) -> str:
    """``{{ content.topics|topic_names }}``: their names in the reader's language, in its order."""
    language = str(get_locale())
    return ", ".join(sorted((topic.label(language) for topic in topics), key=str.casefold))


def init_app(app: Flask) -> None:
    app.add_template_filter(day)
    app.add_template_filter(moment)
    app.add_template_filter(month)
    app.add_template_filter(topic_names)
    app.add_template_global(time_range)
    app.add_template_filter(paragraphs)
    app.add_template_filter(images_removed)
    app.add_template_filter(people_count)
    app.add_template_test(is_hidden, "hidden")
    # A global, not a context value: the post_button macro, imported without context, uses it too.
    app.add_template_global(intent_field, "intent_field")

    @app.context_processor
    def helpers():
        return {
            "navigation": navigation,
            "my_pages": my_pages,
            "current_locale": lambda: str(get_locale()),
            "language_labels": LANGUAGE_LABELS,
        }
