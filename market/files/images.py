"""Re-encode uploaded photos: drop EXIF (GPS, serials), bound the size, thumbnail."""

import io
import warnings

from PIL import Image, ImageOps

from market.files.sniffing import JPEG, PILLOW_FORMATS, SniffedFile

MAX_SIDE = 2560
THUMBNAIL_SIZE = (480, 360)


def reencode_photo(sniffed: SniffedFile) -> tuple[SniffedFile, SniffedFile]:
    """A fresh JPEG without metadata, and its thumbnail, from a checked image."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        with Image.open(
            io.BytesIO(sniffed.data), formats=[PILLOW_FORMATS[sniffed.content_type]]
        ) as original:
            # Apply the camera's rotation before the orientation tag is dropped.
            image = ImageOps.exif_transpose(original)
            image = _flatten(image)
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    full = _jpeg(image, quality=85)
    thumbnail = image.copy()
    thumbnail.thumbnail(THUMBNAIL_SIZE)
    small = _jpeg(thumbnail, quality=80)
    return (
        SniffedFile(JPEG, full, image.width, image.height),
        SniffedFile(JPEG, small, thumbnail.width, thumbnail.height),
    )


def _flatten(image: Image.Image) -> Image.Image:
    if image.mode in ("RGBA", "LA", "P"):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, "white")
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def _jpeg(image: Image.Image, quality: int) -> bytes:
    buffer = io.BytesIO()
    # No exif= argument: nothing of the original's metadata is written.
    image.save(buffer, "JPEG", quality=quality, optimize=True, progressive=True)
    return buffer.getvalue()
