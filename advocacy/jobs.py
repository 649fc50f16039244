"""Scheduled jobs and the scheduler that runs them.

The scheduler is never started by create_app. ``advocacy serve`` runs it in
the dev server's process; in production ``advocacy scheduler`` runs it alone,
holding a database lease so that a second scheduler process stays idle.
Every job has a fixed id, runs in an app context and is safe to run twice.
Each returns one line saying what it did, which the scheduler ignores and
``advocacy jobs run`` prints (see jobs_by_hand.py).
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable
from datetime import timedelta

from apscheduler.schedulers.base import BaseScheduler
from flask import Flask, current_app
from sqlalchemy import delete, update

from .db import changed_rows, get_session, insert_for
from .models import SchedulerLease, utcnow

log = logging.getLogger(__name__)

LEASE_NAME = "scheduler"
# SCHEDULER_LEASE_SECONDS's default: how long a scheduler killed outright
# keeps the jobs from its standby.
LEASE_SECONDS = 90
HOLDER = f"{socket.gethostname()}:{os.getpid()}"



def refresh_due_feeds() -> str:
    """Scheduled: refresh the feeds whose next check is due, oldest first."""
    from . import feed_settings
    from .services import ingest

    session = get_session()
    settings = feed_settings.current()
    requests = [ingest.FeedRequest.of(feed) for feed in ingest.due_feeds(session, utcnow(), settings.batch_size)]
    if not requests:
        return "no feed due"
    reports = ingest.refresh_feeds(session, requests, settings)
    failed = sum(report.error is not None for report in reports)
    new = sum(report.new_items for report in reports)
    return f"{len(reports)} feeds refreshed, {failed} failed, {new} new items"


def send_digests() -> str:
    """Scheduled: the weekly digest, once the admins' slot has passed (at most once per person and week)."""
    from . import mailings

    return "digests: " + mailings.send_digests().describe()


def send_renewal_notices() -> str:
    """Scheduled: the notice 30 days before a mandate ends (once per mandate)."""
    from . import mailings

    return "renewal notices: " + mailings.send_renewal_notices().describe()


def send_notifications() -> str:
    """Scheduled: each person's waiting notifications in one e-mail, at most as often as they chose."""
    from . import mailings

    return "notifications: " + mailings.send_notifications().describe()


def send_queued_mail() -> str:
    """Scheduled: send the queued e-mails that are due, retrying passing failures with back-off.

    Every few seconds, so that a sign-in link arrives while the person waits for it.
    """
    from .emails import mail_settings
    from .services import mail_outbox

    tally = mail_outbox.send_queued(get_session(), mail_settings(),
                                    mail_outbox.RetryPolicy.from_config(current_app.config))
    return "mail: " + tally.describe()


def rollup_insights() -> str:
    """Scheduled: sum the closed days (before today, UTC) for the insights page.

    Hourly rather than at midnight, so a missed run catches up soon; a run
    with no new closed day does nothing.
    """
    from .services import clock, insights_rollup

    session = get_session()
    built = insights_rollup.build(session, clock.utc_today())
    session.commit()
    return f"days {built[0]} to {built[1]} summed" if built else "no new closed day"


def count_survey_answers() -> str:
    """Scheduled: the sealed answers of finished surveys become responses, each survey's in one batch.

    Then the deleted sealed rows are vacuumed (PostgreSQL), after the commit
    since VACUUM runs outside any transaction.
    """
    from .db import get_engine
    from .program_clock import program_today
    from .services import clock, survey_pool, surveys

    session = get_session()
    counted = surveys.release_finished(
        session, survey_pool.pool_key(current_app.config["SECRET_KEY"]), today=program_today(),
        counted_on=clock.utc_today(), k=int(current_app.config["MIN_GROUP_SIZE"]))
    session.commit()
    if counted:
        survey_pool.vacuum(get_engine())
    return f"{counted} finished surveys counted"


def empty_sqlite_log() -> str:
    """Scheduled: on SQLite, copy the write-ahead log into the database file and empty it.

    Each erasure does this once committed; when a reader kept that from
    completing, the erased rows' old pages stay in the log until this run.
    Nothing to do on PostgreSQL.
    """
    from .db import get_engine, truncate_sqlite_wal

    engine = get_engine()
    if engine.dialect.name != "sqlite":
        return "nothing to do on PostgreSQL"
    return "log emptied" if truncate_sqlite_wal(engine) else "log not emptied (a reader held it); next run retries"


def prune_sessions() -> str:
    """Scheduled: delete the sessions unused for SESSION_IDLE_DAYS, or REMEMBER_DAYS for
    "keep me signed in" ones, and the expired sign-in links (none is accepted anyway)."""
    from .services import clock, sign_in_links, user_sessions

    session = get_session()
    now = clock.now()
    sessions = user_sessions.prune_idle(session, now=now,
                                        lifetimes=user_sessions.Lifetimes.from_config(current_app.config))
    links = sign_in_links.prune_expired(session, now=now)
    session.commit()
    return f"{sessions} idle sessions and {links} expired sign-in links deleted"


def post_to_chat() -> str:
    """Scheduled: announce the published highlights in the team's chat webhooks, retrying failures with back-off."""
    from . import chat_posts

    return "chat: " + chat_posts.send_due().describe()


