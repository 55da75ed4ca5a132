"""The admin's side menu: each entry shows only to users whose role may open its screen."""

from typing import NamedTuple

from admin import may_open
from core.i18n import lazy_gettext as _l


class MenuEntry(NamedTuple):
    endpoint: str
    label: str
    children: tuple[str, ...] = ()  # screens reached from this one, which keep it highlighted


MENU = (
    MenuEntry("admin.dashboard", _l("Dashboard")),
    MenuEntry("admin.posts", _l("Posts"), ("admin.post_new", "admin.post_edit", "admin.post_delete")),
    MenuEntry("admin.media_library", _l("Media"), ("admin.media_edit", "admin.media_delete")),
    MenuEntry("admin.pages", _l("Pages"), ("admin.page_new", "admin.page_edit", "admin.page_delete")),
    MenuEntry("admin.categories", _l("Categories"), ("admin.category_edit", "admin.category_delete")),
    MenuEntry("admin.tags", _l("Tags"), ("admin.tag_edit", "admin.tag_delete")),
    MenuEntry("admin.comments", _l("Comments"), ("admin.comment_reply", "admin.comment_edit")),
    MenuEntry("admin.moderation_log", _l("Moderation log")),
    MenuEntry("admin.federation", _l("Mentions & fediverse")),
    MenuEntry("admin.menus", _l("Menus")),
    MenuEntry("admin.widgets", _l("Widgets")),
    MenuEntry("admin.users", _l("Users"), ("admin.user_new", "admin.user_edit", "admin.user_remove")),
    MenuEntry("admin.discussion_settings", _l("Discussion settings")),
    MenuEntry("admin.media_settings", _l("Media settings")),
    MenuEntry("admin.security_settings", _l("Security settings")),
    MenuEntry("admin.mail", _l("Mail")),
    MenuEntry("admin.tools_import", _l("Tools: Import")),
    MenuEntry("admin.tools_export", _l("Tools: Export")),
    MenuEntry("admin.privacy", _l("Privacy"), ("admin.privacy_run",)),
    MenuEntry("admin.profile", _l("Profile"), ("admin.two_factor",)),
)


def menu_for(user) -> list[MenuEntry]:
    """The entries this user may open, labels translated (as str: templates escape those); screens
    not (yet) registered are left out."""
    return [entry._replace(label=str(entry.label)) for entry in MENU if may_open(user, entry.endpoint)]
