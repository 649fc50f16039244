"""Dates and times as the reader reads them: their locale, the program's zone, no seconds,
one format per page (templating's day, moment, time_range and month filters)."""

from __future__ import annotations

import ast
import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from advocacy import create_app, templating
from advocacy.db import get_session
from advocacy.models import ConsentChannel, ConsentRecord, FeedbackItem, Purpose, Role, Survey
from program_helpers import switch_to

ROOT = Path(__file__).resolve().parents[1] / "advocacy"
# 11:30 UTC is 12:30 in Paris in December.
NOON_UTC = datetime(2026, 12, 10, 11, 30, tzinfo=UTC)


@pytest.mark.parametrize("language, expected", [
    ("fr", ("10 déc. 2026", "10 déc. 2026, 12:30", "10 déc. 2026, 12:30 – 13:30",
            "10 déc. 2026, 12:30 – 11 déc. 2026, 09:00", "décembre 2026")),
    # English for a Paris program: day before month, 24-hour clock (DATE_LOCALES).
    ("en", ("10 Dec 2026", "10 Dec 2026, 12:30", "10 Dec 2026, 12:30 – 13:30",
            "10 Dec 2026, 12:30 – 11 Dec 2026, 09:00", "December 2026")),
])
def test_filters_speak_the_readers_language_in_the_programs_zone(app, language, expected):
    later = NOON_UTC.replace(hour=12)
    next_morning = datetime(2026, 12, 11, 8, 0, tzinfo=UTC)
    with app.test_request_context(), force_locale(language):
        shown = (templating.day(NOON_UTC.date()), templating.moment(NOON_UTC),
                 templating.time_range(NOON_UTC, later), templating.time_range(NOON_UTC, next_morning),
                 templating.month(date(2026, 12, 1)))
    assert shown == expected


def test_an_instant_falls_on_the_programs_day(app):
    late_evening_utc = datetime(2026, 12, 10, 23, 30, tzinfo=UTC)  # already the 11th in Paris
    with app.test_request_context(), force_locale("en"):
        assert templating.day(late_evening_utc) == "11 Dec 2026"


class TestUnitedStatesProgram:
    @pytest.fixture
    def app_config(self, app_config):
        return {**app_config, "TIMEZONE": "America/New_York", "DATE_LOCALES": {"en": "en_US"}}

    def test_dates_follow_the_configured_conventions(self, app):
        with app.test_request_context(), force_locale("en"):
            assert templating.moment(NOON_UTC) == "Dec 10, 2026, 6:30\u202fAM"


@pytest.mark.parametrize("language, expected", [
    ("fr", "5 mars 2031, 18:30 – 20:00"), ("en", "5 Mar 2031, 18:30 – 20:00")])
def test_calendar_shows_one_format_without_seconds(client, auth, language, expected):
    auth.login_as(Role.CURATOR, language=language)
    client.post("/calendar/events", data={"title": "Rencontre", "starts_at": "2031-03-05T18:30",
                                          "ends_at": "2031-03-05T20:00"})
    html = client.get("/calendar/").get_data(as_text=True)
    assert expected in html and ":00 –" not in html and "/2031" not in html


@pytest.mark.parametrize("language, expected", [("fr", "10 déc. 2026, 12:30"), ("en", "10 Dec 2026, 12:30")])
def test_consent_history_is_in_local_time_only(app, client, auth, language, expected):
    user = auth.login_as(Role.AMBASSADOR, language=language)
    with app.app_context():
        session = get_session()
        session.add(ConsentRecord(user_id=user.id, purpose=Purpose.DIRECTORY, granted=True, at=NOON_UTC,
                                  text_version=1, text_sha256="0" * 64, language=language,
                                  channel=ConsentChannel.WEB))
        session.commit()
    html = client.get("/me/consents").get_data(as_text=True)
    assert expected in html
    assert "11:30" not in html and "UTC" not in html


@pytest.mark.parametrize("language, expected", [("fr", "10 déc. 2026"), ("en", "10 Dec 2026")])
def test_feedback_days(app, client, auth, language, expected):
    author = auth.login_as(Role.AMBASSADOR, language=language)
    client.post("/feedback/", data={"kind": "idea", "body": "A dark theme."})
    with app.app_context():
        session = get_session()
        item = session.scalars(select(FeedbackItem)).one()
        item.created_on = date(2026, 12, 10)
        session.commit()
        item_id = item.id
    assert expected in client.get("/feedback/").get_data(as_text=True)
    switch_to(auth, auth.create_user(Role.CURATOR, language=language))
    assert expected in client.get("/feedback/inbox").get_data(as_text=True)
    assert expected in client.get(f"/feedback/inbox/{item_id}").get_data(as_text=True)
    switch_to(auth, author)
    assert expected in client.get(f"/feedback/mine/{item_id}").get_data(as_text=True)


