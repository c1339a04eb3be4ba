"""Uploads: what market.files.sniffing accepts, and how market.files.storage keeps it.

The rejection corpus follows SECURITY.md G2/G3/G5/G6: the type comes from the bytes,
the extension must agree, images are measured from their header before decoding, and
stored files get generated names under the upload directory.
"""

import io
import struct
import time
import zlib
from pathlib import Path

import pytest
from flask_babel import force_locale
from PIL import Image

from market.extensions import db
from market.files.models import StoredFile
from market.files.sniffing import (
    JPEG,
    PDF,
    PNG,
    WEBP,
    SniffedFile,
    UploadRejected,
    check_upload,
)
from market.files.storage import path_for, send_stored_file, store_file
from tests.conftest import pdf_bytes, png_bytes
from tests.enterprises.test_registration import shared_compiled_templates  # noqa: F401

LICENCE = frozenset({PDF, JPEG, PNG})
PHOTOS = frozenset({JPEG, PNG, WEBP})
TEN_MB = 10 * 1024 * 1024

NOT_ACCEPTED = "This file type is not accepted."
EXTENSION_MISMATCH = "The file name's extension does not match the file's content."
TOO_LARGE_DIMENSIONS = "The image's dimensions are too large."
ANIMATED = "Animated images are not accepted."
DAMAGED_IMAGE = "The image file is damaged or unreadable."


# --- building test files ---------------------------------------------------------


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data))
        + kind
        + data
        + struct.pack(">I", zlib.crc32(kind + data))
    )


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims the given size (the pixel data is a stub)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + _chunk(b"IEND", b"")
    )


def jpeg_bytes(size=(64, 48)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "#884422").save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def webp_bytes(size=(64, 48)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "#224488").save(buffer, "WEBP")
    return buffer.getvalue()


def animated(fmt: str, frames: int) -> bytes:
    images = [Image.new("RGB", (4, 4), (i % 256, 0, 0)) for i in range(frames)]
    buffer = io.BytesIO()
    images[0].save(buffer, fmt, save_all=True, append_images=images[1:])
    return buffer.getvalue()


def damaged_png() -> bytes:
    data = bytearray(png_bytes((200, 150)))
    idat = data.index(b"IDAT")
    for offset in range(idat + 8, idat + 40):
        data[offset] ^= 0xFF
    return bytes(data)


def reject_message(app, data: bytes, filename: str, allowed=LICENCE) -> str:
    """The English message check_upload refuses the bytes with."""
    with pytest.raises(UploadRejected) as caught:
        check_upload(data, filename, allowed, TEN_MB)
    with app.test_request_context(), force_locale("en"):
        return str(caught.value.message)


# --- what is refused -------------------------------------------------------------

REJECTED_CORPUS = {
    "html renamed .jpg": (
        b"<!doctype html><script>alert(1)</script>",
        "photo.jpg",
        NOT_ACCEPTED,
    ),
    "png renamed .pdf": (png_bytes(), "licence.pdf", EXTENSION_MISMATCH),
    "jpeg renamed .png": (jpeg_bytes(), "licence.png", EXTENSION_MISMATCH),
    "gif/js polyglot": (
        b"GIF89a/*\x01\x00\x01\x00\x00\x00\x00*/=alert(1)//;",
        "licence.gif",
        NOT_ACCEPTED,
    ),
    "gif named .jpg": (
        b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff;",
        "a.jpg",
        NOT_ACCEPTED,
    ),
    "pdf starting with <html>": (
        b"<html><body>hi</body></html>\n" + pdf_bytes(),
        "licence.pdf",
        NOT_ACCEPTED,
    ),
    "svg with script": (
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        "licence.svg",
        NOT_ACCEPTED,
    ),
    "svg named .png": (
        b'<?xml version="1.0"?>'
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
        "licence.png",
        NOT_ACCEPTED,
    ),
    "php body as .php.jpg": (
        b"<?php system($_GET['c']); ?>",
        "shell.php.jpg",
        NOT_ACCEPTED,
    ),
    "webp not allowed for licences": (webp_bytes(), "licence.webp", NOT_ACCEPTED),
    "pdf with javascript": (
        pdf_bytes(b"3 0 obj << /S /JavaScript /JS (app.alert(1)) >> endobj"),
        "licence.pdf",
        "PDF files with scripts, attachments or encryption are not accepted.",
    ),
    "pdf with launch action": (
        pdf_bytes(b"3 0 obj << /S /Launch /F (cmd.exe) >> endobj"),
        "licence.pdf",
        "PDF files with scripts, attachments or encryption are not accepted.",
    ),
    "truncated pdf": (
        b"%PDF-1.4\n1 0 obj << >> endobj\n",
        "licence.pdf",
        "The PDF file is damaged or incomplete.",
    ),
    "damaged png": (damaged_png(), "licence.png", DAMAGED_IMAGE),
    "jpeg header only": (
        b"\xff\xd8\xff\xe0" + b"\x00" * 40,
        "licence.jpg",
        DAMAGED_IMAGE,
    ),
}


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    list(REJECTED_CORPUS.values()),
    ids=list(REJECTED_CORPUS),
)
def test_corpus_is_rejected_with_the_right_message(app, data, filename, message):
    assert reject_message(app, data, filename) == message


