"""media.processing: what is accepted, why the rest is refused, and what a stored file holds."""

import io

import blurhash
import pytest
from PIL import Image

from media.processing import ImageRejected, Limits, Processed, fit, process_image
from media.tests import images
from media.tests.images import BLUE, GREEN, RED, SECRETS

LIMITS = Limits(max_pixels=40_000_000, max_side=2048, preview_side=640)


def run(data: bytes, limits: Limits = LIMITS) -> Processed:
    return process_image(io.BytesIO(data), limits)


def refused(data: bytes, limits: Limits = LIMITS) -> str:
    with pytest.raises(ImageRejected) as caught:
        run(data, limits)
    return str(caught.value)


def assert_no_metadata(data: bytes) -> None:
    """No block read from the upload is in the stored file (the ICC profile aside)."""
    for name, secret in SECRETS.items():
        assert secret not in data, f"{name} survived"
    if data[:2] == b"\xff\xd8":
        markers = images.jpeg_markers(data)
        kinds = [marker for marker, _ in markers]
        assert 0xE1 not in kinds, "APP1 (EXIF or XMP) kept"
        assert 0xED not in kinds, "APP13 (IPTC) kept"
        assert 0xFE not in kinds, "COM (comment) kept"
        # What a fresh JPEG has: JFIF, the ICC profile, tables, frame, scan.
        assert set(kinds) <= {0xE0, 0xE2, 0xDB, 0xC0, 0xC4, 0xDA, 0xDD}, [hex(k) for k in kinds]
        assert b"Exif" not in data and b"http://ns.adobe.com/xap" not in data and b"Photoshop" not in data
    else:
        chunks = set(images.png_chunks(data))
        assert chunks <= {b"IHDR", b"PLTE", b"tRNS", b"IDAT", b"IEND", b"iCCP"}, chunks


def test_fit_caps_the_long_side_and_never_enlarges():
    assert fit((4000, 3000), 2048) == (2048, 1536)
    assert fit((3000, 4000), 2048) == (1536, 2048)
    assert fit((800, 600), 2048) == (800, 600)
    assert fit((10000, 1), 640) == (640, 1)


def test_jpeg_from_a_camera_loses_every_metadata_block_but_keeps_its_colour_profile():
    source = images.jpeg_with_everything()
    for secret in SECRETS.values():
        assert secret in source  # the test image does carry each block
    result = run(source)
    for stored in (result.image, result.preview):
        assert stored.extension == "jpg" and stored.content_type == "image/jpeg"
        assert_no_metadata(stored.data)
        with Image.open(io.BytesIO(stored.data)) as reopened:
            assert reopened.format == "JPEG"
            assert not reopened.getexif()
            assert reopened.info.get("icc_profile") == images.srgb_profile()  # ICC aside
            assert "comment" not in reopened.info and "xmp" not in reopened.info


@pytest.mark.parametrize(
    ("make", "extension"),
    [
        (lambda: images.png_with_everything(images.photo(300, 200)), "jpg"),  # opaque: stored as JPEG
        (lambda: images.png_with_everything(images.photo(300, 200).convert("RGBA").rotate(30)), "png"),
        (lambda: images.webp_with_everything(images.photo(300, 200)), "jpg"),
    ],
    ids=["png-opaque", "png-transparent", "webp"],
)
def test_png_and_webp_text_chunks_exif_and_xmp_are_dropped(make, extension):
    source = make()
    assert SECRETS["xmp"] in source and SECRETS["exif"] in source
    result = run(source)
    assert result.image.extension == extension
    assert_no_metadata(result.image.data)
    assert_no_metadata(result.preview.data)


def test_transparency_is_kept_as_png():
    image = Image.new("RGBA", (200, 100), (*RED, 255))
    image.paste((0, 0, 0, 0), (0, 0, 100, 100))  # left half transparent
    result = run(images.encoded(image, "PNG"))
    assert result.image.extension == "png" and result.image.content_type == "image/png"
    with Image.open(io.BytesIO(result.image.data)) as stored:
        assert stored.mode == "RGBA"
        assert stored.getpixel((10, 50))[3] == 0 and stored.getpixel((150, 50))[3] == 255


def test_an_unused_alpha_channel_is_stored_as_jpeg():
    result = run(images.encoded(images.photo(200, 100).convert("RGBA"), "PNG"))
    assert result.image.extension == "jpg"


