"""Offers and wanted posts, their photos and documents, history and revisions."""

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Date, ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from market.database import AppendOnly, UTCDateTime, enum_column, utcnow
from market.extensions import db


class ListingKind(enum.StrEnum):
    OFFER = "offer"
    WANTED = "wanted"


class ListingStatus(enum.StrEnum):
    DRAFT = "draft"
    PENDING = "pending"
    PUBLISHED = "published"
    REJECTED = "rejected"
    SOLD = "sold"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"


class ListingAction(enum.StrEnum):
    CREATED = "created"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    SOLD = "sold"
    EXPIRED = "expired"
    RENEWED = "renewed"
    REVISION_SUBMITTED = "revision_submitted"
    REVISION_APPROVED = "revision_approved"
    REVISION_REJECTED = "revision_rejected"


class RevisionStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class DocumentKind(enum.StrEnum):
    TEST_REPORT = "test_report"
    NAMEPLATE = "nameplate"
    MANUAL = "manual"
    CERTIFICATE = "certificate"
    OTHER = "other"


class Listing(db.Model):
    __tablename__ = "listings"
    # Matching reads the published posts of one kind in one category family.
    __table_args__ = (
        Index("ix_listings_kind_status_category", "kind", "status", "category_slug"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    kind: Mapped[ListingKind] = mapped_column(enum_column(ListingKind, "kind"))
    status: Mapped[ListingStatus] = mapped_column(
        enum_column(ListingStatus, "status"), default=ListingStatus.DRAFT, index=True
    )
    category_slug: Mapped[str] = mapped_column(String(40), index=True)
    title: Mapped[str] = mapped_column(String(120))
    manufacturer: Mapped[str | None] = mapped_column(String(100))
    model_raw: Mapped[str | None] = mapped_column(String(100))
    year_made: Mapped[int | None]
    service_years: Mapped[int | None]
    asset_source: Mapped[str | None] = mapped_column(String(20))
    # An offer's grade; for a wanted post, the minimum grade accepted.
    condition_grade: Mapped[str | None] = mapped_column(String(20))
    quantity: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    unit: Mapped[str] = mapped_column(String(10))
    # An offer's price per unit; for a wanted post, the budget ceiling per unit.
    price_cny: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    negotiable: Mapped[bool] = mapped_column(default=False)
    # Canonical numbers: offers {key: value}; wanted posts {key: [low, high]} and
    # {"voltage_kv": [levels...]}.
    specs: Mapped[dict] = mapped_column(JSON, default=dict)
    scrap_only: Mapped[bool] = mapped_column(default=False)
    province_code: Mapped[str] = mapped_column(String(6))
    city_code: Mapped[str] = mapped_column(String(6), index=True)
    district_code: Mapped[str | None] = mapped_column(String(6))
    address: Mapped[str | None] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    valid_until: Mapped[date | None] = mapped_column(Date)
    wanted_by: Mapped[date | None] = mapped_column(Date)
    contact_name: Mapped[str] = mapped_column(String(50))
    contact_mobile: Mapped[str] = mapped_column(String(11))
    status_reason: Mapped[str | None] = mapped_column(Text)
    deal_price_cny: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    deal_quantity: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    # The owner asked not to be told about matches and saved-search hits for it.
    alerts_muted: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, onupdate=utcnow
    )
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)

    enterprise = relationship("Enterprise")
    photos = relationship(
        "ListingPhoto",
        order_by="ListingPhoto.position",
        cascade="all, delete-orphan",
        back_populates="listing",
    )
    documents = relationship(
        "ListingDocument",
        order_by="ListingDocument.id",
        cascade="all, delete-orphan",
        back_populates="listing",
    )
    events = relationship(
        "ListingEvent", order_by="ListingEvent.id", back_populates="listing"
    )
    revisions = relationship(
        "ListingRevision", order_by="ListingRevision.id", back_populates="listing"
    )

    def __repr__(self) -> str:
        return f"<Listing {self.id} {self.kind.value} {self.title!r} {self.status.value}>"

    @property
    def is_offer(self) -> bool:
        return self.kind is ListingKind.OFFER

    @property
    def pending_revision(self):
        for revision in reversed(self.revisions):
            if revision.status is RevisionStatus.PENDING:
                return revision
        return None

    @property
    def public_photos(self):
        return [photo for photo in self.photos if not photo.pending]

    @property
    def public_documents(self):
        return [doc for doc in self.documents if not doc.pending]

    @property
    def cover(self):
        photos = self.public_photos
        return photos[0] if photos else None

    def is_owned_by(self, user) -> bool:
        return (
            user is not None
            and getattr(user, "is_authenticated", False)
            and user.enterprise_id == self.enterprise_id
        )

    def is_public(self, today: date) -> bool:
        """Published, not past its validity, and its enterprise is approved."""
        return (
            self.status is ListingStatus.PUBLISHED
            and (self.valid_until is None or self.valid_until >= today)
            and self.enterprise.is_approved
        )


