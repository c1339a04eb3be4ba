"""The single writer: outbox rows drained into the index, rebuilds, checks, the worker.

Changes that may affect search add a SearchOutbox row in their own transaction
(enqueue_listing / enqueue_enterprise). The writer, holding the writer lock, reads
rows in id order, loads each listing's *current* state, updates its document when
the listing is public and deletes it otherwise, commits the index, then deletes the
rows and commits the database. A crash anywhere leaves rows behind that the next
run applies again; applying twice is harmless.
"""

import logging
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from flask import Flask, current_app
from sqlalchemy import delete, func, select
from sqlalchemy.orm import selectinload
from whoosh import index as whoosh_index

from market.database import china_today
from market.extensions import db
from market.listings.models import Listing
from market.listings.queries import public_filter
from market.search.index import (
    create_index_dir,
    current_dir,
    index_root,
    is_current_schema,
    open_current,
    swap_current,
    writer_lock,
)
from market.search.models import SearchOutbox
from market.search.schema import listing_document, version_of

log = logging.getLogger(__name__)

BATCH = 500
WRITER_TIMEOUT = 60.0
MAX_BACKOFF = 30.0
DEFAULT_INTERVAL = 0.5
DEFAULT_RECONCILE_SECONDS = 600

Progress = Callable[[int, int], None]


# --- the outbox -----------------------------------------------------------------------


def enqueue_listing(listing_id: int) -> None:
    """Add an outbox row for the listing to the current session (no commit).

    Call it after a flush (a new listing needs its id), in the transaction that
    changes anything search shows: status, fields, validity, documents.
    """
    if listing_id is None:
        raise ValueError("enqueue_listing needs a flushed listing's id")
    db.session.add(SearchOutbox(listing_id=listing_id))


def enqueue_enterprise(enterprise_id: int) -> None:
    """One outbox row per listing of the enterprise (its status changed)."""
    ids = db.session.scalars(
        select(Listing.id).where(Listing.enterprise_id == enterprise_id)
    ).all()
    db.session.add_all(SearchOutbox(listing_id=listing_id) for listing_id in ids)


def apply_outbox(limit: int | None = None) -> int:
    """Drain outbox rows (at most `limit`) into the index; the number of rows applied.

    The one writer: takes the writer lock (waiting for another writer), builds the
    index first if it is missing or unreadable. Commits the current DB session.
    """
    root = index_root()
    target = current_dir(root)
    if target is not None and is_current_schema(target) and not _outbox_has_rows():
        return 0
    applied = 0
    try:
        with writer_lock(root):
            index = _writable_index(root)
            while limit is None or applied < limit:
                size = BATCH if limit is None else min(BATCH, limit - applied)
                rows = _claim_rows(size)
                if not rows:
                    break
                _apply(index, [listing_id for _row_id, listing_id in rows])
                _delete_rows([row_id for row_id, _listing_id in rows])
                db.session.commit()
                applied += len(rows)
            db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    if applied:
        log.info("search index: %d outbox rows applied", applied)
    return applied


def _outbox_has_rows() -> bool:
    found = db.session.execute(select(SearchOutbox.id).limit(1)).first() is not None
    db.session.commit()  # end the transaction: on SQLite it holds the write lock
    return found


def _claim_rows(size: int) -> list[tuple[int, int]]:
    query = (
        select(SearchOutbox.id, SearchOutbox.listing_id)
        .order_by(SearchOutbox.id)
        .limit(size)
    )
    if _locks_rows():
        # A standby writer elsewhere skips rows this one is working on.
        query = query.with_for_update(skip_locked=True)
    return [(row.id, row.listing_id) for row in db.session.execute(query)]


def _locks_rows() -> bool:
    """Whether the database locks rows (PostgreSQL), not the whole file (SQLite)."""
    return db.session.get_bind().dialect.name == "postgresql"


def _delete_rows(row_ids: list[int]) -> None:
    for start in range(0, len(row_ids), BATCH):
        chunk = row_ids[start : start + BATCH]
        db.session.execute(delete(SearchOutbox).where(SearchOutbox.id.in_(chunk)))


def _apply(index: whoosh_index.FileIndex, listing_ids: Iterable[int]) -> None:
    """Update or delete one document per listing (duplicates coalesced), one commit."""
    ids = list(dict.fromkeys(listing_ids))
    documents = {
        listing.id: listing_document(listing)
        for listing in _public_listings(ids, china_today())
    }
    if not _locks_rows():
        # SQLite: end the transaction (its write lock) before the index commit, so
        # web requests are not held up; the writer lock keeps the rows ours.
        db.session.commit()
    writer = index.writer(timeout=WRITER_TIMEOUT)
    try:
        for listing_id in ids:
            if listing_id in documents:
                writer.update_document(**documents[listing_id])
            else:
                writer.delete_by_term("listing_id", str(listing_id))
        writer.commit()
    except BaseException:
        writer.cancel()
        raise


