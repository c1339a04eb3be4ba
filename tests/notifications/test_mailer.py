"""The mail queue: .eml files in the embedded default, SMTP delivery, failures that
leave the message queued with its error and a growing pause, and never a request
waiting for the mail server."""

import email
import threading
import time
from datetime import timedelta
from email import policy
from pathlib import Path

import pytest

from market.database import utcnow
from market.extensions import db
from market.notifications import mailer
from market.notifications.mailer import (
    send_queued_mail,
    start_mail_worker,
    stop_mail_worker,
)
from market.notifications.models import MailMessage, MailStatus
from market.notifications.services import queue_mail
from market.saved_searches.models import SavedSearch
from tests.listings.conftest import Client
from tests.notifications.conftest import mail_queue
from tests.notifications.smtp_server import closed_port

SUBJECT = "新询价：S11-M-400/10 油浸式变压器"
BODY = "您好，\n\n济南某电力公司询价。\nhttp://localhost:5000/listings/1\n"


def queue(app, count=1, recipient="buyer@example.com") -> list[int]:
    with app.app_context():
        messages = [
            queue_mail(recipient, SUBJECT, f"{BODY}{n}\n") for n in range(count)
        ]
        db.session.commit()
        return [message.id for message in messages]


def send(app, limit=None):
    with app.app_context():
        return send_queued_mail(limit)


def use_smtp(app, port, **extra):
    app.config.update(
        MARKET_SMTP_HOST="127.0.0.1",
        MARKET_SMTP_PORT=port,
        MARKET_SMTP_TLS="none",
        MARKET_SMTP_TIMEOUT_SECONDS=2,
        **extra,
    )


def outbox_files(app) -> list[Path]:
    return sorted(Path(app.config["MARKET_MAIL_OUTBOX_DIR"]).glob("*.eml"))


# --- the embedded default: files ----------------------------------------------------


def test_send_mail_writes_eml_files_in_the_embedded_default(app, runner):
    assert not app.config.get("MARKET_SMTP_HOST")
    ids = queue(app, 2)

    result = runner.invoke(args=["send-mail"])

    assert result.exit_code == 0, result.output
    assert "2 sent, 0 to retry, 0 failed" in result.output
    files = outbox_files(app)
    assert [f.name.rsplit("-", 1)[1] for f in files] == [f"{i}.eml" for i in ids]
    assert not list(Path(app.config["MARKET_MAIL_OUTBOX_DIR"]).glob(".*"))
    message = email.message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert message["Subject"] == SUBJECT
    assert message["To"] == "buyer@example.com"
    assert message["From"] == app.config["MARKET_MAIL_FROM"]
    assert message["Message-ID"].endswith("@localhost>")
    assert message.get_content_type() == "text/plain"
    assert message.get_content_charset() == "utf-8"
    assert message.get_content() == f"{BODY}0\n"
    assert {m["status"] for m in mail_queue(app)} == {MailStatus.SENT}
    assert all(m["sent_at"] is not None for m in mail_queue(app))
    # Drained: a second run sends nothing.
    assert "0 sent" in runner.invoke(args=["send-mail"]).output
    assert len(outbox_files(app)) == 2


def test_send_mail_limit_sends_the_oldest_first(app, runner):
    ids = queue(app, 3)
    result = runner.invoke(args=["send-mail", "--limit", "2"])
    assert "2 sent" in result.output
    statuses = {m["id"]: m["status"] for m in mail_queue(app)}
    assert statuses == {
        ids[0]: MailStatus.SENT,
        ids[1]: MailStatus.SENT,
        ids[2]: MailStatus.QUEUED,
    }


# --- SMTP -----------------------------------------------------------------------------


def test_a_working_smtp_server_receives_the_message(app, smtp_server):
    server = smtp_server(credentials=("mailer", "s3cret-pass"))
    use_smtp(
        app, server.port, MARKET_SMTP_USER="mailer", MARKET_SMTP_PASSWORD="s3cret-pass"
    )
    queue(app, 2)

    report = send(app)

    assert (report.sent, report.retrying, report.failed) == (2, 0, 0)
    assert server.connections == 1  # one connection for the run
    assert server.logins == [("mailer", "s3cret-pass")]
    assert [r.recipients for r in server.received] == [["buyer@example.com"]] * 2
    message = email.message_from_bytes(server.received[0].data, policy=policy.default)
    assert message["Subject"] == SUBJECT
    assert message.get_content() == f"{BODY}0\n"
    assert {m["status"] for m in mail_queue(app)} == {MailStatus.SENT}
    assert outbox_files(app) == []


@pytest.mark.parametrize("mode", ["close", "refused-connection"])
def test_a_failing_server_leaves_the_message_queued_with_its_error_and_a_pause(
    app, smtp_server, mode
):
    port = closed_port() if mode == "refused-connection" else smtp_server("close").port
    use_smtp(app, port)
    [message_id] = queue(app)
    before = utcnow()

    report = send(app)

    assert (report.sent, report.retrying, report.failed) == (0, 1, 0)
    [row] = mail_queue(app)
    assert row["status"] is MailStatus.QUEUED
    assert row["attempts"] == 1
    assert row["last_error"]
    assert row["sent_at"] is None
    retry = app.config["MARKET_MAIL_RETRY_SECONDS"]
    assert before + timedelta(seconds=retry) <= row["next_attempt_at"]
    assert row["next_attempt_at"] <= utcnow() + timedelta(seconds=retry)
    # Not due yet: the next run leaves it alone.
    assert send(app).retrying == 0
    assert mail_queue(app)[0]["attempts"] == 1


