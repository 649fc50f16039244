"""`advocacy jobs …` and `advocacy digest preview`: the scheduled work, by hand."""

from __future__ import annotations

from pathlib import Path
from typing import cast

import click
from flask import current_app
from flask.cli import AppGroup

from . import jobs_by_hand, mailings
from .db import get_session
from .models import utcnow
from .program_clock import program_zone
from .services import accounts, clock, digest
from .urls import can_build_external_urls

jobs_group = AppGroup("jobs", help="List the scheduled jobs, or run one now.")
digest_group = AppGroup("digest", help="The weekly digest.")

NOT_SENT = {
    "no_consent": "{email} has not consented to the digest: no digest is sent to them, so none is previewed.",
    "not_active": "{email} is not sent the digest now (left the program, mandate over, or paused).",
}


def _utc(moment) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


@jobs_group.command("list")
def list_jobs() -> None:
    """Every scheduled job: name, schedule, what it does; and who holds the scheduler lease."""
    lease = jobs_by_hand.current_lease()
    if lease is None:
        click.echo("Scheduler lease: free (no scheduler process is running the jobs).")
    else:
        click.echo(f"Scheduler lease: held by {lease.holder} until {_utc(lease.expires_at)}.")
    click.echo("Last and next runs are not recorded: each job runs on its schedule while a scheduler holds the lease.")
    for job in jobs_by_hand.catalogue():
        click.echo(f"{job.name:<22} {job.schedule:<18} {job.description}")


@jobs_group.command("run")
@click.argument("name", type=click.Choice(jobs_by_hand.names()), metavar="NAME")
def run_job(name: str) -> None:
    """Run the job NAME once now (see `advocacy jobs list`), unless a scheduler is running.

    There is no --force: running beside the scheduler could run the same job twice at once.
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]  # the proxy is typed as the app
    try:
        outcome = jobs_by_hand.run(app, name)
    except jobs_by_hand.LeaseTaken as taken:
        held = (f"{taken.lease.holder} holds the scheduler lease until {_utc(taken.lease.expires_at)}"
                if taken.lease else "another process has just taken the scheduler lease")
        raise click.ClickException(
            f"{name} not run: {held}. A running scheduler runs this job itself on its schedule; "
            "to run it by hand, stop the scheduler (it releases the lease) and try again.") from taken
    click.echo(f"{name}: {outcome}")


@digest_group.command("preview")
@click.option("--to", "email", required=True, help="The e-mail address of the person's account.")
@click.option("--language", type=click.Choice(["fr", "en"]), help="Default: the person's own language.")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), help="Write here instead of stdout.")
def preview(email: str, language: str | None, output: Path | None) -> None:
    """Show the digest EMAIL's person would get now (subject, text, HTML). Sends and records nothing."""
    if not can_build_external_urls():
        raise click.ClickException("set BASE_URL: the digest links back to the program")
    session = get_session()
    user = accounts.find_by_email(session, email)
    if user is None:
        raise click.ClickException(f"no account with the address {email}")
    now = utcnow()
    reason = digest.why_not_a_recipient(session, user, clock.program_day(now, program_zone()))
    if reason:
        raise click.ClickException(NOT_SENT[reason].format(email=email))
    content = digest.content_for(session, user.id, now, digest.upcoming_week(session, now, program_zone()))
    if not content.size:
        raise click.ClickException(f"nothing new this week for {email}: no digest would be sent.")
    message = mailings.digest_message(user, content, language=language)
    parts = {part.get_content_type():
             cast(bytes, part.get_payload(decode=True)).decode(part.get_content_charset() or "utf-8")
             for part in message.walk() if not part.is_multipart()}
    rendered = (f"To: {message['To']}\nSubject: {message['Subject']}\n\n"
                f"--- text ---\n{parts['text/plain']}\n--- HTML ---\n{parts['text/html']}")
    if output:
        output.write_text(rendered, encoding="utf-8")
        click.echo(f"Digest for {email} written to {output}; nothing sent.")
    else:
        click.echo(rendered)
    session.rollback()  # a preview records nothing
