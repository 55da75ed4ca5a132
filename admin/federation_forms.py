"""The Mentions & fediverse screen's forms: Retry on a failed row, and the federation settings."""

import re

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, TextAreaField
from wtforms.validators import Length

from admin.media_forms import HOST_LABEL, distinct_entries
from core.i18n import gettext as _
from core.i18n import lazy_gettext as _l
from core.i18n import ngettext

# A bare host name (an IPv4 address passes too): no scheme, port, path or wildcard.
DOMAIN = re.compile(rf"^{HOST_LABEL}(\.{HOST_LABEL})*$")
MAX_DOMAINS = 1000
MAX_DOMAIN_LENGTH = 253


class RetryForm(FlaskForm):
    """A failed row's Retry button: carries CSRF and the list to go back to."""

    next = HiddenField()


class FederationSettingsForm(FlaskForm):
    """Whether the blog takes part in Webmention and the fediverse, and the servers it refuses."""

    webmention_enabled = BooleanField(_l("Accept Webmentions, and send them for published posts"))
    activitypub_enabled = BooleanField(_l("Let the fediverse follow the blog, and take its replies, likes and boosts"))
    federation_blocked_domains = TextAreaField(
        _l("Blocked domains"), validators=[Length(max=100_000)],
        description=_l("One domain per line, such as spam.example: its servers and every subdomain are "
                       "refused at the inbox and the Webmention endpoint."))

    def validate_federation_blocked_domains(self, field):
        field.data = "\n".join(normalized_domains(field.data or ""))

    def values(self) -> dict[str, object]:
        """The settings to store (blog.settings.FEDERATION_DEFAULTS' keys), once validated."""
        return {"webmention_enabled": self.webmention_enabled.data,
                "activitypub_enabled": self.activitypub_enabled.data,
                "federation_blocked_domains": self.federation_blocked_domains.data}


def normalized_domains(text: str) -> list[str]:
    """The box's domains, lower case (international names as their ASCII form), without duplicates;
    ValidationError naming the first line that is not a host name."""
    return distinct_entries(
        text, _domain, _("“%(entry)s” is not a domain: write a host name such as spam.example (no https://, port, "
                         "path or *)."),
        MAX_DOMAINS, ngettext("List at most %(num)d domain.", "List at most %(num)d domains.", MAX_DOMAINS))


def _domain(entry: str) -> str | None:
    """The entry as a lower-case ASCII host name, or None when it is anything else."""
    try:
        name = entry.lower().rstrip(".").encode("idna").decode("ascii")
    except UnicodeError:
        return None
    return name if len(name) <= MAX_DOMAIN_LENGTH and DOMAIN.match(name) else None
