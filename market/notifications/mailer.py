"""The mailer: sends the durable mail queue over SMTP, or writes it as .eml files.

Requests only add MailMessage rows (services.queue_mail); this module sends them
afterwards, so a slow or failing mail server never slows or fails a request.

send_queued_mail() claims due rows in a short transaction (SELECT ... FOR UPDATE
SKIP LOCKED on PostgreSQL; SQLite serialises writers with BEGIN IMMEDIATE) by
leasing them: next_attempt_at moves LEASE into the future, so another sender
(process or thread) skips them. Then, outside any transaction, it sends each and
records the outcome in a short transaction of its own: sent; or one more attempt,
the error, and a pause that doubles each time (MARKET_MAIL_RETRY_SECONDS, at most
6 hours) until MARKET_MAIL_MAX_ATTEMPTS, when the message is marked failed. A
crash while sending leaves the lease to run out, and the message is sent again
(at least once; its Message-ID stays the same, so receivers can tell).

Transport: SMTP when MARKET_SMTP_HOST is set (timeout, STARTTLS or implicit TLS,
optional login); otherwise RFC 5322 files in MARKET_MAIL_OUTBOX_DIR
(instance/outbox), written atomically.

The worker: with MARKET_MAIL_WORKER == "thread", a daemon thread per process
(started on the first request) sends after every commit that queued mail and
every 30 s for retries; "external" leaves it to `flask --app market send-mail
--loop`; "off" to whoever calls send_queued_mail (tests).
"""

import logging
import os
import smtplib
import ssl
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from flask import Flask, current_app, has_app_context
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from market.database import utcnow
from market.extensions import db
from market.notifications.links import mail_domain
from market.notifications.models import MailMessage, MailStatus
from market.notifications.services import MAIL_QUEUED

log = logging.getLogger(__name__)

BATCH = 50
LEASE = timedelta(minutes=10)
MAX_PAUSE = timedelta(hours=6)
POLL_SECONDS = 30.0
ERROR_CHARS = 1000
EXTENSION_KEY = "mail_worker"


class MessageRefused(Exception):
    """The server refused this message (others may still go); permanent for 5xx."""

    def __init__(self, text: str, permanent: bool):
        super().__init__(text)
        self.permanent = permanent


@dataclass
class MailReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0

    def __str__(self) -> str:
        return f"{self.sent} sent, {self.retrying} to retry, {self.failed} failed"


@dataclass(frozen=True)
class _Claimed:
    """What sending needs, copied out of the row so no transaction stays open."""

    id: int
    recipient: str
    subject: str
    body: str
    created_at: datetime


# --- transports -------------------------------------------------------------------


class SmtpTransport:
    """One connection per run, opened on the first message."""

    def __init__(self, config):
        self.host = config["MARKET_SMTP_HOST"]
        self.port = int(config["MARKET_SMTP_PORT"])
        self.user = config.get("MARKET_SMTP_USER") or ""
        self.password = config.get("MARKET_SMTP_PASSWORD") or ""
        self.tls = (config.get("MARKET_SMTP_TLS") or "starttls").lower()
        self.timeout = float(config["MARKET_SMTP_TIMEOUT_SECONDS"])
        self._smtp: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        context = ssl.create_default_context()
        if self.tls == "ssl":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                self.host, self.port, timeout=self.timeout, context=context
            )
        else:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        try:
            if self.tls == "starttls":
                smtp.starttls(context=context)
            if self.user:
                smtp.login(self.user, self.password)
        except BaseException:
            smtp.close()
            raise
        return smtp

    def send(self, claimed: _Claimed, email: EmailMessage) -> None:
        if self._smtp is None:
            self._smtp = self._connect()
        try:
            self._smtp.send_message(email)
        except smtplib.SMTPRecipientsRefused as error:
            codes = [code for code, _text in error.recipients.values()]
            raise MessageRefused(
                f"recipient refused: {error.recipients}",
                permanent=bool(codes) and all(code >= 500 for code in codes),
            ) from error
        except smtplib.SMTPDataError as error:
            raise MessageRefused(
                f"message refused: {error.smtp_code} {error.smtp_error!r}",
                permanent=error.smtp_code >= 500,
            ) from error
        except smtplib.SMTPSenderRefused as error:
            raise MessageRefused(
                f"sender refused: {error.smtp_code} {error.smtp_error!r}",
                permanent=False,
            ) from error

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            pass
        finally:
            smtp.close()


