"""What Pillow does with an upload: check that it is an image we accept, then make its sizes as
WordPress does, with the camera's orientation applied and its metadata (location, device) left out."""

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from blog.media.errors import ImageRefused
from blog.media.naming import EXTENSIONS, scaled_file, size_file
from core.i18n import gettext as _
from core.i18n import ngettext

# WordPress's sizes: (name, width, height, crop); 0 leaves that side free.
SIZES = (("thumbnail", 150, 150, True), ("medium", 300, 300, False),
         ("medium_large", 768, 0, False), ("large", 1024, 1024, False))
BIG_IMAGE_SIDE = 2560  # WordPress's big_image_size_threshold: larger originals get a "-scaled" copy
JPEG_QUALITY = 82  # WordPress's default
MIME_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp",
              "AVIF": "image/avif"}
# Where each format's file must end: a file cut short in transit is refused at upload.
ENDINGS = {"JPEG": (b"\xff\xd9",), "PNG": (b"IEND\xaeB`\x82",), "GIF": (b"\x3b",)}


@dataclass(frozen=True)
class Inspected:
    format: str  # Pillow's name: "JPEG", "PNG", ...
    width: int
    height: int
    frames: int

    @property
    def mime_type(self) -> str:
        return MIME_TYPES[self.format]

    @property
    def animated(self) -> bool:
        return self.frames > 1


@dataclass(frozen=True)
class SizedFile:
    file: str
    data: bytes
    width: int
    height: int


