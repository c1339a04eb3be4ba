"""Decide what an upload really is from its bytes, never from what the client says."""

import io
import warnings
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from PIL import Image

# Width × height is checked from the header before any pixel is decoded.
MAX_IMAGE_PIXELS = 40_000_000
MAX_IMAGE_SIDE = 12_000
PDF_FORBIDDEN_MARKERS = (b"/JavaScript", b"/Launch", b"/EmbeddedFile", b"/Encrypt")

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
WEBP = "image/webp"

EXTENSIONS = {
    PDF: (".pdf",),
    JPEG: (".jpg", ".jpeg"),
    PNG: (".png",),
    WEBP: (".webp",),
}
PILLOW_FORMATS = {JPEG: "JPEG", PNG: "PNG", WEBP: "WEBP"}


class UploadRejected(ValueError):
    """The upload is refused; the message is shown to the user."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class SniffedFile:
    content_type: str
    data: bytes
    width: int | None = None
    height: int | None = None


def sniff_type(head: bytes) -> str | None:
    """The content type the leading bytes announce, among those we accept at all."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    return None


def check_upload(
    data: bytes, filename: str, allowed: frozenset[str], max_bytes: int
) -> SniffedFile:
    """Accept the bytes only if type, extension, size and structure all agree."""
    if not data:
        raise UploadRejected(_l("The file is empty."))
    if len(data) > max_bytes:
        raise UploadRejected(
            _l("The file is larger than %(size)s MB.", size=max_bytes // (1024 * 1024))
        )
    content_type = sniff_type(data[:16])
    if content_type is None or content_type not in allowed:
        raise UploadRejected(_l("This file type is not accepted."))
    if not filename.lower().endswith(EXTENSIONS[content_type]):
        raise UploadRejected(
            _l("The file name's extension does not match the file's content.")
        )
    if content_type == PDF:
        _check_pdf(data)
        return SniffedFile(content_type, data)
    width, height = _check_image(data, content_type)
    return SniffedFile(content_type, data, width, height)


def _check_pdf(data: bytes) -> None:
    if b"%%EOF" not in data[-2048:]:
        raise UploadRejected(_l("The PDF file is damaged or incomplete."))
    if any(marker in data for marker in PDF_FORBIDDEN_MARKERS):
        raise UploadRejected(
            _l("PDF files with scripts, attachments or encryption are not accepted.")
        )


def _check_image(data: bytes, content_type: str) -> tuple[int, int]:
    try:
        with warnings.catch_warnings():
            # Our own limit is far below Pillow's warning threshold.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(
                io.BytesIO(data), formats=[PILLOW_FORMATS[content_type]]
            ) as image:
                width, height = image.size
                if (
                    width * height > MAX_IMAGE_PIXELS
                    or max(width, height) > MAX_IMAGE_SIDE
                ):
                    raise UploadRejected(_l("The image's dimensions are too large."))
                if getattr(image, "n_frames", 1) > 1:
                    raise UploadRejected(_l("Animated images are not accepted."))
                image.verify()
    except UploadRejected:
        raise
    except Image.DecompressionBombError as exc:
        raise UploadRejected(_l("The image's dimensions are too large.")) from exc
    except Exception as exc:  # Pillow raises many types for broken files
        raise UploadRejected(_l("The image file is damaged or unreadable.")) from exc
    return width, height
