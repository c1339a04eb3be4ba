"""Inquiry rules: who may write what in a thread, its states, the deal, reports.

A thread is between two enterprises: the sender and the post's owner. On an offer
the owner sells; on a wanted post the sender does. The seller quotes, the buyer
accepts the quote (that records the deal on the post), either side closes.
open → quoted → agreed → closed, and open/quoted → closed without a deal.
"""

import logging
from decimal import Decimal

from flask_babel import lazy_gettext as _l

from market.accounts.models import User
from market.database import utcnow
from market.enterprises.models import Enterprise
from market.exceptions import InvalidTransition, NotAllowed, ValidationFailed
from market.extensions import db
from market.inquiries.models import (
    Inquiry,
    InquiryMessage,
    InquiryMessageKind,
    InquiryReport,
    InquiryStatus,
)
from market.inquiries.queries import find_open_inquiry, has_reports
from market.listings import services as listing_services
from market.listings.models import Deal, Listing
from market.listings.presentation import plain, unit_name
from market.listings.queries import is_public
from market.notifications.models import NotificationKind
from market.notifications.services import notify

log = logging.getLogger(__name__)

MAX_BODY = 2000
MAX_REASON = 1000
MAX_PRICE = Decimal("1000000000")
CENTS = Decimal("0.01")
TALKING_STATES = (InquiryStatus.OPEN, InquiryStatus.QUOTED, InquiryStatus.AGREED)
QUOTING_STATES = (InquiryStatus.OPEN, InquiryStatus.QUOTED)

NOT_APPROVED = _l("Only users of approved enterprises can send inquiries.")
OWN_POST = _l("This is your own post: inquiries come to you from other enterprises.")
POST_CLOSED = _l("This post is no longer open for deals.")


# --- who may do what ----------------------------------------------------------------


def send_refusal(user, listing: Listing):
    """Why the user may not send an inquiry on this post (a message), or None."""
    if not is_public(listing):
        return POST_CLOSED
    if not getattr(user, "is_authenticated", False) or not user.can_publish:
        return NOT_APPROVED
    if listing.is_owned_by(user):
        return OWN_POST
    return None


def side_of(user, inquiry: Inquiry) -> str | None:
    """ "seller" or "buyer" for a user of one of the two enterprises, else None."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if not inquiry.involves(user.enterprise_id):
        return None
    return "seller" if user.enterprise_id == inquiry.seller_enterprise_id else "buyer"


def can_read(user, inquiry: Inquiry) -> bool:
    """The two enterprises; moderators only once a participant reported the thread."""
    if side_of(user, inquiry) is not None:
        return True
    return (
        getattr(user, "is_authenticated", False)
        and user.is_moderator
        and has_reports(inquiry.id)
    )


def can_write(user, inquiry: Inquiry) -> bool:
    """Messages: either side of a thread that is not closed."""
    return side_of(user, inquiry) is not None and inquiry.status in TALKING_STATES


def can_quote(user, inquiry: Inquiry) -> bool:
    return (
        side_of(user, inquiry) == "seller"
        and inquiry.status in QUOTING_STATES
        and is_public(inquiry.listing)
    )


def can_accept(user, inquiry: Inquiry) -> bool:
    return (
        side_of(user, inquiry) == "buyer"
        and inquiry.status is InquiryStatus.QUOTED
        and is_public(inquiry.listing)
    )


def can_close(user, inquiry: Inquiry) -> bool:
    return side_of(user, inquiry) is not None and not inquiry.is_closed


def can_report(user, inquiry: Inquiry) -> bool:
    return side_of(user, inquiry) is not None


# --- the thread ---------------------------------------------------------------------


def send_inquiry(
    actor: User,
    listing: Listing,
    body: str,
    quantity: Decimal | None = None,
    price: Decimal | None = None,
) -> Inquiry:
    """Open a thread on another enterprise's public post, or, when the actor's
    enterprise already has one there that is not closed, add the message to it."""
    refusal = send_refusal(actor, listing)
    if refusal is not None:
        raise NotAllowed(refusal)
    body = _required_body(body)
    reasons: dict[str | None, list] = {}
    if quantity is not None and not (0 < quantity <= listing.quantity):
        reasons["quantity"] = [_quantity_message(listing)]
    if price is not None and not (0 <= price <= MAX_PRICE):
        reasons["price"] = [_l("Enter a price in yuan, from 0 to 1,000,000,000.")]
    if reasons:
        raise ValidationFailed(reasons)
    quantity = quantity.quantize(CENTS) if quantity is not None else None
    price = price.quantize(CENTS) if price is not None else None
    inquiry = find_open_inquiry(listing.id, actor.enterprise_id)
    if inquiry is not None:
        if quantity is not None:
            inquiry.quantity = quantity
        if price is not None:
            inquiry.price_cny = price
        _say(actor, inquiry, InquiryMessageKind.MESSAGE, body, price, quantity)
        return inquiry
    inquiry = Inquiry(
        listing=listing,
        listing_id=listing.id,
        sender_enterprise_id=actor.enterprise_id,
        owner_enterprise_id=listing.enterprise_id,
        created_by_id=actor.id,
        status=InquiryStatus.OPEN,
        quantity=quantity,
        price_cny=price,
    )
    db.session.add(inquiry)
    message = _add_message(
        actor, inquiry, InquiryMessageKind.MESSAGE, body, price, quantity
    )
    db.session.flush()
    _tell(
        inquiry,
        inquiry.owner_enterprise_id,
        NotificationKind.INQUIRY_RECEIVED,
        f"inquiry-received:{inquiry.id}:{inquiry.owner_enterprise_id}",
    )
    log.info(
        "inquiry %s opened on listing %s (message %s)",
        inquiry.id,
        listing.id,
        message.id,
    )
    return inquiry


def post_message(actor: User, inquiry: Inquiry, body: str) -> InquiryMessage:
    """A message from either side, while the thread is not closed."""
    _require_side(actor, inquiry)
    if inquiry.status not in TALKING_STATES:
        raise InvalidTransition(inquiry.status)
    return _say(actor, inquiry, InquiryMessageKind.MESSAGE, _required_body(body))


def quote_inquiry(
    actor: User,
    inquiry: Inquiry,
    price: Decimal | None,
    quantity: Decimal | None,
    body: str | None = None,
) -> InquiryMessage:
    """The seller's price per unit and quantity; a new quote replaces the last one."""
    if _require_side(actor, inquiry) != "seller":
        raise NotAllowed("only the seller quotes")
    _lock(inquiry)
    if inquiry.status not in QUOTING_STATES:
        raise InvalidTransition(inquiry.status)
    listing = inquiry.listing
    _require_open_post(listing)
    reasons: dict[str | None, list] = {}
    if price is None or not (0 <= price <= MAX_PRICE):
        reasons["price"] = [_l("Enter a price in yuan, from 0 to 1,000,000,000.")]
    if quantity is None or not (0 < quantity <= listing.quantity):
        reasons["quantity"] = [_quantity_message(listing)]
    body = (body or "").strip()
    if len(body) > MAX_BODY:
        reasons["body"] = [_l("At most 2000 characters.")]
    if reasons:
        raise ValidationFailed(reasons)
    quantity = quantity.quantize(CENTS)
    price = price.quantize(CENTS)
    inquiry.quoted_price_cny = price
    inquiry.quoted_quantity = quantity
    inquiry.status = InquiryStatus.QUOTED
    message = _add_message(
        actor, inquiry, InquiryMessageKind.QUOTE, body or None, price, quantity
    )
    db.session.flush()
    buyer = inquiry.buyer_enterprise_id
    _tell(
        inquiry,
        buyer,
        NotificationKind.INQUIRY_QUOTED,
        f"inquiry-quoted:{message.id}:{buyer}",
        price=str(price),
        quantity=str(quantity),
    )
    return message