@pytest.mark.parametrize("language, expected", [
    ("fr", "Du 5 janv. 2026 au 5 mars 2031"), ("en", "From 5 Jan 2026 to 5 Mar 2031")])
def test_survey_days(app, client, auth, language, expected):
    auth.login_as(Role.CURATOR, language=language)
    response = client.post("/surveys/from-template", data={
        "language": language, "opens_on": "2026-01-05", "closes_on": "2031-03-05"})
    assert response.status_code == 302
    with app.app_context():
        session = get_session()
        session.scalars(select(Survey)).one().opens_on = date(2026, 1, 5)  # opened in the past
        session.commit()
    assert (expected.split(" ", 1)[1].replace("au ", "– ").replace("to ", "– ")
            in client.get("/surveys/manage").get_data(as_text=True))
    switch_to(auth, auth.create_user(Role.AMBASSADOR, language=language))
    assert expected in client.get("/surveys/").get_data(as_text=True)


# Raw renderings the filters replace. In templates: Babel's own filters (whose
# "medium" time has seconds), strftime, and isoformat() anywhere but an
# input's value (<input type="date"> wants ISO). In the views: strftime and
# Babel's formatters (the filters are importable from templating), and
# isoformat() inside a gettext call or a flash message.
TEMPLATE_RAW = re.compile(
    r"\|\s*(?:date|datetime|time)format\b|strftime|(?<![\w.\]])(?<!value=)[\w.\]]+\.isoformat\(\)")
BABEL_FORMATTERS = {"format_date", "format_datetime", "format_time", "format_interval", "strftime"}
# Chart axis labels ("7/12"): a compact day-and-month form no sentence uses.
ALLOWED = {("blueprints/insights.py", "format_date")}
MESSAGE_CALLS = {"_", "gettext", "ngettext", "flash", "_l", "lazy_gettext"}


def raw_renderings_in_template(source: str) -> list[str]:
    return [match.group(0) for match in TEMPLATE_RAW.finditer(source)]


def raw_renderings_in_view(source: str, relative: str) -> list[str]:
    found = []
    in_messages: set[int] = set()
    for node in ast.walk(ast.parse(source)):
        name = (node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(node, ast.Name)
                else None)
        if name in BABEL_FORMATTERS and (relative, name) not in ALLOWED:
            found.append(f"{name} (line {node.lineno})")
        if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) in MESSAGE_CALLS:
            for inner in ast.walk(node):
                if isinstance(inner, ast.Attribute) and inner.attr == "isoformat":
                    in_messages.add(inner.lineno)  # once, though flash(_(...)) nests two calls
    return found + [f"isoformat() in a message (line {line})" for line in sorted(in_messages)]


def test_no_raw_date_rendering_in_templates_or_views():
    offences = [f"{path.relative_to(ROOT)}: {hit}" for path in sorted((ROOT / "templates").rglob("*.*"))
                for hit in raw_renderings_in_template(path.read_text(encoding="utf-8"))]
    offences += [f"{path.relative_to(ROOT)}: {hit}" for path in sorted((ROOT / "blueprints").rglob("*.py"))
                 for hit in raw_renderings_in_view(path.read_text(encoding="utf-8"),
                                                   str(path.relative_to(ROOT)))]
    assert offences == [], "use the day, moment, time_range or month filters (advocacy/templating.py)"


def test_the_guard_sees_what_it_forbids():
    assert raw_renderings_in_template('{{ record.at.strftime("%Y") }} {{ x|datetimeformat("short") }}'
                                      ' {{ e.starts_at.isoformat() }}') == [
        "strftime", '|datetimeformat', "e.starts_at.isoformat()"]
    assert raw_renderings_in_template('{{ field(form.start, value=figures.range.start.isoformat()) }}') == []
    view = 'flash(_("Until %(day)s", day=own.ends_on.isoformat()))\nformat_datetime(x, "short")\n'
    assert len(raw_renderings_in_view(view, "blueprints/x.py")) == 2
    assert raw_renderings_in_view('rows = [figures.range.start.isoformat()]', "blueprints/x.py") == []


def test_an_unknown_date_locale_is_refused_at_start(tmp_path):
    with pytest.raises(ValueError, match="DATE_LOCALES"):
        create_app({"DATE_LOCALES": {"en": "en_XX_nowhere"}, "SECRET_KEY": "x"}, instance_path=str(tmp_path))
