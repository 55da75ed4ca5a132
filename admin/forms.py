"""Admin forms: one small form per POST action (so each carries CSRF), the editors, the settings."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    FloatField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import AnyOf, DataRequired, Email, InputRequired, Length, NumberRange, Optional, ValidationError

from auth.services import safe_next as auth_safe_next
from blog.forms import COMMENT_MAX, EMAIL_MAX, NAME_MAX, URL_MAX
from blog.models import COMMENT_STATUSES
from blog.moderation import ACTIONS, UNDOABLE
from blog.posts import status_choices
from blog.protected_posts import PASSWORD_MAX
from blog.terms import NAME_MAX as TERM_NAME_MAX
from blog.terms import SLUG_MAX as TERM_SLUG_MAX
from core.clean_input import database_int, stripped
from core.i18n import gettext as _
from core.i18n import lazy_gettext as _l


def safe_next(target: str | None, fallback: str) -> str:
    """`target` when it is a path on this site, else `fallback` (no open redirects)."""
    return auth_safe_next(target, fallback)


class ActionForm(FlaskForm):
    """A POST-only button: carries CSRF and where to go back to."""

    next = HiddenField()
    post_filter = HiddenField()  # the list's post filter, so in-place counts match its tabs


class BlockForm(ActionForm):
    what = HiddenField(validators=[AnyOf(["email", "ip"], message=_l("Block the email or the IP."))])


BULK_LABELS = {"unapprove": _l("Unapprove"), "approve": _l("Approve"), "spam": _l("Mark as spam"),
               "unspam": _l("Not spam"), "trash": _l("Move to Trash"), "restore": _l("Restore"),
               "delete": _l("Delete permanently")}
# WordPress's bulk menu on each tab of the comment list (edit-comments.php).
BULK_ACTIONS = {"all": ("unapprove", "approve", "spam", "trash"), "pending": ("approve", "spam", "trash"),
                "approved": ("unapprove", "spam", "trash"), "spam": ("unspam", "delete"),
                "trash": ("spam", "restore", "delete")}
# A comment's status as the comment screens name it (the stored value stays the key).
STATUS_NAMES = {"pending": _l("Pending"), "approved": _l("Approved"), "spam": _l("Spam"), "trash": _l("Trash")}
TAB_NAMES = {"all": _l("All"), **STATUS_NAMES}


class BulkForm(ActionForm):
    comment_status = HiddenField(default="all")  # the tab the list showed: its menu is the one allowed
    action = SelectField(_l("Bulk actions"), choices=[("", _l("Bulk actions")), *BULK_LABELS.items()],
                         validate_choice=False)
    ids = SelectMultipleField(coerce=int, validate_choice=False,
                              validators=[DataRequired(_l("Select at least one comment."))])

    def for_tab(self, tab: str) -> "BulkForm":
        """Offer only the actions that make sense on `tab`."""
        self.comment_status.data = tab
        self.action.choices = [("", _("Bulk actions")), *((a, BULK_LABELS[a]) for a in BULK_ACTIONS[tab])]
        return self

    def validate_action(self, field):
        tab = self.comment_status.data or "all"
        if field.data not in ACTIONS:
            raise ValidationError(_("Choose a bulk action."))
        if tab not in BULK_ACTIONS:
            raise ValidationError(_("Choose a bulk action from the comment list."))
        if field.data not in BULK_ACTIONS[tab]:
            raise ValidationError(_("“%(action)s” is not an action for the %(tab)s tab: choose one its menu offers.",
                                    action=BULK_LABELS[field.data], tab=TAB_NAMES[tab]))

    def validate_ids(self, field):
        if any(database_int(i) is None for i in field.data or []):
            raise ValidationError(_("That is not a comment you can select."))


class UndoForm(ActionForm):
    """The Undo button of the notice after Spam or Trash."""

    action = HiddenField(validators=[AnyOf(UNDOABLE, message=_l("Only Spam and Trash can be undone."))])
    ids = SelectMultipleField(coerce=int, validate_choice=False,
                              validators=[DataRequired(_l("There is nothing to undo."))])

    def validate_ids(self, field):
        if any(database_int(i) is None for i in field.data or []):
            raise ValidationError(_("That is not a comment you can restore."))


class ReplyForm(ActionForm):
    body = TextAreaField(_l("Reply"), filters=[stripped], validators=[
        DataRequired(_l("Please type your reply.")), Length(max=COMMENT_MAX)])


class CommentEditForm(ActionForm):
    author_name = StringField(_l("Name"), filters=[stripped], validators=[Length(max=NAME_MAX)])
    author_email = StringField(_l("Email"), filters=[stripped], validators=[
        Optional(), Length(max=EMAIL_MAX), Email(_l("Please enter a valid email address."))])
    author_url = StringField(_l("Website"), filters=[stripped], validators=[Length(max=URL_MAX)])
    body = TextAreaField(_l("Comment"), filters=[stripped], validators=[
        DataRequired(_l("A comment cannot be empty.")), Length(max=COMMENT_MAX)])
    status = RadioField(_l("Status"), choices=[(s, STATUS_NAMES[s]) for s in COMMENT_STATUSES])

    def validate_author_url(self, field):
        if field.data and not field.data.lower().startswith(("http://", "https://")):
            raise ValidationError(_("Please enter a web address starting with http:// or https://."))


class EditorForm(FlaskForm):
    """The editor of posts and pages with WordPress's Publish box; the view sets `status.choices`."""

    title = StringField(_l("Title"), filters=[stripped],
                        validators=[DataRequired(_l("Please give the post a title.")), Length(max=500)])
    slug = StringField(_l("Slug"), filters=[stripped], validators=[Length(max=190)],
                       description=_l("Leave empty to make one from the title."))
    body = TextAreaField(_l("Content (Markdown)"), validators=[Length(max=1_000_000)])
    excerpt = TextAreaField(_l("Excerpt"), filters=[stripped], validators=[Length(max=5000)])
    status = SelectField(_l("Status"), choices=status_choices(None), default="draft")
    visibility = RadioField(_l("Visibility"), default="public", choices=[
        ("public", _l("Public")), ("password", _l("Password protected")), ("private", _l("Private"))])
    password = StringField(_l("Password"), validators=[Length(max=PASSWORD_MAX)],
                           render_kw={"maxlength": PASSWORD_MAX, "autocomplete": "off", "spellcheck": "false"})
    published_at = DateTimeLocalField(_l("Date"), format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
                                      validators=[Optional()])  # empty: publish immediately
    comments_open = BooleanField(_l("Allow comments"))
    save_draft = SubmitField(_l("Save Draft"))
    preview = SubmitField(_l("Preview"))
    publish = SubmitField(_l("Publish"))

    def validate_password(self, field):
        if self.visibility.data == "password" and not (field.data or "").strip():
            raise ValidationError(_("Please enter a password, or choose another visibility."))

    def action(self) -> str:
        """The button pressed: "draft" (Save Draft), "publish" (Publish, Schedule, Update) or "save"."""
        return "draft" if self.save_draft.data else "publish" if self.publish.data else "save"