class OutboxTransport:
    """The embedded default: each message an .eml file in the outbox folder."""

    def __init__(self, directory: str):
        self.directory = Path(directory)

    def send(self, claimed: _Claimed, email: EmailMessage) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        # Named after the message, so sending it again replaces the same file.
        name = f"{claimed.created_at:%Y%m%d-%H%M%S}-{claimed.id}.eml"
        temporary = self.directory / f".{name}.tmp"
        with open(temporary, "wb") as handle:
            handle.write(email.as_bytes())
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, self.directory / name)

    def close(self) -> None:
        pass


def open_transport(config):
    """SMTP when MARKET_SMTP_HOST is set, else the outbox folder."""
    if config.get("MARKET_SMTP_HOST"):
        return SmtpTransport(config)
    return OutboxTransport(config["MARKET_MAIL_OUTBOX_DIR"])


def build_email(claimed: _Claimed, sender: str, domain: str) -> EmailMessage:
    """The RFC 5322 message: UTF-8 subject and body (base64, safe for any server)."""
    email = EmailMessage()
    email["From"] = sender
    email["To"] = claimed.recipient
    email["Subject"] = claimed.subject
    email["Date"] = format_datetime(claimed.created_at)
    email["Message-ID"] = (
        f"<{claimed.created_at:%Y%m%d%H%M%S}.{claimed.id}.market@{domain}>"
    )
    email["Auto-Submitted"] = "auto-generated"
    email.set_content(claimed.body, charset="utf-8", cte="base64")
    return email


# --- sending the queue ------------------------------------------------------------


def send_queued_mail(limit: int | None = None) -> MailReport:
    """Send the messages that are due (at most `limit`); commits its own work.

    Stops early when the server cannot be reached: the rest waits for the next run.
    """
    config = current_app.config
    report = MailReport()
    transport = open_transport(config)
    sender = config["MARKET_MAIL_FROM"]
    domain = mail_domain()
    handled = 0
    try:
        while limit is None or handled < limit:
            size = BATCH if limit is None else min(BATCH, limit - handled)
            claimed = _claim(size)
            if not claimed:
                break
            handled += len(claimed)
            if not _deliver(transport, claimed, sender, domain, report):
                break
    finally:
        transport.close()
        db.session.rollback()
    if report.sent or report.retrying or report.failed:
        log.info("mail: %s", report)
    return report


