"""Demo inquiries and deals: threads in every state, through the real services.

The demo member (信远) asks about other enterprises' offers and answers questions on
its own; a few more enterprises settle deals, so the platform's numbers show
inquiries, deals, value traded and the buyers' estimated saving from the start.
"""

import random
from decimal import Decimal

from sqlalchemy import func, select

from market.accounts.models import User
from market.database import china_today
from market.enterprises.models import Enterprise, EnterpriseStatus
from market.extensions import db
from market.inquiries import services
from market.inquiries.models import Inquiry
from market.listings.models import Listing, ListingKind, ListingStatus

# (what the buyer asks, how far the thread goes)
_BUYER_NOTES = (
    "请问设备是否还在？能否提供近期试验报告和铭牌照片？",
    "我方急需此设备，可否到现场看货？运输由我方负责。",
    "想了解一下设备的运行年限和检修记录，价格是否还有空间？",
    "我们在枣庄本地，能否本周内提货？请报一个含税价。",
    "请问可以开增值税专用发票吗？数量可以分批提货吗？",
)
_SELLER_NOTES = (
    "设备在库，已做过交接试验，报告可随货提供。",
    "欢迎来现场看货，报价含税，不含运输。",
    "价格可以小幅优惠，请确认数量。",
)


def seed_inquiries(rng: random.Random, member_email: str) -> dict[str, int]:
    """Add the demo threads unless any exist; returns counts by final state."""
    if db.session.scalar(select(func.count(Inquiry.id))):
        return {"inquiries": 0}
    member = db.session.scalar(select(User).where(User.email == member_email))
    offers = _public_offers()
    if member is None or member.enterprise is None or len(offers) < 4:
        return {"inquiries": 0}
    foreign = [offer for offer in offers if offer.enterprise_id != member.enterprise_id]
    own = [offer for offer in offers if offer.enterprise_id == member.enterprise_id]
    rng.shuffle(foreign)
    # Deals take one unit of offers of several, so every demo post stays public
    # (the search relevance table counts on them).
    several = [offer for offer in foreign if offer.quantity >= 2]
    rest = [offer for offer in foreign if offer not in several[:13]]
    counts = {"open": 0, "quoted": 0, "agreed": 0}
    # The member as buyer: one settled, one with a quote waiting, one just asked.
    for offer, stage in zip([*several[:1], *rest[:2]], ("agreed", "quoted", "open")):
        _thread(member, offer, stage, rng)
        counts[stage] += 1
    # Other enterprises asking about the member's offers.
    for offer, stage in zip(own[:2], ("quoted", "open")):
        buyer = _user_of_other(offer, rng, exclude=member.enterprise_id)
        if buyer is not None:
            _thread(buyer, offer, stage, rng, seller=member)
            counts[stage] += 1
    # Deals elsewhere, so value traded and savings have something to add up.
    for offer in several[1:13]:
        buyer = _user_of_other(offer, rng, exclude=member.enterprise_id)
        if buyer is not None:
            _thread(buyer, offer, "agreed", rng)
            counts["agreed"] += 1
    db.session.flush()
    counts["inquiries"] = sum(counts.values())
    return counts


def _public_offers() -> list[Listing]:
    today = china_today()
    return list(
        db.session.scalars(
            select(Listing)
            .join(Listing.enterprise)
            .where(
                Listing.kind == ListingKind.OFFER,
                Listing.status == ListingStatus.PUBLISHED,
                Enterprise.status == EnterpriseStatus.APPROVED,
                (Listing.valid_until.is_(None)) | (Listing.valid_until >= today),
                Listing.price_cny.is_not(None),
            )
            .order_by(Listing.id)
        )
    )


def _user_of_other(offer: Listing, rng: random.Random, exclude: int) -> User | None:
    users = db.session.scalars(
        select(User)
        .join(User.enterprise)
        .where(
            Enterprise.status == EnterpriseStatus.APPROVED,
            User.enterprise_id.not_in((offer.enterprise_id, exclude)),
        )
        .order_by(User.id)
    ).all()
    return rng.choice(users) if users else None


def _thread(
    buyer: User,
    offer: Listing,
    stage: str,
    rng: random.Random,
    seller: User | None = None,
) -> Inquiry:
    seller = seller or offer.enterprise.users[0]
    quantity = Decimal(1) if stage == "agreed" else min(offer.quantity, Decimal(2))
    asked = (offer.price_cny * Decimal("0.9")).quantize(Decimal("100"))
    inquiry = services.send_inquiry(
        buyer, offer, rng.choice(_BUYER_NOTES), quantity=quantity, price=asked
    )
    if stage == "open":
        return inquiry
    price = ((offer.price_cny + asked) / 2).quantize(Decimal("100"))
    services.quote_inquiry(seller, inquiry, price, quantity, rng.choice(_SELLER_NOTES))
    if stage == "agreed":
        services.accept_quote(buyer, inquiry)
    return inquiry
