"""Telling an enterprise something: one inbox entry per event, never twice, and its
e-mails queued in the same transaction; reading entries; muting a post's alerts.

Who calls notify() (inquiries) or notify_many() with NotificationDrafts (matching
and saved searches: one batch per publication) passes the ids the entry is about:

- MATCH: listing_id = the recipient's own post, counterpart_listing_id = the other
  side's post, match_id; one call per side, dedupe key per pair and side.
- SAVED_SEARCH: listing_id = the new post, saved_search_id.
- INQUIRY_*: inquiry_id and listing_id = the inquiry's post; payload "sender"
  (the other enterprise's name) and "excerpt" are optional.

See presentation.py for the payload keys the messages read.
"""

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, make_transient_to_detached

from market.accounts.models import User
from market.database import insert_skipping_conflicts, utcnow
from market.exceptions import NotAllowed
from market.extensions import db
from market.listings.models import Listing
from market.notifications.models import MailMessage, Notification, NotificationKind
from market.notifications.presentation import render_all_mails

log = logging.getLogger(__name__)

# Set on the session when mail was queued; the mail worker is woken after commit.
MAIL_QUEUED = "market.mail_queued"
# The kinds an owner can silence per post (Listing.alerts_muted).
MUTABLE_KINDS = frozenset({NotificationKind.MATCH, NotificationKind.SAVED_SEARCH})
# Ids per IN list: well inside every driver's limit of parameters.
CHUNK = 500

_N = Notification.__table__
_M = MailMessage.__table__


@dataclass(frozen=True)
class NotificationDraft:
    """One inbox entry to add: notify()'s arguments (see the module docstring)."""

    enterprise_id: int
    kind: NotificationKind
    dedupe_key: str
    listing_id: int | None = None
    counterpart_listing_id: int | None = None
    match_id: int | None = None
    inquiry_id: int | None = None
    saved_search_id: int | None = None
    payload: dict | None = field(default=None, hash=False, compare=False)


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
    added = notify_many(
        [
            NotificationDraft(
                enterprise_id,
                NotificationKind(kind),
                dedupe_key,
                listing_id=listing_id,
                counterpart_listing_id=counterpart_listing_id,
                match_id=match_id,
                inquiry_id=inquiry_id,
                saved_search_id=saved_search_id,
                payload=payload,
            )
        ]
    )
    return added[0] if added else None


def notify_many(drafts: Iterable[NotificationDraft]) -> list[Notification]:
    """notify() for many entries at once, with its rules, in a few statements
    whatever their number; the entries added, in the drafts' order. No commit.

    A draft is left out when its recipient muted the post it is about, when an
    entry with its dedupe key exists (or an earlier draft has the key), or when a
    concurrent transaction adds that key first: on PostgreSQL and SQLite the
    INSERT skips conflicting keys (ON CONFLICT DO NOTHING), so a twin never fails
    the caller's transaction; elsewhere each entry gets a savepoint.
    """
    unique: dict[str, NotificationDraft] = {}
    for draft in drafts:
        draft = _normalised(draft)
        unique.setdefault(draft.dedupe_key, draft)
    if not unique:
        return []
    muted = _muted_owners(
        post_id
        for draft in unique.values()
        if draft.kind in MUTABLE_KINDS
        for post_id in (draft.listing_id, draft.counterpart_listing_id)
    )
    wanted = []
    for draft in unique.values():
        if _muted_by(muted, draft):
            log.info("notification %s not sent: the post's alerts are muted",
                     draft.dedupe_key)  # fmt: skip
        else:
            wanted.append(draft)
    if not wanted:
        return []
    now = utcnow()
    if insert_skipping_conflicts(_N, [_N.c.dedupe_key]) is not None:
        ids = _insert_skipping_twins(wanted, now)
    else:
        ids = _insert_one_by_one(wanted, now)
    added = [_attached(draft, ids[draft.dedupe_key], now) for draft in wanted
             if draft.dedupe_key in ids]  # fmt: skip
    skipped = len(wanted) - len(added)
    if skipped:
        log.info("%d notifications already sent", skipped)
    queue_notification_mails(added)
    return added


def _normalised(draft: NotificationDraft) -> NotificationDraft:
    if isinstance(draft.kind, NotificationKind):
        return draft
    return replace(draft, kind=NotificationKind(draft.kind))


def _row(draft: NotificationDraft, now) -> dict:
    return {
        "enterprise_id": draft.enterprise_id,
        "kind": draft.kind,
        "dedupe_key": draft.dedupe_key,
        "listing_id": draft.listing_id,
        "counterpart_listing_id": draft.counterpart_listing_id,
        "match_id": draft.match_id,
        "inquiry_id": draft.inquiry_id,
        "saved_search_id": draft.saved_search_id,
        "payload": draft.payload or {},
        "created_at": now,
    }


def _insert_skipping_twins(drafts: list[NotificationDraft], now) -> dict[str, int]:
    """INSERT ... ON CONFLICT (dedupe_key) DO NOTHING RETURNING, for all rows at
    once: dedupe key -> id of the rows it added (existing keys are skipped by the
    unique index, without a SELECT first and without failing the transaction).

    Executed with a list of parameters: SQLAlchemy compiles the statement once
    (cached) and sends the rows as multi-row VALUES batches ("insertmanyvalues").
    """
    statement = insert_skipping_conflicts(_N, [_N.c.dedupe_key])
    assert statement is not None
    statement = statement.returning(_N.c.dedupe_key, _N.c.id)
    rows = [_row(draft, now) for draft in drafts]
    return dict(db.session.execute(statement, rows).all())


