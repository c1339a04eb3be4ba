"""Storage quota and upload throttling per enterprise."""

from market.extensions import db
from market.files.models import StoredFile
from tests.conftest import png_bytes
from tests.listings.conftest import upload


def send_photo(owner, listing_id):
    return owner.post(
        f"/listings/{listing_id}/files",
        {"photo-photo": upload(png_bytes((320, 240)), "照片.png")},
        content_type="multipart/form-data",
    )


def count_files(app) -> int:
    with app.app_context():
        return db.session.query(StoredFile).count()


def test_a_full_storage_quota_refuses_new_photos_and_stores_nothing(
    app, approved, make_listing, client_for, translate
):
    draft = make_listing(approved, status="draft")
    owner = client_for(approved, locale=None)
    app.config["MARKET_STORAGE_QUOTA_BYTES"] = 1  # the licence alone exceeds it
    before = count_files(app)
    response = send_photo(owner, draft.id)
    assert response.status_code == 200
    message = translate(
        "Your enterprise's storage is full; delete photos or documents of closed "
        "posts first."
    )
    assert message in response.get_data(as_text=True).replace("&#39;", "'")
    assert count_files(app) == before


def test_uploads_are_throttled_per_user(app, approved, make_listing, client_for):
    draft = make_listing(approved, status="draft")
    owner = client_for(approved)
    app.config["MARKET_UPLOAD_LIMIT_PER_USER"] = "2 per hour"
    statuses = [send_photo(owner, draft.id).status_code for _ in range(3)]
    assert statuses == [302, 302, 429]
