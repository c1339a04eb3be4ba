"""Command: `send-mail`, which sends the mail queue once or keeps sending it."""

import threading

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from market.notifications.mailer import run_mail_worker, send_queued_mail

# A separate process hears of no commit: it looks at the queue this often.
LOOP_SECONDS = 5.0


def register_mail_commands(app: Flask) -> None:
    app.cli.add_command(send_mail)


@click.command("send-mail")
@click.option("--limit", type=click.IntRange(min=1), help="Send at most this many.")
@click.option(
    "--loop",
    is_flag=True,
    help="Keep sending (the MARKET_MAIL_WORKER=external daemon) until interrupted.",
)
@click.option(
    "--interval",
    default=LOOP_SECONDS,
    show_default=True,
    type=click.FloatRange(min=0.1),
    help="With --loop: seconds between two rounds.",
)
@with_appcontext
def send_mail(limit, loop, interval):
    """Send the queued e-mails that are due (SMTP, or files in instance/outbox)."""
    if not loop:
        click.echo(f"mail: {send_queued_mail(limit)}")
        return
    click.echo(f"mail sender running every {interval} s (Ctrl+C stops it)")
    try:
        run_mail_worker(
            current_app._get_current_object(), threading.Event(), interval=interval
        )
    except KeyboardInterrupt:
        pass
