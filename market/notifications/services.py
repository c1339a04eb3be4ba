"""Telling an enterprise something: one inbox entry per event, never twice."""

import logging

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from market.extensions import db
from market.notifications.models import Notification, NotificationKind

log = logging.getLogger(__name__)


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
    """Add an inbox entry unless one with the same dedupe key exists; None if it did."""
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
    return notification
