"""Deployment self-check: the settings a production instance must have."""

from flask import Flask

from market.settings import MIN_SECRET_KEY_LENGTH


def check_deployment(app: Flask) -> list[str]:
    """Problems with this instance's configuration for production, as sentences."""
    config = app.config
    problems = []
    if config.get("DEBUG"):
        problems.append("DEBUG is on: the Werkzeug debugger must never run in production")
    if config["MARKET_ENV"] != "production":
        problems.append("MARKET_ENV is not 'production' (secure cookies and HSTS are off)")
    key = config.get("SECRET_KEY") or ""
    if len(key) < MIN_SECRET_KEY_LENGTH or len(set(key)) < 5:
        problems.append("SECRET_KEY is shorter than 32 characters or not random")
    if not config.get("SESSION_COOKIE_SECURE"):
        problems.append("session cookies are not marked Secure")
    if not config.get("MAX_CONTENT_LENGTH"):
        problems.append("MAX_CONTENT_LENGTH is not set: uploads are unbounded")
    if not config.get("TRUSTED_HOSTS"):
        problems.append("MARKET_TRUSTED_HOSTS is empty: any Host header is answered")
    if config["MARKET_RATELIMIT_STORAGE_URI"].startswith("memory://"):
        problems.append(
            "MARKET_RATELIMIT_STORAGE_URI is memory://: each worker counts login "
            "attempts on its own; use Redis"
        )
    if not (config.get("MARKET_BASE_URL") or "").startswith("https://"):
        problems.append(
            "MARKET_BASE_URL is not an https:// address: links in e-mails need the "
            "site's public address"
        )
    if config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        problems.append("the database is SQLite: use PostgreSQL with several workers")
    problems.extend(_demo_accounts_present(app))
    return problems


def _demo_accounts_present(app: Flask) -> list[str]:
    from sqlalchemy.exc import SQLAlchemyError

    from market.accounts.models import User
    from market.demo import DEMO_ACCOUNTS
    from market.extensions import db

    with app.app_context():
        try:
            emails = [account.email for account in DEMO_ACCOUNTS]
            found = db.session.scalars(
                db.select(User.email).where(User.email.in_(emails))
            ).all()
        except SQLAlchemyError:
            return ["the database cannot be reached or is not migrated"]
        finally:
            db.session.remove()
    return [f"demo account {email} exists: delete it" for email in found]
