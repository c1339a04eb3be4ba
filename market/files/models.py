"""Stored files: uploaded bytes kept outside static/ under generated names."""

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from market.database import UTCDateTime, utcnow
from market.extensions import db


class StoredFile(db.Model):
    __tablename__ = "stored_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Random 128-bit name on disk; never derived from what the user sent.
    storage_key: Mapped[str] = mapped_column(String(32), unique=True)
    # The name the user gave, kept for display and download only.
    display_name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    enterprise_id: Mapped[int | None] = mapped_column(
        ForeignKey("enterprises.id", use_alter=True), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<StoredFile {self.id} {self.content_type} {self.display_name!r}>"

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")
