"""Images made in the test, as a camera or an attacker would send them."""

from io import BytesIO


def image_bytes(size=(1200, 800), fmt="JPEG", color=(200, 80, 40), mode="RGB") -> bytes:
    """An image of this size and format, made with Pillow."""
    from PIL import Image

    out = BytesIO()
    Image.new(mode, size, color).save(out, fmt)
    return out.getvalue()


def gif_with_frames(count: int) -> bytes:
    """An animated GIF of `count` tiny frames (alternating, so Pillow keeps them all)."""
    from PIL import Image

    frames = [Image.new("RGB", (2, 2), (255 * (index % 2), 0, 0)) for index in range(count)]
    out = BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=20, loop=0)
    return out.getvalue()


def png_bomb(side: int = 20000) -> bytes:
    """A small PNG that claims side x side pixels (a decompression bomb)."""
    from PIL import Image

    out = BytesIO()
    Image.new("1", (side, side), 0).save(out, "PNG")
    return out.getvalue()


SVG_WITH_SCRIPT = (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)" '
                   b'width="10" height="10"><script>alert(document.domain)</script></svg>')
