"""Notification fixtures: listings and logged-in clients (from tests/listings), extra
users for an enterprise, a local SMTP server, and readers for the inbox and queue."""

import pytest
from sqlalchemy import select

from market.accounts.models import User
from market.accounts.passwords import hash_password
from market.extensions import db
from market.notifications.models import MailMessage, Notification
from tests.conftest import PASSWORD
from tests.listings.conftest import (  # noqa: F401  (fixtures)
    approved,
    client_for,
    make_listing,
    other,
)
from tests.notifications.smtp_server import SMTPServer


@pytest.fixture
def add_user(app):
    """add_user(enterprise, **fields) → user id: another user of the enterprise."""
    counter = iter(range(1, 1000))

    def add(enterprise: dict, **fields) -> int:
        number = next(counter)
        values = dict(
            name=f"同事{number}",
            mobile=f"136{enterprise['id']:04d}{number:04d}",
            email=f"colleague{number}.{enterprise['id']}@example.com",
            password_hash=hash_password(PASSWORD),
            enterprise_id=enterprise["id"],
        )
        values.update(fields)
        with app.app_context():
            user = User(**values)
            db.session.add(user)
            db.session.commit()
            return user.id

    return add


@pytest.fixture
def smtp_server():
    servers = []

    def start(mode="ok", credentials=None) -> SMTPServer:
        server = SMTPServer(mode=mode, credentials=credentials).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def notifications_of(app, enterprise_id: int) -> list[dict]:
    with app.app_context():
        rows = db.session.scalars(
            select(Notification)
            .where(Notification.enterprise_id == enterprise_id)
            .order_by(Notification.id)
        ).all()
        return [
            {c.name: getattr(row, c.name) for c in Notification.__table__.columns}
            for row in rows
        ]


def mail_queue(app) -> list[dict]:
    with app.app_context():
        rows = db.session.scalars(select(MailMessage).order_by(MailMessage.id)).all()
        result = [
            {c.name: getattr(row, c.name) for c in MailMessage.__table__.columns}
            for row in rows
        ]
        db.session.commit()
        return result
