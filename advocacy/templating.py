"""What every template can use: navigation per role, language helpers, figures under the k rule,
dates and times in the reader's language and the program's zone."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from babel import Locale
from babel import dates as babel_dates
from babel.support import NullTranslations
from flask import Flask, current_app, g, has_request_context, request, url_for
from flask_babel import get_locale, get_translations, gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from jinja2 import pass_eval_context
from jinja2.nodes import EvalContext
from markupsafe import Markup

from content_feeds import without_images

from . import kept_html
from .forms.common import LANGUAGE_LABELS
from .intents import hidden_field
from .models import Role, Topic
from .program_clock import program_zone
from .services import clock
from .services.anonymity import Band, Hidden
from .urls import fast_url_for

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
    ("admin.mail", _l("Mail"), (Role.ADMIN,), ADMINISTRATION),
    ("api_tokens.staff", _l("API tokens"), (Role.ADMIN,), ADMINISTRATION),
    ("chat_webhooks.index", _l("Team chat"), (Role.ADMIN,), ADMINISTRATION),
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
    ("notifications.index", _l("My notifications")),
    ("ambassador.my_shares", _l("My shares")),
    ("ambassador.my_data", _l("My data")),
    ("devices.index", _l("My devices")),
    ("reader_feeds.index", _l("In my feed reader")),
    ("api_tokens.mine", _l("My API tokens")),
]


def my_pages() -> list[tuple[str, str]]:
    return [(endpoint, label) for endpoint, label in MY_PAGES if endpoint in current_app.view_functions]


# Every page shows the navigation and links to the same few fixed addresses:
# building a URL (Werkzeug's routing) costs more than the rest of the header,
# so they are made once per process. Both depend on nothing a visitor sends
# but the role, the language and the path the app is mounted at, in their keys.
FIXED_URLS_KEPT = 500  # a bound: the templates name a few dozen


def navigation() -> list[NavEntry]:
    """The signed-in person's menu, in NAVIGATION's order; a group stands where its first link would."""
    if not current_user.is_authenticated:
        return []
    key = (current_user.role, current_locale())
    made = current_app.extensions.setdefault("advocacy.navigation", {})
    if key not in made:
        made[key] = _navigation_of(current_user.role)
    return made[key]


def _navigation_of(role: Role) -> list[NavEntry]:
    entries: list[NavEntry] = []
    groups: dict[str, list[tuple[str, str]]] = {}
    for endpoint, label, roles, group in NAVIGATION:
        if role not in roles or endpoint not in current_app.view_functions:
            continue
        if group is None or role not in STAFF:
            entries.append(NavEntry(label=str(label), endpoint=endpoint))
            continue
        if str(group) not in groups:
            groups[str(group)] = []
            entries.append(NavEntry(label=str(group)))
        groups[str(group)].append((endpoint, str(label)))
    return [NavEntry(label=entry.label, links=tuple(groups[entry.label])) if entry.endpoint is None else entry
            for entry in entries]


def fixed_url(endpoint: str, **values: Any) -> str:
    """``{{ fixed_url('static', filename='css/relais.css') }}``: url_for, kept, for an address whose
    values are written in the template (never an id or anything a visitor sends: the cache would grow)."""
    if not has_request_context():
        return url_for(endpoint, **values)
    key = (request.script_root, endpoint, *sorted(values.items()))
    made = current_app.extensions.setdefault("advocacy.fixed_urls", {})
    found = made.get(key)
    if found is None:
        found = url_for(endpoint, **values)
        if len(made) < FIXED_URLS_KEPT:
            made[key] = found
    return found


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
def _date_locale_name() -> str:
    language = str(get_locale())
    return current_app.config["DATE_LOCALES"].get(language, language)


def _date_locale() -> Locale:
    return Locale.parse(_date_locale_name())


@dataclass(frozen=True)
class _MomentFormat:
    """A locale's medium date, short time and the glue between them, looked up once per process:
    babel finds them again on each call, and a queue page shows 25 dated rows."""

    locale: Locale
    date: babel_dates.DateTimePattern
    time: babel_dates.DateTimePattern
    glue: str

    @classmethod
    @lru_cache(maxsize=16)
    def named(cls, name: str) -> _MomentFormat:
        locale = Locale.parse(name)
        return cls(locale, babel_dates.parse_pattern(babel_dates.get_date_format("medium", locale)),
                   babel_dates.parse_pattern(babel_dates.get_time_format("short", locale)),
                   str(babel_dates.get_datetime_format("medium", locale)))


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
    formats = _MomentFormat.named(_date_locale_name())
    local = value.astimezone(clock.zone(program_zone()))
    # What babel's format_time(local, "short") and format_date(day, "medium") do, patterns kept;
    # the locale's own glue between date and time ("{1}, {0}" in fr and en).
    return formats.glue.format(formats.time.apply(local.timetz(), formats.locale, reference_date=local.date()),
                               formats.date.apply(local.date(), formats.locale))


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


# Translations in templates. Flask-Babel's callables find the catalog again
# for each string (the babel context, the domain, the locale spelled out as a
# key): a page has 50 to 100 strings. These find it once per request and
# locale, and give the same result: the same catalog (force_locale, used for
# e-mails, sets another Locale object, so its strings come from its own
# catalog), and Jinja's "new style" rules (the text escaped when the template
# is, then always formatted with "%").
def _catalog() -> NullTranslations:
    babel_context = g.get("_flask_babel")
    locale = getattr(babel_context, "babel_locale", None)
    if locale is None:  # the first string of the request: the locale is chosen here
        return get_translations()
    found = getattr(babel_context, "relais_catalog", None)
    if found is None or found[0] is not locale:
        found = babel_context.relais_catalog = (locale, get_translations())
    return found[1]


def current_locale() -> str:
    """``{{ current_locale() }}``: "fr" or "en", the reader's language."""
    babel_context = g.get("_flask_babel")
    locale = getattr(babel_context, "babel_locale", None)
    found = getattr(babel_context, "relais_locale_name", None)
    if locale is None or found is None or found[0] is not locale:
        name = str(get_locale())
        babel_context = g.get("_flask_babel")  # made by get_locale() when it was missing
        if getattr(babel_context, "babel_locale", None) is not None:  # else outside a request: not kept
            babel_context.relais_locale_name = (babel_context.babel_locale, name)
        return name
    return found[1]


