"""Logos: size and pixel limits, SVG refused, everything re-encoded, served with caching headers."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from PIL import Image

from communities import services
from communities.models import Community

from .conftest import image_bytes

SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def logo_url(personas):
    return f"/api/communities/{personas.community.slug}/logo"


def put_logo(personas, content, persona="owner"):
    return personas.client(persona).put(logo_url(personas), content, content_type="application/octet-stream")


def stored_image(community):
    community.refresh_from_db()
    with community.logo.open("rb") as handle:
        return Image.open(io.BytesIO(handle.read()))


def test_png_is_stored_and_served(public, client):
    response = put_logo(public, image_bytes("PNG"))
    assert response.status_code == 200
    assert response.json()["mimetype"] == "image/png"
    served = client.get(logo_url(public))
    assert served.status_code == 200
    assert served["Content-Type"] == "image/png"
    assert "no-cache" in served["Cache-Control"] and "public" in served["Cache-Control"]
    assert served["ETag"]


def test_versioned_page_logo_url_is_cached_long(public, client):
    put_logo(public, image_bytes("PNG"))
    served = client.get("/communities/ocean/logo?v=2")
    assert "max-age=86400" in served["Cache-Control"] and served["Content-Type"] == "image/png"


def test_unchanged_logo_answers_304(public, client):
    put_logo(public, image_bytes("PNG"))
    etag = client.get(logo_url(public))["ETag"]
    assert client.get(logo_url(public), HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_restricted_logo_is_private_and_hidden_from_outsiders(restricted, client):
    put_logo(restricted, image_bytes("PNG"))
    assert client.get(logo_url(restricted)).status_code == 404
    served = restricted.client("reader").get(logo_url(restricted))
    assert "private" in served["Cache-Control"]


def test_svg_is_refused(public):
    response = put_logo(public, SVG)
    assert response.status_code == 400
    assert "SVG" in response.json()["errors"][0]["messages"][0]
    assert not Community.objects.get(pk=public.community.pk).logo


def test_oversize_file_is_refused(public):
    with override_settings(COMMUNITIES_LOGO_MAX_FILE_SIZE=1000):
        response = put_logo(public, image_bytes("PNG", size=(400, 400)) + b"\0" * 2000)
    assert response.status_code == 400
    assert not Community.objects.get(pk=public.community.pk).logo


def test_default_limit_is_one_megabyte(public):
    response = put_logo(public, b"\x89PNG" + b"\0" * 1_000_001)
    assert response.status_code == 400
    assert "1,000 kB" in response.json()["errors"][0]["messages"][0]


def test_too_many_pixels_is_refused(public):
    with override_settings(COMMUNITIES_LOGO_MAX_PIXELS=100):
        response = put_logo(public, image_bytes("PNG", size=(101, 10)))
    assert response.status_code == 400


def test_garbage_is_refused(public):
    assert put_logo(public, b"not an image at all").status_code == 400


def test_gif_is_refused(public):
    assert put_logo(public, image_bytes("GIF")).status_code == 400


def test_jpeg_is_reencoded_without_metadata(public):
    buffer = io.BytesIO()
    exif = Image.Exif()
    exif[0x010E] = "secret description"
    Image.new("RGB", (40, 40), (10, 20, 30)).save(buffer, "JPEG", exif=exif.tobytes())
    put_logo(public, buffer.getvalue())
    image = stored_image(public.community)
    assert image.format == "JPEG"
    assert 0x010E not in image.getexif()


def test_large_logo_is_scaled_down(public):
    with override_settings(COMMUNITIES_LOGO_MAX_STORED=50):
        put_logo(public, image_bytes("WEBP", size=(200, 100)))
    image = stored_image(public.community)
    assert image.format == "WEBP"
    assert image.size == (50, 25)


def test_delete_logo(public):
    put_logo(public, image_bytes("PNG"))
    response = public.client("owner").delete(logo_url(public))
    assert response.status_code == 204
    assert not Community.objects.get(pk=public.community.pk).logo
    assert public.client("owner").get(logo_url(public)).status_code == 404


def test_logo_service_refuses_svg_directly(public):
    with pytest.raises(ValidationError):
        services.set_logo(public.owner, public.community, io.BytesIO(SVG))