def _id_or_unknown(value) -> int:
    """A choice's id; -1 (never an id) for anything else, which the field's validation refuses."""
    number = database_int(value)
    return -1 if number is None else number


class PostForm(EditorForm):
    """The post editor: the Publish box, Categories (the view sets their choices), Tags, Sticky."""

    # The Categories box always sends this: without it (a form from elsewhere) the post keeps its terms.
    terms_shown = HiddenField()
    categories = SelectMultipleField(_l("Categories"), coerce=int, validate_choice=False)
    tags_text = StringField(_l("Tags"), filters=[stripped], validators=[Length(max=5000)],
                            description=_l("Separate tags with commas."),
                            render_kw={"autocomplete": "off", "list": "tag-suggestions"})
    sticky = BooleanField(_l("Stick to the top of the blog"))
    # The Featured image box: 0 is none; the view offers the post's images and the recent ones.
    featured_media_id = SelectField(_l("Set featured image"), coerce=_id_or_unknown, default=0,
                                    validate_choice=False)

    def validate_categories(self, field):
        offered = {value for value, _label in self.categories.choices or []}
        if any(choice not in offered for choice in field.data or []):
            raise ValidationError(_("Choose categories from the list."))

    def validate_featured_media_id(self, field):
        if field.data is None or field.data not in dict(self.featured_media_id.choices or [(0, "")]):
            raise ValidationError(_("Choose a featured image from the list."))