def test_empty_file_is_rejected(app):
    assert reject_message(app, b"", "licence.pdf") == "The file is empty."


def test_file_over_the_limit_is_rejected_and_at_the_limit_accepted(app):
    filler = b"0" * (TEN_MB - len(pdf_bytes()))
    exactly = pdf_bytes(filler)
    assert len(exactly) == TEN_MB
    assert check_upload(exactly, "licence.pdf", LICENCE, TEN_MB).content_type == PDF
    over = pdf_bytes(filler + b"0")
    assert reject_message(app, over, "licence.pdf") == "The file is larger than 10 MB."


def test_client_supplied_extension_case_does_not_matter(app):
    assert check_upload(png_bytes(), "LICENCE.PNG", LICENCE, TEN_MB).content_type == PNG


def test_rejection_message_is_shown_in_chinese_by_default(app, translate):
    with pytest.raises(UploadRejected) as caught:
        check_upload(b"<html></html>", "a.pdf", LICENCE, TEN_MB)
    with app.test_request_context():
        assert str(caught.value.message) == translate(NOT_ACCEPTED)


# --- what is accepted ------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "filename", "content_type", "allowed"),
    [
        (jpeg_bytes(), "营业执照.jpg", JPEG, LICENCE),
        (jpeg_bytes(), "scan.JPEG", JPEG, LICENCE),
        (png_bytes(), "营业执照.png", PNG, LICENCE),
        (pdf_bytes(), "营业执照.pdf", PDF, LICENCE),
        (webp_bytes(), "photo.webp", WEBP, PHOTOS),
    ],
)
def test_real_files_are_accepted(data, filename, content_type, allowed):
    sniffed = check_upload(data, filename, allowed, TEN_MB)
    assert sniffed.content_type == content_type
    assert sniffed.data == data
    if content_type != PDF:
        assert (sniffed.width, sniffed.height) == (64, 48)


# --- pixel floods and animations (G3) --------------------------------------------


def test_pixel_flood_is_rejected_fast(app):
    data = png_claiming(20_000, 20_000)
    assert len(data) < 200
    check_upload(
        png_bytes(), "warm-up.png", LICENCE, TEN_MB
    )  # imports out of the timing
    started = time.perf_counter()
    with pytest.raises(UploadRejected):
        check_upload(data, "flood.png", LICENCE, TEN_MB)
    assert time.perf_counter() - started < 0.1


def test_pixel_flood_beyond_pillows_limit_says_too_large(app):
    assert reject_message(app, png_claiming(20_000, 20_000), "flood.png") == (
        TOO_LARGE_DIMENSIONS
    )


@pytest.mark.parametrize(
    "size",
    [(10_000, 10_000), (12_001, 100), (100, 12_001), (8_000, 5_001)],
    ids=["100MP-between-pillow-thresholds", "too-wide", "too-tall", "just-over-40MP"],
)
def test_oversized_dimensions_are_rejected_by_the_app_check(app, size):
    assert reject_message(app, png_claiming(*size), "big.png") == TOO_LARGE_DIMENSIONS


def test_large_but_reasonable_photo_is_accepted():
    buffer = io.BytesIO()
    Image.new("1", (6000, 4000), 1).save(buffer, "PNG")
    sniffed = check_upload(buffer.getvalue(), "scan.png", LICENCE, TEN_MB)
    assert (sniffed.width, sniffed.height) == (6000, 4000)


