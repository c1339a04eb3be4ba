"""Enterprises, their lifecycle states and the append-only decision history."""

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from market.database import AppendOnly, UTCDateTime, enum_column, utcnow
from market.extensions import db


class EnterpriseStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    SUSPENDED = "suspended"


class EnterpriseType(enum.StrEnum):
    GRID_SUPPLY = "grid_supply"
    GENERATION = "generation"
    MANUFACTURER = "manufacturer"
    CONTRACTOR = "contractor"
    RECYCLER = "recycler"
    SMALL_USER = "small_user"
    OTHER = "other"


class DecisionAction(enum.StrEnum):
    SUBMITTED = "submitted"
    RESUBMITTED = "resubmitted"
    APPROVED = "approved"
    REJECTED = "rejected"
    SUSPENDED = "suspended"
    REINSTATED = "reinstated"


class Enterprise(db.Model):
    __tablename__ = "enterprises"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), index=True)
    credit_code: Mapped[str] = mapped_column(String(18), unique=True)
    # The code failed the GB 32100 check and the applicant confirmed it as printed.
    credit_code_unverified: Mapped[bool] = mapped_column(default=False)
    enterprise_type: Mapped[EnterpriseType] = mapped_column(enum_column(EnterpriseType, "enterprise_type"))
    province_code: Mapped[str] = mapped_column(String(6))
    city_code: Mapped[str] = mapped_column(String(6))
    district_code: Mapped[str | None] = mapped_column(String(6))
    address: Mapped[str] = mapped_column(String(200))
    contact_name: Mapped[str] = mapped_column(String(50))
    contact_mobile: Mapped[str] = mapped_column(String(11))
    contact_email: Mapped[str] = mapped_column(String(254))
    status: Mapped[EnterpriseStatus] = mapped_column(
        enum_column(EnterpriseStatus, "status"), default=EnterpriseStatus.PENDING, index=True
    )
    status_reason: Mapped[str | None] = mapped_column(Text)
    licence_id: Mapped[int | None] = mapped_column(ForeignKey("stored_files.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When the application last entered the queue: the queue is oldest first.
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    licence = relationship("StoredFile", foreign_keys=[licence_id])
    users = relationship("User", back_populates="enterprise", order_by="User.id")
    decisions = relationship(
        "EnterpriseDecision",
        back_populates="enterprise",
        order_by="EnterpriseDecision.id",
        passive_deletes=True,
    )

    def __repr__(self) -> str:
        return f"<Enterprise {self.id} {self.credit_code} {self.status.value}>"

    @property
    def is_approved(self) -> bool:
        return self.status is EnterpriseStatus.APPROVED

    def is_member(self, user) -> bool:
        """Whether the user belongs to this enterprise."""
        return user is not None and getattr(user, "enterprise_id", None) == self.id

    def can_view_private(self, user) -> bool:
        """Licence and registration data: the enterprise's own users and moderators."""
        if user is None or not getattr(user, "is_authenticated", False):
            return False
        return self.is_member(user) or user.is_moderator


class EnterpriseDecision(AppendOnly, db.Model):
    """One row per change of an enterprise's state: who, when, what, why."""

    __tablename__ = "enterprise_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("enterprises.id"), index=True
    )
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[DecisionAction] = mapped_column(enum_column(DecisionAction, "action"))
    from_status: Mapped[EnterpriseStatus | None] = mapped_column(
        enum_column(EnterpriseStatus, "from_status")
    )
    to_status: Mapped[EnterpriseStatus] = mapped_column(
        enum_column(EnterpriseStatus, "to_status")
    )
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    enterprise = relationship("Enterprise", back_populates="decisions")
    actor = relationship("User")

    def __repr__(self) -> str:
        return f"<EnterpriseDecision {self.id} {self.action.value} #{self.enterprise_id}>"

