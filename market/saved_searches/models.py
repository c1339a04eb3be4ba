"""A search an enterprise user keeps, to hear about new posts that match it."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from market.database import UTCDateTime, utcnow
from market.extensions import db


class SavedSearch(db.Model):
    __tablename__ = "saved_searches"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    # The search page's query-string parameters (q and filters), as submitted.
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    muted: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user = relationship("User")
    enterprise = relationship("Enterprise")

    def __repr__(self) -> str:
        return f"<SavedSearch {self.id} {self.name!r}>"
