"""Insights for curators and admins: the page and its CSV export, same figures."""

from __future__ import annotations

import csv
import io
import threading
from datetime import datetime

from flask import Blueprint, Response, current_app, render_template, request
from flask_babel import format_date, get_locale
from flask_babel import gettext as _

from .. import templating
from ..auth import staff_required
from ..db import get_session
from ..forms.common import NETWORK_LABELS
from ..forms.insights import InsightsRangeForm
from ..messages import message_for
from ..models import utcnow
from ..services import charts, clock, insights_cache
from ..services import insights as insights_service

bp = Blueprint("insights", __name__, url_prefix="/insights")


def _today():
    return clock.utc_today()  # days are UTC days, like the share events


def _figures():
    """The range asked for (or the default, with the reason) and its insights."""
    form = InsightsRangeForm(request.args)
    today = _today()
    error = None
    try:
        period = insights_service.parse_range(request.args.get("start"), request.args.get("end"), today)
    except insights_service.RangeError as problem:
        error = message_for(problem)
        period = insights_service.default_range(today)
    figures = _shared_insights().insights(
        get_session(), period, current_app.config["MIN_GROUP_SIZE"], str(get_locale()),
        now=utcnow(), today=today,
        other_label=_("Other departments (merged)"), no_department_label=_("No department"))
    return form, error, figures


def _shared_insights() -> insights_cache.SharedInsights:
    """This process's insights cache, kept with the app (its lifetime and its configuration)."""
    found = current_app.extensions.get("advocacy.insights")
    if found is None:
        found = current_app.extensions["advocacy.insights"] = insights_cache.SharedInsights(
            current_app.config["INSIGHTS_CACHE_SECONDS"], elsewhere=_in_a_thread)
    return found


def _in_a_thread(job) -> None:
    """Run ``job(session)`` in a thread of this process, in an app context of its own (its own session,
    closed with the context): old figures are computed again there while readers get the old ones."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]

    def run() -> None:
        with app.app_context():
            try:
                job(get_session())
            except Exception:  # the readers keep the old figures; the next one tries again
                app.logger.exception("insights: computing the figures again failed")

    threading.Thread(target=run, name="insights-refresh", daemon=True).start()


def _network_label(network: str) -> str:
    return str(NETWORK_LABELS.get(network, network))


def _week_charts(figures) -> dict[str, tuple[str, object]]:
    """measure → (visible caption, SVG chart)."""
    measures = {"shares": _("shares"), "clicks": _("clicks"), "previews": _("link previews")}
    titles = {"shares": _("Shares per week"), "clicks": _("Clicks per week"),
              "previews": _("Link previews per week")}
    result: dict[str, tuple[str, object]] = {}
    for measure, noun in measures.items():
        bars = []
        for row in figures.weeks:
            monday = datetime.fromisoformat(row.key).date()
            value = getattr(row.counts, measure)
            bars.append(charts.Bar(format_date(monday, "d/M"), value,
                                   _("Week of %(day)s: %(count)s %(noun)s",
                                     day=templating.day(monday), count=value, noun=noun)))
        description = _("One bar per ISO week (weeks start on Monday), from %(start)s to %(end)s; "
                        "the table below gives the same figures.",
                        start=templating.day(figures.range.start), end=templating.day(figures.range.end))
        result[measure] = (titles[measure], charts.bar_chart(bars, titles[measure], description, f"chart-{measure}"))
    return result


def _charts(figures) -> tuple[dict[str, tuple[str, object]], object]:
    """The weekly charts and the networks' chart: made once per kept figures (their key has the language)."""
    network_chart = charts.bar_chart(
        [charts.Bar(_network_label(row.key), row.counts.shares,
                    _("%(network)s: %(count)s shares", network=_network_label(row.key), count=row.counts.shares))
         for row in figures.networks],
        _("Shares per network"), _("One bar per network; the table below gives the same figures."),
        "chart-networks")
    return _week_charts(figures), network_chart


@bp.get("/")
@staff_required
def index():
    form, error, figures = _figures()
    week_charts, network_chart = _shared_insights().derived(figures, _charts)
    return render_template("insights/index.html", form=form, error=error, figures=figures,
                           week_charts=week_charts, network_chart=network_chart,
                           network_label=_network_label, export_args=_range_args(figures),
                           cache_seconds=current_app.config["INSIGHTS_CACHE_SECONDS"])


def _range_args(figures) -> dict[str, str]:
    return {"start": figures.range.start.isoformat(), "end": figures.range.end.isoformat()}


def csv_rows(figures, network_label=_network_label):
    """The page's figures as rows: section, key, label, then one column per measure.

    A figure hidden on the page (services.anonymity.Hidden) is written as "<k",
    a count of people as its band ("10–14") and a rate as its range ("35–90"),
    as on the page; a rate that does not exist (no active ambassador) is left
    empty, and so are the departments' shares, which are not published.
    """
    yield ["section", "key", "label", "shares", "clicks", "previews",
           "active_ambassadors", "ambassadors_who_shared", "participation_percent"]
    yield ["range", figures.range.start.isoformat(), figures.range.end.isoformat(), "", "", "", "", "", ""]
    t = figures.totals
    yield ["totals", "", "", t.shares, t.clicks, t.previews, "", "", ""]
    for section, rows, label in (("week", figures.weeks, None), ("network", figures.networks, network_label),
                                 ("topic", figures.topics, None), ("need", figures.needs, None),
                                 ("content", figures.top_content, None)):
        for row in rows:
            yield [section, row.key, label(row.key) if label else row.label,
                   row.counts.shares, row.counts.clicks, row.counts.previews, "", "", ""]
    p = figures.participation
    yield ["participation", "", "", "", "", "", p.active, p.sharers, "" if p.percent is None else p.percent]
    for group in figures.departments:
        yield ["department", "other" if group.other else "", group.label,
               "", "", "", group.active, group.sharers, "" if group.percent is None else group.percent]


# A cell starting with one of these is run as a formula by spreadsheet programs;
# titles come from feeds, so a quote in front keeps them plain text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value) -> str:
    text = str(value)
    return "'" + text if isinstance(value, str) and text.startswith(FORMULA_STARTS) else text


@bp.get("/export.csv")
@staff_required
def export():
    _form, _error, figures = _figures()
    out = io.StringIO()
    writer = csv.writer(out)
    for row in csv_rows(figures):
        writer.writerow([csv_cell(value) for value in row])
    name = f"relais-insights-{figures.range.start.isoformat()}-{figures.range.end.isoformat()}.csv"
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})
