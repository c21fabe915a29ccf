"""Logo checks and re-encoding. Only raster PNG, JPEG and WebP are accepted; every upload is decoded and
re-encoded with Pillow, so what is stored is pixels we wrote (no metadata, no scripts, no polyglots).
SVG is refused: it can carry script."""

import io
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from PIL import Image, UnidentifiedImageError

FORMATS = {"PNG": ("png", "image/png"), "JPEG": ("jpg", "image/jpeg"), "WEBP": ("webp", "image/webp")}
CONTENT_TYPES = {extension: mimetype for extension, mimetype in FORMATS.values()}
SVG_REFUSED = "SVG logos are not accepted (they can carry scripts); upload a PNG, JPEG or WebP image."
NOT_AN_IMAGE = "The logo must be a PNG, JPEG or WebP image."


@dataclass(frozen=True)
class ProcessedLogo:
    content: bytes
    extension: str
    mimetype: str


def read_limited(stream) -> bytes:
    """Read at most one byte more than the size limit, so an oversize upload is never held whole."""
    limit = settings.COMMUNITIES_LOGO_MAX_FILE_SIZE
    data = stream.read(limit + 1) if hasattr(stream, "read") else bytes(stream)[: limit + 1]
    if len(data) > limit:
        raise ValidationError({"logo": [f"The logo must be at most {limit // 1000:,} kB."]})
    if not data:
        raise ValidationError({"logo": ["The logo is empty."]})
    return data


def looks_like_svg(data: bytes) -> bool:
    head = data[:1024].lstrip().lower()
    return head.startswith(b"<") or b"<svg" in head


def process_logo(stream) -> ProcessedLogo:
    data = read_limited(stream)
    if looks_like_svg(data):
        raise ValidationError({"logo": [SVG_REFUSED]})
    image = _open(data)
    if image.format not in FORMATS:
        raise ValidationError({"logo": [NOT_AN_IMAGE]})
    limit = settings.COMMUNITIES_LOGO_MAX_PIXELS
    if image.width > limit or image.height > limit:
        raise ValidationError({"logo": [f"The logo must be at most {limit}×{limit} pixels."]})
    return _reencode(image)


def _open(data: bytes) -> Image.Image:
    try:
        image = Image.open(io.BytesIO(data))
        image.size  # noqa: B018 - header parsed; pixels are decoded only after the size check
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise ValidationError({"logo": [NOT_AN_IMAGE]}) from exc
    return image


def _reencode(image: Image.Image) -> ProcessedLogo:
    source_format = image.format
    try:
        image.load()
    except (OSError, Image.DecompressionBombError) as exc:
        raise ValidationError({"logo": [NOT_AN_IMAGE]}) from exc
    box = settings.COMMUNITIES_LOGO_MAX_STORED
    image.thumbnail((box, box))
    extension, mimetype = FORMATS[source_format]
    output = io.BytesIO()
    if source_format == "JPEG":
        image.convert("RGB").save(output, "JPEG", quality=90)
    else:
        has_alpha = image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info)
        image.convert("RGBA" if has_alpha else "RGB").save(output, source_format)
    return ProcessedLogo(output.getvalue(), extension, mimetype)