def accept_quote(actor: User, inquiry: Inquiry) -> Deal:
    """The buyer takes the current quote: the thread is agreed and the deal is
    recorded on the post (its quantity goes down; sold when none is left)."""
    if _require_side(actor, inquiry) != "buyer":
        raise NotAllowed("only the buyer accepts")
    _lock(inquiry)
    if inquiry.status is not InquiryStatus.QUOTED:
        raise InvalidTransition(inquiry.status)
    listing = inquiry.listing
    _require_open_post(listing)
    if inquiry.quoted_quantity > listing.quantity:
        raise ValidationFailed(
            {
                None: [
                    _l(
                        "The post now has only %(quantity)s %(unit)s left; ask the "
                        "seller for a new quote.",
                        quantity=plain(listing.quantity),
                        unit=unit_name(listing.unit),
                    )
                ]
            }
        )
    deal = listing_services.record_deal(
        actor,
        listing,
        inquiry.quoted_price_cny,
        inquiry.quoted_quantity,
        seller_enterprise_id=inquiry.seller_enterprise_id,
        buyer_enterprise_id=inquiry.buyer_enterprise_id,
        inquiry_id=inquiry.id,
    )
    inquiry.status = InquiryStatus.AGREED
    _add_message(
        actor,
        inquiry,
        InquiryMessageKind.AGREE,
        None,
        inquiry.quoted_price_cny,
        inquiry.quoted_quantity,
    )
    db.session.flush()
    for enterprise_id in (inquiry.seller_enterprise_id, inquiry.buyer_enterprise_id):
        _tell(
            inquiry,
            enterprise_id,
            NotificationKind.INQUIRY_AGREED,
            f"inquiry-agreed:{inquiry.id}:{enterprise_id}",
            price=str(inquiry.quoted_price_cny),
            quantity=str(inquiry.quoted_quantity),
        )
    log.info("inquiry %s agreed: deal %s", inquiry.id, deal.id)
    return deal