def _public_listings(ids: list[int], today) -> list[Listing]:
    return list(
        db.session.scalars(
            select(Listing)
            .join(Listing.enterprise)
            .where(Listing.id.in_(ids), *public_filter(today))
            .options(selectinload(Listing.documents))
        )
    )


def _writable_index(root: Path) -> whoosh_index.FileIndex:
    """The current index, rebuilt first when missing, unreadable or of an old schema."""
    target = current_dir(root)
    if target is None:
        log.warning("search index: none in %s, building it", root)
    elif not is_current_schema(target):
        log.warning("search index: %s has an older schema, rebuilding", target.name)
    else:
        try:
            return open_current(root)
        except Exception:
            log.exception("search index: unreadable, rebuilding it")
    _rebuild_locked(root)
    return open_current(root)


# --- rebuild --------------------------------------------------------------------------


def count_public() -> int:
    """How many listings are public now (what a rebuild will index)."""
    total = db.session.scalar(
        select(func.count(Listing.id))
        .join(Listing.enterprise)
        .where(*public_filter(china_today()))
    )
    db.session.commit()
    return total or 0


def rebuild(progress: Progress | None = None) -> int:
    """Index every public listing into a new directory, then swap it in atomically.

    progress(done, total) is called after each batch. Returns the number indexed.
    Holds the writer lock throughout, so no outbox change can be lost to the swap.
    """
    root = index_root()
    try:
        with writer_lock(root):
            return _rebuild_locked(root, progress)
    except BaseException:
        db.session.rollback()
        raise


def _rebuild_locked(root: Path, progress: Progress | None = None) -> int:
    started = time.monotonic()
    # Rows already committed are covered by what we are about to read.
    covered = list(db.session.scalars(select(SearchOutbox.id)))
    total = count_public()
    today = china_today()
    path, index = create_index_dir(root)
    writer = rebuild_writer(
        index, total, current_app.config.get("MARKET_SEARCH_REBUILD_PROCS")
    )
    done, last_id = 0, 0
    try:
        while True:
            batch = db.session.scalars(
                select(Listing)
                .join(Listing.enterprise)
                .where(*public_filter(today), Listing.id > last_id)
                .order_by(Listing.id)
                .limit(BATCH)
                .options(selectinload(Listing.documents))
            ).all()
            documents = [listing_document(listing) for listing in batch]
            db.session.commit()  # short read transactions: writers are not held up
            if not documents:
                break
            for document in documents:
                writer.add_document(**document)
            last_id = documents[-1]["id_num"]
            done += len(documents)
            if progress is not None:
                progress(done, max(total, done))
        writer.commit()
        # Whoosh's MpWriter drops a sub-writer's segment silently if it failed:
        # an index short of documents is never swapped in.
        indexed = whoosh_index.open_dir(str(path)).doc_count()
        if indexed != done:
            raise RuntimeError(f"rebuild indexed {indexed} of {done} listings")
    except BaseException:
        try:
            writer.cancel()
        except Exception:  # already committed: nothing left to cancel
            log.debug("cancelling the rebuild writer failed", exc_info=True)
        shutil.rmtree(path, ignore_errors=True)
        raise
    swap_current(root, path)
    _delete_rows(covered)
    db.session.commit()
    log.info(
        "search index: rebuilt with %d listings in %.1f s (%s)",
        done,
        time.monotonic() - started,
        path.name,
    )
    return done


# A rebuild of at least this many listings indexes in parallel.
PARALLEL_REBUILD_MIN = 5_000
REBUILD_LIMIT_MB = 256


def rebuild_writer(index: whoosh_index.FileIndex, expected: int, procs=None):
    """The writer of a full rebuild of `expected` listings.

    procs (MARKET_SEARCH_REBUILD_PROCS): writer processes; by default 2 on a
    machine with 2 cores or more once there are PARALLEL_REBUILD_MIN listings,
    else 1. With several, each writes its own segment (no final merge: queries
    read posting arrays per segment, so a few segments cost them next to
    nothing) and the pool memory is shared out between them.
    """
    if procs in (None, "", "auto"):
        cores = os.cpu_count() or 1
        procs = 2 if cores >= 2 and expected >= PARALLEL_REBUILD_MIN else 1
    procs = max(1, int(procs))
    if procs == 1:
        return index.writer(limitmb=REBUILD_LIMIT_MB, procs=1)
    return index.writer(
        limitmb=REBUILD_LIMIT_MB // procs, procs=procs, multisegment=True
    )


# --- check and reconcile --------------------------------------------------------------


