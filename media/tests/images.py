"""Test images made in memory: photos carrying every metadata block a camera or an editor
writes, and the files an upload must refuse. Also readers of what a stored file holds."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image, ImageCms, PngImagePlugin

# Text planted in each metadata block: none of it may be found in what is stored.
SECRETS = {
    "exif": b"SecretCam 3000",
    "gps": b"GPSSECRET",
    "xmp": b"SecretXMPCreator",
    "iptc": b"IPTCSECRETPLACE",
    "comment": b"SECRETCOMMENT",
}
RED, BLUE, GREEN = (220, 20, 20), (20, 20, 220), (20, 200, 20)


def photo(width: int = 1200, height: int = 900) -> Image.Image:
    """A photo-like RGB image: smooth gradients and some texture (compresses like a photo)."""
    gradient = Image.linear_gradient("L").resize((width, height))
    noise = Image.effect_noise((width, height), 40)
    mandel = Image.effect_mandelbrot((width, height), (-2.0, -1.2, 1.0, 1.2), 60)
    return Image.merge("RGB", (gradient, noise, mandel))


def two_tone(width: int, height: int, top: tuple[int, int, int], bottom: tuple[int, int, int]) -> Image.Image:
    """Top half one colour, bottom half another: shows which way up an image is stored."""
    image = Image.new("RGB", (width, height), top)
    image.paste(bottom, (0, height // 2, width, height))
    return image


def exif_block(*, orientation: int | None = None) -> Image.Exif:
    """EXIF with a camera make, a GPS position and (optionally) an orientation."""
    exif = Image.Exif()
    exif[0x010F] = SECRETS["exif"].decode()  # Make
    exif[0x0110] = "Model X"  # Model
    if orientation is not None:
        exif[0x0112] = orientation
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"  # GPSLatitudeRef
    gps[2] = (48.0, 51.0, 29.0)  # GPSLatitude
    gps[3] = "E"
    gps[4] = (2.0, 17.0, 40.0)
    gps[27] = SECRETS["gps"].decode()  # GPSProcessingMethod
    return exif


def xmp_packet() -> bytes:
    return (
        b'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
        b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
        b'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>' + SECRETS["xmp"] + b"</dc:creator>"
        b'</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
    )


def srgb_profile() -> bytes:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def _iptc_segment() -> bytes:
    """A Photoshop APP13 segment with an IPTC caption (as Lightroom or Photoshop write it)."""
    caption = SECRETS["iptc"]
    iptc = b"\x1c\x02\x78" + struct.pack(">H", len(caption)) + caption
    resource = b"8BIM\x04\x04\x00\x00" + struct.pack(">I", len(iptc)) + iptc + (b"\x00" if len(iptc) % 2 else b"")
    body = b"Photoshop 3.0\x00" + resource
    return b"\xff\xed" + struct.pack(">H", len(body) + 2) + body


def jpeg_with_everything(image: Image.Image | None = None, *, orientation: int | None = None) -> bytes:
    """A JPEG with EXIF (GPS), XMP, IPTC, a comment and an ICC profile."""
    out = io.BytesIO()
    (image or photo()).save(
        out,
        "JPEG",
        quality=92,
        exif=exif_block(orientation=orientation).tobytes(),
        xmp=xmp_packet(),
        comment=SECRETS["comment"],
        icc_profile=srgb_profile(),
    )
    data = out.getvalue()
    return data[:2] + _iptc_segment() + data[2:]  # right after SOI


def png_with_everything(image: Image.Image, **kwargs: object) -> bytes:
    """A PNG with tEXt, zTXt and iTXt (XMP) chunks and eXIf."""
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", SECRETS["comment"].decode())
    info.add_text("Location", SECRETS["iptc"].decode(), zip=True)
    info.add_itxt("XML:com.adobe.xmp", xmp_packet().decode())
    out = io.BytesIO()
    image.save(out, "PNG", pnginfo=info, exif=exif_block().tobytes(), **kwargs)
    return out.getvalue()


def webp_with_everything(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "WEBP", quality=90, exif=exif_block().tobytes(), xmp=xmp_packet())
    return out.getvalue()


def animated_gif(colors: list[tuple[int, int, int]], size: tuple[int, int] = (120, 80)) -> bytes:
    frames = [Image.new("RGB", size, color) for color in colors]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=100, comment=SECRETS["comment"])
    return out.getvalue()


def encoded(image: Image.Image, fmt: str, **kwargs: object) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **kwargs)
    return out.getvalue()


def png_bomb(width: int = 20_000, height: int = 20_000) -> bytes:
    """A PNG whose header claims width x height pixels, in a few hundred bytes: decoding it
    would need gigabytes. Only the header is real (its data stops after a few rows)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    rows = zlib.compress(b"\x00" * (width + 1) * 4, 9)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")


SVG = (
    b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert(1)</script></svg>"
)
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"


# --- what a stored file holds ----------------------------------------------------------


def jpeg_markers(data: bytes) -> list[tuple[int, bytes]]:
    """(marker, first bytes of the payload) of each JPEG segment before the image data."""
    assert data[:2] == b"\xff\xd8", "not a JPEG"
    position, found = 2, []
    while position < len(data):
        assert data[position] == 0xFF
        marker = data[position + 1]
        if marker == 0xDA:  # start of scan: the entropy-coded data follows
            found.append((marker, b""))
            break
        (length,) = struct.unpack(">H", data[position + 2 : position + 4])
        found.append((marker, data[position + 4 : position + 4 + min(length - 2, 32)]))
        position += 2 + length
    return found


def png_chunks(data: bytes) -> list[bytes]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    position, kinds = 8, []
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kinds.append(data[position + 4 : position + 8])
        position += 12 + length
    return kinds
