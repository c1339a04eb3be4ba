"""Read-only questions about the inbox: one page of entries, ready to show."""

from dataclasses import dataclass

from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from market.extensions import db
from market.inquiries.models import Inquiry
from market.notifications.links import target_path
from market.notifications.models import Notification
from market.notifications.presentation import KIND_LABELS, details, sentence
from market.saved_searches.models import SavedSearch

PAGE_SIZE = 20


@dataclass
class InboxEntry:
    notification: Notification
    label: str
    sentence: str
    target: str
    # The saved search's results, for saved-search hits whose search still exists.
    results_url: str | None = None


def inbox_page(enterprise_id: int, page: int = 1, per_page: int = PAGE_SIZE):
    """(pagination, entries): an enterprise's entries, newest first."""
    query = (
        select(Notification)
        .where(Notification.enterprise_id == enterprise_id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .options(
            selectinload(Notification.listing),
            selectinload(Notification.counterpart_listing),
        )
    )
    pagination = db.paginate(query, page=page, per_page=per_page, error_out=False)
    items = list(pagination.items)
    inquiries = _by_id(Inquiry, {n.inquiry_id for n in items})
    searches = _by_id(SavedSearch, {n.saved_search_id for n in items})
    entries = []
    for notification in items:
        saved_search = searches.get(notification.saved_search_id)
        values = details(
            notification,
            inquiry=inquiries.get(notification.inquiry_id),
            saved_search=saved_search,
        )
        entries.append(
            InboxEntry(
                notification=notification,
                label=str(KIND_LABELS[notification.kind]),
                sentence=sentence(notification, values),
                target=target_path(notification),
                results_url=url_for("search.page", **saved_search.params)
                if saved_search is not None
                else None,
            )
        )
    return pagination, entries


def _by_id(model, ids: set) -> dict:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    options = []
    if model is Inquiry:
        options = [
            selectinload(Inquiry.listing),
            selectinload(Inquiry.sender_enterprise),
            selectinload(Inquiry.owner_enterprise),
        ]
    rows = db.session.scalars(select(model).where(model.id.in_(ids)).options(*options))
    return {row.id: row for row in rows}
