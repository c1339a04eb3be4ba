"""Photos and documents of a listing: add, reorder, delete, and who may see them."""

from datetime import date

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from market.accounts.models import User
from market.exceptions import InvalidTransition, ValidationFailed
from market.extensions import db
from market.files.images import reencode_photo
from market.files.models import StoredFile
from market.files.sniffing import JPEG, PDF, PNG, WEBP, UploadRejected, check_upload
from market.files.storage import delete_stored_file, store_file
from market.listings.models import (
    DocumentKind,
    Listing,
    ListingDocument,
    ListingPhoto,
    ListingStatus,
)
from market.listings.services import open_revision, require_owner, today

MAX_PHOTOS = 12
MAX_DOCUMENTS = 10
PHOTO_MAX_BYTES = 10 * 1024 * 1024
DOCUMENT_MAX_BYTES = 20 * 1024 * 1024
PHOTO_TYPES = frozenset({JPEG, PNG, WEBP})
DOCUMENT_TYPES = frozenset({PDF})
REPORT_KINDS = ("factory", "commissioning", "periodic")
CLOSED_STATES = (ListingStatus.SOLD, ListingStatus.WITHDRAWN, ListingStatus.EXPIRED)


def add_photo(
    actor: User, listing: Listing, filename: str, data: bytes, is_nameplate: bool = False
) -> ListingPhoto:
    """Check, re-encode without metadata, thumbnail and attach a photo."""
    _require_editable(actor, listing)
    if len(listing.photos) >= MAX_PHOTOS:
        raise ValidationFailed(
            {"photo": [_l("A post has at most %(count)s photos.", count=MAX_PHOTOS)]}
        )
    try:
        sniffed = check_upload(data, filename, PHOTO_TYPES, PHOTO_MAX_BYTES)
    except UploadRejected as rejected:
        raise ValidationFailed({"photo": [rejected.message]}) from None
    full, small = reencode_photo(sniffed)
    _check_quota(listing, len(full.data) + len(small.data), "photo")
    base = filename.rsplit(".", 1)[0] or "photo"
    photo = ListingPhoto(
        listing=listing,
        file=store_file(full, f"{base}.jpg", listing.enterprise_id),
        thumbnail=store_file(small, f"{base}-thumbnail.jpg", listing.enterprise_id),
        position=max((p.position for p in listing.photos), default=-1) + 1,
        width=full.width,
        height=full.height,
        is_nameplate=is_nameplate,
        pending=listing.status is ListingStatus.PUBLISHED,
    )
    db.session.add(photo)
    if photo.pending:
        open_revision(actor, listing)
    return photo


def add_document(
    actor: User,
    listing: Listing,
    filename: str,
    data: bytes,
    kind: str,
    report_kind: str | None = None,
    lab: str | None = None,
    test_date: date | None = None,
) -> ListingDocument:
    """Check and attach a PDF; a test report carries its kind, lab and date."""
    _require_editable(actor, listing)
    reasons: dict[str, list] = {}
    try:
        document_kind = DocumentKind(kind)
    except ValueError:
        reasons["kind"] = [_l("Choose what the document is.")]
        document_kind = None
    if document_kind is DocumentKind.TEST_REPORT:
        if report_kind not in REPORT_KINDS:
            reasons["report_kind"] = [_l("Choose the kind of test report.")]
        if not (lab or "").strip():
            reasons["lab"] = [_l("Enter the laboratory that made the test.")]
        if test_date is None:
            reasons["test_date"] = [_l("Enter the date of the test.")]
        elif test_date > today():
            reasons["test_date"] = [_l("The test date cannot be in the future.")]
    if len(listing.documents) >= MAX_DOCUMENTS:
        reasons["document"] = [
            _l("A post has at most %(count)s documents.", count=MAX_DOCUMENTS)
        ]
    try:
        sniffed = check_upload(data, filename, DOCUMENT_TYPES, DOCUMENT_MAX_BYTES)
    except UploadRejected as rejected:
        reasons.setdefault("document", []).append(rejected.message)
    if reasons:
        raise ValidationFailed(reasons)
    _check_quota(listing, len(sniffed.data), "document")
    is_report = document_kind is DocumentKind.TEST_REPORT
    document = ListingDocument(
        listing=listing,
        file=store_file(sniffed, filename, listing.enterprise_id),
        kind=document_kind,
        report_kind=report_kind if is_report else None,
        lab=(lab or "").strip()[:100] if is_report else None,
        test_date=test_date if is_report else None,
        pending=listing.status is ListingStatus.PUBLISHED,
    )
    db.session.add(document)
    if document.pending:
        open_revision(actor, listing)
    return document


def delete_photo(actor: User, listing: Listing, photo: ListingPhoto) -> None:
    _require_editable(actor, listing)
    if listing.status is ListingStatus.PUBLISHED and not photo.pending:
        raise ValidationFailed(
            {"photo": [_l("Published photos can be removed by withdrawing the post.")]}
        )
    forget_photo(listing, photo)
    _renumber(listing)


def delete_document(actor: User, listing: Listing, document: ListingDocument) -> None:
    _require_editable(actor, listing)
    if listing.status is ListingStatus.PUBLISHED and not document.pending:
        raise ValidationFailed(
            {"document": [_l("Published documents stay until the post is withdrawn.")]}
        )
    forget_document(listing, document)


def forget_photo(listing: Listing, photo: ListingPhoto) -> None:
    """Remove a photo with its stored files (the bytes go once the change commits)."""
    listing.photos.remove(photo)
    delete_stored_file(photo.file)
    delete_stored_file(photo.thumbnail)


def forget_document(listing: Listing, document: ListingDocument) -> None:
    listing.documents.remove(document)
    delete_stored_file(document.file)


def move_photo(actor: User, listing: Listing, photo: ListingPhoto, offset: int) -> None:
    """Move a photo earlier (-1) or later (+1); the first photo is the cover."""
    _require_editable(actor, listing)
    if listing.status is ListingStatus.PUBLISHED:
        raise ValidationFailed(
            {"photo": [_l("The order of published photos cannot be changed.")]}
        )
    photos = list(listing.photos)
    index = photos.index(photo)
    target = min(max(index + offset, 0), len(photos) - 1)
    photos.insert(target, photos.pop(index))
    for position, item in enumerate(photos):
        item.position = position


def _check_quota(listing: Listing, new_bytes: int, field: str) -> None:
    """Each enterprise has a storage budget for all its files together."""
    used = db.session.scalar(
        select(func.coalesce(func.sum(StoredFile.size), 0)).where(
            StoredFile.enterprise_id == listing.enterprise_id
        )
    )
    if used + new_bytes > current_app.config["MARKET_STORAGE_QUOTA_BYTES"]:
        raise ValidationFailed(
            {
                field: [
                    _l(
                        "Your enterprise's storage is full; delete photos or "
                        "documents of closed posts first."
                    )
                ]
            }
        )


def _renumber(listing: Listing) -> None:
    for position, photo in enumerate(sorted(listing.photos, key=lambda p: p.position)):
        photo.position = position


def _require_editable(actor: User, listing: Listing) -> None:
    require_owner(actor, listing)
    if listing.status in CLOSED_STATES:
        raise InvalidTransition(listing.status)


def can_see_documents(user, listing: Listing) -> bool:
    """Documents and contact details: approved enterprises, the owner, moderators."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return user.is_moderator or listing.is_owned_by(user) or user.can_publish

