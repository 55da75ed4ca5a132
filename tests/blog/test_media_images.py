"""Pillow's part of the media library: the sizes WordPress makes, upright and without metadata."""

import io

import pytest
from PIL import Image

from blog.media.errors import ImageRefused
from blog.media.images import inspect, make_sizes
from tests.support.images import SVG_WITH_SCRIPT, animated_gif, photo, photo_with_exif, png_bomb

LIMITS = {"max_pixels": 50_000_000, "max_frames": 1000}


def _dimensions(files) -> dict[str, tuple[str, int, int]]:
    return {name: (sized.file, sized.width, sized.height) for name, sized in files.items()}


def test_a_large_photo_gets_wordpress_sizes_and_a_scaled_full_size():
    files = make_sizes(photo(4000, 3000), "2026/12/beach.jpg")
    assert _dimensions(files) == {
        "full": ("beach-scaled.jpg", 2560, 1920),
        "thumbnail": ("beach-150x150.jpg", 150, 150),
        "medium": ("beach-300x225.jpg", 300, 225),
        "medium_large": ("beach-768x576.jpg", 768, 576),
        "large": ("beach-1024x768.jpg", 1024, 768),
    }
    for sized in files.values():  # each file really is the size its name says
        assert Image.open(io.BytesIO(sized.data)).size == (sized.width, sized.height)


def test_a_small_image_gets_no_size_as_large_as_itself():
    files = make_sizes(photo(200, 100, "PNG"), "2026/12/icon.png")
    assert _dimensions(files) == {"full": ("icon.png", 200, 100), "thumbnail": ("icon-150x100.png", 150, 100)}


def test_a_portrait_photo_is_turned_upright_and_loses_its_location():
    original = photo_with_exif(800, 600, orientation=6)  # the camera was held on its side
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # it had a GPS position
    files = make_sizes(original, "2026/12/phone.jpg")
    full = Image.open(io.BytesIO(files["full"].data))
    assert full.size == (600, 800)
    assert not full.getexif() and "exif" not in full.info
    assert all(b"PhoneMaker" not in sized.data for sized in files.values())


@pytest.mark.parametrize("image_format", ["WEBP", "AVIF", "PNG", "GIF"])
def test_every_accepted_format_keeps_its_format_in_its_sizes(image_format):
    files = make_sizes(photo(1200, 900, image_format), f"2026/12/picture.{image_format.lower()}")
    assert {name: Image.open(io.BytesIO(sized.data)).format for name, sized in files.items() if name != "thumbnail"} \
        == dict.fromkeys(("full", "medium", "medium_large", "large"), image_format)


def test_an_animated_gif_keeps_its_animation_and_gets_a_still_thumbnail():
    animation = animated_gif(12, (400, 300))
    files = make_sizes(animation, "2026/12/dance.gif")
    assert files["full"].data == animation
    assert Image.open(io.BytesIO(files["full"].data)).n_frames == 12
    assert set(files) == {"full", "thumbnail"} and files["thumbnail"].file == "dance-150x150.png"


@pytest.mark.parametrize(("data", "message"), [
    (b"", "empty"),
    (SVG_WITH_SCRIPT, "SVG"),
    (b"%PDF-1.7 not an image at all", "not an image"),
    (photo(800, 600)[:2000], "damaged or incomplete"),
])
def test_files_we_do_not_store_are_refused_with_the_reason(data, message):
    with pytest.raises(ImageRefused, match=message):
        inspect(data, **LIMITS)


def test_a_decompression_bomb_is_refused_before_it_is_decoded():
    with pytest.raises(ImageRefused, match="too large"):
        inspect(png_bomb(20_000), **LIMITS)


def test_an_animation_with_too_many_frames_is_refused():
    with pytest.raises(ImageRefused, match="frames"):
        inspect(animated_gif(1001), **LIMITS)


def test_a_jpeg_with_data_after_its_end_is_accepted():
    """Some cameras append data after the image (a motion photo's video): it is still a photo."""
    found = inspect(photo(640, 480) + b"\x00\x00\x00\x18ftypmp42 trailing video", **LIMITS)
    assert (found.format, found.width, found.height) == ("JPEG", 640, 480)