def test_portrait_photo_stays_upright():
    """Stored sideways (landscape pixels) with EXIF orientation 6, as phones do: the stored image
    is the portrait the person saw, and its EXIF (with the orientation) is gone."""
    sideways = images.two_tone(400, 300, top=RED, bottom=BLUE)  # top of the stored pixels: red
    result = run(images.jpeg_with_everything(sideways, orientation=6))
    assert (result.image.width, result.image.height) == (300, 400)
    assert (result.preview.width, result.preview.height) == (300, 400)
    with Image.open(io.BytesIO(result.image.data)) as stored:
        assert (stored.width, stored.height) == (300, 400)
        assert not stored.getexif()  # no orientation left to apply twice
        rgb = stored.convert("RGB")
        # Rotated 90 degrees clockwise for display: the stored top (red) is now on the right.
        assert _near(rgb.getpixel((280, 200)), RED) and _near(rgb.getpixel((20, 200)), BLUE)


def test_large_photo_is_capped_and_previewed():
    result = run(images.jpeg_with_everything(images.photo(4000, 3000)))
    # Decoded at half scale by libjpeg (draft): 2000x1500, within the 2048 cap.
    assert (result.image.width, result.image.height) == (2000, 1500)
    assert (result.preview.width, result.preview.height) == (640, 480)
    with Image.open(io.BytesIO(result.image.data)) as stored:
        assert stored.size == (2000, 1500)
    with Image.open(io.BytesIO(result.preview.data)) as preview:
        assert preview.size == (640, 480)


def test_cap_applies_to_png_and_to_portrait_too():
    result = run(images.encoded(images.photo(1500, 3000), "PNG"), Limits(40_000_000, 1000, 300))
    assert (result.image.width, result.image.height) == (500, 1000)
    assert (result.preview.width, result.preview.height) == (150, 300)


def test_small_image_is_not_enlarged_and_its_preview_is_itself():
    result = run(images.encoded(images.photo(320, 200), "JPEG"))
    assert (result.image.width, result.image.height) == (320, 200)
    assert result.preview == result.image


def test_animated_gif_keeps_its_first_frame_only():
    result = run(images.animated_gif([GREEN, RED, BLUE]))
    assert_no_metadata(result.image.data)
    with Image.open(io.BytesIO(result.image.data)) as stored:
        assert stored.format == "JPEG" and getattr(stored, "n_frames", 1) == 1
        assert _near(stored.convert("RGB").getpixel((60, 40)), GREEN)


def test_blurhash_is_made_from_the_preview_and_decodes():
    result = run(images.encoded(images.two_tone(400, 300, RED, BLUE), "PNG"))
    assert len(result.blurhash) == 36  # 4x4 components: 2 + 4 + 15 x 2 characters
    assert blurhash.components(result.blurhash) == (4, 4)
    pixels = blurhash.decode(result.blurhash, 4, 4)
    assert pixels[0][0][0] > pixels[0][0][2]  # top: red
    assert pixels[3][0][2] > pixels[3][0][0]  # bottom: blue


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "The file is empty."),
        (b"hello, this is a text file\n" * 20, "not an image"),
        (images.HTML, "not an image"),  # whatever its name says (.jpg)
        (images.SVG, "Unsupported image format SVG"),
        (images.encoded(Image.new("RGB", (20, 20)), "BMP"), "Unsupported image format BMP"),
        (images.encoded(Image.new("RGB", (20, 20)), "TIFF"), "Unsupported image format TIFF"),
        (images.encoded(images.photo(400, 300), "JPEG")[:3000], "truncated or corrupt"),
        (images.encoded(images.photo(400, 300), "PNG")[:5000], "truncated or corrupt"),
        (images.encoded(images.photo(40, 30), "JPEG")[:200] + b"\x00" * 50, "truncated or corrupt"),
        (images.png_bomb(), "Too many pixels"),  # 20000x20000: Pillow's own guard stops it at open
        (images.png_bomb(7000, 7000), "Too many pixels: the image is 7000x7000 (49,000,000)"),
    ],
    ids=[
        "empty",
        "text",
        "html",
        "svg",
        "bmp",
        "tiff",
        "truncated-jpeg",
        "truncated-png",
        "corrupt-jpeg",
        "bomb",
        "bomb-under-pillows-guard",
    ],
)
def test_refusals_say_why(data, reason):
    assert reason in refused(data)


def test_pixel_limit_is_read_from_the_header_before_decoding():
    """A 7000x7000 JPEG at a 40M limit: refused without its pixels being decoded (a decode of
    that file would fail: only its first 2 kB are there)."""
    big = images.encoded(Image.new("L", (7000, 7000)), "JPEG")[:2048]
    message = refused(big, Limits(max_pixels=40_000_000, max_side=2048, preview_side=640))
    assert "7000x7000 (49,000,000)" in message and "at most 40,000,000" in message


def test_pillow_bomb_guard_is_on_at_our_limit(settings):
    assert Image.MAX_IMAGE_PIXELS == settings.MEDIA_MAX_PIXELS


def _near(pixel: tuple, color: tuple[int, int, int], tolerance: int = 40) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel[:3], color, strict=True))
