"""The mail outbox's sender, run by a test where the scheduler would run it."""

from __future__ import annotations

from advocacy import jobs
from advocacy.db import get_session
from advocacy.emails import mail_settings
from advocacy.services import mail_outbox


def send_queued_mail(app, now=None) -> mail_outbox.Tally:
    """Send what is due now (or at ``now``), through the function the send-mail job calls."""
    with app.app_context():
        return mail_outbox.send_queued(get_session(), mail_settings(),
                                       mail_outbox.RetryPolicy.from_config(app.config), now=now)


def run_send_mail_job(app) -> str | None:
    return jobs.run_job(app, jobs.send_queued_mail, need_lease=False)
