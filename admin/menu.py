"""The admin's side menu: each entry shows only to users whose role may open its screen."""

from typing import NamedTuple

from admin import may_open


class MenuEntry(NamedTuple):
    endpoint: str
    label: str
    children: tuple[str, ...] = ()  # screens reached from this one, which keep it highlighted


MENU = (
    MenuEntry("admin.dashboard", "Dashboard"),
    MenuEntry("admin.posts", "Posts", ("admin.post_new", "admin.post_edit", "admin.post_delete")),
    MenuEntry("admin.media_library", "Media", ("admin.media_edit", "admin.media_delete")),
    MenuEntry("admin.pages", "Pages", ("admin.page_new", "admin.page_edit", "admin.page_delete")),
    MenuEntry("admin.categories", "Categories", ("admin.category_edit", "admin.category_delete")),
    MenuEntry("admin.tags", "Tags", ("admin.tag_edit", "admin.tag_delete")),
    MenuEntry("admin.comments", "Comments", ("admin.comment_reply", "admin.comment_edit")),
    MenuEntry("admin.moderation_log", "Moderation log"),
    MenuEntry("admin.federation", "Mentions & fediverse"),
    MenuEntry("admin.menus", "Menus"),
    MenuEntry("admin.widgets", "Widgets"),
    MenuEntry("admin.users", "Users", ("admin.user_new", "admin.user_edit", "admin.user_remove")),
    MenuEntry("admin.discussion_settings", "Discussion settings"),
    MenuEntry("admin.media_settings", "Media settings"),
    MenuEntry("admin.security_settings", "Security settings"),
    MenuEntry("admin.mail", "Mail"),
    MenuEntry("admin.tools_import", "Tools: Import"),
    MenuEntry("admin.tools_export", "Tools: Export"),
    MenuEntry("admin.privacy", "Privacy", ("admin.privacy_run",)),
    MenuEntry("admin.profile", "Profile", ("admin.two_factor",)),
)


def menu_for(user) -> list[MenuEntry]:
    """The entries this user may open; screens not (yet) registered are left out."""
    return [entry for entry in MENU if may_open(user, entry.endpoint)]
