"""Telling enterprises about new posts that match their saved searches.

A receiver of listing_published (sent inside the publishing transaction): the
new post is checked against every unmuted saved search of the other enterprises
(SQL leaves out those whose kind or category rules it out; the rest is judged in
Python, matching.py), and each enterprise with a matching search gets one inbox
entry, with its e-mails, through one notify_many(). The dedupe key is per saved
search and post, and an enterprise already told about the post by a saved search
is not told again: a post published again after an approved edit, or two
colleagues' similar searches, never tell one enterprise twice.
"""

import logging
from functools import lru_cache

from flask import Flask
from sqlalchemy import Text, cast, or_, select
from sqlalchemy.sql.elements import ColumnElement

from market.accounts.models import User
from market.domain.categories import list_children, list_top_levels
from market.extensions import db
from market.listings import queries
from market.listings.models import Listing
from market.listings.signals import listing_published
from market.notifications.models import Notification, NotificationKind
from market.notifications.services import NotificationDraft, notify_many
from market.saved_searches.matching import ListingMatcher, stored_search_params
from market.saved_searches.models import SavedSearch

log = logging.getLogger(__name__)


def dedupe_key(saved_search_id: int, listing_id: int) -> str:
    return f"saved_search:{saved_search_id}:listing:{listing_id}"


def alert_saved_searches(listing: Listing) -> list[Notification]:
    """Notify the enterprises whose saved searches match the (public) post."""
    if not queries.is_public(listing):
        return []
    matcher = ListingMatcher(listing)
    # Columns, not objects; the params as their JSON text, parsed once per text.
    searches = db.session.execute(
        select(
            SavedSearch.id,
            SavedSearch.enterprise_id,
            SavedSearch.name,
            cast(SavedSearch.params, Text),
        )
        .join(User, User.id == SavedSearch.user_id)
        .where(
            SavedSearch.muted.is_(False),
            SavedSearch.enterprise_id != listing.enterprise_id,
            User.active.is_(True),
            *_kind_and_category_allow(matcher.document),
        )
        .order_by(SavedSearch.id)
    ).all()
    if not searches:
        return []
    told = set(
        db.session.scalars(
            select(Notification.enterprise_id).where(
                Notification.kind == NotificationKind.SAVED_SEARCH,
                Notification.listing_id == listing.id,
            )
        )
    )
    drafts = []
    for search_id, enterprise_id, name, params in searches:
        if enterprise_id in told or not matcher.matches(
            stored_search_params(params or "{}")
        ):
            continue
        told.add(enterprise_id)
        drafts.append(
            NotificationDraft(
                enterprise_id,
                NotificationKind.SAVED_SEARCH,
                dedupe_key(search_id, listing.id),
                listing_id=listing.id,
                saved_search_id=search_id,
                payload={"title": listing.title, "search_name": name},
            )
        )
    sent = notify_many(drafts)
    if sent:
        log.info("listing %s: %d saved-search alerts", listing.id, len(sent))
    return sent


def _kind_and_category_allow(document: dict) -> list[ColumnElement]:
    """SQL conditions leaving out the saved searches whose kind or category filter
    rules the post out, as ListingMatcher would (a value the search page ignores,
    such as an unknown category, rules nothing out); Python judges the rest."""
    kind = SavedSearch.params["kind"].as_string()
    category = SavedSearch.params["category"].as_string()
    return [
        or_(
            kind.is_(None),
            kind.not_in(("offer", "wanted")),
            kind == document["kind"],
        ),
        or_(
            category.is_(None),
            category.not_in(_category_slugs()),
            category.in_((document["category"], document["family"])),
        ),
    ]


@lru_cache(maxsize=1)
def _category_slugs() -> tuple[str, ...]:
    return tuple(
        slug
        for top in list_top_levels()
        for slug in (top.slug, *(kid.slug for kid in list_children(top.slug)))
    )


def _on_listing_published(sender, listing: Listing, **extra) -> None:
    alert_saved_searches(listing)


def register_saved_search_alerts(app: Flask) -> None:
    """Listen to listing_published (blinker: connecting twice is connecting once)."""
    listing_published.connect(_on_listing_published)
