"""The ``advocacy`` command: Flask's CLI plus Relais's own commands."""

from __future__ import annotations

import signal
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, FlaskGroup, with_appcontext

from . import jobs, logs, migrate
from .cli_demo_data import demo_data
from .cli_feeds import feeds_group
from .cli_jobs import digest_group, jobs_group
from .db import get_session
from .models import Role
from .program_clock import program_today
from .services import accounts, clock, passwords


def _create_app() -> Flask:
    from . import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app)
def main() -> None:
    """Relais, the ambassador program manager."""


def register_commands(app: Flask) -> None:
    app.cli.add_command(db_group)
    app.cli.add_command(create_admin)
    app.cli.add_command(demo)
    app.cli.add_command(demo_data)
    app.cli.add_command(serve)
    app.cli.add_command(scheduler)
    app.cli.add_command(backup)
    app.cli.add_command(feeds_group)
    app.cli.add_command(jobs_group)
    app.cli.add_command(digest_group)


@click.group("db", cls=AppGroup)
def db_group() -> None:
    """Database migrations (Alembic)."""


@db_group.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Apply migrations up to REVISION (default: the latest)."""
    migrate.upgrade(current_app, revision)


@db_group.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Revert migrations down to REVISION."""
    migrate.downgrade(current_app, revision)


@db_group.command("revision")
@click.option("-m", "--message", required=True)
@click.option("--empty", is_flag=True, help="Do not compare the models with the database.")
def db_revision(message: str, empty: bool) -> None:
    """Write a new migration from the difference between models and database."""
    migrate.revision(current_app, message, autogenerate=not empty)


@click.command("create-admin")
@with_appcontext
@click.option("--email", prompt=True)
@click.option("--name", prompt=True)
@click.password_option(help="At least 10 characters.")
def create_admin(email: str, name: str, password: str) -> None:
    """Create an administrator account."""
    if len(password) < passwords.MIN_PASSWORD_LENGTH:
        raise click.ClickException(f"the password needs at least {passwords.MIN_PASSWORD_LENGTH} characters")
    session = get_session()
    try:
        accounts.create_user(session, email=email, name=name, password=password, role=Role.ADMIN)
    except accounts.AccountError as error:
        raise click.ClickException(f"an account already exists for {email}") from error
    session.commit()
    click.echo(f"Administrator {email} created.")


@click.command("demo")
@with_appcontext
def demo() -> None:
    """Load demo data when the database is empty, and print the demo logins."""
    from . import feed_settings
    from .services import demo as demo_service

    session = get_session()
    created = demo_service.load_if_empty(session, feed_settings.current(), clock.now(), program_today())
    session.commit()
    click.echo("Demo data loaded." if created else "Database already has data; demo not loaded again.")
    if demo_service.demo_accounts_exist(session):
        click.echo("Demo logins (password for each):")
        for email, password, role in demo_service.DEMO_ACCOUNTS:
            click.echo(f"  {role.value:<10} {email:<28} {password}")


@click.command("serve")
@with_appcontext
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, envvar="PORT")
def serve(host: str, port: int) -> None:
    """Run the development server with the scheduler in the same process."""
    from apscheduler.schedulers.background import BackgroundScheduler

    app = current_app._get_current_object()  # type: ignore[attr-defined]  # the proxy is typed as the app
    if not app.config.get("BASE_URL"):  # links in e-mails sent by the in-process jobs
        app.config["BASE_URL"] = f"http://{host}:{port}"
    # Flask refuses app.run() inside its own CLI; werkzeug serves directly,
    # with a request log that leaves out visitors' addresses (see logs.py).
    server = logs.make_dev_server(app, host, port)
    background = BackgroundScheduler(timezone="UTC")
    jobs.add_jobs(background, app, need_lease=False)
    background.start()
    click.echo(f"Relais on http://{host}:{port}/ (scheduler running in-process)")
    try:
        server.serve_forever()  # returns on Ctrl-C
    finally:
        background.shutdown(wait=False)


@click.command("scheduler")
@with_appcontext
def scheduler() -> None:
    """Run the scheduled jobs in this process (production: one per deployment)."""
    from apscheduler.schedulers.blocking import BlockingScheduler

    app = current_app._get_current_object()  # type: ignore[attr-defined]  # the proxy is typed as the app
    blocking = BlockingScheduler(timezone="UTC")
    jobs.add_jobs(blocking, app, need_lease=True)
    # Keep the lease fresh even between jobs, so a standby does not take over.
    blocking.add_job(_renew_lease, "interval", seconds=jobs.lease_seconds() / 3, id="lease", args=(app,),
                     max_instances=1)

    def stop(*_args):
        blocking.shutdown(wait=False)

    signal.signal(signal.SIGTERM, stop)
    click.echo("Scheduler started; waiting for jobs (Ctrl-C to stop).")
    try:
        blocking.start()
    finally:
        with app.app_context():
            jobs.release_lease()
    sys.exit(0)


@click.command("backup")
@with_appcontext
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def backup(path: Path) -> None:
    """Copy the SQLite database to PATH, consistent while Relais runs (PostgreSQL: pg_dump)."""
    from .backup import BackupError, backup_sqlite

    try:
        size = backup_sqlite(current_app.config["DATABASE_URL"], path)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Backup written to {path} ({size} bytes, integrity checked).")


def _renew_lease(app: Flask) -> None:
    with app.app_context():
        jobs.acquire_lease()
