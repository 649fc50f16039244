"""`advocacy feeds …`: manage and refresh feeds from the command line."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from . import feed_settings
from .db import get_session
from .models import Feed
from .services import feeds as feed_service
from .services import ingest

feeds_group = AppGroup("feeds", help="Manage and refresh feeds.")


@feeds_group.command("add")
@click.argument("url")
@click.option("--interval", type=int, help="Minutes between checks.")
def add(url: str, interval: int | None) -> None:
    """Add a feed (fetched once now)."""
    session = get_session()
    try:  # add_feed commits the feed it stores
        feed, report = feed_service.add_feed(session, url, feed_settings.current(), interval=interval)
    except feed_service.FeedManagementError as error:
        raise click.ClickException(f"{error.code}: {error.params or url}") from error
    except feed_service.FeedError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Added feed {feed.id}: {feed.display_title} ({report.new_items} items)")


@feeds_group.command("list")
def list_feeds() -> None:
    """List feeds with their health."""
    for row in feed_service.list_feeds(get_session()):
        feed = row.feed
        last = feed.last_success_at.strftime("%Y-%m-%d %H:%M") if feed.last_success_at else "never"
        click.echo(f"{feed.id:>4}  {row.health:<8}  {row.new_items:>5} new  last ok {last}  {feed.url}")
        if feed.last_error_code:
            click.echo(
                f"      {feed.consecutive_errors} error(s): {feed.last_error_code} {feed.last_error_params or ''}"
            )


@feeds_group.command("refresh")
@click.option("--all", "refresh_all", is_flag=True, help="Every enabled feed, due or not.")
@click.argument("feed_ids", nargs=-1, type=int)
def refresh(refresh_all: bool, feed_ids: tuple[int, ...]) -> None:
    """Refresh the due feeds, every feed (--all) or the given IDs."""
    session = get_session()
    if feed_ids:
        feeds = list(session.scalars(select(Feed).where(Feed.id.in_(feed_ids))))
        missing = set(feed_ids) - {feed.id for feed in feeds}
        if missing:
            raise click.ClickException(f"no feed with id {', '.join(map(str, sorted(missing)))}")
    elif refresh_all:
        feeds = list(session.scalars(select(Feed).where(Feed.enabled).order_by(Feed.id)))
    else:
        from .models import utcnow

        feeds = ingest.due_feeds(session, utcnow(), limit=10_000)
    requests = [ingest.FeedRequest.of(feed) for feed in feeds]
    failed = 0
    new = 0
    with click.progressbar(length=len(requests), label="Refreshing feeds", file=sys.stderr) as bar:
        def done(report: ingest.Report) -> None:
            nonlocal failed, new
            failed += report.error is not None
            new += report.new_items
            bar.update(1)

        ingest.refresh_feeds(session, requests, feed_settings.current(), on_done=done)
    click.echo(f"{_count(len(requests), 'feed')} checked, {_count(new, 'new item')}, {failed} failed.")


@feeds_group.command("import-opml")
@click.argument("file", type=click.File("rb"))
def import_opml(file) -> None:
    """Add the feeds listed in an OPML file."""
    session = get_session()
    try:
        report = feed_service.import_opml(session, file.read())
    except feed_service.FeedError as error:
        raise click.ClickException(str(error)) from error
    session.commit()
    click.echo(f"{len(report.added)} added, {len(report.already_known)} already known, "
               f"{len(report.invalid)} invalid.")
    for url in report.invalid:
        click.echo(f"  invalid address: {url}", err=True)


@feeds_group.command("export-opml")
def export_opml() -> None:
    """Write every feed as OPML on standard output."""
    click.echo(feed_service.export_opml(get_session(), current_app.config["PROGRAM_NAME"]).decode(), nl=False)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")