class ListingPhoto(db.Model):
    __tablename__ = "listing_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(
        ForeignKey("listings.id", ondelete="CASCADE"), index=True
    )
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id"))
    thumbnail_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id"))
    position: Mapped[int] = mapped_column(default=0)
    width: Mapped[int]
    height: Mapped[int]
    is_nameplate: Mapped[bool] = mapped_column(default=False)
    # Added to a published listing: shown only once the revision is approved.
    pending: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    listing = relationship("Listing", back_populates="photos")
    file = relationship("StoredFile", foreign_keys=[file_id])
    thumbnail = relationship("StoredFile", foreign_keys=[thumbnail_id])


class ListingDocument(db.Model):
    __tablename__ = "listing_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(
        ForeignKey("listings.id", ondelete="CASCADE"), index=True
    )
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id"))
    kind: Mapped[DocumentKind] = mapped_column(enum_column(DocumentKind, "kind"))
    # For test reports: factory, commissioning or periodic; the lab; the test date.
    report_kind: Mapped[str | None] = mapped_column(String(20))
    lab: Mapped[str | None] = mapped_column(String(100))
    test_date: Mapped[date | None] = mapped_column(Date)
    pending: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    listing = relationship("Listing", back_populates="documents")
    file = relationship("StoredFile")


class ListingEvent(AppendOnly, db.Model):
    """One row per lifecycle transition: who, when, what, why (append-only)."""

    __tablename__ = "listing_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[ListingAction] = mapped_column(
        enum_column(ListingAction, "action", length=30)
    )
    from_status: Mapped[ListingStatus | None] = mapped_column(
        enum_column(ListingStatus, "from_status")
    )
    to_status: Mapped[ListingStatus] = mapped_column(
        enum_column(ListingStatus, "to_status")
    )
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    listing = relationship("Listing", back_populates="events")
    actor = relationship("User")


class ListingRevision(db.Model):
    """An edit of a published listing, waiting for a moderator before it goes live."""

    __tablename__ = "listing_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id"), index=True)
    data: Mapped[dict] = mapped_column(JSON)
    status: Mapped[RevisionStatus] = mapped_column(
        enum_column(RevisionStatus, "status"), default=RevisionStatus.PENDING
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    listing = relationship("Listing", back_populates="revisions")



class Deal(AppendOnly, db.Model):
    """A sale recorded on a post, through an inquiry or by the owner marking it sold.

    The post's quantity goes down by each deal; these rows keep what was traded.
    """

    __tablename__ = "deals"

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id"), index=True)
    inquiry_id: Mapped[int | None] = mapped_column(ForeignKey("inquiries.id"))
    # Either side is unknown when the owner marks a post sold outside the platform:
    # the buyer of an offer, the seller of a wanted post.
    seller_enterprise_id: Mapped[int | None] = mapped_column(
        ForeignKey("enterprises.id"), index=True
    )
    buyer_enterprise_id: Mapped[int | None] = mapped_column(
        ForeignKey("enterprises.id"), index=True
    )
    unit_price_cny: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    quantity: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    total_cny: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    listing = relationship("Listing")

    def __repr__(self) -> str:
        return f"<Deal {self.id} on {self.listing_id} {self.quantity} × {self.unit_price_cny}>"
