"""Listing rules: drafting, the review lifecycle, revisions of published posts."""

import logging
from datetime import date, timedelta
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from market.accounts.models import User
from market.database import china_today, utcnow
from market.enterprises.models import Enterprise, EnterpriseStatus
from market.exceptions import InvalidTransition, NotAllowed, ValidationFailed
from market.extensions import db
from market.listings.models import (
    Deal,
    Listing,
    ListingAction,
    ListingEvent,
    ListingKind,
    ListingRevision,
    ListingStatus,
    RevisionStatus,
)
from market.listings.validation import (
    DEFAULT_VALIDITY_DAYS,
    ListingInput,
    validate_listing,
)
from market.listings.signals import listing_published
from market.search import enqueue_listing

log = logging.getLogger(__name__)

# Fields a revision may change; the rest (owner, kind, state) never move by edit.
REVISABLE_FIELDS = (
    "category_slug", "title", "manufacturer", "model_raw", "year_made",
    "service_years", "asset_source", "condition_grade", "quantity", "unit",
    "price_cny", "negotiable", "specs", "scrap_only", "province_code", "city_code",
    "district_code", "address", "description", "valid_until", "wanted_by",
    "contact_name", "contact_mobile",
)  # fmt: skip
EDITABLE_IN_PLACE = (ListingStatus.DRAFT, ListingStatus.REJECTED, ListingStatus.PENDING)
OPEN_STATES = (ListingStatus.DRAFT, ListingStatus.PENDING, ListingStatus.PUBLISHED)
CENTS = Decimal("0.01")
MAX_PRICE = Decimal("1000000000")


def today() -> date:
    return china_today()


def require_publisher(actor: User) -> Enterprise:
    """Only users of an approved enterprise write listings."""
    if actor.enterprise is None or actor.enterprise.status is not EnterpriseStatus.APPROVED:
        raise NotAllowed("only approved enterprises publish")
    return actor.enterprise


def create_listing(actor: User, data: ListingInput, submit: bool = False) -> Listing:
    """A new draft (or, with submit, a post waiting for review)."""
    enterprise = require_publisher(actor)
    fields, reasons = validate_listing(data, today())
    if reasons:
        raise ValidationFailed(reasons)
    listing = Listing(
        enterprise=enterprise,
        enterprise_id=enterprise.id,
        status=ListingStatus.DRAFT,
        **fields,
    )
    db.session.add(listing)
    record_event(listing, actor, ListingAction.CREATED, None)
    if submit:
        submit_listing(actor, listing)
    return listing


def update_listing(actor: User, listing: Listing, data: ListingInput) -> Listing:
    """Edit in place while unpublished; a published post gets a pending revision."""
    require_owner(actor, listing)
    fields, reasons = validate_listing(data, today())
    if reasons:
        raise ValidationFailed(reasons)
    if fields["kind"] is not listing.kind:
        raise ValidationFailed({"kind": [_l("A post's kind cannot be changed.")]})
    if listing.status in EDITABLE_IN_PLACE:
        for name in REVISABLE_FIELDS:
            setattr(listing, name, fields[name])
        return listing
    if listing.status is not ListingStatus.PUBLISHED:
        raise InvalidTransition(listing.status)
    revision = open_revision(actor, listing)
    revision.data = _snapshot(fields)
    revision.created_at = utcnow()
    return listing


def submit_listing(actor: User, listing: Listing) -> Listing:
    require_owner(actor, listing)
    _move(listing, actor, ListingAction.SUBMITTED, (ListingStatus.DRAFT, ListingStatus.REJECTED), ListingStatus.PENDING)
    listing.submitted_at = utcnow()
    listing.status_reason = None
    return listing


def approve_listing(moderator: User, listing: Listing) -> Listing:
    require_moderator(moderator, listing)
    _move(listing, moderator, ListingAction.APPROVED, (ListingStatus.PENDING,), ListingStatus.PUBLISHED)
    listing.published_at = utcnow()
    if listing.kind is ListingKind.OFFER and (
        listing.valid_until is None or listing.valid_until < today()
    ):
        listing.valid_until = today() + timedelta(days=DEFAULT_VALIDITY_DAYS)
    listing.status_reason = None
    _announce(listing)
    return listing


def reject_listing(moderator: User, listing: Listing, reason: str) -> Listing:
    require_moderator(moderator, listing)
    reason = _required_reason(reason)
    _move(listing, moderator, ListingAction.REJECTED, (ListingStatus.PENDING,), ListingStatus.REJECTED, reason)
    listing.status_reason = reason
    return listing


