"""Command-line tasks: create a moderator, seed demo data, print the demo logins."""

import getpass
import sys

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from market.accounts.models import Role
from market.accounts.services import create_user, find_user, normalize_mobile
from market.exceptions import ValidationFailed
from market.extensions import db


def register_commands(app: Flask) -> None:
    app.cli.add_command(create_moderator)
    app.cli.add_command(seed_demo)
    app.cli.add_command(demo_logins)
    app.cli.add_command(security_check)
    app.cli.add_command(expire_listings)


@click.command("create-moderator")
@with_appcontext
@click.option("--name", prompt=True, help="The moderator's name.")
@click.option("--mobile", default="", help="Mobile number used to log in.")
@click.option("--email", default="", help="E-mail used to log in.")
@click.option(
    "--enterprise-code",
    default="",
    help="Credit code of the enterprise the moderator works for, if any.",
)
@click.option(
    "--password-stdin", is_flag=True, help="Read the password from standard input."
)
def create_moderator(name, mobile, email, enterprise_code, password_stdin):
    """Create a moderator account (asks for the password without echoing it)."""
    from market.enterprises.models import Enterprise

    if not mobile and not email:
        raise click.UsageError("give --mobile or --email (or both)")
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Repeat: ") != password:
            raise click.ClickException("the passwords differ")
    enterprise = None
    if enterprise_code:
        enterprise = db.session.execute(
            db.select(Enterprise).filter_by(credit_code=enterprise_code.upper())
        ).scalar_one_or_none()
        if enterprise is None:
            raise click.ClickException(f"no enterprise with code {enterprise_code}")
    try:
        user = create_user(
            name=name,
            mobile=normalize_mobile(mobile) or None,
            email=email.strip().lower() or None,
            password=password,
            role=Role.MODERATOR,
            enterprise=enterprise,
        )
    except ValidationFailed as failure:
        db.session.rollback()
        messages = [str(m) for ms in failure.reasons.values() for m in ms]
        raise click.ClickException("; ".join(messages)) from None
    db.session.commit()
    click.echo(f"moderator {user.id} created: {user.email or user.mobile}")


@click.command("seed-demo")
@with_appcontext
def seed_demo():
    """Load the demo enterprises and accounts (deterministic; safe to run again)."""
    from market.demo import seed

    if current_app.config["MARKET_ENV"] == "production":
        raise click.ClickException("demo data is not loaded in production")
    report = seed()
    db.session.commit()
    click.echo(
        f"demo data: {report['created']} enterprises added, "
        f"{report['existing']} already there; {report['posts_created']} posts added, "
        f"{report['posts_existing']} already there; "
        f"{report['inquiries_created']} inquiries added"
    )


@click.command("demo-logins")
@with_appcontext
def demo_logins():
    """Print the demo accounts' logins."""
    from market.demo import DEMO_ACCOUNTS

    click.echo("Demo logins (mobile or e-mail / password):")
    for account in DEMO_ACCOUNTS:
        present = find_user(account.email) is not None
        click.echo(
            f"  {account.label:<12} {account.email} / {account.mobile}  "
            f"password: {account.password}" + ("" if present else "  (not seeded)")
        )


@click.command("security-check")
@with_appcontext
def security_check():
    """Check this instance's configuration for production; non-zero on problems."""
    from market.deploycheck import check_deployment

    problems = check_deployment(current_app._get_current_object())
    for problem in problems:
        click.echo(f"FAIL {problem}")
    if problems:
        raise SystemExit(1)
    click.echo("OK: the configuration passes the production checks")


@click.command("expire-listings")
@with_appcontext
def expire_listings():
    """Mark published posts past their validity as expired (run daily from cron)."""
    from market.listings.services import expire_listings as expire

    count = expire()
    db.session.commit()
    click.echo(f"{count} posts expired")
