"""Shared model pieces: UTC timestamps and the SQLite connection discipline."""

import enum
import sqlite3
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from flask import has_request_context, request
from sqlalchemy import DateTime, Enum, Table, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import Insert
from sqlalchemy.types import TypeDecorator

READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


CHINA = ZoneInfo("Asia/Shanghai")


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(timezone.utc)


def china_today() -> date:
    """The date in China: validity and wanted-by dates are Chinese calendar days."""
    return datetime.now(CHINA).date()


class UTCDateTime(TypeDecorator):
    """Stores naive UTC, returns aware UTC, so SQLite and PostgreSQL agree."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are ambiguous; pass an aware one")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc)


def enum_column(enum_cls: type[enum.Enum], column: str, length: int = 20) -> Enum:
    """An enum stored as its readable values, checked by a constraint on every DB.

    The column's name names the constraint, so two columns of one enum in one table
    (from_status, to_status) get distinct constraints on PostgreSQL.
    """
    return Enum(
        enum_cls,
        name=column,
        native_enum=False,
        length=length,
        values_callable=lambda members: [member.value for member in members],
        create_constraint=True,
    )


class AppendOnly:
    """Mixin for history tables: rows are added, never changed or removed."""


@event.listens_for(AppendOnly, "before_update", propagate=True)
@event.listens_for(AppendOnly, "before_delete", propagate=True)
def _history_rows_stay(mapper, connection, target) -> None:
    raise RuntimeError("history tables are append-only")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_changes_to_history(state) -> None:
    if (state.is_update or state.is_delete) and state.bind_mapper is not None:
        if issubclass(state.bind_mapper.class_, AppendOnly):
            raise RuntimeError("history tables are append-only")


@event.listens_for(Engine, "connect")
def _configure_sqlite_connection(dbapi_connection, connection_record) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # We emit BEGIN ourselves (see _begin_sqlite_transaction), so the driver must not.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@event.listens_for(Engine, "begin")
def _begin_sqlite_transaction(connection) -> None:
    if connection.dialect.name != "sqlite":
        return
    # A deferred transaction that reads and then writes fails at once with
    # "database is locked" when another writer holds the lock, whatever the busy
    # timeout; taking the write lock up front makes concurrent writers queue.
    if writes_expected():
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        connection.exec_driver_sql("BEGIN")


def writes_expected() -> bool:
    """Whether the current unit of work may write: any non-GET request, or a command."""
    if has_request_context():
        return request.method not in READ_ONLY_METHODS
    return True


def insert_skipping_conflicts(table: Table, index_elements: list) -> Insert | None:
    """INSERT ... ON CONFLICT (index_elements) DO NOTHING for the session's database
    (PostgreSQL, SQLite): rows whose unique key exists, or is being added by a
    concurrent transaction, are skipped instead of failing the transaction.
    None on other databases (callers fall back to a savepoint per row)."""
    from market.extensions import db

    make = _UPSERTS.get(db.session.get_bind().dialect.name)
    if make is None:
        return None
    return make(table).on_conflict_do_nothing(index_elements=index_elements)


_UPSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}