def _claim(size: int) -> list[_Claimed]:
    now = utcnow()
    query = (
        select(MailMessage)
        .where(
            MailMessage.status == MailStatus.QUEUED,
            MailMessage.next_attempt_at <= now,
        )
        .order_by(MailMessage.next_attempt_at, MailMessage.id)
        .limit(size)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        # Another sender skips the rows this one is leasing.
        query = query.with_for_update(skip_locked=True)
    try:
        messages = db.session.scalars(query).all()
        claimed = []
        for message in messages:
            message.next_attempt_at = now + LEASE
            claimed.append(
                _Claimed(
                    id=message.id,
                    recipient=message.recipient,
                    subject=message.subject,
                    body=message.body,
                    created_at=message.created_at,
                )
            )
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return claimed


def _deliver(transport, claimed: list[_Claimed], sender, domain, report) -> bool:
    """Send each claimed message; False when the server failed as a whole."""
    for position, item in enumerate(claimed):
        try:
            transport.send(item, build_email(item, sender, domain))
        except MessageRefused as error:
            _record_failure(item.id, str(error), error.permanent, report)
        except Exception as error:  # the server or the folder: stop this run
            _record_failure(item.id, _describe(error), False, report)
            transport.close()
            _release([rest.id for rest in claimed[position + 1 :]])
            return False
        else:
            _record_sent(item.id, report)
    return True


def _describe(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"[:ERROR_CHARS]


def pause_after(attempts: int) -> timedelta:
    """The pause before attempt number attempts + 1: doubling, at most 6 hours."""
    base = timedelta(seconds=current_app.config["MARKET_MAIL_RETRY_SECONDS"])
    return min(base * 2 ** max(attempts - 1, 0), MAX_PAUSE)


def _record_sent(message_id: int, report: MailReport) -> None:
    message = db.session.get(MailMessage, message_id)
    if message is None:
        db.session.rollback()
        return
    message.status = MailStatus.SENT
    message.sent_at = utcnow()
    message.last_error = None
    _forget_secret(message)
    db.session.commit()
    report.sent += 1


def _forget_secret(message: MailMessage) -> None:
    """A sensitive message's body goes once it will not be sent again."""
    if message.sensitive:
        message.body = ""


def _record_failure(
    message_id: int, error: str, permanent: bool, report: MailReport
) -> None:
    message = db.session.get(MailMessage, message_id)
    if message is None:
        db.session.rollback()
        return
    message.attempts += 1
    message.last_error = error[:ERROR_CHARS]
    if permanent or message.attempts >= current_app.config["MARKET_MAIL_MAX_ATTEMPTS"]:
        message.status = MailStatus.FAILED
        _forget_secret(message)
        report.failed += 1
        log.warning(
            "mail %s failed for good after %d attempts: %s",
            message.id,
            message.attempts,
            message.last_error,
        )
    else:
        message.next_attempt_at = utcnow() + pause_after(message.attempts)
        report.retrying += 1
        log.warning(
            "mail %s: attempt %d failed, retrying at %s: %s",
            message.id,
            message.attempts,
            message.next_attempt_at,
            message.last_error,
        )
    db.session.commit()


def _release(message_ids: list[int]) -> None:
    """Give back messages not tried in this run: due again after the first pause."""
    if not message_ids:
        return
    due = utcnow() + pause_after(1)
    for message in db.session.scalars(
        select(MailMessage).where(MailMessage.id.in_(message_ids))
    ):
        message.next_attempt_at = due
    db.session.commit()


# --- the worker -------------------------------------------------------------------


def run_mail_worker(
    app: Flask,
    stop: threading.Event | None = None,
    wake: threading.Event | None = None,
    interval: float = POLL_SECONDS,
) -> None:
    """Send the queue, then wait for a wake-up (a commit that queued mail) or the
    interval, until `stop` is set. Errors are logged; the next round tries again."""
    stop = stop or threading.Event()
    wake = wake or threading.Event()
    while not stop.is_set():
        wake.clear()
        try:
            with app.app_context():
                send_queued_mail()
        except Exception:
            log.exception("mail worker: failed, trying again in %.0f s", interval)
        wake.wait(interval)


_worker_lock = threading.Lock()


def start_mail_worker(app: Flask) -> threading.Thread:
    """Start (once per process) the daemon thread that sends the queue."""
    with _worker_lock:
        state = app.extensions.get(EXTENSION_KEY)
        if state and state["pid"] == os.getpid() and state["thread"].is_alive():
            return state["thread"]
        stop, wake = threading.Event(), threading.Event()
        thread = threading.Thread(
            target=run_mail_worker,
            args=(app, stop, wake),
            name="mail-sender",
            daemon=True,
        )
        app.extensions[EXTENSION_KEY] = {
            "pid": os.getpid(),
            "thread": thread,
            "stop": stop,
            "wake": wake,
        }
        thread.start()
        return thread


def stop_mail_worker(app: Flask, timeout: float = 15.0) -> None:
    """Ask the worker thread to finish its round and stop (tests, shutdown)."""
    state = app.extensions.pop(EXTENSION_KEY, None)
    if state and state["pid"] == os.getpid():
        state["stop"].set()
        state["wake"].set()
        state["thread"].join(timeout)


def wake_mail_worker(app: Flask) -> None:
    """Have this process's worker thread look at the queue now (if it runs)."""
    state = app.extensions.get(EXTENSION_KEY)
    if state and state["pid"] == os.getpid():
        state["wake"].set()


def register_mail_worker(app: Flask) -> None:
    """With MARKET_MAIL_WORKER == "thread", start the worker on the first request
    (lazily: commands start no thread, and each forked server worker its own)."""
    if app.config.get("MARKET_MAIL_WORKER", "thread") != "thread":
        return

    @app.before_request
    def _start_mail_worker() -> None:
        start_mail_worker(app)


# Both events fire for savepoints too; only the outermost transaction counts.


@event.listens_for(Session, "after_commit")
def _wake_after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return
    if session.info.pop(MAIL_QUEUED, False) and has_app_context():
        wake_mail_worker(current_app)


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    if not session.in_nested_transaction():
        session.info.pop(MAIL_QUEUED, None)
