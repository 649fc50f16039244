"""The staff home page: a short to-do for curators and admins, each item a count with a link.

- new items waiting in the curation queue;
- feeds failing (errors in a row, or switched off by them);
- feedback waiting for an answer (status "new");
- renewals due: mandates ending within 30 days and mandates ended, not
  renewed. These count people, so they are published as the coverage page
  publishes them (``renewals.renewals_due``: bands of k, "fewer than k"
  below; services/anonymity.py has the rule), and the home page can never
  tell staff more than that page does;
- the survey of the moment: the open one closing first, else the next to
  open, with how many are open (surveys, not people: no response count);
- chat webhooks failing (a highlight given up, or being retried after an
  error), for admins;
- mail that failed, for admins (``failed_mail``).

The cost does not grow with the data: a fixed number of statements (one for
the three counts, two for renewals, two for surveys, and the mail's), each an
aggregate or a LIMIT 1, whatever the number of items, feeds or people.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from ..models import Feed, FeedbackItem, FeedbackStatus, FeedItem, ItemStatus, MailStatus, OutboxMail, Survey
from . import chat_webhooks
from .anonymity import Band, Hidden
from .renewals import renewals_due


@dataclass(frozen=True)
class StaffTodo:
    new_items: int
    failing_feeds: int
    feedback_waiting: int
    renewals_due: int | Hidden | Band  # mandates ending within 30 days (people: k rule)
    lapsed: int | Hidden | Band  # mandates ended, not renewed (people: k rule)
    open_surveys: int
    survey: Survey | None  # the open one closing first, else the next to open
    survey_is_open: bool
    failed_mail: int | None  # None: not shown (curators)
    failing_chat_webhooks: int | None = None  # None: not shown (curators)

    @property
    def nothing_to_do(self) -> bool:
        return not (self.new_items or self.failing_feeds or self.feedback_waiting or self.failed_mail
                    or self.failing_chat_webhooks)


def todo(session: Session, *, today: date, k: int, include_mail: bool, include_chat: bool = False) -> StaffTodo:
    new_items, failing_feeds, feedback_waiting = session.execute(select(
        select(func.count()).select_from(FeedItem).where(FeedItem.status == ItemStatus.NEW).scalar_subquery(),
        # consecutive_errors is reset by a success and kept when a feed is switched off for its errors.
        select(func.count()).select_from(Feed).where(Feed.consecutive_errors > 0).scalar_subquery(),
        select(func.count()).select_from(FeedbackItem)
        .where(FeedbackItem.status == FeedbackStatus.NEW).scalar_subquery(),
    )).one()
    renewals = renewals_due(session, today, k)
    open_now = (~Survey.closed_early, Survey.opens_on <= today, Survey.closes_on >= today)
    open_surveys = session.scalar(select(func.count()).select_from(Survey).where(*open_now)) or 0
    survey = session.scalars(
        select(Survey).where(~Survey.closed_early, Survey.closes_on >= today)
        # Open ones first, by closing day; then those to come, by opening day.
        .order_by(Survey.opens_on > today,
                  case((Survey.opens_on > today, Survey.opens_on), else_=Survey.closes_on), Survey.id)
        .limit(1)
    ).first()
    return StaffTodo(
        new_items=new_items or 0, failing_feeds=failing_feeds or 0, feedback_waiting=feedback_waiting or 0,
        renewals_due=renewals.ending_soon, lapsed=renewals.lapsed, open_surveys=open_surveys,
        survey=survey, survey_is_open=survey is not None and survey.opens_on <= today,
        failed_mail=failed_mail(session) if include_mail else None,
        failing_chat_webhooks=chat_webhooks.failing_count(session) if include_chat else None)


def failed_mail(session: Session) -> int:
    """Mail that could not be sent and will not be tried again (kept until MAIL_KEEP_DAYS purges it)."""
    return session.scalar(select(func.count()).select_from(OutboxMail)
                          .where(OutboxMail.status == MailStatus.FAILED)) or 0