class PageForm(EditorForm):
    """The page editor: the Publish box and Page Attributes (the view sets the parent's choices)."""

    parent = SelectField(_l("Parent"), coerce=int, default=0, validate_choice=False)
    menu_order = IntegerField(_l("Order"), default=0, validators=[Optional(), NumberRange(-100000, 100000)],
                              description=_l("Pages are listed by this number, then by title."))

    def validate_parent(self, field):
        if field.data not in dict(self.parent.choices or []):
            raise ValidationError(_("Choose a parent from the list."))


class TermForm(FlaskForm):
    """Add or edit a category or tag; the view sets `parent.choices` (categories only)."""

    name = StringField(_l("Name"), filters=[stripped],
                       validators=[DataRequired(_l("A name is required for this term.")), Length(max=TERM_NAME_MAX)],
                       description=_l("The name is how it appears on your site."))
    slug = StringField(_l("Slug"), filters=[stripped], validators=[Length(max=TERM_SLUG_MAX)],
                       description=_l("The address-friendly version of the name: lowercase letters, numbers and "
                                      "hyphens. Leave empty to make one from the name."))
    parent = SelectField(_l("Parent Category"), coerce=int, default=0, validate_choice=False,
                         description=_l("Categories can have a hierarchy: Jazz under Music, for example."))
    description = TextAreaField(_l("Description"), filters=[stripped], validators=[Length(max=5000)])
    submit = SubmitField(_l("Save"))

    def validate_parent(self, field):
        if database_int(field.data) is None or (self.parent.choices and field.data not in dict(self.parent.choices)):
            raise ValidationError(_("Choose a parent from the list."))


class TermMergeForm(FlaskForm):
    """Merge this term into another: its posts get the other, then it is deleted."""

    target = SelectField(_l("Merge into"), coerce=int, validate_choice=False)
    merge = SubmitField(_l("Merge"))

    def validate_target(self, field):
        if field.data not in dict(self.target.choices or []):
            raise ValidationError(_("Choose a term to merge into."))


class TagMergeForm(FlaskForm):
    """Merge this tag into another, named (a blog's tags are too many for a list)."""

    target_name = StringField(_l("Merge into the tag named"), filters=[stripped],
                              validators=[DataRequired(_l("Type the name of the tag to merge into.")), Length(max=200)],
                              render_kw={"autocomplete": "off", "list": "tag-suggestions"})
    merge = SubmitField(_l("Merge"))


