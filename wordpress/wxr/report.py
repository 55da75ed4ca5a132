"""What an import did, for the CLI's summary and the admin's job page (no lxml here)."""

from collections import Counter
from dataclasses import dataclass, field

MAX_WARNINGS = 50
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

    def warn(self, message: str) -> None:
        self.warning_count += 1
        if len(self.warnings) < MAX_WARNINGS:
            self.warnings.append(message)

    def summary(self) -> list[str]:
        """Lines for a person: imported, already here, skipped (why), warnings."""
        done = ", ".join(f"{self.imported[k]} {k}" for k in KINDS)
        rate = (self.items_read + self.comments_read) / self.seconds if self.seconds else 0
        lines = [f"Imported {done} in {self.seconds:.1f} s ({rate:,.0f} items and comments/s)."]
        if already := already_here(self.existing):
            lines.append(already)
        if self.skipped:
            lines.append("Skipped:")
            lines += [f"  {count} {reason}" for reason, count in sorted(self.skipped.items())]
        if self.warning_count:
            lines.append(f"Warnings ({self.warning_count}):")
            lines += [f"  {warning}" for warning in self.warnings]
            if self.warning_count > len(self.warnings):
                lines.append(f"  ... and {self.warning_count - len(self.warnings)} more")
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
        }


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