@pytest.mark.parametrize(
    ("fmt", "filename", "allowed"),
    [("PNG", "anim.png", LICENCE), ("WEBP", "anim.webp", PHOTOS)],
)
def test_animated_images_with_many_frames_are_rejected(app, fmt, filename, allowed):
    assert reject_message(app, animated(fmt, 300), filename, allowed) == ANIMATED


# --- storage (G6/G7) ------------------------------------------------------------


def _files_on_disk(app) -> list[Path]:
    root = Path(app.config["MARKET_UPLOAD_DIR"])
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_two_uploads_with_the_same_chinese_name_are_both_kept(app):
    first, second = pdf_bytes(b"% one"), pdf_bytes(b"% two")
    with app.app_context():
        a = store_file(SniffedFile(PDF, first), "营业执照.pdf", None)
        b = store_file(SniffedFile(PDF, second), "营业执照.pdf", None)
        db.session.commit()
        ids = (a.id, b.id)
    with app.test_request_context():
        stored = [db.session.get(StoredFile, i) for i in ids]
        assert stored[0].storage_key != stored[1].storage_key
        assert [s.display_name for s in stored] == ["营业执照.pdf", "营业执照.pdf"]
        for row, expected in zip(stored, (first, second), strict=True):
            assert "营业执照" not in row.storage_key and len(row.storage_key) == 32
            response = send_stored_file(row)
            response.direct_passthrough = False
            try:
                assert response.get_data() == expected
                disposition = response.headers["Content-Disposition"]
                assert disposition.startswith("attachment")
                assert (
                    "filename*=UTF-8''%E8%90%A5%E4%B8%9A%E6%89%A7%E7%85%A7.pdf"
                    in disposition
                )
                assert response.headers["X-Content-Type-Options"] == "nosniff"
                assert response.mimetype == PDF
            finally:
                response.close()
    assert len(_files_on_disk(app)) == 2


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\windows\\win.ini", "win.ini"),
        ("/var/www/static/营业执照.png", "营业执照.png"),
        ("a\x00b\u202e.png", "ab.png"),
        ("../", "file"),
    ],
)
def test_display_name_loses_its_path_and_the_file_stays_in_the_upload_dir(
    app, given, kept
):
    with app.app_context():
        stored = store_file(SniffedFile(PNG, png_bytes()), given, None)
        db.session.commit()
        path = path_for(stored).resolve()
        assert stored.display_name == kept
    root = Path(app.config["MARKET_UPLOAD_DIR"]).resolve()
    assert path.is_relative_to(root)
    assert not path.is_relative_to(Path(app.static_folder).resolve())
    assert _files_on_disk(app) == [path]
    assert path.read_bytes() == png_bytes()


def test_stored_file_is_removed_when_the_transaction_rolls_back(app):
    with app.app_context():
        stored = store_file(SniffedFile(PDF, pdf_bytes()), "营业执照.pdf", None)
        path = path_for(stored)
        assert path.exists()
        db.session.rollback()
        assert not path.exists()
        assert db.session.execute(db.select(StoredFile)).first() is None
    assert _files_on_disk(app) == []


def test_stored_file_is_removed_after_a_flush_then_rollback(app):
    with app.app_context():
        stored = store_file(SniffedFile(PDF, pdf_bytes()), "营业执照.pdf", None)
        db.session.flush()
        path = path_for(stored)
        db.session.rollback()
        assert not path.exists()


def test_stored_file_is_removed_when_the_session_is_abandoned(app):
    with app.app_context():
        stored = store_file(SniffedFile(PNG, png_bytes()), "a.png", None)
        path = path_for(stored)
    # Leaving the app context closes the session without a commit.
    assert not path.exists()
    assert _files_on_disk(app) == []


def test_committed_file_stays_even_after_a_later_rollback(app):
    with app.app_context():
        stored = store_file(SniffedFile(PDF, pdf_bytes()), "营业执照.pdf", None)
        db.session.commit()
        path = path_for(stored)
        other = store_file(SniffedFile(PNG, png_bytes()), "other.png", None)
        other_path = path_for(other)
        db.session.rollback()
        assert path.exists() and not other_path.exists()
        assert path.read_bytes() == pdf_bytes()
    assert _files_on_disk(app) == [path]