def withdraw_listing(actor: User, listing: Listing) -> Listing:
    require_owner(actor, listing)
    _move(listing, actor, ListingAction.WITHDRAWN, (ListingStatus.PENDING, ListingStatus.PUBLISHED), ListingStatus.WITHDRAWN)
    _drop_pending_revision(listing)
    return listing


def mark_sold(
    actor: User,
    listing: Listing,
    deal_price: Decimal | None = None,
    deal_quantity: Decimal | None = None,
) -> Listing:
    """Close a published post as sold; with a price or quantity, an offer also gets
    a Deal row (buyer unknown), the platform's record of the value traded."""
    require_owner(actor, listing)
    reasons = {}
    if deal_price is not None and not _is_price(deal_price):
        reasons["deal_price"] = [_l("Enter a price in yuan, from 0 to 1,000,000,000.")]
    if deal_quantity is not None and not _is_quantity(deal_quantity, listing.quantity):
        reasons["deal_quantity"] = [
            _l("The quantity sold must be above 0 and at most the quantity listed.")
        ]
    if reasons:
        raise ValidationFailed(reasons)
    if deal_quantity is not None:
        deal_quantity = deal_quantity.quantize(CENTS)
    _move(listing, actor, ListingAction.SOLD, (ListingStatus.PUBLISHED,), ListingStatus.SOLD)
    listing.deal_price_cny = deal_price
    listing.deal_quantity = deal_quantity
    # Settled outside the platform: the other side of the deal is unknown.
    if deal_price is not None or deal_quantity is not None:
        _add_deal(
            listing,
            actor,
            deal_price,
            deal_quantity or listing.quantity,
            seller_enterprise_id=listing.enterprise_id if listing.is_offer else None,
            buyer_enterprise_id=None if listing.is_offer else listing.enterprise_id,
            inquiry_id=None,
        )
    _drop_pending_revision(listing)
    return listing


def record_deal(
    actor: User | None,
    listing: Listing,
    unit_price: Decimal | None,
    quantity: Decimal,
    *,
    seller_enterprise_id: int,
    buyer_enterprise_id: int | None,
    inquiry_id: int | None = None,
) -> Deal:
    """Record a sale on a published post: a Deal row, the quantity still offered
    goes down by it, and the post is sold (event, search outbox) when none is left.

    The post's row is locked first, so two deals at once cannot sell more than it
    holds (PostgreSQL; SQLite's write transactions are serialised anyway).
    """
    db.session.get(Listing, listing.id, with_for_update=True, populate_existing=True)
    if listing.status is not ListingStatus.PUBLISHED:
        raise InvalidTransition(listing.status)
    reasons = {}
    if unit_price is not None and not _is_price(unit_price):
        reasons["price"] = [_l("Enter a price in yuan, from 0 to 1,000,000,000.")]
    if not _is_quantity(quantity, listing.quantity):
        reasons["quantity"] = [
            _l(
                "The quantity must be above 0 and at most the %(quantity)s still "
                "on the post.",
                quantity=_plain(listing.quantity),
            )
        ]
    if reasons:
        raise ValidationFailed(reasons)
    quantity = quantity.quantize(CENTS)
    deal = _add_deal(
        listing,
        actor,
        unit_price,
        quantity,
        seller_enterprise_id=seller_enterprise_id,
        buyer_enterprise_id=buyer_enterprise_id,
        inquiry_id=inquiry_id,
    )
    listing.quantity = listing.quantity - quantity
    if listing.quantity <= 0:
        listing.quantity = Decimal("0.00")
        _move(listing, actor, ListingAction.SOLD, (ListingStatus.PUBLISHED,), ListingStatus.SOLD)
        _drop_pending_revision(listing)
    else:
        _reduce_pending_revision(listing, quantity)
        # Search shows the quantity: the index follows this commit.
        enqueue_listing(listing.id)
    log.info("listing %s: deal of %s recorded", listing.id, quantity)
    return deal


def _add_deal(
    listing, actor, unit_price, quantity, *, seller_enterprise_id,
    buyer_enterprise_id, inquiry_id,
) -> Deal:  # fmt: skip
    total = (unit_price * quantity).quantize(CENTS) if unit_price is not None else None
    deal = Deal(
        listing_id=listing.id,
        inquiry_id=inquiry_id,
        seller_enterprise_id=seller_enterprise_id,
        buyer_enterprise_id=buyer_enterprise_id,
        unit_price_cny=unit_price,
        quantity=quantity,
        total_cny=total,
        recorded_by_id=actor.id if actor is not None else None,
    )
    db.session.add(deal)
    return deal


