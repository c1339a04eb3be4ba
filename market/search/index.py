"""The index directory: `current` → `index-<timestamp>/`, the writer lock, searchers.

Layout under MARKET_SEARCH_INDEX_DIR (default <instance>/search-index):

    current -> index-v1-20261126T072201...   a relative symlink, swapped atomically
    index-v1-20261126T072201.../             a Whoosh index of schema version 1
    writer.lock                              fcntl.flock'ed by the one writer

Readers resolve `current` to the real directory when they open it, so a swap never
mixes files of two indexes; they notice a new target on their next search.
"""

import fcntl
import logging
import os
import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from whoosh import index as whoosh_index
from whoosh.reading import ReaderClosed
from whoosh.searching import Searcher

from market.search.schema import SCHEMA_VERSION, build_schema

log = logging.getLogger(__name__)

CURRENT = "current"
PREFIX = "index-"
LOCK_FILE = "writer.lock"
# Transient errors while another process commits or swaps (see SEARCH-NOTES §3).
RETRYABLE = (FileNotFoundError, ReaderClosed, TypeError)
ATTEMPTS = 3


def _remember_missing_length_columns() -> None:
    """Whoosh-Reloaded 2.7.5 (pinned, frozen) looks for a field's length column on
    disk, a stat(), for every posting of a field that has none (IDs, keywords,
    numbers) while it commits. Remembering "none" as it remembers a found column
    took a 3,000-listing commit from 2.7 s to 1.8 s; segments never gain columns.
    """
    from whoosh.codec import whoosh3

    def _cached_reader(self, fieldname, column):
        if fieldname not in self._readers:
            found = self.has_column(fieldname)
            self._readers[fieldname] = (
                self.column_reader(fieldname, column) if found else None
            )
        return self._readers[fieldname]

    whoosh3.W3PerDocReader._cached_reader = _cached_reader


_remember_missing_length_columns()


def _add_postings_in_one_loop() -> None:
    """Whoosh-Reloaded 2.7.5 (pinned, frozen) writes each posting of a commit
    through five method calls, and reads the document's field length back from
    the column it has just written, one posting at a time: most of a commit's
    time. This does the same work for the W3 codec in one loop (the lengths read
    once per field as bytes, the block buffer appended to directly) and writes
    byte-for-byte the same files; any other writer keeps Whoosh's own loop.
    """
    from whoosh.codec import base, whoosh3
    from whoosh.util.numeric import byte_to_length

    generic = base.FieldWriter.add_postings

    def field_lengths(lengths, fieldname):
        """(length codes as bytes, how many) of a field, or None without lengths."""
        reader = None
        if lengths is not None:
            reader = lengths._cached_reader(
                whoosh3._lenfield(fieldname), whoosh3.LENGTHS_COLUMN
            )
        if reader is None:
            return None
        return reader._dbfile.get(reader._basepos, reader._count), reader._count

    def add_postings(self, schema, lengths, items):
        if type(self) is not whoosh3.W3FieldWriter or not isinstance(
            lengths, whoosh3.W3PerDocReader | None
        ):
            return generic(self, schema, lengths, items)
        lastfn = lasttext = None
        writer = codes = None
        count = 0
        ids = weights = values = None
        blocklimit = self._codec._blocklimit
        for fieldname, btext, docnum, weight, value in items:
            if fieldname != lastfn:
                if lasttext is not None:
                    self.finish_term()
                if lastfn is not None:
                    if fieldname < lastfn:
                        raise base.OutOfOrderError(f"Field {lastfn!r} .. {fieldname!r}")
                    self.finish_field()
                self.start_field(fieldname, schema[fieldname])
                writer = self._postwriter
                found = field_lengths(lengths, fieldname)
                codes, count = found if found is not None else (b"", 0)
                lastfn, lasttext = fieldname, None
            if docnum == -1:
                continue  # a spelling word: Whoosh ignores these too
            if btext != lasttext:
                if lasttext is not None:
                    if btext < lasttext:
                        raise base.OutOfOrderError(
                            f"Term {fieldname}:{lasttext!r} .. {fieldname}:{btext!r}"
                        )
                    self.finish_term()
                self.start_term(btext)
                lasttext = btext
                ids, weights, values = writer._ids, writer._weights, writer._values
            # W3PostingsWriter.add_posting, without its type checks.
            if len(ids) >= blocklimit:
                writer._write_block()
                ids, weights, values = writer._ids, writer._weights, writer._values
            ids.append(docnum)
            weights.append(weight)
            if weight > writer._maxweight:
                writer._maxweight = weight
            if value:
                values.append(value)
            code = codes[docnum] if docnum < count else 0
            if code:
                length = byte_to_length(code)
                if writer._minlength is None or length < writer._minlength:
                    writer._minlength = length
                if length > writer._maxlength:
                    writer._maxlength = length
        if lasttext is not None:
            self.finish_term()
        if lastfn is not None:
            self.finish_field()

    whoosh3.W3FieldWriter.add_postings = add_postings


_add_postings_in_one_loop()


class SearchUnavailable(RuntimeError):
    """The index is missing or unreadable: search is down, the rest of the site not."""


def index_root() -> Path:
    """MARKET_SEARCH_INDEX_DIR, or <instance>/search-index."""
    configured = current_app.config.get("MARKET_SEARCH_INDEX_DIR")
    return Path(configured or Path(current_app.instance_path) / "search-index")


