"""What an import did, for the CLI's summary and the admin's job page (no lxml here)."""

from collections import Counter
from dataclasses import dataclass, field

from core.i18n import gettext as _
from core.i18n import ngettext, pgettext

MAX_WARNINGS = 50
MAX_URL_EXAMPLES = 10
KINDS = ("authors", "categories", "tags", "posts", "pages", "comments")
# A count of each kind of record, as the import's and the export's summaries say it.
_COUNTED = {
    "authors": lambda n: ngettext("%(num)d author", "%(num)d authors", n),
    "categories": lambda n: ngettext("%(num)d category", "%(num)d categories", n),
    "tags": lambda n: ngettext("%(num)d tag", "%(num)d tags", n),
    "posts": lambda n: ngettext("%(num)d post", "%(num)d posts", n),
    "pages": lambda n: ngettext("%(num)d page", "%(num)d pages", n),
    "comments": lambda n: ngettext("%(num)d comment", "%(num)d comments", n),
    "media": lambda n: ngettext("%(num)d media", "%(num)d media", n),
}


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
        done = list_separator().join(counted(kind, self.imported[kind]) for kind in KINDS)
        rate = (self.items_read + self.comments_read) / self.seconds if self.seconds else 0
        lines = [_("Imported %(counts)s in %(seconds)s s (%(rate)s items and comments/s).", counts=done,
                   seconds=format(self.seconds, ".1f"), rate=format(rate, ",.0f"))]
        if already := already_here(self.existing):
            lines.append(already)
        lines += self.media_summary()
        if self.skipped:
            lines.append(_("Skipped:"))
            lines += [f"  {count} {reason}" for reason, count in sorted(self.skipped.items())]
        if self.warning_count:
            lines.append(_("Warnings (%(num)d):", num=self.warning_count))
            lines += [f"  {warning}" for warning in self.warnings]
            if self.warning_count > len(self.warnings):
                lines.append("  " + _("... and %(num)d more", num=self.warning_count - len(self.warnings)))
        return lines

    def media_summary(self) -> list[str]:
        """Lines on the attachments and the image URLs in posts ([] when the file had neither)."""
        lines = []
        if self.media:
            lines.append(media_sentence(self.media))
        if self.image_urls_rewritten or self.image_urls_left:
            rewritten = ngettext("%(num)d rewritten to this blog's media", "%(num)d rewritten to this blog's media",
                                 self.image_urls_rewritten)
            left = ngettext("%(num)d left pointing at the old site", "%(num)d left pointing at the old site",
                            self.image_urls_left)
            if self.image_urls_left_examples:
                lines.append(_("Image URLs in posts: %(rewritten)s, %(left)s:", rewritten=rewritten, left=left))
            else:
                lines.append(_("Image URLs in posts: %(rewritten)s, %(left)s.", rewritten=rewritten, left=left))
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


def counted(kind: str, count: int) -> str:
    """A count of one kind of record (KINDS, or "media") in words: "1 post", "34 comments"."""
    return _COUNTED[kind](count)


def list_separator() -> str:
    """What goes between the items of a list in a sentence (", " in English)."""
    return pgettext("list separator", ", ")


def media_sentence(media: dict[str, int]) -> str:
    """What became of the attachments, for the CLI."""
    parts = [ngettext("%(num)d imported with its file", "%(num)d imported with their files", media.get("imported", 0))]
    if media.get("updated"):
        parts.append(ngettext("%(num)d already here (details updated)", "%(num)d already here (details updated)",
                              media["updated"]))
    if media.get("without file"):
        parts.append(ngettext(
            "%(num)d kept without their file (failed in the Media Library until an import with --uploads-dir "
            "finds it)",
            "%(num)d kept without their files (failed in the Media Library until an import with --uploads-dir "
            "finds them)", media["without file"]))
    if media.get("refused"):
        parts.append(ngettext("%(num)d refused (see the warnings)", "%(num)d refused (see the warnings)",
                              media["refused"]))
    return _("Media: %(list)s.", list=list_separator().join(parts))


def already_here(existing: dict[str, int]) -> str:
    """A sentence such as "6 posts and 34 comments were already here and were skipped." ("" if none)."""
    kinds = [kind for kind in KINDS if existing.get(kind)]
    if not kinds:
        return ""
    parts = [counted(kind, existing[kind]) for kind in kinds]
    listed = parts[0] if len(parts) == 1 else pgettext(
        "the last two items of a list", "%(items)s and %(last)s", items=list_separator().join(parts[:-1]),
        last=parts[-1])
    return ngettext("%(list)s was already here and was skipped.", "%(list)s were already here and were skipped.",
                    sum(existing[kind] for kind in kinds), list=listed)