def test_the_pause_doubles_and_the_last_attempt_marks_the_message_failed(app):
    use_smtp(app, closed_port(), MARKET_MAIL_MAX_ATTEMPTS=3)
    [message_id] = queue(app)
    pauses = []
    for _attempt in range(3):
        started = utcnow()
        send(app)
        row = mail_queue(app)[0]
        pauses.append((row["next_attempt_at"] - started).total_seconds())
        with app.app_context():  # make it due again
            db.session.get(MailMessage, message_id).next_attempt_at = utcnow()
            db.session.commit()
    row = mail_queue(app)[0]
    assert row["status"] is MailStatus.FAILED
    assert row["attempts"] == 3
    # The pause counts from when the attempt failed, a moment after `started`.
    assert 60 <= pauses[0] < 70 and 120 <= pauses[1] < 130, pauses
    assert "ConnectionRefusedError" in row["last_error"]


def test_a_refused_recipient_fails_at_once_and_the_others_still_go(app, smtp_server):
    server = smtp_server("refuse")
    use_smtp(app, server.port)
    queue(app, 2)
    report = send(app)
    assert (report.sent, report.retrying, report.failed) == (0, 0, 2)
    assert {m["status"] for m in mail_queue(app)} == {MailStatus.FAILED}
    assert "550" in mail_queue(app)[0]["last_error"]


def test_a_busy_recipient_is_retried(app, smtp_server):
    use_smtp(app, smtp_server("busy").port)
    queue(app)
    assert send(app).retrying == 1
    assert mail_queue(app)[0]["status"] is MailStatus.QUEUED


def test_an_unreachable_server_stops_the_run_and_gives_the_rest_back(app):
    use_smtp(app, closed_port())
    queue(app, 3)
    report = send(app)
    assert (report.sent, report.retrying, report.failed) == (0, 1, 0)
    rows = mail_queue(app)
    assert [m["attempts"] for m in rows] == [1, 0, 0]
    assert all(m["status"] is MailStatus.QUEUED for m in rows)
    assert all(m["next_attempt_at"] > utcnow() for m in rows)


def test_two_senders_send_each_message_once(app, monkeypatch):
    ids = queue(app, 12)
    sent: list[int] = []
    lock = threading.Lock()

    class Recording:
        def send(self, claimed, message):
            time.sleep(0.01)
            with lock:
                sent.append(claimed.id)

        def close(self):
            pass

    monkeypatch.setattr(mailer, "open_transport", lambda config: Recording())
    monkeypatch.setattr(mailer, "BATCH", 3)
    errors = []

    def run():
        try:
            send(app)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert sorted(sent) == ids
    assert {m["status"] for m in mail_queue(app)} == {MailStatus.SENT}


def test_a_leased_message_is_not_claimed_again(app):
    [message_id] = queue(app)
    with app.app_context():
        claimed = mailer._claim(10)
        assert [c.id for c in claimed] == [message_id]
        assert mailer._claim(10) == []
        db.session.get(MailMessage, message_id).next_attempt_at = utcnow()
        db.session.commit()
        assert [c.id for c in mailer._claim(10)] == [message_id]


# --- a request never waits for the mail server ----------------------------------------


def test_a_silent_smtp_server_never_slows_the_request_that_queues_mail(
    app, smtp_server, factory, make_listing, approved, other
):
    server = smtp_server("silent")
    use_smtp(app, server.port, MARKET_MAIL_WORKER="thread")
    with app.app_context():
        db.session.add(
            SavedSearch(
                user_id=other["user_id"],
                enterprise_id=other["id"],
                name="变压器",
                params={"q": "变压器"},
            )
        )
        db.session.commit()
    pending = make_listing(approved, status="pending")
    moderator = factory.moderator()
    client = Client(app, moderator)
    start_mail_worker(app)  # as the first request of the process would
    try:
        started = time.monotonic()
        response = client.post(f"/moderation/listings/{pending.id}/approve")
        elapsed = time.monotonic() - started
        assert response.status_code == 302
        assert elapsed < 1.0, f"the approval took {elapsed:.2f} s"
        # The worker, woken by the commit, waits for the server in the background.
        for _ in range(100):
            if server.connections:
                break
            time.sleep(0.05)
        assert server.connections >= 1
        [row] = mail_queue(app)
        assert row["recipient"] == other["email"]
        assert row["status"] is MailStatus.QUEUED
    finally:
        stop_mail_worker(app)
    [row] = mail_queue(app)
    assert row["status"] is MailStatus.QUEUED
    assert row["attempts"] == 1
    assert "timed out" in row["last_error"]
    assert row["next_attempt_at"] > utcnow()


def test_the_worker_thread_sends_after_the_commit(app, approved, make_listing):
    app.config["MARKET_MAIL_WORKER"] = "thread"
    start_mail_worker(app)
    try:
        queue(app)
        for _ in range(100):
            if outbox_files(app):
                break
            time.sleep(0.05)
    finally:
        stop_mail_worker(app)
    assert len(outbox_files(app)) == 1
    assert mail_queue(app)[0]["status"] is MailStatus.SENT
