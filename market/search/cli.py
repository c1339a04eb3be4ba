"""Commands: `reindex`, `index-check` and `index-worker` (the external indexer)."""

import time

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from market.search.index import SearchUnavailable
from market.search.sync import (
    DEFAULT_INTERVAL,
    apply_outbox,
    check_index,
    count_public,
    rebuild,
    reconcile,
    run_worker,
)


def register_search_commands(app: Flask) -> None:
    app.cli.add_command(reindex)
    app.cli.add_command(index_check)
    app.cli.add_command(index_worker)


@click.command("reindex")
@with_appcontext
def reindex():
    """Rebuild the search index from the database in a new directory, swap it in."""
    started = time.monotonic()
    with click.progressbar(
        length=max(count_public(), 1), label="Indexing public listings"
    ) as bar:
        count = rebuild(progress=lambda done, total: bar.update(done - bar.pos))
    click.echo(f"{count} listings indexed in {time.monotonic() - started:.1f} s")


@click.command("index-check")
@click.option(
    "--enqueue",
    is_flag=True,
    help="Queue every listing found out of step for the indexer.",
)
@with_appcontext
def index_check(enqueue):
    """Compare the search index with the database; exit status 1 on any difference."""
    try:
        report = check_index()
    except SearchUnavailable as error:
        click.echo(f"search index unavailable: {error}")
        raise SystemExit(1) from None
    for name in ("missing", "stale", "extra"):
        ids = report[name]
        click.echo(
            f"{name}: {len(ids)}" + (f" {' '.join(map(str, ids))}" if ids else "")
        )
    if any(report.values()):
        if enqueue:
            click.echo(f"{reconcile()} listings queued for the indexer")
        raise SystemExit(1)
    click.echo("OK: the search index matches the database")


@click.command("index-worker")
@click.option("--once", is_flag=True, help="Apply the outbox once and exit.")
@click.option(
    "--interval",
    default=DEFAULT_INTERVAL,
    show_default=True,
    help="Seconds between two rounds.",
)
@with_appcontext
def index_worker(once, interval):
    """Drain the search outbox into the index (the one writer), until interrupted."""
    if once:
        click.echo(f"{apply_outbox()} outbox rows applied")
        return
    click.echo(f"search indexer running every {interval} s (Ctrl+C stops it)")
    try:
        run_worker(current_app._get_current_object(), interval=interval)
    except KeyboardInterrupt:
        pass
