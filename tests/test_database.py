"""The database discipline: SQLite pragmas, BEGIN IMMEDIATE, UTC, migrations."""

import threading
import time
from datetime import datetime, timedelta, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from market.accounts.models import User
from market.enterprises.models import Enterprise
from market.extensions import db
from tests.conftest import POSTGRES_URL, make_test_app

sqlite_only = pytest.mark.skipif(bool(POSTGRES_URL), reason="SQLite behaviour")


def test_migrations_match_the_models(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection)
        assert compare_metadata(context, db.metadata) == []


@sqlite_only
def test_sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout(app):
    with app.app_context(), db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


def test_foreign_keys_are_enforced(app):
    with app.app_context():
        db.session.add(
            User(name="x", email="ghost@example.com", password_hash="x", enterprise_id=999)
        )
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


def test_timestamps_come_back_in_utc(app, factory):
    member = factory.enterprise()
    with app.app_context():
        enterprise = db.session.get(Enterprise, member["id"])
        assert enterprise.created_at.tzinfo == timezone.utc
        assert datetime.now(timezone.utc) - enterprise.created_at < timedelta(minutes=1)


@sqlite_only
def test_concurrent_read_then_write_transactions_queue_instead_of_failing(
    database_url, tmp_path, factory
):
    """Writers that read first and then write: with deferred transactions one of two
    overlapping writers fails at once with "database is locked" whatever the busy
    timeout; BEGIN IMMEDIATE makes them queue, so every increment lands."""
    member = factory.enterprise()
    app = make_test_app(database_url, tmp_path)
    errors: list[Exception] = []
    rounds, workers = 15, 4

    def worker() -> None:
        with app.app_context():
            for _ in range(rounds):
                try:
                    user = db.session.get(User, member["user_id"])  # read ...
                    time.sleep(0.002)  # ... let another writer in between ...
                    user.name = str(int(user.name) + 1 if user.name.isdigit() else 1)
                    db.session.commit()  # ... then write
                except Exception as exc:  # the failure this guards against
                    errors.append(exc)
                    db.session.rollback()
            db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    with app.app_context():
        assert db.session.get(User, member["user_id"]).name == str(rounds * workers)
