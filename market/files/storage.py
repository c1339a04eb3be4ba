"""Write uploads under generated names outside static/, and serve them back safely."""

import hashlib
import os
import secrets
from pathlib import Path

from flask import Response, current_app, send_file
from sqlalchemy import event
from sqlalchemy.orm import Session

from market.extensions import db
from market.files.models import StoredFile
from market.files.sniffing import SniffedFile

PENDING_FILES_KEY = "market_pending_files"
DOOMED_FILES_KEY = "market_doomed_files"


def upload_root() -> Path:
    return Path(current_app.config["MARKET_UPLOAD_DIR"])


def path_for(stored: StoredFile) -> Path:
    return upload_root() / stored.storage_key[:2] / stored.storage_key


def store_file(
    sniffed: SniffedFile, display_name: str, enterprise_id: int | None
) -> StoredFile:
    """Write the bytes to disk and add their row to the session (not committed).

    If the transaction rolls back instead of committing, the file is deleted again.
    """
    key = secrets.token_hex(16)
    target = upload_root() / key[:2] / key
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_suffix(".part")
    with open(temporary, "wb") as handle:
        handle.write(sniffed.data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, target)
    db.session.info.setdefault(PENDING_FILES_KEY, []).append(target)
    stored = StoredFile(
        storage_key=key,
        display_name=_clean_display_name(display_name),
        content_type=sniffed.content_type,
        size=len(sniffed.data),
        sha256=hashlib.sha256(sniffed.data).hexdigest(),
        enterprise_id=enterprise_id,
    )
    db.session.add(stored)
    return stored


def delete_stored_file(stored: StoredFile) -> None:
    """Delete the row now and the bytes once the transaction commits."""
    db.session.info.setdefault(DOOMED_FILES_KEY, []).append(path_for(stored))
    db.session.delete(stored)


def send_stored_file(stored: StoredFile, inline: bool = False) -> Response:
    """The file as a download with headers that stop browsers from executing it."""
    response = send_file(
        path_for(stored),
        mimetype=stored.content_type,
        as_attachment=not inline,
        download_name=stored.display_name,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _clean_display_name(name: str) -> str:
    # Keep Chinese names as they are; drop path parts and control characters.
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(ch for ch in base if ch.isprintable()).strip()
    return cleaned[:255] or "file"


@event.listens_for(Session, "after_commit")
def _settle_committed_files(session: Session) -> None:
    session.info.pop(PENDING_FILES_KEY, None)
    for path in session.info.pop(DOOMED_FILES_KEY, []):
        Path(path).unlink(missing_ok=True)


@event.listens_for(Session, "after_transaction_end")
def _delete_uncommitted_files(session: Session, transaction) -> None:
    # Runs after after_commit, so only files of a rolled-back or abandoned
    # outermost transaction are still listed here.
    if transaction.parent is not None:
        return
    # Deletions that did not commit keep their files.
    session.info.pop(DOOMED_FILES_KEY, None)
    for path in session.info.pop(PENDING_FILES_KEY, []):
        Path(path).unlink(missing_ok=True)