def check_index() -> dict[str, list[int]]:
    """Differences between the index and the public listings in the database.

    missing: public, not indexed; stale: indexed with another version (or twice);
    extra: indexed but not public (any more). SearchUnavailable without an index.
    """
    expected = {
        listing_id: version_of(updated_at)
        for listing_id, updated_at in db.session.execute(
            select(Listing.id, Listing.updated_at)
            .join(Listing.enterprise)
            .where(*public_filter(china_today()))
        )
    }
    db.session.commit()
    indexed, twice = _indexed_versions(index_root())
    stale = {
        listing_id
        for listing_id, version in indexed.items()
        if listing_id in expected and version != expected[listing_id]
    }
    return {
        "missing": sorted(expected.keys() - indexed.keys()),
        "stale": sorted(stale | (twice & expected.keys())),
        "extra": sorted(indexed.keys() - expected.keys()),
    }


def _indexed_versions(root: Path) -> tuple[dict[int, int], set[int]]:
    index = open_current(root)
    with index.searcher() as searcher:
        reader = searcher.reader()
        ids = reader.column_reader("id_num")
        versions = reader.column_reader("version")
        indexed: dict[int, int] = {}
        twice: set[int] = set()
        for docnum in reader.all_doc_ids():
            listing_id = ids[docnum]
            if listing_id in indexed:
                twice.add(listing_id)
            indexed[listing_id] = versions[docnum]
    return indexed, twice


def reconcile() -> int:
    """Enqueue every listing check_index finds out of step, commit; how many."""
    report = check_index()
    ids = sorted(set(report["missing"]) | set(report["stale"]) | set(report["extra"]))
    for listing_id in ids:
        enqueue_listing(listing_id)
    db.session.commit()
    if ids:
        log.warning("search index: %d listings out of step, enqueued", len(ids))
    return len(ids)


# --- the worker -----------------------------------------------------------------------


def run_worker(
    app: Flask,
    interval: float = DEFAULT_INTERVAL,
    once: bool = False,
    stop: threading.Event | None = None,
    reconcile_every: float | None = None,
) -> None:
    """Apply the outbox every `interval` seconds until `stop` is set (or once).

    Errors are logged and retried with a growing pause (at most 30 s). At start and
    then every `reconcile_every` seconds (MARKET_SEARCH_RECONCILE_SECONDS, 0 =
    never) the index is compared with the database and differences are enqueued.
    """
    stop = stop or threading.Event()
    if reconcile_every is None:
        reconcile_every = float(
            app.config.get("MARKET_SEARCH_RECONCILE_SECONDS", DEFAULT_RECONCILE_SECONDS)
        )
    next_reconcile = time.monotonic()  # once at start, then every reconcile_every
    delay = interval
    while True:
        try:
            with app.app_context():
                apply_outbox()
                if reconcile_every and time.monotonic() >= next_reconcile:
                    next_reconcile = time.monotonic() + reconcile_every
                    if reconcile():
                        apply_outbox()
            delay = interval
        except Exception:
            delay = min(delay * 2, MAX_BACKOFF)
            log.exception("search indexer: failed, retrying in %.1f s", delay)
        if once or stop.wait(delay):
            return


_worker_lock = threading.Lock()


def start_worker_thread(app: Flask) -> threading.Thread:
    """Start (once per process) the daemon thread that drains the outbox."""
    state = app.extensions.get("search_worker")
    if state and state["pid"] == os.getpid() and state["thread"].is_alive():
        return state["thread"]
    with _worker_lock:
        state = app.extensions.get("search_worker")
        if state and state["pid"] == os.getpid() and state["thread"].is_alive():
            return state["thread"]
        stop = threading.Event()
        thread = threading.Thread(
            target=run_worker,
            args=(app,),
            kwargs={"stop": stop},
            name="search-indexer",
            daemon=True,
        )
        app.extensions["search_worker"] = {
            "pid": os.getpid(),
            "thread": thread,
            "stop": stop,
        }
        thread.start()
        return thread


def stop_worker_thread(app: Flask, timeout: float = 5.0) -> None:
    """Ask the worker thread to finish its round and stop (tests, shutdown)."""
    state = app.extensions.pop("search_worker", None)
    if state and state["pid"] == os.getpid():
        state["stop"].set()
        state["thread"].join(timeout)


def register_search_worker(app: Flask) -> None:
    """With MARKET_SEARCH_WORKER == "thread", start the worker on the first request.

    Lazily, so that CLI commands start no thread and each forked server worker
    (gunicorn --preload) starts its own; the writer lock keeps them one at a time.
    """
    if app.config.get("MARKET_SEARCH_WORKER", "thread") != "thread":
        return

    @app.before_request
    def _start_search_worker() -> None:
        start_worker_thread(app)