def _insert_one_by_one(drafts: list[NotificationDraft], now) -> dict[str, int]:
    """Other databases: one SELECT for the existing keys, then a savepoint per new
    entry, so a concurrent twin loses alone, not the whole request."""
    keys = [draft.dedupe_key for draft in drafts]
    existing = set()
    for start in range(0, len(keys), CHUNK):
        existing.update(
            db.session.scalars(
                select(_N.c.dedupe_key).where(
                    _N.c.dedupe_key.in_(keys[start : start + CHUNK])
                )
            )
        )
    ids = {}
    for draft in drafts:
        if draft.dedupe_key in existing:
            continue
        try:
            with db.session.begin_nested():
                ids[draft.dedupe_key] = db.session.execute(
                    insert(_N).values(_row(draft, now)).returning(_N.c.id)
                ).scalar_one()
        except IntegrityError:
            continue
    return ids


def _attached(draft: NotificationDraft, notification_id: int, now) -> Notification:
    """The inserted row as a persistent Notification of the session (no SQL)."""
    notification = Notification(id=notification_id, read_at=None, **_row(draft, now))
    make_transient_to_detached(notification)
    db.session.add(notification)
    return notification


def _muted_owners(post_ids: Iterable[int | None]) -> dict[int, int]:
    """Muted post id -> owner enterprise id, among ``post_ids``, in one query."""
    ids = sorted({post_id for post_id in post_ids if post_id is not None})
    muted: dict[int, int] = {}
    for start in range(0, len(ids), CHUNK):
        muted.update(
            db.session.execute(
                select(Listing.id, Listing.enterprise_id).where(
                    Listing.id.in_(ids[start : start + CHUNK]),
                    Listing.alerts_muted.is_(True),
                )
            ).all()
        )
    return muted


def _muted_by(muted: dict[int, int], draft: NotificationDraft) -> bool:
    if draft.kind not in MUTABLE_KINDS:
        return False
    return any(
        post_id is not None and muted.get(post_id) == draft.enterprise_id
        for post_id in (draft.listing_id, draft.counterpart_listing_id)
    )


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
    draft = NotificationDraft(
        enterprise_id,
        NotificationKind(kind),
        "",
        listing_id=listing_id,
        counterpart_listing_id=counterpart_listing_id,
    )
    if draft.kind not in MUTABLE_KINDS:
        return False
    return _muted_by(_muted_owners((listing_id, counterpart_listing_id)), draft)


def queue_notification_mail(notification: Notification) -> int:
    """One e-mail per active user of the enterprise who has an address, each in the
    user's language; how many."""
    return queue_notification_mails([notification])


def queue_notification_mails(notifications: Sequence[Notification]) -> int:
    """queue_notification_mail() for many: one query for the users, one for the
    posts' titles, one INSERT for the messages; how many."""
    if not notifications:
        return 0
    enterprise_ids = sorted({n.enterprise_id for n in notifications})
    users_of: dict[int, list[User]] = {}
    for start in range(0, len(enterprise_ids), CHUNK):
        for user in db.session.scalars(
            select(User)
            # The mail's footer names the enterprise: loaded here, not per mail.
            .options(joinedload(User.enterprise))
            .where(
                User.enterprise_id.in_(enterprise_ids[start : start + CHUNK]),
                User.active.is_(True),
                User.email.is_not(None),
                User.email != "",
            )
            .order_by(User.id)
        ):
            users_of.setdefault(user.enterprise_id, []).append(user)
    told = [n for n in notifications if users_of.get(n.enterprise_id)]
    titles = _titles(
        post_id
        for n in told
        for post_id in (n.listing_id, n.counterpart_listing_id)
    )
    mails = render_all_mails(
        [(notification, users_of[notification.enterprise_id]) for notification in told],
        titles,
    )
    now = utcnow()
    rows = [
        {
            "recipient": user.email,
            "subject": subject[:200],
            "body": body,
            "notification_id": notification.id,
            "next_attempt_at": now,
            "created_at": now,
        }
        for (notification, user), (subject, body) in mails
    ]
    if rows:
        db.session.execute(insert(_M), rows)
        db.session.info[MAIL_QUEUED] = True
    return len(rows)


def _titles(post_ids: Iterable[int | None]) -> dict[int, str]:
    """Post id -> title, in one query (instead of loading each post for its mail)."""
    ids = sorted({post_id for post_id in post_ids if post_id is not None})
    titles: dict[int, str] = {}
    for start in range(0, len(ids), CHUNK):
        titles.update(
            db.session.execute(
                select(Listing.id, Listing.title).where(
                    Listing.id.in_(ids[start : start + CHUNK])
                )
            ).all()
        )
    return titles


def queue_mail(
    recipient: str,
    subject: str,
    body: str,
    notification_id: int | None = None,
    sensitive: bool = False,
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
        sensitive=sensitive,
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
