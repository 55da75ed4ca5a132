"""The Media Library's forms: upload, an image's details, and the Media settings."""

import re
from urllib.parse import urlsplit

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from core.clean_input import database_int, stripped
from core.i18n import gettext as _
from core.i18n import lazy_gettext as _l
from core.i18n import ngettext

ACCEPT = "image/jpeg,image/png,image/gif,image/webp,image/avif,.jpg,.jpeg,.png,.gif,.webp,.avif"
HOST_LABEL = r"(?!-)[a-z0-9-]{1,63}(?<!-)"
HOST_NAME = re.compile(rf"^(\*\.)?{HOST_LABEL}(\.{HOST_LABEL})+$")
MAX_HOSTS = 50


class UploadForm(FlaskForm):
    """One image; the editor also sends the post it is written for and its alt text."""

    file = FileField(_l("Select a file"), validators=[FileRequired(_l("Choose an image to upload."))],
                     render_kw={"accept": ACCEPT})
    post_id = IntegerField(validators=[Optional()])
    alt_text = StringField(filters=[stripped], validators=[Length(max=1000)])

    def validate_post_id(self, field):
        if field.data is not None and database_int(field.data) is None:
            raise ValidationError(_("That is not a post."))


class MediaEditForm(FlaskForm):
    """An image's details and the post it is attached to (0: none); the view sets `post_id.choices`."""

    title = StringField(_l("Title"), filters=[stripped], validators=[Length(max=255)])
    alt_text = StringField(_l("Alternative text"), filters=[stripped], validators=[Length(max=1000)],
                           description=_l("Describe the image for readers who cannot see it; leave empty only "
                                          "when it is purely decorative."))
    caption = TextAreaField(_l("Caption"), filters=[stripped], validators=[Length(max=5000)])
    description = TextAreaField(_l("Description"), filters=[stripped], validators=[Length(max=20000)])
    post_id = SelectField(_l("Attached to"), coerce=int, default=0)
    save = SubmitField(_l("Update"))


class AltTextForm(FlaskForm):
    """The editor's alt-text question, saved on the image as well as written into the post."""

    alt_text = StringField(filters=[stripped], validators=[Length(max=1000)])


class MediaSettingsForm(FlaskForm):
    """Settings -> Media: the largest upload and the other hosts posts may show images from."""

    media_max_upload_mb = IntegerField(_l("Maximum upload file size (MB)"),
                                       validators=[InputRequired(_l("Enter a whole number of megabytes.")),
                                                   NumberRange(1, 512, _l("Enter a whole number from 1 to 512."))])
    image_hosts = TextAreaField(
        _l("Other image hosts"), validators=[Length(max=5000)],
        description=_l("One host name per line, such as images.example.com or *.cdn.example.org: posts may "
                       "show images from these sites. Leave empty to allow this blog's own images only."))

    def validate_image_hosts(self, field):
        field.data = "\n".join(normalized_hosts(field.data or ""))


def normalized_hosts(text: str) -> list[str]:
    """The host names of the Other image hosts box, lower case, without duplicates; ValidationError
    naming the first line that is not a host name."""
    return distinct_entries(
        text, _host_of,
        _("“%(entry)s” is not a host name: write one such as images.example.com (no path; a wildcard only "
          "as a leading *.)."),
        MAX_HOSTS, ngettext("List at most %(num)d host.", "List at most %(num)d hosts.", MAX_HOSTS))


def distinct_entries(text: str, parse, refusal: str, most: int, too_many: str) -> list[str]:
    """A box's lines read by parse() (None: not acceptable), in order, without duplicates;
    ValidationError quoting the first unacceptable line with `refusal` (its %(entry)s), or saying
    `too_many` past `most` entries."""
    entries: list[str] = []
    for line in text.splitlines():
        if not (line := line.strip()):
            continue
        entry = parse(line)
        if entry is None:
            raise ValidationError(refusal % {"entry": line[:100]})
        if entry not in entries:
            entries.append(entry)
    if len(entries) > most:
        raise ValidationError(too_many)
    return entries


def _host_of(entry: str) -> str | None:
    lowered = entry.lower()
    if "://" in lowered:
        parts = urlsplit(lowered)
        if parts.scheme not in ("http", "https") or parts.path not in ("", "/") or parts.query or parts.fragment:
            return None
        if "@" in parts.netloc or ":" in parts.netloc:
            return None
        lowered = parts.netloc
    wildcard = lowered.startswith("*.")
    name = lowered[2:] if wildcard else lowered
    try:
        name = name.encode("idna").decode("ascii")
    except UnicodeError:
        return None
    host = ("*." if wildcard else "") + name
    return host if HOST_NAME.match(host) else None
