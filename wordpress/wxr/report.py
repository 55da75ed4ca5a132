"""What an import did, for the CLI's summary and the admin's job page (no lxml here)."""

from collections import Counter
from dataclasses import dataclass, field

MAX_WARNINGS = 50
MAX_URL_EXAMPLES = 10
KINDS = ("authors", "categories", "tags", "posts", "pages", "comments")


@dataclass
class ImportReport:
    """Counts by kind of what was imported and of what was already here, other skips, warnings."""

    imported: Counter = field(default_factory=Counter)
    # Rows the file holds that this blog has already (imported before, or its own export's).
    existing: Counter = field(default_factory=Counter)
    skipped: Counter = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)
    warning_count: int = 0
    items_read: int = 0
    comments_read: int = 0
    seconds: float = 0.0
    # Attachments: "imported" (file stored), "updated" (already here), "without file" (kept as a
    # failed media row until an import with --uploads-dir), "refused" (not an image we store).
    media: Counter = field(default_factory=Counter)
    image_urls_rewritten: int = 0
    image_urls_left: int = 0
    image_urls_left_examples: list[str] = field(default_factory=list)  # distinct, a few

    def warn(self, message: str) -> None:
        self.warning_count += 1
        if len(self.warnings) < MAX_WARNINGS:
            self.warnings.append(message)

    def url_left(self, url: str) -> None:
        self.image_urls_left += 1
        if url not in self.image_urls_left_examples and len(self.image_urls_left_examples) < MAX_URL_EXAMPLES:
            self.image_urls_left_examples.append(url)

    def summary(self) -> list[str]:
        """Lines for a person: imported, already here, skipped (why), warnings."""
        done = ", ".join(f"{self.imported[k]} {k}" for k in KINDS)
        rate = (self.items_read + self.comments_read) / self.seconds if self.seconds else 0
        lines = [f"Imported {done} in {self.seconds:.1f} s ({rate:,.0f} items and comments/s)."]
        if already := already_here(self.existing):
            lines.append(already)
        lines += self.media_summary()
        if self.skipped:
            lines.append("Skipped:")
            lines += [f"  {count} {reason}" for reason, count in sorted(self.skipped.items())]
        if self.warning_count:
            lines.append(f"Warnings ({self.warning_count}):")
            lines += [f"  {warning}" for warning in self.warnings]
            if self.warning_count > len(self.warnings):
                lines.append(f"  ... and {self.warning_count - len(self.warnings)} more")
        return lines

    def media_summary(self) -> list[str]:
        """Lines on the attachments and the image URLs in posts ([] when the file had neither)."""
        lines = []
        if self.media:
            lines.append(media_sentence(self.media))
        if self.image_urls_rewritten or self.image_urls_left:
            lines.append(
                f"Image URLs in posts: {self.image_urls_rewritten} rewritten to this blog's media, "
                f"{self.image_urls_left} left pointing at the old site"
                + (":" if self.image_urls_left_examples else ".")
            )
            lines += [f"  {url}" for url in self.image_urls_left_examples]
            if self.image_urls_left > len(self.image_urls_left_examples):
                lines.append("  ...")
        return lines

    def as_dict(self) -> dict:
        """The report as the JSON an import job keeps."""
        return {
            "imported": dict(self.imported),
            "existing": dict(self.existing),
            "skipped": dict(self.skipped),
            "warnings": self.warnings,
            "warning_count": self.warning_count,
            "seconds": self.seconds,
            "media": dict(self.media),
            "image_urls_rewritten": self.image_urls_rewritten,
            "image_urls_left": self.image_urls_left,
            "image_urls_left_examples": self.image_urls_left_examples,
        }


def media_sentence(media: dict[str, int]) -> str:
    """What became of the attachments, for the CLI and the import job's page."""
    parts = [f"{media.get('imported', 0)} imported with their files"]
    if media.get("updated"):
        parts.append(f"{media['updated']} already here (details updated)")
    if media.get("without file"):
        parts.append(
            f"{media['without file']} kept without their file (failed in the Media Library until "
            "an import with --uploads-dir finds it)"
        )
    if media.get("refused"):
        parts.append(f"{media['refused']} refused (see the warnings)")
    return "Media: " + ", ".join(parts) + "."


def already_here(existing: dict[str, int]) -> str:
    """A sentence such as "6 posts and 34 comments were already here and were skipped." ("" if none)."""
    parts = [f"{existing[kind]} {_noun(kind, existing[kind])}" for kind in KINDS if existing.get(kind)]
    if not parts:
        return ""
    listed = parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"
    verb = "was" if len(parts) == 1 and sum(existing.values()) == 1 else "were"
    return f"{listed} {verb} already here and {verb} skipped."


def _noun(kind: str, count: int) -> str:
    if count != 1:
        return kind
    return "category" if kind == "categories" else kind[:-1]