def current_dir(root: Path) -> Path | None:
    """The real directory `current` points to, or None when there is none."""
    try:
        target = os.readlink(root / CURRENT)
    except (FileNotFoundError, NotADirectoryError, OSError):
        return None
    path = root / target
    return path if path.is_dir() else None


@contextmanager
def writer_lock(root: Path) -> Iterator[None]:
    """Hold the exclusive writer lock (blocking); the kernel drops it if we die."""
    root.mkdir(parents=True, exist_ok=True)
    with open(root / LOCK_FILE, "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def create_index_dir(root: Path) -> tuple[Path, whoosh_index.FileIndex]:
    """A new, empty index directory beside the current one (not yet in use)."""
    root.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
    path = (
        root / f"{PREFIX}v{SCHEMA_VERSION}-{stamp}{time.time_ns() % 1_000_000_000:09d}"
    )
    path.mkdir()
    return path, whoosh_index.create_in(str(path), build_schema())


def is_current_schema(path: Path) -> bool:
    """Whether the index directory was built with this code's schema version."""
    return path.name.startswith(f"{PREFIX}v{SCHEMA_VERSION}-")


def swap_current(root: Path, new_dir: Path) -> None:
    """Point `current` at new_dir atomically, then delete the other index dirs."""
    temporary = root / f"{CURRENT}.{os.getpid()}.{threading.get_ident()}.tmp"
    if temporary.is_symlink():
        temporary.unlink()
    os.symlink(new_dir.name, temporary)
    os.replace(temporary, root / CURRENT)
    _fsync_dir(root)
    for path in root.iterdir():
        if path.name.startswith(PREFIX) and path.name != new_dir.name:
            # Open readers elsewhere keep their files (POSIX unlink semantics); a
            # reader that needs a file it has not opened yet retries on `current`.
            shutil.rmtree(path, ignore_errors=True)


def open_current(root: Path) -> whoosh_index.FileIndex:
    """The index `current` points to; SearchUnavailable when missing or unreadable."""
    target = current_dir(root)
    if target is None:
        raise SearchUnavailable(f"no search index in {root}")
    try:
        return whoosh_index.open_dir(str(target))
    except RETRYABLE:
        raise
    except Exception as error:  # EmptyIndexError, unpickling errors, bad TOC...
        raise SearchUnavailable(
            f"unreadable search index {target}: {error!r}"
        ) from error


# --- searchers: one per thread and index root, refreshed when stale -------------------


@dataclass
class _Entry:
    target: Path
    index: whoosh_index.FileIndex
    searcher: Searcher


_local = threading.local()
_registry_lock = threading.Lock()
_open_entries: dict[int, "_Entry"] = {}


def get_searcher(root: Path) -> Searcher:
    """This thread's searcher over `current`, reopened when the index changed.

    Retried on the transient errors of a concurrent commit or swap; anything else,
    or a third failure, is SearchUnavailable.
    """
    last_error: Exception | None = None
    for attempt in range(ATTEMPTS):
        try:
            return _fresh_searcher(root)
        except RETRYABLE as error:
            last_error = error
            drop_searcher(root)
            time.sleep(0.01 * (attempt + 1))
    raise SearchUnavailable(f"search index {root} kept changing: {last_error!r}")


def _fresh_searcher(root: Path) -> Searcher:
    entries = _thread_entries()
    key = str(root)
    entry = entries.get(key)
    target = current_dir(root)
    if target is None:
        drop_searcher(root)
        raise SearchUnavailable(f"no search index in {root}")
    if entry is not None and entry.target != target:
        drop_searcher(root)
        entry = None
    if entry is None:
        index = open_current(root)
        try:
            searcher = index.searcher()
        except RETRYABLE:
            raise
        except Exception as error:
            raise SearchUnavailable(f"unreadable search index: {error!r}") from error
        entry = _Entry(target, index, searcher)
        entries[key] = entry
        _remember(entry)
    elif not entry.searcher.up_to_date():
        # Not searcher.refresh(): Whoosh-Reloaded 2.7.5 reuses a segment's reader
        # when the segment id matches, so deletions committed since (withdrawn,
        # sold listings) stay visible, and it re-adds segments merged away.
        fresh = entry.index.searcher()
        _close(entry)
        entry.searcher = fresh
    return entry.searcher


def drop_searcher(root: Path) -> None:
    """Close and forget this thread's searcher over root (after an error)."""
    entry = _thread_entries().pop(str(root), None)
    if entry is not None:
        _forget(entry)
        _close(entry)


def close_searchers() -> None:
    """Close every cached searcher of every thread (tests, shutdown)."""
    with _registry_lock:
        entries = list(_open_entries.values())
        _open_entries.clear()
    for entry in entries:
        _close(entry)
    _thread_entries().clear()


def _thread_entries() -> dict[str, _Entry]:
    entries = getattr(_local, "entries", None)
    if entries is None:
        entries = _local.entries = {}
    return entries


def _remember(entry: _Entry) -> None:
    with _registry_lock:
        _open_entries[id(entry)] = entry


def _forget(entry: _Entry) -> None:
    with _registry_lock:
        _open_entries.pop(id(entry), None)


def _close(entry: _Entry) -> None:
    try:
        entry.searcher.close()
    except Exception:  # already closed, files gone: nothing left to release
        log.debug("closing a search searcher failed", exc_info=True)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