def _is_price(value: Decimal) -> bool:
    return value.is_finite() and 0 <= value <= MAX_PRICE


def _is_quantity(value: Decimal, available: Decimal) -> bool:
    # Compared before quantizing: a huge number must not overflow the context.
    return value.is_finite() and 0 < value <= available and value.quantize(CENTS) > 0


def _plain(number: Decimal) -> str:
    text = str(number)
    return text.rstrip("0").rstrip(".") if "." in text else text


def _reduce_pending_revision(listing: Listing, quantity: Decimal) -> None:
    """A pending edit must not restore the quantity a deal just took away."""
    revision = listing.pending_revision
    if revision is None or revision.data.get("quantity") is None:
        return
    proposed = Decimal(revision.data["quantity"]) - quantity
    if proposed <= 0:
        proposed = listing.quantity
    revision.data = {**revision.data, "quantity": str(proposed.quantize(CENTS))}


def renew_listing(actor: User, listing: Listing) -> Listing:
    """Another validity period from today, for a published or expired post."""
    require_owner(actor, listing)
    if listing.status not in (ListingStatus.PUBLISHED, ListingStatus.EXPIRED):
        raise InvalidTransition(listing.status)
    previous = listing.status
    listing.status = ListingStatus.PUBLISHED
    new_end = today() + timedelta(days=DEFAULT_VALIDITY_DAYS)
    if listing.kind is ListingKind.OFFER:
        listing.valid_until = max(listing.valid_until or new_end, new_end)
    elif listing.wanted_by is not None and listing.wanted_by < new_end:
        listing.wanted_by = new_end
    record_event(listing, actor, ListingAction.RENEWED, previous)
    if previous is ListingStatus.EXPIRED:
        _announce(listing)
    return listing


def expire_listings(now: date | None = None) -> int:
    """Mark published posts past their validity or wanted-by date as expired."""
    now = now or today()
    listings = db.session.scalars(
        select(Listing).where(
            Listing.status == ListingStatus.PUBLISHED,
            ((Listing.valid_until.is_not(None)) & (Listing.valid_until < now))
            | ((Listing.wanted_by.is_not(None)) & (Listing.wanted_by < now)),
        )
    ).all()
    for listing in listings:
        _move(listing, None, ListingAction.EXPIRED, (ListingStatus.PUBLISHED,), ListingStatus.EXPIRED)
        _drop_pending_revision(listing)
    return len(listings)


def duplicate_listing(actor: User, listing: Listing) -> Listing:
    """A new draft with the same fields (files are not copied)."""
    require_owner(actor, listing)
    require_publisher(actor)
    copy = Listing(
        enterprise_id=listing.enterprise_id,
        kind=listing.kind,
        status=ListingStatus.DRAFT,
        **{name: getattr(listing, name) for name in REVISABLE_FIELDS},
    )
    copy.title = listing.title
    if copy.quantity <= 0:
        # Sold out through deals: the copy offers what the original once did.
        copy.quantity = count_traded(listing.id) or Decimal("1.00")
    if copy.kind is ListingKind.OFFER:
        copy.valid_until = today() + timedelta(days=DEFAULT_VALIDITY_DAYS)
    elif copy.wanted_by is not None and copy.wanted_by < today():
        copy.wanted_by = None
    db.session.add(copy)
    record_event(copy, actor, ListingAction.CREATED, None)
    return copy


def open_revision(actor: User, listing: Listing) -> ListingRevision:
    """The pending revision of a published post, opened with its current values."""
    revision = listing.pending_revision
    if revision is None:
        current = {name: getattr(listing, name) for name in REVISABLE_FIELDS}
        revision = ListingRevision(
            listing=listing, author_id=actor.id, data=_snapshot(current)
        )
        db.session.add(revision)
        listing.revisions.append(revision)
        record_event(
            listing, actor, ListingAction.REVISION_SUBMITTED, listing.status, None
        )
    return revision


def approve_revision(moderator: User, listing: Listing) -> Listing:
    require_moderator(moderator, listing)
    revision = listing.pending_revision
    if revision is None or listing.status is not ListingStatus.PUBLISHED:
        raise InvalidTransition(listing.status)
    for name, value in _restore(revision.data).items():
        setattr(listing, name, value)
    for photo in listing.photos:
        photo.pending = False
    for document in listing.documents:
        document.pending = False
    revision.status = RevisionStatus.APPROVED
    revision.reviewer_id = moderator.id
    revision.decided_at = utcnow()
    record_event(listing, moderator, ListingAction.REVISION_APPROVED, listing.status)
    _announce(listing)
    return listing