def _formatted(eval_context: EvalContext, text: str, variables: dict) -> str:
    text = Markup(text) if eval_context.autoescape else text
    # Without "%" there is nothing to format: the text as it is, without the cost of "%".
    return text % variables if variables or "%" in text else text


@pass_eval_context
def _template_gettext(eval_context: EvalContext, string: str, **variables) -> str:
    return _formatted(eval_context, _catalog().ugettext(string), variables)


@pass_eval_context
def _template_ngettext(eval_context: EvalContext, singular: str, plural: str, num: int, **variables) -> str:
    variables.setdefault("num", num)
    return _formatted(eval_context, _catalog().ungettext(singular, plural, num), variables)


@pass_eval_context
def _template_pgettext(eval_context: EvalContext, context: str, string: str, **variables) -> str:
    variables.setdefault("context", context)
    return _formatted(eval_context, _catalog().upgettext(context, string), variables)


@pass_eval_context
def _template_npgettext(eval_context: EvalContext, context: str, singular: str, plural: str, num: int,
                        **variables) -> str:
    variables.setdefault("context", context)
    variables.setdefault("num", num)
    return _formatted(eval_context, _catalog().unpgettext(context, singular, plural, num), variables)


def csrf_token() -> str:
    """``{{ csrf_token() }}``: Flask-WTF's token for this request, made once and then read from ``g``
    (a page of cards has a form per card, and Flask-WTF reads its settings again for each)."""
    if kept_html.rendering_to_keep():  # a part kept for everyone: the token goes in per request
        return kept_html.csrf_mark()
    token = g.get("relais_csrf_token")
    if token is None:
        token = g.relais_csrf_token = generate_csrf()
    return token


def intent_field() -> Markup:
    """``{{ intent_field() }}``: a fresh intent key for this form (``intents.py``); a marker in a kept card."""
    return kept_html.intent_mark() if kept_html.rendering_to_keep() else hidden_field()


def install_translations(app: Flask) -> None:
    """After Flask-Babel's init_app, which installs its own."""
    app.jinja_env.globals.update(gettext=_template_gettext, ngettext=_template_ngettext,
                                 pgettext=_template_pgettext, npgettext=_template_npgettext,
                                 # Jinja's "_" looks "gettext" up again on each call: the same function, directly.
                                 _=_template_gettext)


def init_app(app: Flask) -> None:
    install_translations(app)
    app.add_template_filter(day)
    app.add_template_filter(moment)
    app.add_template_filter(month)
    app.add_template_filter(topic_names)
    app.add_template_global(time_range)
    app.add_template_global(fixed_url)
    app.add_template_global(fast_url_for, "url_for")
    app.add_template_global(csrf_token)  # in place of Flask-WTF's, which its init_app installed
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
            "current_locale": current_locale,
            "language_labels": LANGUAGE_LABELS,
        }