def close_inquiry(actor: User, inquiry: Inquiry) -> Inquiry:
    """Either side ends the thread (with or without a deal); it is read-only after."""
    _require_side(actor, inquiry)
    _lock(inquiry)
    if inquiry.is_closed:
        raise InvalidTransition(inquiry.status)
    inquiry.status = InquiryStatus.CLOSED
    inquiry.closed_at = utcnow()
    _add_message(actor, inquiry, InquiryMessageKind.CLOSE, None)
    db.session.flush()
    other = inquiry.other_enterprise_id(actor.enterprise_id)
    _tell(
        inquiry,
        other,
        NotificationKind.INQUIRY_CLOSED,
        f"inquiry-closed:{inquiry.id}:{other}",
    )
    return inquiry


# --- abuse reports ------------------------------------------------------------------


def report_inquiry(actor: User, inquiry: Inquiry, reason: str) -> InquiryReport:
    """Either side asks the moderators to read the thread (open or closed)."""
    _require_side(actor, inquiry)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": [_l("Say what is wrong with this thread.")]})
    if len(reason) > MAX_REASON:
        raise ValidationFailed({"reason": [_l("At most 1000 characters.")]})
    already = db.session.scalar(
        db.select(InquiryReport.id).where(
            InquiryReport.inquiry_id == inquiry.id,
            InquiryReport.reporter_enterprise_id == actor.enterprise_id,
            InquiryReport.resolved_at.is_(None),
        )
    )
    if already is not None:
        raise ValidationFailed(
            {
                "reason": [
                    _l("Your report on this thread is still waiting for a moderator.")
                ]
            }
        )
    report = InquiryReport(
        inquiry=inquiry,
        inquiry_id=inquiry.id,
        reporter_id=actor.id,
        reporter_enterprise_id=actor.enterprise_id,
        reason=reason,
    )
    db.session.add(report)
    log.info("inquiry %s reported by enterprise %s", inquiry.id, actor.enterprise_id)
    return report


def resolve_report(
    moderator: User, report: InquiryReport, resolution: str
) -> InquiryReport:
    """A moderator closes a report with a note (never on their own enterprise's thread)."""
    if not moderator.is_moderator:
        raise NotAllowed("only moderators resolve reports")
    if report.inquiry.involves(moderator.enterprise_id):
        raise NotAllowed("a moderator cannot judge their own enterprise's thread")
    if report.resolved_at is not None:
        raise InvalidTransition("already resolved")
    resolution = (resolution or "").strip()
    if not resolution:
        raise ValidationFailed({"resolution": [_l("Write what was decided.")]})
    if len(resolution) > MAX_REASON:
        raise ValidationFailed({"resolution": [_l("At most 1000 characters.")]})
    report.resolution = resolution
    report.resolver_id = moderator.id
    report.resolved_at = utcnow()
    return report


# --- helpers ------------------------------------------------------------------------


def _require_side(actor: User, inquiry: Inquiry) -> str:
    side = side_of(actor, inquiry)
    if side is None or not actor.can_publish:
        raise NotAllowed("not a party to this thread")
    return side


def _require_open_post(listing: Listing) -> None:
    if not is_public(listing):
        raise ValidationFailed({None: [POST_CLOSED]})


def _lock(inquiry: Inquiry) -> None:
    """Re-read the thread under a row lock: two clicks at once change it once."""
    db.session.refresh(inquiry, with_for_update=True)


def _required_body(body: str | None) -> str:
    body = (body or "").strip()
    if not body:
        raise ValidationFailed({"body": [_l("Write a message.")]})
    if len(body) > MAX_BODY:
        raise ValidationFailed({"body": [_l("At most 2000 characters.")]})
    return body


def _quantity_message(listing: Listing):
    return _l(
        "Enter a quantity above 0 and at most %(quantity)s %(unit)s, what the post "
        "still has.",
        quantity=plain(listing.quantity),
        unit=unit_name(listing.unit),
    )


def _say(actor, inquiry, kind, body, price=None, quantity=None) -> InquiryMessage:
    """A message, and the other side is told about it."""
    message = _add_message(actor, inquiry, kind, body, price, quantity)
    db.session.flush()
    other = inquiry.other_enterprise_id(actor.enterprise_id)
    _tell(
        inquiry,
        other,
        NotificationKind.INQUIRY_MESSAGE,
        f"inquiry-message:{message.id}:{other}",
    )
    return message


def _add_message(
    actor, inquiry, kind, body, price=None, quantity=None
) -> InquiryMessage:
    message = InquiryMessage(
        inquiry=inquiry,
        author_id=actor.id,
        enterprise_id=actor.enterprise_id,
        kind=kind,
        body=body,
        price_cny=price,
        quantity=quantity,
    )
    db.session.add(message)
    # The thread's last activity, for the lists (a new message changes no column).
    inquiry.updated_at = utcnow()
    return message


def _tell(inquiry, enterprise_id, kind, dedupe_key, **extra) -> None:
    """Notify one side; the payload names the post and that side's counterpart."""
    counterpart = db.session.get(Enterprise, inquiry.other_enterprise_id(enterprise_id))
    notify(
        enterprise_id,
        kind,
        dedupe_key,
        listing_id=inquiry.listing_id,
        inquiry_id=inquiry.id,
        payload={
            "listing_title": inquiry.listing.title,
            "enterprise_name": counterpart.name,
            **extra,
        },
    )
