"""The media library's expected failure, importable without loading Pillow."""


class ImageRefused(ValueError):
    """An upload we do not store; the message says why, for the uploader."""