def forget_used_intents() -> str:
    """Scheduled: drop the intent keys older than the web layer accepts (see services/intents)."""
    from .services import clock, intents

    session = get_session()
    forgotten = intents.forget_before(session, clock.utc_today() - intents.KEEP)
    session.commit()
    return f"{forgotten} old intent keys forgotten"


def compute_shared_figures() -> str:
    """Scheduled: count the network's month for the home page's milestones, stored as one row that pages read.

    At start and every 5 minutes: the figures are a month's totals, and
    summing millions of click-day rows has no place in a request.
    """
    from .services import clock, milestones

    session = get_session()
    counted = milestones.store(session, clock.now())
    session.commit()
    return f"{counted.month:%Y-%m}: {counted.shares} shares, {counted.clicks} clicks, {counted.sharers} sharers"


# Jobs whose first run is at the scheduler's start rather than one interval later:
# until it, pages show nothing in their place.
RUN_AT_START = {"shared-figures"}

# (id, function, trigger arguments). Areas add their jobs here.
JOBS: list[tuple[str, Callable[[], str], dict]] = [
    ("refresh-feeds", refresh_due_feeds, {"trigger": "interval", "minutes": 1}),
    ("send-mail", send_queued_mail, {"trigger": "interval", "seconds": 10}),
    # Every minute: a delivery's first retry is due a minute after its failure.
    ("post-to-chat", post_to_chat, {"trigger": "interval", "minutes": 1}),
    # Often enough to start within 15 minutes of the slot; a run finds the
    # claims of the previous ones, so running more often never sends twice.
    ("send-digests", send_digests, {"trigger": "interval", "minutes": 15}),
    ("send-renewal-notices", send_renewal_notices, {"trigger": "interval", "hours": 1}),
    # Every 5 minutes: "as it happens" waits at most that long beyond its
    # NOTIFICATION_EMAIL_MINUTES; the daily and weekly rhythms are kept by each person's last e-mail.
    ("send-notifications", send_notifications, {"trigger": "interval", "minutes": 5}),
    ("rollup-insights", rollup_insights, {"trigger": "interval", "hours": 1}),
    ("count-survey-answers", count_survey_answers, {"trigger": "interval", "hours": 1}),
    ("empty-sqlite-log", empty_sqlite_log, {"trigger": "interval", "minutes": 10}),
    ("prune-sessions", prune_sessions, {"trigger": "interval", "hours": 6}),
    ("forget-used-intents", forget_used_intents, {"trigger": "interval", "hours": 6}),
    ("shared-figures", compute_shared_figures, {"trigger": "interval", "minutes": 5}),
]


def lease_seconds() -> float:
    """The lease's length (SCHEDULER_LEASE_SECONDS); a holder renews it every third of it."""
    return float(current_app.config.get("SCHEDULER_LEASE_SECONDS") or LEASE_SECONDS)


def acquire_lease(holder: str = HOLDER, seconds: float | None = None) -> bool:
    """Take or renew the lease atomically; True while this process holds it."""
    if seconds is None:
        seconds = lease_seconds()
    session = get_session()
    now = utcnow()
    expires = now + timedelta(seconds=seconds)
    # Insert if absent; otherwise take it over only when it is ours or stale.
    statement = insert_for(session)(SchedulerLease).values(name=LEASE_NAME, holder=holder, expires_at=expires)
    statement = statement.on_conflict_do_nothing(index_elements=["name"])
    session.execute(statement)
    taken = changed_rows(session,
        update(SchedulerLease)
        .where(SchedulerLease.name == LEASE_NAME)
        .where((SchedulerLease.holder == holder) | (SchedulerLease.expires_at < now))
        .values(holder=holder, expires_at=expires)
    )
    session.commit()
    return taken == 1


def release_lease(holder: str = HOLDER) -> None:
    session = get_session()
    session.execute(
        delete(SchedulerLease).where(SchedulerLease.name == LEASE_NAME, SchedulerLease.holder == holder)
    )
    session.commit()


def run_job(app: Flask, job: Callable[[], str | None], *, need_lease: bool) -> str | None:
    """Run one job in its own app context (its own session), if we hold the lease; what it did.

    Both outcomes are logged, so that an operator running two schedulers
    sees which one works and which one waits.
    """
    with app.app_context():
        if need_lease and not acquire_lease():
            log.info("another scheduler holds the lease; %s skipped", job.__name__)
            return None
        done = job()
        log.info("%s ran: %s", job.__name__, done)
        return done


def add_jobs(scheduler: BaseScheduler, app: Flask, *, need_lease: bool) -> None:
    # SCHEDULER_EVERY_SECONDS runs every job that often instead (demonstrations,
    # tests/test_scale_out.py): every job is safe to run twice.
    from .services import clock

    every = app.config.get("SCHEDULER_EVERY_SECONDS")
    for job_id, function, trigger in JOBS:
        at_start = {"next_run_time": clock.now()} if job_id in RUN_AT_START else {}
        scheduler.add_job(
            run_job, id=job_id, args=(app, function), kwargs={"need_lease": need_lease},
            replace_existing=True, max_instances=1, coalesce=True,
            **({"trigger": "interval", "seconds": float(every)} if every else trigger), **at_start,
        )