def reject_revision(moderator: User, listing: Listing, reason: str) -> Listing:
    require_moderator(moderator, listing)
    revision = listing.pending_revision
    if revision is None:
        raise InvalidTransition(listing.status)
    reason = _required_reason(reason)
    revision.status = RevisionStatus.REJECTED
    revision.reviewer_id = moderator.id
    revision.reason = reason
    revision.decided_at = utcnow()
    _discard_pending_files(listing)
    record_event(listing, moderator, ListingAction.REVISION_REJECTED, listing.status, reason)
    return listing


def revision_diff(listing: Listing) -> list[tuple[str, object, object]]:
    """(field, public value, proposed value) for every field the revision changes."""
    revision = listing.pending_revision
    if revision is None:
        return []
    proposed = _restore(revision.data)
    return [
        (name, getattr(listing, name), proposed[name])
        for name in REVISABLE_FIELDS
        if _comparable(getattr(listing, name)) != _comparable(proposed[name])
    ]


def _announce(listing: Listing) -> None:
    """Tell matching and saved searches that a post is public, in this transaction."""
    db.session.flush()
    listing_published.send(listing, listing=listing)


def require_owner(actor: User, listing: Listing) -> None:
    if not listing.is_owned_by(actor):
        raise NotAllowed("not the owner")


def require_moderator(moderator: User, listing: Listing) -> None:
    if not moderator.is_moderator:
        raise NotAllowed("only moderators decide")
    if moderator.enterprise_id is not None and moderator.enterprise_id == listing.enterprise_id:
        raise NotAllowed("a moderator cannot decide on their own enterprise's posts")


def record_event(listing, actor, action, previous, reason=None) -> ListingEvent:
    """Audit a transition, and queue the listing for the search index (same commit)."""
    if listing.id is None:
        db.session.flush()
    enqueue_listing(listing.id)
    event = ListingEvent(
        listing=listing,
        actor_id=actor.id if actor is not None else None,
        action=action,
        from_status=previous,
        to_status=listing.status,
        reason=reason,
    )
    db.session.add(event)
    return event


def count_published(kind: ListingKind | None = None) -> int:
    from market.listings.queries import public_filter

    query = (
        select(func.count(Listing.id))
        .join(Listing.enterprise)
        .where(*public_filter(today()))
    )
    if kind is not None:
        query = query.where(Listing.kind == kind)
    return db.session.execute(query).scalar_one()


def count_traded(listing_id: int) -> Decimal:
    """The quantity all deals recorded on a post add up to."""
    total = db.session.scalar(
        select(func.sum(Deal.quantity)).where(Deal.listing_id == listing_id)
    )
    return Decimal(str(total)) if total is not None else Decimal("0")


def _move(listing, actor, action, sources, target, reason=None) -> None:
    if listing.status not in sources:
        raise InvalidTransition(listing.status)
    previous = listing.status
    listing.status = target
    record_event(listing, actor, action, previous, reason)
    log.info(
        "listing %s: %s -> %s", listing.id, previous.value, target.value
    )


def _required_reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": [_l("Give a reason for this decision.")]})
    return reason


def _drop_pending_revision(listing: Listing) -> None:
    revision = listing.pending_revision
    if revision is not None:
        revision.status = RevisionStatus.REJECTED
        revision.reason = "withdrawn with the post"
        revision.decided_at = utcnow()
        _discard_pending_files(listing)


def _discard_pending_files(listing: Listing) -> None:
    from market.listings.attachments import forget_document, forget_photo

    for photo in [p for p in listing.photos if p.pending]:
        forget_photo(listing, photo)
    for document in [d for d in listing.documents if d.pending]:
        forget_document(listing, document)


def _snapshot(fields: dict) -> dict:
    """JSON-safe copy of the revisable fields."""
    data = {}
    for name in REVISABLE_FIELDS:
        value = fields[name]
        if isinstance(value, Decimal):
            value = str(value)
        elif isinstance(value, date):
            value = value.isoformat()
        data[name] = value
    return data


def _restore(data: dict) -> dict:
    values = dict(data)
    for name in ("quantity", "price_cny"):
        if values.get(name) is not None:
            values[name] = Decimal(values[name])
    for name in ("valid_until", "wanted_by"):
        if values.get(name):
            values[name] = date.fromisoformat(values[name])
    return values


def _comparable(value):
    if isinstance(value, Decimal):
        return value.normalize()
    return value
