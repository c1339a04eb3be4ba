"""Inquiry threads, their messages and the abuse reports moderators read."""

import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Numeric, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from market.database import AppendOnly, UTCDateTime, enum_column, utcnow
from market.extensions import db


class InquiryStatus(enum.StrEnum):
    OPEN = "open"
    QUOTED = "quoted"
    AGREED = "agreed"
    CLOSED = "closed"


class InquiryMessageKind(enum.StrEnum):
    MESSAGE = "message"
    QUOTE = "quote"
    AGREE = "agree"
    DEAL = "deal"
    CLOSE = "close"


class Inquiry(db.Model):
    """A thread opened by one enterprise (the sender) on another's post."""

    __tablename__ = "inquiries"

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id"), index=True)
    sender_enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("enterprises.id"), index=True
    )
    # The post's enterprise, kept on the row so access checks need no join.
    owner_enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("enterprises.id"), index=True
    )
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    status: Mapped[InquiryStatus] = mapped_column(
        enum_column(InquiryStatus, "status"), default=InquiryStatus.OPEN, index=True
    )
    quantity: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    price_cny: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    quoted_price_cny: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    quoted_quantity: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, onupdate=utcnow
    )
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    listing = relationship("Listing")
    sender_enterprise = relationship("Enterprise", foreign_keys=[sender_enterprise_id])
    owner_enterprise = relationship("Enterprise", foreign_keys=[owner_enterprise_id])
    created_by = relationship("User")
    messages = relationship(
        "InquiryMessage", order_by="InquiryMessage.id", back_populates="inquiry"
    )

    def __repr__(self) -> str:
        return f"<Inquiry {self.id} on {self.listing_id} {self.status.value}>"

    def involves(self, enterprise_id: int | None) -> bool:
        return enterprise_id is not None and enterprise_id in (
            self.sender_enterprise_id,
            self.owner_enterprise_id,
        )

    @property
    def seller_enterprise_id(self) -> int:
        """The selling side: the owner of an offer, the sender on a wanted post."""
        if self.listing.is_offer:
            return self.owner_enterprise_id
        return self.sender_enterprise_id

    @property
    def buyer_enterprise_id(self) -> int:
        if self.listing.is_offer:
            return self.sender_enterprise_id
        return self.owner_enterprise_id

    def other_enterprise_id(self, enterprise_id: int) -> int:
        """The other side of the thread from this enterprise's point of view."""
        if enterprise_id == self.sender_enterprise_id:
            return self.owner_enterprise_id
        return self.sender_enterprise_id

    @property
    def is_closed(self) -> bool:
        return self.status is InquiryStatus.CLOSED

    @property
    def quoted_total_cny(self) -> Decimal | None:
        if self.quoted_price_cny is None or self.quoted_quantity is None:
            return None
        return (self.quoted_price_cny * self.quoted_quantity).quantize(Decimal("0.01"))


class InquiryMessage(AppendOnly, db.Model):
    """One entry of a thread: a message, a quote, an agreement, a deal or a close."""

    __tablename__ = "inquiry_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    inquiry_id: Mapped[int] = mapped_column(ForeignKey("inquiries.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"))
    kind: Mapped[InquiryMessageKind] = mapped_column(
        enum_column(InquiryMessageKind, "kind"), default=InquiryMessageKind.MESSAGE
    )
    body: Mapped[str | None] = mapped_column(Text)
    price_cny: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    quantity: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    inquiry = relationship("Inquiry", back_populates="messages")
    author = relationship("User")

    def __repr__(self) -> str:
        return f"<InquiryMessage {self.id} {self.kind.value} in {self.inquiry_id}>"


class InquiryReport(db.Model):
    """An abuse report on a thread: the only way a moderator gets to read one."""

    __tablename__ = "inquiry_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    inquiry_id: Mapped[int] = mapped_column(ForeignKey("inquiries.id"), index=True)
    reporter_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reporter_enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolver_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolution: Mapped[str | None] = mapped_column(Text)

    inquiry = relationship("Inquiry")
    reporter = relationship("User", foreign_keys=[reporter_id])

    def __repr__(self) -> str:
        return f"<InquiryReport {self.id} on {self.inquiry_id}>"
