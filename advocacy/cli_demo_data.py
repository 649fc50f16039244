"""`advocacy demo-data`: load a large generated data set, for load tests and benchmarks."""

from __future__ import annotations

import secrets
import time

import click
from flask.cli import with_appcontext
from flask_babel import force_locale

from .db import get_session
from .messages import message_for
from .services import clock, passwords
from .services.demo_data import DemoDataError, Sizes, generate
from .services.demo_data_bulk import gather_statistics


@click.command("demo-data")
@with_appcontext
@click.option("--ambassadors", type=int, default=200, show_default=True)
@click.option("--contents", type=int, default=2000, show_default=True)
@click.option("--shares", type=int, default=100_000, show_default=True, help="Share events.")
@click.option("--days", type=int, default=365, show_default=True, help="The span, ending today.")
@click.option("--clicks", type=int, default=None, help="Click-day rows [default: twice the shares].")
@click.option("--seed", type=int, default=6, show_default=True, help="Same seed and sizes, same data.")
@click.option("--password", default=None, help="Every generated ambassador's password [default: a random one, "
                                                "printed].")
def demo_data(ambassadors: int, contents: int, shares: int, days: int, clicks: int | None, seed: int,
              password: str | None) -> None:
    """Generate a realistic data set in bulk, into a database with no ambassadors and no contents."""
    password = password or secrets.token_urlsafe(12)
    session = get_session()
    started = time.perf_counter()
    try:
        counts = generate(session, Sizes(ambassadors, contents, shares, days, clicks), now=clock.now(),
                          password_hash=passwords.hash_password(password), seed=seed)
        session.commit()
        gather_statistics(session)
        session.commit()
    except DemoDataError as error:
        session.rollback()
        with force_locale("en"):  # the command line speaks English, as every other command does
            raise click.ClickException(message_for(error)) from error
    elapsed = time.perf_counter() - started
    click.echo(f"Generated in {elapsed:.1f} s (seed {seed}, the last {days} days):")
    for table, count in counts.items():
        click.echo(f"  {table:<22} {count:>10,}")
    click.echo(f"Every generated ambassador (ambassador<id>@demo.example) signs in with the password: {password}")
