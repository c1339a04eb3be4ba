"""Photos and documents of a post through the files page (SECURITY.md G1–G8): what is
refused, how photos are re-encoded and thumbnailed, names, the cover and its order,
and the fields a test report needs."""

import html
import io
import struct
import time
import zlib
from datetime import timedelta
from pathlib import Path

import pytest
from PIL import ExifTags, Image

from market.extensions import db
from market.files.models import StoredFile
from market.listings.models import ListingPhoto
from tests.listings.conftest import (
    count,
    database_state,
    error_fields,
    files_on_disk,
    load,
    pdf_bytes,
    png_bytes,
    today,
    upload,
)

MB = 1024 * 1024
NOT_ACCEPTED = "This file type is not accepted."


def post_photo(client, listing_id, data, filename, **extra):
    form = {"photo-photo": upload(data, filename), **extra}
    return client.post(
        f"/listings/{listing_id}/files", form, content_type="multipart/form-data"
    )


def post_document(client, listing_id, data, filename, kind="test_report", **extra):
    form = {"document-document": upload(data, filename), "document-kind": kind, **extra}
    return client.post(
        f"/listings/{listing_id}/files", form, content_type="multipart/form-data"
    )


def report_fields(**overrides):
    fields = {
        "document-report_kind": "commissioning",
        "document-lab": "国网山东省电力公司电力科学研究院",
        "document-test_date": (today() - timedelta(days=10)).isoformat(),
    }
    fields.update(overrides)
    return {k: v for k, v in fields.items() if v is not None}


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims the given size."""

    def chunk(kind, data):
        return (
            struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data))
        )  # fmt: skip

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (640, 480), "#446688")
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Canon"
    exif[ExifTags.Base.Model] = "EOS 5D"
    exif[ExifTags.Base.BodySerialNumber] = "SN-0042-SECRET"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (34.0, 48.0, 36.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (117.0, 19.0, 12.0)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif, quality=95)
    return buffer.getvalue()


@pytest.fixture
def draft(make_listing, approved):
    return make_listing(approved, status="draft")


@pytest.fixture
def owner(client_for, approved):
    return client_for(approved)


def field_errors(response) -> str:
    assert response.status_code == 200, response.status_code
    return html.unescape(response.get_data(as_text=True))


# --- refusals -------------------------------------------------------------------------

REFUSED_PHOTOS = [
    (b"just some text, not an image", "photo.png", NOT_ACCEPTED),
    (b"<html><script>alert(1)</script></html>", "photo.jpg", NOT_ACCEPTED),
    (
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg">'
        b"<script>alert(1)</script></svg>",
        "photo.jpg",
        NOT_ACCEPTED,
    ),
    (b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "photo.jpg", NOT_ACCEPTED),
    (pdf_bytes(), "photo.jpg", NOT_ACCEPTED),
    (png_bytes(), "photo.pdf", "The file name's extension does not match the file's content."),
    (png_bytes(), "photo.php", "The file name's extension does not match the file's content."),
    (b"\xff\xd8\xff\xe0broken", "photo.jpg", "The image file is damaged or unreadable."),
    (b"", "photo.jpg", None),
]  # fmt: skip


def test_bad_photos_are_refused_and_nothing_is_stored(app, owner, draft):
    disk = files_on_disk(app)
    problems = []
    for data, filename, message in REFUSED_PHOTOS:
        page = field_errors(post_photo(owner, draft.id, data, filename))
        if "has-error" not in page:
            problems.append(f"{filename} {data[:12]!r}: no error shown")
        if message and message not in page:
            problems.append(f"{filename} {data[:12]!r}: {message!r} missing")
    assert not problems, problems
    assert load(app, draft.id)["photos"] == []
    assert files_on_disk(app) == disk


def test_bad_documents_are_refused(app, owner, draft):
    cases = [
        (png_bytes(), "report.pdf", NOT_ACCEPTED),
        (b"<html>%PDF-1.4</html>", "report.pdf", NOT_ACCEPTED),
        (pdf_bytes(), "report.exe", "The file name's extension does not match the file's content."),
        (pdf_bytes(b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >>"), "report.pdf",
         "PDF files with scripts, attachments or encryption are not accepted."),
        (b"%PDF-1.4 truncated", "report.pdf", "The PDF file is damaged or incomplete."),
    ]  # fmt: skip
    problems = []
    for data, filename, message in cases:
        page = field_errors(post_document(owner, draft.id, data, filename, **report_fields()))
        if message not in page:
            problems.append(f"{filename} {data[:12]!r}: {message!r} missing")
    assert not problems, problems
    assert load(app, draft.id)["documents"] == []


def test_oversized_photo_and_pdf_are_refused(app, owner, draft):
    photo = b"\xff\xd8\xff\xe0" + b"\x00" * (10 * MB)
    page = field_errors(post_photo(owner, draft.id, photo, "big.jpg"))
    assert "The file is larger than 10 MB." in page
    document = b"%PDF-1.4\n" + b"0" * (20 * MB) + b"\n%%EOF\n"
    page = field_errors(post_document(owner, draft.id, document, "big.pdf", **report_fields()))
    assert "The file is larger than 20 MB." in page
    row = load(app, draft.id)
    assert row["photos"] == [] and row["documents"] == []


def test_a_request_above_the_platform_limit_is_413(app, owner, draft):
    response = post_photo(owner, draft.id, b"\xff\xd8\xff" + b"\x00" * (26 * MB), "huge.jpg")
    assert response.status_code == 413
    assert load(app, draft.id)["photos"] == []


def test_pixel_flood_png_is_refused_quickly(app, owner, draft):
    started = time.perf_counter()
    response = post_photo(owner, draft.id, png_claiming(20_000, 20_000), "flood.png")
    elapsed = time.perf_counter() - started
    assert "has-error" in field_errors(response)
    assert load(app, draft.id)["photos"] == []
    assert elapsed < 2.0
    page = field_errors(post_photo(owner, draft.id, png_claiming(10_000, 10_000), "big.png"))
    assert "The image's dimensions are too large." in page


def test_the_thirteenth_photo_is_refused(app, make_listing, approved, owner):
    full = make_listing(approved, status="draft", photos=12)
    page = field_errors(post_photo(owner, full.id, png_bytes(), "thirteen.png"))
    assert "A post has at most 12 photos." in page
    assert len(load(app, full.id)["photos"]) == 12


def test_upload_without_a_file_is_refused(app, owner, draft):
    response = owner.post(f"/listings/{draft.id}/files", {"photo-is_nameplate": "y"})
    assert "Choose a file to upload." in field_errors(response)
    assert load(app, draft.id)["photos"] == []


# --- photos ---------------------------------------------------------------------------


def test_photos_are_re_encoded_without_exif(app, owner, draft, client_for, other):
    original = jpeg_with_gps()
    with Image.open(io.BytesIO(original)) as check:  # the test file really has GPS
        assert check.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    assert post_photo(owner, draft.id, original, "现场照片.jpg").status_code == 302
    photo_id = load(app, draft.id)["photos"][0][0]
    served = owner.get(f"/listings/{draft.id}/photos/{photo_id}/full")
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    data = served.get_data()
    assert data != original
    assert b"Exif" not in data and b"SN-0042-SECRET" not in data and b"Canon" not in data
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "JPEG"
        assert image.size == (640, 480)
        exif = image.getexif()
        assert len(exif) == 0
        assert not exif.get_ifd(ExifTags.IFD.GPSInfo)
        assert "exif" not in image.info


def test_png_photos_become_jpeg_with_a_thumbnail(app, owner, draft):
    big = png_bytes((3000, 2000), "#123456")
    nameplate = {"photo-is_nameplate": "y"}
    assert post_photo(owner, draft.id, big, "铭牌.png", **nameplate).status_code == 302
    photo_id, *_ = load(app, draft.id)["photos"][0]
    full = owner.get(f"/listings/{draft.id}/photos/{photo_id}/full")
    thumbnail = owner.get(f"/listings/{draft.id}/photos/{photo_id}/thumbnail")
    with Image.open(io.BytesIO(full.get_data())) as image:
        assert image.format == "JPEG" and max(image.size) <= 2560
    with Image.open(io.BytesIO(thumbnail.get_data())) as image:
        assert image.format == "JPEG"
        assert image.width <= 480 and image.height <= 360
    assert len(thumbnail.get_data()) < len(full.get_data())
    with app.app_context():
        photo = db.session.get(ListingPhoto, photo_id)
        assert photo.is_nameplate is True
        assert photo.file.display_name == "铭牌.jpg"
        assert photo.thumbnail.display_name == "铭牌-thumbnail.jpg"
        assert (photo.width, photo.height) == (2560, 1707)


def test_file_names_are_generated_and_display_names_kept(app, owner, draft):
    root = Path(app.config["MARKET_UPLOAD_DIR"]).resolve()
    assert post_photo(owner, draft.id, png_bytes(), "../../etc/变压器铭牌.png").status_code == 302
    response = post_document(
        owner, draft.id, pdf_bytes(), "../../检测报告 2024.pdf", **report_fields()
    )
    assert response.status_code == 302
    response = post_document(
        owner, draft.id, pdf_bytes(b"% second"), "检测报告 2024.pdf", kind="other"
    )
    assert response.status_code == 302
    with app.app_context():
        files = db.session.scalars(
            db.select(StoredFile).where(StoredFile.enterprise_id == draft.enterprise_id)
        ).all()
        names = {f.display_name for f in files}
        keys = [f.storage_key for f in files]
    assert {"变压器铭牌.jpg", "检测报告 2024.pdf"} <= names
    assert not any("/" in name or "\\" in name for name in names)
    assert all(len(key) == 32 and all(c in "0123456789abcdef" for c in key) for key in keys)
    assert len(set(keys)) == len(keys)
    for path in files_on_disk(app):
        assert path.resolve().is_relative_to(root)
        assert path.name in keys
    documents = load(app, draft.id)["documents"]
    assert len(documents) == 2  # same display name twice: two files
    served = owner.get(f"/listings/{draft.id}/documents/{documents[0][0]}")
    assert served.get_data() == pdf_bytes()
    assert "filename*=UTF-8''%E6%A3%80%E6%B5%8B%E6%8A%A5%E5%91%8A%202024.pdf" in served.headers[
        "Content-Disposition"
    ]
    assert "检测报告 2024.pdf" in owner.text(f"/listings/{draft.id}/files")


def test_first_photo_is_the_cover_and_the_order_can_change(
    app, owner, make_listing, approved, client_for, factory
):
    made = make_listing(approved, status="draft", photos=3)
    first, second, third = made.photos

    def order():
        return [p[0] for p in load(app, made.id)["photos"]]

    assert order() == [first, second, third]
    page = owner.text(f"/listings/{made.id}/files")
    assert page.index(f'data-photo-id="{first}"') < page.index("Cover") < page.index(
        f'data-photo-id="{second}"'
    )
    assert owner.post(f"/listings/{made.id}/photos/{first}/later").status_code == 302
    assert order() == [second, first, third]
    assert owner.post(f"/listings/{made.id}/photos/{third}/earlier").status_code == 302
    assert order() == [second, third, first]
    assert owner.post(f"/listings/{made.id}/photos/{second}/earlier").status_code == 302
    assert order() == [second, third, first]  # already first
    assert owner.post(f"/listings/{made.id}/photos/{third}/delete").status_code == 302
    assert order() == [second, first]
    assert [p[1] for p in load(app, made.id)["photos"]] == [0, 1]

    # Published, the first photo is the cover on the cards.
    owner.post(f"/listings/{made.id}/submit")
    moderator = client_for(factory.moderator())
    assert moderator.post(f"/moderation/listings/{made.id}/approve").status_code == 302
    home = client_for(None).text("/")
    assert f"/listings/{made.id}/photos/{second}/thumbnail" in home
    assert f"/listings/{made.id}/photos/{first}/thumbnail" not in home


def test_published_photos_stay_in_place(app, owner, make_listing, approved):
    made = make_listing(approved, status="published", photos=2, documents=1)
    before = database_state(app)
    for verb in ("delete", "later"):
        response = owner.post(f"/listings/{made.id}/photos/{made.photos[0]}/{verb}")
        assert response.status_code == 302
    response = owner.post(f"/listings/{made.id}/documents/{made.documents[0]}/delete")
    assert response.status_code == 302
    assert database_state(app) == before


def test_owner_deletes_a_document_of_a_draft(app, owner, make_listing, approved):
    made = make_listing(approved, status="draft", documents=2)
    response = owner.post(f"/listings/{made.id}/documents/{made.documents[0]}/delete")
    assert response.status_code == 302
    assert [d[0] for d in load(app, made.id)["documents"]] == [made.documents[1]]


# --- documents ------------------------------------------------------------------------


def test_a_test_report_needs_kind_lab_and_date(app, owner, draft):
    # Two days ahead: the check uses the server's local date, not the UTC one.
    tomorrow = (today() + timedelta(days=2)).isoformat()
    cases = [
        ({"document-report_kind": None}, "document-report_kind", "Choose the kind of test report."),
        ({"document-report_kind": "guesswork"}, "document-report_kind", "Choose the kind of test report."),
        ({"document-lab": None}, "document-lab", "Enter the laboratory that made the test."),
        ({"document-lab": "   "}, "document-lab", "Enter the laboratory that made the test."),
        ({"document-test_date": None}, "document-test_date", "Enter the date of the test."),
        ({"document-test_date": tomorrow}, "document-test_date", "The test date cannot be in the future."),
    ]  # fmt: skip
    problems = []
    for overrides, field, message in cases:
        fields = report_fields(**overrides)
        response = post_document(owner, draft.id, pdf_bytes(), "报告.pdf", **fields)
        page = field_errors(response)
        if field not in error_fields(page):
            problems.append(f"{overrides}: {field} not marked")
        if message not in page:
            problems.append(f"{overrides}: {message!r} missing")
    assert not problems, problems
    assert load(app, draft.id)["documents"] == []

    response = post_document(owner, draft.id, pdf_bytes(), "交接试验报告.pdf", **report_fields())
    assert response.status_code == 302
    with app.app_context():
        from market.listings.models import ListingDocument

        document = db.session.scalars(db.select(ListingDocument)).one()
        assert document.kind.value == "test_report"
        assert document.report_kind == "commissioning"
        assert document.lab == "国网山东省电力公司电力科学研究院"
        assert document.test_date == today() - timedelta(days=10)
    assert count(app, ListingPhoto) == 0


def test_other_documents_need_no_report_fields(app, owner, draft):
    response = post_document(
        owner, draft.id, pdf_bytes(), "说明书.pdf", kind="manual",
        **{"document-lab": "ignored", "document-report_kind": "factory"},
    )  # fmt: skip
    assert response.status_code == 302
    with app.app_context():
        from market.listings.models import ListingDocument

        document = db.session.scalars(db.select(ListingDocument)).one()
        assert document.kind.value == "manual"
        assert document.report_kind is None and document.lab is None


def test_deleted_files_leave_the_disk(app, owner, make_listing, approved):
    made = make_listing(approved, status="draft", photos=2, documents=1)
    disk = files_on_disk(app)
    owner.post(f"/listings/{made.id}/photos/{made.photos[0]}/delete")
    owner.post(f"/listings/{made.id}/documents/{made.documents[0]}/delete")
    assert len(load(app, made.id)["photos"]) == 1
    assert len(files_on_disk(app)) == len(disk) - 3  # photo, its thumbnail, the PDF
