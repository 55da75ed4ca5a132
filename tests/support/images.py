"""Image files for media tests, made with Pillow (and, for hostile ones, by hand)."""

import io
import struct
import zlib

from PIL import Image


def photo(width: int = 1200, height: int = 800, image_format: str = "JPEG", **save) -> bytes:
    """A picture with some detail (a gradient), so that sizes differ from each other."""
    image = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    out = io.BytesIO()
    image.save(out, image_format, **save)
    return out.getvalue()


def photo_with_exif(width: int, height: int, orientation: int) -> bytes:
    """A JPEG as a phone writes it: an EXIF orientation and a GPS position."""
    image = Image.new("RGB", (width, height), (40, 120, 200))
    image.paste((250, 20, 20), (0, 0, width // 4, height // 4))  # a red corner, to see rotations
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "PhoneMaker"
    exif.get_ifd(0x8825).update({1: "N", 2: (48.0, 51.0, 24.0), 3: "E", 4: (2.0, 21.0, 3.0)})
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def animated_gif(frames: int, size: tuple[int, int] = (40, 30)) -> bytes:
    images = []
    for n in range(frames):  # each frame differs from the one before, or the encoder merges them
        frame = Image.new("L", size, color=0)
        frame.putpixel((n % size[0], n // size[0] % size[1]), 255)
        images.append(frame)
    out = io.BytesIO()
    images[0].save(out, "GIF", save_all=True, append_images=images[1:], duration=40, loop=0)
    return out.getvalue()


def png_bomb(side: int = 20_000) -> bytes:
    """A small PNG that claims side x side pixels: a decompression bomb."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\x00" + b"\x00" * (side // 8 + 1)
    compressor = zlib.compressobj(9)
    body = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


SVG_WITH_SCRIPT = (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
                   b'<script>alert(document.cookie)</script></svg>')
