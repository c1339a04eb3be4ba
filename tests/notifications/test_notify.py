"""notify(): one inbox entry per event, its e-mails in the same transaction, muting,
and the e-mails' language and links."""

import email
from email import policy
from pathlib import Path

import pytest

from market.accounts.models import User
from market.extensions import db
from market.listings.models import Listing
from market.notifications.models import MailStatus, NotificationKind
from market.notifications.presentation import render_mail
from market.notifications.services import notify
from tests.notifications.conftest import mail_queue, notifications_of


def _notify_match(app, enterprise, own_id, other_id, key="match:1:a"):
    with app.app_context():
        notification = notify(
            enterprise["id"],
            NotificationKind.MATCH,
            key,
            listing_id=own_id,
            counterpart_listing_id=other_id,
            payload={"score": 87},
        )
        db.session.commit()
        return notification.id if notification else None


def test_notifying_twice_gives_one_entry_and_one_set_of_mails(
    app, approved, other, make_listing, add_user
):
    add_user(approved)  # a colleague with an address: gets a copy
    add_user(approved, email=None)  # no address: no mail
    add_user(approved, active=False)  # inactive: no mail
    add_user(other)  # another enterprise: nothing
    own = make_listing(approved, kind="wanted")
    theirs = make_listing(other, status="draft")  # no real match is made

    first = _notify_match(app, approved, own.id, theirs.id)
    second = _notify_match(app, approved, own.id, theirs.id)

    assert first is not None and second is None
    entries = notifications_of(app, approved["id"])
    assert [e["kind"] for e in entries] == [NotificationKind.MATCH]
    mails = mail_queue(app)
    assert sorted(m["recipient"] for m in mails) == sorted(
        [approved["email"], f"colleague1.{approved['id']}@example.com"]
    )
    assert {m["notification_id"] for m in mails} == {first}
    assert {m["status"] for m in mails} == {MailStatus.QUEUED}
    assert notifications_of(app, other["id"]) == []


def test_a_post_with_muted_alerts_tells_its_owner_nothing(
    app, approved, other, make_listing
):
    own = make_listing(approved, kind="wanted")
    theirs = make_listing(other, status="draft")  # no real match is made
    with app.app_context():
        db.session.get(Listing, own.id).alerts_muted = True
        db.session.commit()

    assert _notify_match(app, approved, own.id, theirs.id, "match:1:wanted") is None
    # The other side still hears about the match of its own (unmuted) post.
    assert _notify_match(app, other, theirs.id, own.id, "match:1:offer") is not None

    assert notifications_of(app, approved["id"]) == []
    assert [e["listing_id"] for e in notifications_of(app, other["id"])] == [theirs.id]
    assert [m["recipient"] for m in mail_queue(app)] == [other["email"]]


def test_muting_never_silences_inquiries(app, approved, make_listing):
    own = make_listing(approved)
    with app.app_context():
        db.session.get(Listing, own.id).alerts_muted = True
        notification = notify(
            approved["id"],
            NotificationKind.INQUIRY_RECEIVED,
            "inquiry:1:received",
            listing_id=own.id,
            payload={"sender": "济南某电力公司"},
        )
        db.session.commit()
    assert notification is not None


def test_mail_is_queued_in_the_notifying_transaction_and_rolls_back_with_it(
    app, approved, other, make_listing
):
    own = make_listing(approved, kind="wanted")
    theirs = make_listing(other, status="draft")  # no real match is made
    with app.app_context():
        notify(
            approved["id"],
            NotificationKind.MATCH,
            "match:rolled-back",
            listing_id=own.id,
            counterpart_listing_id=theirs.id,
        )
        db.session.flush()
        db.session.rollback()
    assert notifications_of(app, approved["id"]) == []
    assert mail_queue(app) == []
    # Nothing was told, so the same event can still be told.
    assert _notify_match(app, approved, own.id, theirs.id, "match:rolled-back")
    assert len(mail_queue(app)) == 1


def test_mail_comes_in_the_recipients_language(app, approved, make_listing, add_user):
    english = add_user(approved, locale="en")
    own = make_listing(approved)
    with app.app_context():
        notify(
            approved["id"],
            NotificationKind.INQUIRY_RECEIVED,
            "inquiry:2:received",
            listing_id=own.id,
            payload={"sender": "济南某电力公司"},
        )
        db.session.commit()
        english_email = db.session.get(User, english).email
    mails = {m["recipient"]: m for m in mail_queue(app)}
    # Chinese by default: the footer's platform name has its translation already.
    assert "电力二手设备供需平台" in mails[approved["email"]]["body"]
    assert "Power Equipment Exchange" in mails[english_email]["body"]
    assert mails[english_email]["subject"].startswith("New inquiry on “S11-M-400/10")
    assert "济南某电力公司 sent an inquiry on your post" in mails[english_email]["body"]


@pytest.mark.parametrize("kind", list(NotificationKind))
def test_every_kind_has_a_subject_a_sentence_and_a_link(
    app, approved, other, make_listing, add_user, kind
):
    english = add_user(approved, locale="en", name="Li Lei")
    own = make_listing(approved)
    theirs = make_listing(other, title="Theirs")
    with app.app_context():
        notification = notify(
            approved["id"],
            kind,
            f"{kind.value}:1",
            listing_id=own.id,
            counterpart_listing_id=(
                theirs.id if kind is NotificationKind.MATCH else None
            ),
            payload={"sender": "Other Co.", "search_name": "Transformers",
                     "excerpt": "Is it still there?", "price": "26,000"},
        )  # fmt: skip
        subject, body = render_mail(notification, db.session.get(User, english))
        db.session.rollback()
    assert subject and "\n" not in subject
    assert body.startswith("Hello Li Lei,\n")
    link = "http://localhost:5000/listings/"
    if kind is NotificationKind.MATCH:
        assert f"{link}{theirs.id}\n" in body  # the other side's post
    else:
        assert f"{link}{own.id}\n" in body
    assert "http://localhost:5000/notifications/\n" in body


def test_mail_links_use_the_configured_address_never_the_request_host(
    app, approved, make_listing
):
    listing_id = make_listing(approved).id
    app.config["MARKET_BASE_URL"] = "https://market.example.cn/"
    with app.test_request_context("/", base_url="http://evil.example"):
        notification = notify(
            approved["id"],
            NotificationKind.INQUIRY_MESSAGE,
            "inquiry:3:message:1",
            listing_id=listing_id,
        )
        user = db.session.get(User, approved["user_id"])
        _subject, body = render_mail(notification, user)
        db.session.rollback()
    assert f"https://market.example.cn/listings/{listing_id}\n" in body
    assert "https://market.example.cn/notifications/\n" in body
    assert "evil.example" not in body


def test_an_eml_file_is_a_readable_utf8_message(app, approved, make_listing, runner):
    own = make_listing(approved)
    with app.app_context():
        notify(approved["id"], NotificationKind.INQUIRY_RECEIVED, "inquiry:4",
               listing_id=own.id, payload={"sender": "济南某电力公司"})  # fmt: skip
        db.session.commit()
    result = runner.invoke(args=["send-mail"])
    assert result.exit_code == 0, result.output
    assert "1 sent" in result.output
    files = sorted(Path(app.config["MARKET_MAIL_OUTBOX_DIR"]).glob("*.eml"))
    assert len(files) == 1
    message = email.message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert message["To"] == approved["email"]
    assert "S11-M-400/10" in message["Subject"]
    assert "济南某电力公司" in message.get_content()
