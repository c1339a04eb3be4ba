"""Telling an enterprise something: one inbox entry per event, never twice, and its
e-mails queued in the same transaction; reading entries; muting a post's alerts.

Who calls notify() (matching, saved searches, inquiries) passes the ids the entry
is about:

- MATCH: listing_id = the recipient's own post, counterpart_listing_id = the other
  side's post, match_id; one call per side, dedupe key per pair and side.
- SAVED_SEARCH: listing_id = the new post, saved_search_id.
- INQUIRY_*: inquiry_id and listing_id = the inquiry's post; payload "sender"
  (the other enterprise's name) and "excerpt" are optional.

See presentation.py for the payload keys the messages read.
"""

import logging

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from market.accounts.models import User
from market.database import utcnow
from market.exceptions import NotAllowed
from market.extensions import db
from market.listings.models import Listing
from market.notifications.models import MailMessage, Notification, NotificationKind
from market.notifications.presentation import render_mail

log = logging.getLogger(__name__)

# Set on the session when mail was queued; the mail worker is woken after commit.
MAIL_QUEUED = "market.mail_queued"
# The kinds an owner can silence per post (Listing.alerts_muted).
MUTABLE_KINDS = frozenset({NotificationKind.MATCH, NotificationKind.SAVED_SEARCH})


def notify(
    enterprise_id: int,
    kind: NotificationKind,
    dedupe_key: str,
    *,
    listing_id: int | None = None,
    counterpart_listing_id: int | None = None,
    match_id: int | None = None,
    inquiry_id: int | None = None,
    saved_search_id: int | None = None,
    payload: dict | None = None,
) -> Notification | None:
    """Add an inbox entry and queue its e-mails, unless one with the same dedupe key
    exists or the recipient muted the post it is about; None then. No commit."""
    kind = NotificationKind(kind)
    if is_muted(enterprise_id, kind, listing_id, counterpart_listing_id):
        log.info("notification %s not sent: the post's alerts are muted", dedupe_key)
        return None
    if db.session.scalar(
        select(Notification.id).where(Notification.dedupe_key == dedupe_key)
    ):
        return None
    notification = Notification(
        enterprise_id=enterprise_id,
        kind=kind,
        dedupe_key=dedupe_key,
        listing_id=listing_id,
        counterpart_listing_id=counterpart_listing_id,
        match_id=match_id,
        inquiry_id=inquiry_id,
        saved_search_id=saved_search_id,
        payload=payload or {},
    )
    # A savepoint: a concurrent twin (PostgreSQL) loses alone, not the whole request.
    try:
        with db.session.begin_nested():
            db.session.add(notification)
    except IntegrityError:
        log.info("notification %s already sent", dedupe_key)
        return None
    queue_notification_mail(notification)
    return notification


def is_muted(
    enterprise_id: int,
    kind: NotificationKind,
    listing_id: int | None,
    counterpart_listing_id: int | None = None,
) -> bool:
    """The one muting rule: an owner who muted alerts for a post is told nothing
    about matches and saved-search hits concerning it.

    Only the owner's own notifications are dropped: a match tells the other side
    about its own post as before, and the other side's searches still find the
    post. Inquiries are never muted (someone is waiting for an answer).
    """
    if kind not in MUTABLE_KINDS:
        return False
    for post_id in (listing_id, counterpart_listing_id):
        if post_id is None:
            continue
        listing = db.session.get(Listing, post_id)
        if (
            listing is not None
            and listing.enterprise_id == enterprise_id
            and listing.alerts_muted
        ):
            return True
    return False


def queue_notification_mail(notification: Notification) -> list[MailMessage]:
    """One e-mail per active user of the enterprise who has an address, each in the
    user's language."""
    users = db.session.scalars(
        select(User)
        .where(
            User.enterprise_id == notification.enterprise_id,
            User.active.is_(True),
            User.email.is_not(None),
            User.email != "",
        )
        .order_by(User.id)
    ).all()
    messages = []
    for user in users:
        subject, body = render_mail(notification, user)
        messages.append(queue_mail(user.email, subject, body, notification.id))
    return messages


def queue_mail(
    recipient: str, subject: str, body: str, notification_id: int | None = None
) -> MailMessage:
    """Add a message to the mail queue in the current transaction (no commit).

    It is sent after the commit, by the mail worker or `flask send-mail`; a request
    never talks to the mail server.
    """
    message = MailMessage(
        recipient=recipient,
        subject=subject[:200],
        body=body,
        notification_id=notification_id,
        next_attempt_at=utcnow(),
    )
    db.session.add(message)
    db.session.info[MAIL_QUEUED] = True
    return message


# --- the inbox --------------------------------------------------------------------


def require_recipient(actor: User, notification: Notification) -> None:
    if actor.enterprise_id is None or actor.enterprise_id != notification.enterprise_id:
        raise NotAllowed("not the recipient")


def mark_read(actor: User, notification: Notification) -> Notification:
    """Mark one entry read (for every user of the enterprise); reading twice is fine."""
    require_recipient(actor, notification)
    if notification.read_at is None:
        notification.read_at = utcnow()
    return notification


def mark_all_read(actor: User) -> int:
    """Mark every unread entry of the actor's enterprise read; how many."""
    if actor.enterprise_id is None:
        raise NotAllowed("no enterprise")
    result = db.session.execute(
        update(Notification)
        .where(
            Notification.enterprise_id == actor.enterprise_id,
            Notification.read_at.is_(None),
        )
        .values(read_at=utcnow())
        .execution_options(synchronize_session="fetch")
    )
    return result.rowcount or 0


def count_unread(enterprise_id: int) -> int:
    """Unread entries of an enterprise: one COUNT (the navigation badge)."""
    return (
        db.session.scalar(
            select(func.count(Notification.id)).where(
                Notification.enterprise_id == enterprise_id,
                Notification.read_at.is_(None),
            )
        )
        or 0
    )


# --- muting a post ----------------------------------------------------------------


def set_alerts_muted(actor: User, listing: Listing, muted: bool) -> Listing:
    """The owner mutes (or unmutes) match and saved-search alerts for a post."""
    if not listing.is_owned_by(actor):
        raise NotAllowed("not the owner")
    # Not through the ORM attribute: that would bump updated_at, which is the
    # version the search index and "My posts" go by; muting changes neither.
    db.session.execute(
        update(Listing)
        .where(Listing.id == listing.id)
        .values(alerts_muted=muted, updated_at=Listing.updated_at)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(listing, ["alerts_muted"])
    log.info("listing %s: alerts %s", listing.id, "muted" if muted else "on")
    return listing