class DiscussionSettingsForm(FlaskForm):
    """Every discussion setting (blog.settings.DISCUSSION_DEFAULTS), with sensible ranges."""

    comment_moderation = BooleanField(_l("Comment must be manually approved"))
    comment_previously_approved = BooleanField(_l("Comment author must have a previously approved comment"))
    comment_max_links = IntegerField(
        _l("Hold a comment in the queue if it contains this many links or more (0: no limit)"),
        validators=[InputRequired(), NumberRange(0, 100)])
    moderation_keys = TextAreaField(_l("Comment moderation (one word, IP or fragment per line)"),
                                    validators=[Length(max=20000)])
    disallowed_keys = TextAreaField(_l("Disallowed comment keys (sent to the Trash)"), validators=[Length(max=20000)])
    require_name_email = BooleanField(_l("Comment author must fill out name and email"))
    comment_flood_seconds = IntegerField(_l("Seconds between comments from the same person (0: no limit)"),
                                         validators=[InputRequired(), NumberRange(0, 3600)])
    close_comments_for_old_posts = BooleanField(_l("Automatically close comments on old posts"))
    close_comments_days_old = IntegerField(_l("Close comments on posts older than (days)"),
                                           validators=[InputRequired(), NumberRange(1, 36500)])
    thread_comments = BooleanField(_l("Enable threaded (nested) comments"))
    thread_comments_depth = IntegerField(_l("Levels deep"), validators=[InputRequired(), NumberRange(2, 10)])
    page_comments = BooleanField(_l("Break comments into pages"))
    comments_per_page = IntegerField(_l("Top level comments per page"),
                                     validators=[InputRequired(), NumberRange(1, 500)])
    default_comments_page = SelectField(_l("Page displayed by default"),
                                        choices=[("newest", _l("Last page")), ("oldest", _l("First page"))])
    show_avatars = BooleanField(_l("Show avatars"))
    avatar_source = SelectField(_l("Avatars from"), choices=[
        ("local", _l("Generated here (no third party)")), ("gravatar", "Gravatar")])
    comments_notify = BooleanField(_l("Email me whenever anyone posts a comment"))
    moderation_notify = BooleanField(_l("Email me whenever a comment is held for moderation"))
    signed_moderation_links = BooleanField(_l("Moderation links in mails act without logging in"))
    comment_edit_minutes = IntegerField(
        _l("Commenters may edit or delete their own comment for (minutes; 0: never)"),
        validators=[InputRequired(), NumberRange(0, 10080)])
    comment_ip_retention_days = IntegerField(
        _l("Keep commenters' IP addresses and browser names for (days; empty: forever; 0: never store them)"),
        validators=[Optional(), NumberRange(0, 36500)])
    # Choices: the published pages, set by the view.
    privacy_policy_page_id = SelectField(_l("Privacy policy page"), coerce=int, choices=[(0, _l("— None —"))])
    comment_privacy_consent = BooleanField(_l("Comment form asks the commenter to accept the privacy policy"))
    spam_filter_enabled = BooleanField(_l("Score new comments with the learning spam filter"))
    spam_filter_threshold = FloatField(_l("Spam filter threshold (0.5 to 0.99: higher holds fewer comments)"),
                                       validators=[InputRequired(), NumberRange(0.5, 0.99)],
                                       render_kw={"step": "0.01", "min": "0.5", "max": "0.99"})
    spam_filter_action = SelectField(_l("A comment scored at or above the threshold"), choices=[
        ("hold", _l("is held for moderation")), ("spam", _l("goes to the spam"))])
    akismet_unreachable = SelectField(_l("When Akismet cannot be reached"), choices=[
        ("hold", _l("hold the comment for moderation")), ("allow", _l("let it through (the rules above still apply)"))])
    report_hold_count = IntegerField(_l("Hold a comment once this many different readers report it (0: never)"),
                                     validators=[InputRequired(), NumberRange(0, 100)])
    new_commenter_hold_count = IntegerField(_l("Hold the first comments of a new commenter, until this many "
                                               "are approved (0: off)"),
                                            validators=[InputRequired(), NumberRange(0, 50)])
    new_commenter_hold_domains = TextAreaField(_l("Hold comments from email addresses at these domains (one per line)"),
                                               validators=[Length(max=20000)])
    admin_comments_per_page = IntegerField(_l("Comments per page in the admin list"),
                                           validators=[InputRequired(), NumberRange(1, 200)])
    empty_trash_days = IntegerField(_l("Delete trashed comments after (days)"),
                                    validators=[InputRequired(), NumberRange(1, 3650)])

    def values(self) -> dict[str, object]:
        values = {name: field.data for name, field in self._fields.items() if name != "csrf_token"}
        for name in ("moderation_keys", "disallowed_keys", "new_commenter_hold_domains"):
            values[name] = "\n".join(line.strip() for line in (values[name] or "").splitlines() if line.strip())
        return values


class WXRImportForm(FlaskForm):
    """Tools -> Import: a WordPress export file and what to do with orphaned replies."""

    file = FileField(_l("WordPress export file"), validators=[
        FileRequired(_l("Choose the export file to import.")),
        FileAllowed(["xml"], _l("Choose the .xml file that WordPress's Tools → Export wrote."))],
        render_kw={"accept": ".xml,text/xml,application/xml"})
    orphans_top_level = BooleanField(_l("Import a reply whose parent comment is not in the file as a "
                                        "top-level comment (instead of refusing the file)"))


class WXRExportForm(FlaskForm):
    """Tools -> Export: a GET form (it changes nothing, so it carries no CSRF token)."""

    class Meta:
        csrf = False

    include_spam = BooleanField(_l("Include spam comments (WordPress leaves them out)"))
