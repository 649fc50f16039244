"""Insights for curators and admins: aggregates only, thresholded where they count people.

Shares, clicks and previews per week, network, topic, need and content are
not about people and are shown as they are. Participation and the department
breakdown count people, so they follow the k rule of ``anonymity``: no
figure about fewer than k people, no way to work one out by subtracting
the figures shown from a total, and every count of people published as a
band of k (rule 4), so that two readings (other ranges, later, after a
department was deleted or merged) never differ by fewer than k people.
The department lines show no share counts: a group's shares move by exactly
what its members did, and a band of k shares would not hide one person's.

Participation can only count people who attribute their shares: anonymous
share events name nobody, so the rate is a lower bound.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func, literal, select, union_all
from sqlalchemy.orm import Session

from ..models import AmbassadorProfile, Content, Department, Need, ShareEvent, Topic
from ..models.content import content_needs, content_topics
from . import anonymity, insights_rollup
from .ambassadors import active_member_ids
from .anonymity import Band, Hidden, Rate
from .errors import ServiceError
from .networks import LINK_NETWORKS

DEFAULT_WEEKS = 12
MAX_DAYS = 3 * 366  # a longer range is refused: it says little and reads a lot
TOP_CONTENT = 10


class RangeError(ServiceError):
    area = "insights"


@dataclass(frozen=True)
class DateRange:
    start: date
    end: date  # inclusive; days are UTC days

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def week_of(day: date) -> date:
    """The Monday of the ISO week holding ``day``."""
    return day - timedelta(days=day.weekday())


def default_range(today: date) -> DateRange:
    """The last 12 ISO weeks, the current one included."""
    return DateRange(week_of(today) - timedelta(weeks=DEFAULT_WEEKS - 1), today)


def parse_range(start_text: str | None, end_text: str | None, today: date) -> DateRange:
    """Two ISO dates (either may be blank: the default's) → a range; RangeError if bad."""
    default = default_range(today)
    try:
        start = date.fromisoformat(start_text.strip()) if start_text and start_text.strip() else default.start
        end = date.fromisoformat(end_text.strip()) if end_text and end_text.strip() else default.end
    except ValueError:
        raise RangeError("invalid_date") from None
    if start > end:
        raise RangeError("start_after_end")
    if (end - start).days + 1 > MAX_DAYS:
        raise RangeError("too_long")
    return DateRange(start, end)


@dataclass
class Counts:
    shares: int = 0
    clicks: int = 0
    previews: int = 0

    def add(self, shares: int, clicks: int, previews: int) -> None:
        self.shares += int(shares or 0)
        self.clicks += int(clicks or 0)
        self.previews += int(previews or 0)


@dataclass
class Row:
    """One line of a breakdown: key (network, topic id, week...), label, counts."""

    key: str
    label: str
    counts: Counts


@dataclass
class Participation:
    active: int | Hidden | Band
    sharers: int | Hidden | Band
    percent: Rate | Hidden | None  # None: no active ambassador, nothing to divide by


@dataclass
class GroupRow:
    """One department (or "other": the small ones merged) in the breakdown over people."""

    label: str
    other: bool
    active: int | Hidden | Band  # a Band: lines of their own and "other" hold at least k
    # Hidden: fewer than k, or it would let a small group be worked out; the rate with it.
    sharers: int | Hidden | Band
    percent: Rate | Hidden | None


@dataclass
class Insights:
    range: DateRange
    k: int
    totals: Counts
    weeks: list[Row]
    networks: list[Row]
    topics: list[Row]
    needs: list[Row]
    top_content: list[Row]
    participation: Participation
    departments: list[GroupRow] = field(default_factory=list)


# --- shares, clicks, previews (not about people) -----------------------------

def network_days(session: Session, period: DateRange, use_rollups: bool) -> dict[tuple[date, str], Counts]:
    rolled, live = insights_rollup.split(session, period.start, period.end, use_rollups)
    cells: dict[tuple[date, str], Counts] = defaultdict(Counts)
    if rolled:
        for day, network, shares, clicks, previews in insights_rollup.rolled_network_days(session, *rolled):
            cells[(day, network)].add(shares, clicks, previews)
    if live:
        for day, network, shares, clicks, previews in insights_rollup.raw_network_days(session, *live):
            cells[(day, network)].add(shares, clicks, previews)
    return cells


def _content_breakdowns(session: Session, period: DateRange, use_rollups: bool):
    """Topics, needs and the top contents, in one statement: [(kind, key, shares, clicks, previews)].

    The per-content sums (roll-ups up to the watermark, raw rows after it)
    are a CTE joined to the tags in the database: the thousands of contents
    of a range never travel to Python, nor back as lists of ids. A content
    tagged twice counts once under each tag: tags overlap, they do not add up.
    """
    rolled, live = insights_rollup.split(session, period.start, period.end, use_rollups)
    parts = [insights_rollup.rolled_content_sums(*rolled)] if rolled else []
    if live:
        parts += insights_rollup.raw_content_sums(*live)
    rows = union_all(*parts).subquery("content_rows")
    sums = (select(rows.c.content_id, func.sum(rows.c.shares).label("shares"),
                   func.sum(rows.c.clicks).label("clicks"), func.sum(rows.c.previews).label("previews"))
            .group_by(rows.c.content_id).cte("content_sums"))
    measures = (func.sum(sums.c.shares), func.sum(sums.c.clicks), func.sum(sums.c.previews))
    by_tag = [select(literal(kind).label("kind"), table.c[column].label("key"), *measures)
              .join_from(sums, table, table.c.content_id == sums.c.content_id).group_by(table.c[column])
              for kind, table, column in (("topic", content_topics, "topic_id"), ("need", content_needs, "need_id"))]
    top = (select(literal("content").label("kind"), sums.c.content_id.label("key"), sums.c.shares, sums.c.clicks,
                  sums.c.previews)
           .order_by(sums.c.shares.desc(), sums.c.clicks.desc(), sums.c.content_id).limit(TOP_CONTENT).subquery())
    return session.execute(union_all(*by_tag, select(top))).all()


def _tag_rows(per_tag: dict[int, Counts], labels: dict[int, str]) -> list[Row]:
    rows = [Row(str(tag_id), labels.get(tag_id, "?"), counts) for tag_id, counts in per_tag.items()]
    return sorted(rows, key=lambda row: (-row.counts.shares, -row.counts.clicks, row.label))


def _weeks(period: DateRange) -> list[date]:
    weeks, monday = [], week_of(period.start)
    while monday <= period.end:
        weeks.append(monday)
        monday += timedelta(weeks=1)
    return weeks


# --- participation and the breakdown over people ------------------------------

def _people(session: Session, period: DateRange) -> tuple[dict[int, int | None], set[int]]:
    """Active ambassadors → their department; those of them with attributed shares in the range."""
    active_ids = select(active_member_ids(session, period.end).subquery().c.id)
    departments = dict(session.execute(
        select(AmbassadorProfile.user_id, AmbassadorProfile.department_id)
        .where(AmbassadorProfile.user_id.in_(active_ids))).all())
    # One pass over the range (index on day, user_id): who shared.
    sharers = session.scalars(
        select(ShareEvent.user_id).distinct()
        .where(ShareEvent.day.between(period.start, period.end), ShareEvent.user_id.is_not(None))).all()
    return departments, {user_id for user_id in sharers if user_id is not None and user_id in departments}


def participation(active: int, sharers: int, k: int) -> Participation:
    """Both counts as bands of the k rule; the rate from those bands, hidden when either is."""
    shown_active, shown_sharers = anonymity.band(active, k), anonymity.band(sharers, k)
    return Participation(shown_active, shown_sharers, anonymity.rate(shown_sharers, shown_active))


@dataclass
class Group:
    label: str
    active: int
    sharers: int


def department_breakdown(groups: list[Group], k: int, other_label: str) -> list[GroupRow]:
    """Departments by label, then "other" (the small ones merged), by the breakdown rule of ``anonymity``.

    Merged on active ambassadors; then the people who shared are a breakdown
    of the participation total, so their counts are suppressed together (a
    hidden count hides that group's rate too). Every count shown is a band
    (rule 4). Empty when even all the active ambassadors together are under k.
    """
    split = anonymity.merge_small_groups(sorted(groups, key=lambda g: g.label), lambda g: g.active, k)
    if split is None:
        return []
    own, merged = split
    entries = [(g, False) for g in own]
    if merged:
        entries.append((Group(other_label, sum(g.active for g in merged), sum(g.sharers for g in merged)), True))
    sharers = anonymity.suppress_breakdown([g.sharers for g, _ in entries], k)
    rows = []
    for (g, other), shown in zip(entries, sharers, strict=True):
        active = anonymity.band(g.active, k)  # a band: every line holds k or more once merged
        sharers_band = shown if isinstance(shown, Hidden) else anonymity.band(g.sharers, k)
        rows.append(GroupRow(g.label, other, active, sharers_band, anonymity.rate(sharers_band, active)))
    return rows


def _department_groups(session: Session, departments: dict[int, int | None], sharers: set[int],
                       no_department_label: str) -> list[Group]:
    names = dict(session.execute(select(Department.id, Department.name)).all())
    groups: dict[int | None, Group] = {}
    for user_id, department_id in departments.items():
        label = names.get(department_id, no_department_label) if department_id else no_department_label
        group = groups.setdefault(department_id, Group(label, 0, 0))
        group.active += 1
        if user_id in sharers:
            group.sharers += 1
    return list(groups.values())


# --- the whole page -----------------------------------------------------------

def insights(session: Session, period: DateRange, k: int, language: str, *, other_label: str = "Other",
             no_department_label: str = "No department", use_rollups: bool = True) -> Insights:
    cells = network_days(session, period, use_rollups)
    totals = Counts()
    per_week: defaultdict[date, Counts] = defaultdict(Counts)
    per_network: defaultdict[str, Counts] = defaultdict(Counts)
    for (day, network), counts in cells.items():
        for target in (totals, per_week[week_of(day)], per_network[network]):
            target.add(counts.shares, counts.clicks, counts.previews)
    weeks = [Row(monday.isoformat(), monday.isoformat(), per_week.get(monday, Counts())) for monday in _weeks(period)]
    networks = [Row(network, network, per_network.get(network, Counts()))
                for network in sorted(set(LINK_NETWORKS) | set(per_network),
                                      key=lambda n: (-per_network.get(n, Counts()).shares, n))]

    per_kind: dict[str, dict[int, Counts]] = {"topic": {}, "need": {}, "content": {}}
    for kind, key, shares, clicks, previews in _content_breakdowns(session, period, use_rollups):
        per_kind[kind].setdefault(key, Counts()).add(shares, clicks, previews)
    topic_names = {topic.id: topic.label(language) for topic in session.scalars(select(Topic))}
    need_names = {need.id: need.label(language) for need in session.scalars(select(Need))}
    topics = _tag_rows(per_kind["topic"], topic_names)
    needs = _tag_rows(per_kind["need"], need_names)
    best = sorted(per_kind["content"].items(), key=lambda item: (-item[1].shares, -item[1].clicks, item[0]))
    titles = dict(session.execute(select(Content.id, Content.title)
                                  .where(Content.id.in_([content_id for content_id, _ in best]))).all())
    top_content = [Row(str(content_id), titles.get(content_id, "?"), counts) for content_id, counts in best]

    departments, sharers = _people(session, period)
    groups = _department_groups(session, departments, sharers, no_department_label)
    return Insights(period, k, totals, weeks, networks, topics, needs, top_content,
                    participation(len(departments), len(sharers), k),
                    department_breakdown(groups, k, other_label))