def inspect(data: bytes, max_pixels: int, max_frames: int) -> Inspected:
    """Read the header (and frame count) only; refuse anything we would not store."""
    if not data:
        raise ImageRefused(_("The file is empty."))
    if data.lstrip()[:5].lower() in (b"<?xml", b"<svg ") or b"<svg" in data[:1024].lower():
        raise ImageRefused(_("SVG images are not accepted: they can carry scripts. Upload a PNG instead."))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                found = Inspected(image.format, *image.size, 1)
                if found.format not in MIME_TYPES:
                    raise ImageRefused(_("This kind of image (%(format)s) is not accepted: upload a JPEG, PNG, "
                                         "GIF, WebP or AVIF file.", format=found.format))
                if found.width * found.height > max_pixels:
                    raise ImageRefused(ngettext(
                        "The image is too large (%(width)d×%(height)d pixels); the limit is %(num)d megapixel.",
                        "The image is too large (%(width)d×%(height)d pixels); the limit is %(num)d megapixels.",
                        max_pixels // 1_000_000, width=found.width, height=found.height))
                frames = getattr(image, "n_frames", 1)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageRefused(ngettext("The image is too large in pixels; the limit is %(num)d megapixel.",
                                    "The image is too large in pixels; the limit is %(num)d megapixels.",
                                    max_pixels // 1_000_000)) from None
    except UnidentifiedImageError:
        raise ImageRefused(_("This file is not an image we accept: upload a JPEG, PNG, GIF, WebP or AVIF file.")) \
            from None
    except (OSError, SyntaxError, ValueError, EOFError) as error:
        if isinstance(error, ImageRefused):
            raise
        raise ImageRefused(_("The image is damaged or incomplete and could not be read.")) from None
    if frames > max_frames:
        raise ImageRefused(ngettext("The animation has %(num)d frame; the limit is %(limit)d.",
                                    "The animation has %(num)d frames; the limit is %(limit)d.", frames,
                                    limit=max_frames))
    if found.format in ENDINGS and not data.rstrip(b"\x00\r\n ").endswith(ENDINGS[found.format]):
        _decode_whole(data)  # some cameras add data after the image; a file cut short fails here
    return Inspected(found.format, found.width, found.height, frames)


def _decode_whole(data: bytes) -> None:
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
    except (OSError, SyntaxError, ValueError, EOFError):
        raise ImageRefused(_("The image is damaged or incomplete (the file ends too early).")) from None


def _fit(width: int, height: int, box_width: int, box_height: int) -> tuple[int, int]:
    """The size of an image scaled down to fit a box (a 0 side is free), never up."""
    scale = min(box_width / width if box_width else 1, box_height / height if box_height else 1, 1)
    return max(1, round(width * scale)), max(1, round(height * scale))


def _encode(image: Image.Image, image_format: str, icc_profile: bytes | None) -> bytes:
    out = io.BytesIO()
    options = {"icc_profile": icc_profile} if icc_profile else {}
    if image_format == "JPEG":
        if image.mode not in ("RGB", "L", "CMYK"):
            image = image.convert("RGB")
        image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True, **options)
    elif image_format in ("WEBP", "AVIF"):
        image.save(out, image_format, quality=JPEG_QUALITY, exif=b"", xmp=b"", **options)
    else:  # PNG and GIF: lossless; no text chunks or comments are written
        image.save(out, image_format, optimize=image_format == "PNG", **options)
    return out.getvalue()


def make_sizes(data: bytes, path: str) -> dict[str, SizedFile]:
    """Every size of the image stored at `path` ("full" always), as files to store beside it."""
    with Image.open(io.BytesIO(data)) as original:
        image_format, icc_profile = original.format, original.info.get("icc_profile")
        animated = getattr(original, "n_frames", 1) > 1
        name = path.rpartition("/")[2]
        if animated:
            # Resizing would keep one frame: the animation itself is the full size, unchanged
            # (GIF carries no camera metadata), and a still thumbnail stands for it in the library.
            files = {"full": SizedFile(name, data, *original.size)} if image_format == "GIF" else \
                {"full": SizedFile(name, _animated_copy(original), *original.size)}
            original.seek(0)
            first = ImageOps.exif_transpose(original.convert("RGBA"))
            return files | _crop_thumbnail(first, path, image_format, icc_profile)
        # Scaled before it is turned upright: the big decoded original is let go of sooner.
        if max(original.size) > BIG_IMAGE_SIDE:
            original.thumbnail((BIG_IMAGE_SIDE, BIG_IMAGE_SIDE), Image.Resampling.LANCZOS)
            name = scaled_file(path)
        else:
            original.load()
        full = ImageOps.exif_transpose(original)
    if full.mode == "P":
        full = full.convert("RGBA")  # palette images resize well only in full colour
    files = {"full": SizedFile(name, _encode(full, image_format, icc_profile), *full.size)}
    files |= _crop_thumbnail(full, path, image_format, icc_profile)
    source = full
    for size_name, box_width, box_height, crop in reversed(SIZES):
        if crop:
            continue
        width, height = _fit(*full.size, box_width, box_height)
        if (width, height) == full.size:
            continue  # WordPress makes no size as large as the image itself
        source = source.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)
        files[size_name] = SizedFile(size_file(path, width, height), _encode(source, image_format, icc_profile),
                                     width, height)
    return files


def _crop_thumbnail(image: Image.Image, path: str, image_format: str, icc_profile) -> dict[str, SizedFile]:
    _name, width, height, _crop = SIZES[0]
    if image.width <= width and image.height <= height:
        return {}
    cropped = ImageOps.fit(image, (min(width, image.width), min(height, image.height)), Image.Resampling.LANCZOS)
    if image_format == "GIF":  # a still thumbnail, in full colour
        image_format, path = "PNG", path.rpartition(".")[0] + ".png"
    return {"thumbnail": SizedFile(size_file(path, *cropped.size), _encode(cropped, image_format, icc_profile),
                                   *cropped.size)}


def _animated_copy(image: Image.Image) -> bytes:
    """An animated WebP or AVIF saved again frame by frame, without its EXIF or XMP."""
    out = io.BytesIO()
    image.save(out, image.format, save_all=True, exif=b"", xmp=b"", quality=JPEG_QUALITY)
    return out.getvalue()


def extension(image_format: str) -> str:
    return EXTENSIONS[image_format]
