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


def safe_next(target: str | None, fallback: str) -> str:
    """`target` when it is a path on this site, else `fallback` (no open redirects)."""
    return auth_safe_next(target, fallback)


class ActionForm(FlaskForm):
    """A POST-only button: carries CSRF and where to go back to."""

    next = HiddenField()
    post_filter = HiddenField()  # the list's post filter, so in-place counts match its tabs


class BlockForm(ActionForm):
    what = HiddenField(validators=[AnyOf(["email", "ip"], message="Block the email or the IP.")])


BULK_LABELS = {"unapprove": "Unapprove", "approve": "Approve", "spam": "Mark as spam", "unspam": "Not spam",
               "trash": "Move to Trash", "restore": "Restore", "delete": "Delete permanently"}
# WordPress's bulk menu on each tab of the comment list (edit-comments.php).
BULK_ACTIONS = {"all": ("unapprove", "approve", "spam", "trash"), "pending": ("approve", "spam", "trash"),
                "approved": ("unapprove", "spam", "trash"), "spam": ("unspam", "delete"),
                "trash": ("spam", "restore", "delete")}
TAB_NAMES = {"all": "All", "pending": "Pending", "approved": "Approved", "spam": "Spam", "trash": "Trash"}


class BulkForm(ActionForm):
    comment_status = HiddenField(default="all")  # the tab the list showed: its menu is the one allowed
    action = SelectField("Bulk actions", choices=[("", "Bulk actions"), *BULK_LABELS.items()],
                         validate_choice=False)
    ids = SelectMultipleField(coerce=int, validate_choice=False,
                              validators=[DataRequired("Select at least one comment.")])

    def for_tab(self, tab: str) -> "BulkForm":
        """Offer only the actions that make sense on `tab`."""
        self.comment_status.data = tab
        self.action.choices = [("", "Bulk actions"), *((a, BULK_LABELS[a]) for a in BULK_ACTIONS[tab])]
        return self

    def validate_action(self, field):
        tab = self.comment_status.data or "all"
        if field.data not in ACTIONS:
            raise ValidationError("Choose a bulk action.")
        if tab not in BULK_ACTIONS:
            raise ValidationError("Choose a bulk action from the comment list.")
        if field.data not in BULK_ACTIONS[tab]:
            raise ValidationError(f"“{BULK_LABELS[field.data]}” is not an action for the {TAB_NAMES[tab]} tab: "
                                  "choose one its menu offers.")

    def validate_ids(self, field):
        if any(database_int(i) is None for i in field.data or []):
            raise ValidationError("That is not a comment you can select.")


class UndoForm(ActionForm):
    """The Undo button of the notice after Spam or Trash."""

    action = HiddenField(validators=[AnyOf(UNDOABLE, message="Only Spam and Trash can be undone.")])
    ids = SelectMultipleField(coerce=int, validate_choice=False,
                              validators=[DataRequired("There is nothing to undo.")])

    def validate_ids(self, field):
        if any(database_int(i) is None for i in field.data or []):
            raise ValidationError("That is not a comment you can restore.")


class ReplyForm(ActionForm):
    body = TextAreaField("Reply", filters=[stripped], validators=[
        DataRequired("Please type your reply."), Length(max=COMMENT_MAX)])


class CommentEditForm(ActionForm):
    author_name = StringField("Name", filters=[stripped], validators=[Length(max=NAME_MAX)])
    author_email = StringField("Email", filters=[stripped], validators=[
        Optional(), Length(max=EMAIL_MAX), Email("Please enter a valid email address.")])
    author_url = StringField("Website", filters=[stripped], validators=[Length(max=URL_MAX)])
    body = TextAreaField("Comment", filters=[stripped], validators=[
        DataRequired("A comment cannot be empty."), Length(max=COMMENT_MAX)])
    status = RadioField("Status", choices=[(s, s.capitalize()) for s in COMMENT_STATUSES])

    def validate_author_url(self, field):
        if field.data and not field.data.lower().startswith(("http://", "https://")):
            raise ValidationError("Please enter a web address starting with http:// or https://.")


class EditorForm(FlaskForm):
    """The editor of posts and pages with WordPress's Publish box; the view sets `status.choices`."""

    title = StringField("Title", filters=[stripped], validators=[DataRequired("Please give the post a title."),
                                                                Length(max=500)])
    slug = StringField("Slug", filters=[stripped], validators=[Length(max=190)],
                       description="Leave empty to make one from the title.")
    body = TextAreaField("Content (Markdown)", validators=[Length(max=1_000_000)])
    excerpt = TextAreaField("Excerpt", filters=[stripped], validators=[Length(max=5000)])
    status = SelectField("Status", choices=status_choices(None), default="draft")
    visibility = RadioField("Visibility", default="public", choices=[
        ("public", "Public"), ("password", "Password protected"), ("private", "Private")])
    password = StringField("Password", validators=[Length(max=PASSWORD_MAX)],
                           render_kw={"maxlength": PASSWORD_MAX, "autocomplete": "off", "spellcheck": "false"})
    published_at = DateTimeLocalField("Date", format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
                                      validators=[Optional()])  # empty: publish immediately
    comments_open = BooleanField("Allow comments")
    save_draft = SubmitField("Save Draft")
    preview = SubmitField("Preview")
    publish = SubmitField("Publish")

    def validate_password(self, field):
        if self.visibility.data == "password" and not (field.data or "").strip():
            raise ValidationError("Please enter a password, or choose another visibility.")

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
    categories = SelectMultipleField("Categories", coerce=int, validate_choice=False)
    tags_text = StringField("Tags", filters=[stripped], validators=[Length(max=5000)],
                            description="Separate tags with commas.",
                            render_kw={"autocomplete": "off", "list": "tag-suggestions"})
    sticky = BooleanField("Stick to the top of the blog")
    # The Featured image box: 0 is none; the view offers the post's images and the recent ones.
    featured_media_id = SelectField("Set featured image", coerce=_id_or_unknown, default=0,
                                    validate_choice=False)

    def validate_categories(self, field):
        offered = {value for value, _label in self.categories.choices or []}
        if any(choice not in offered for choice in field.data or []):
            raise ValidationError("Choose categories from the list.")

    def validate_featured_media_id(self, field):
        if field.data is None or field.data not in dict(self.featured_media_id.choices or [(0, "")]):
            raise ValidationError("Choose a featured image from the list.")


class PageForm(EditorForm):
    """The page editor: the Publish box and Page Attributes (the view sets the parent's choices)."""

    parent = SelectField("Parent", coerce=int, default=0, validate_choice=False)
    menu_order = IntegerField("Order", default=0, validators=[Optional(), NumberRange(-100000, 100000)],
                              description="Pages are listed by this number, then by title.")

    def validate_parent(self, field):
        if field.data not in dict(self.parent.choices or []):
            raise ValidationError("Choose a parent from the list.")


class TermForm(FlaskForm):
    """Add or edit a category or tag; the view sets `parent.choices` (categories only)."""

    name = StringField("Name", filters=[stripped], validators=[DataRequired("A name is required for this term."),
                                                              Length(max=TERM_NAME_MAX)],
                       description="The name is how it appears on your site.")
    slug = StringField("Slug", filters=[stripped], validators=[Length(max=TERM_SLUG_MAX)],
                       description="The address-friendly version of the name: lowercase letters, numbers and "
                                   "hyphens. Leave empty to make one from the name.")
    parent = SelectField("Parent Category", coerce=int, default=0, validate_choice=False,
                         description="Categories can have a hierarchy: Jazz under Music, for example.")
    description = TextAreaField("Description", filters=[stripped], validators=[Length(max=5000)])
    submit = SubmitField("Save")

    def validate_parent(self, field):
        if database_int(field.data) is None or (self.parent.choices and field.data not in dict(self.parent.choices)):
            raise ValidationError("Choose a parent from the list.")


class TermMergeForm(FlaskForm):
    """Merge this term into another: its posts get the other, then it is deleted."""

    target = SelectField("Merge into", coerce=int, validate_choice=False)
    merge = SubmitField("Merge")

    def validate_target(self, field):
        if field.data not in dict(self.target.choices or []):
            raise ValidationError("Choose a term to merge into.")


class TagMergeForm(FlaskForm):
    """Merge this tag into another, named (a blog's tags are too many for a list)."""

    target_name = StringField("Merge into the tag named", filters=[stripped],
                              validators=[DataRequired("Type the name of the tag to merge into."), Length(max=200)],
                              render_kw={"autocomplete": "off", "list": "tag-suggestions"})
    merge = SubmitField("Merge")


class DiscussionSettingsForm(FlaskForm):
    """Every discussion setting (blog.settings.DISCUSSION_DEFAULTS), with sensible ranges."""

    comment_moderation = BooleanField("Comment must be manually approved")
    comment_previously_approved = BooleanField("Comment author must have a previously approved comment")
    comment_max_links = IntegerField(
        "Hold a comment in the queue if it contains this many links or more (0: no limit)",
        validators=[InputRequired(), NumberRange(0, 100)])
    moderation_keys = TextAreaField("Comment moderation (one word, IP or fragment per line)",
                                    validators=[Length(max=20000)])
    disallowed_keys = TextAreaField("Disallowed comment keys (sent to the Trash)", validators=[Length(max=20000)])
    require_name_email = BooleanField("Comment author must fill out name and email")
    comment_flood_seconds = IntegerField("Seconds between comments from the same person (0: no limit)",
                                         validators=[InputRequired(), NumberRange(0, 3600)])
    close_comments_for_old_posts = BooleanField("Automatically close comments on old posts")
    close_comments_days_old = IntegerField("Close comments on posts older than (days)",
                                           validators=[InputRequired(), NumberRange(1, 36500)])
    thread_comments = BooleanField("Enable threaded (nested) comments")
    thread_comments_depth = IntegerField("Levels deep", validators=[InputRequired(), NumberRange(2, 10)])
    page_comments = BooleanField("Break comments into pages")
    comments_per_page = IntegerField("Top level comments per page",
                                     validators=[InputRequired(), NumberRange(1, 500)])
    default_comments_page = SelectField("Page displayed by default",
                                        choices=[("newest", "Last page"), ("oldest", "First page")])
    show_avatars = BooleanField("Show avatars")
    avatar_source = SelectField("Avatars from", choices=[
        ("local", "Generated here (no third party)"), ("gravatar", "Gravatar")])
    comments_notify = BooleanField("Email me whenever anyone posts a comment")
    moderation_notify = BooleanField("Email me whenever a comment is held for moderation")
    signed_moderation_links = BooleanField("Moderation links in mails act without logging in")
    comment_edit_minutes = IntegerField(
        "Commenters may edit or delete their own comment for (minutes; 0: never)",
        validators=[InputRequired(), NumberRange(0, 10080)])
    comment_ip_retention_days = IntegerField(
        "Keep commenters' IP addresses and browser names for (days; empty: forever; 0: never store them)",
        validators=[Optional(), NumberRange(0, 36500)])
    # Choices: the published pages, set by the view.
    privacy_policy_page_id = SelectField("Privacy policy page", coerce=int, choices=[(0, "— None —")])
    comment_privacy_consent = BooleanField("Comment form asks the commenter to accept the privacy policy")
    spam_filter_enabled = BooleanField("Score new comments with the learning spam filter")
    spam_filter_threshold = FloatField("Spam filter threshold (0.5 to 0.99: higher holds fewer comments)",
                                       validators=[InputRequired(), NumberRange(0.5, 0.99)],
                                       render_kw={"step": "0.01", "min": "0.5", "max": "0.99"})
    spam_filter_action = SelectField("A comment scored at or above the threshold", choices=[
        ("hold", "is held for moderation"), ("spam", "goes to the spam")])
    akismet_unreachable = SelectField("When Akismet cannot be reached", choices=[
        ("hold", "hold the comment for moderation"), ("allow", "let it through (the rules above still apply)")])
    report_hold_count = IntegerField("Hold a comment once this many different readers report it (0: never)",
                                     validators=[InputRequired(), NumberRange(0, 100)])
    new_commenter_hold_count = IntegerField("Hold the first comments of a new commenter, until this many "
                                            "are approved (0: off)", validators=[InputRequired(), NumberRange(0, 50)])
    new_commenter_hold_domains = TextAreaField("Hold comments from email addresses at these domains (one per line)",
                                               validators=[Length(max=20000)])
    admin_comments_per_page = IntegerField("Comments per page in the admin list",
                                           validators=[InputRequired(), NumberRange(1, 200)])
    empty_trash_days = IntegerField("Delete trashed comments after (days)",
                                    validators=[InputRequired(), NumberRange(1, 3650)])

    def values(self) -> dict[str, object]:
        values = {name: field.data for name, field in self._fields.items() if name != "csrf_token"}
        for name in ("moderation_keys", "disallowed_keys", "new_commenter_hold_domains"):
            values[name] = "\n".join(line.strip() for line in (values[name] or "").splitlines() if line.strip())
        return values


class WXRImportForm(FlaskForm):
    """Tools -> Import: a WordPress export file and what to do with orphaned replies."""

    file = FileField("WordPress export file", validators=[
        FileRequired("Choose the export file to import."),
        FileAllowed(["xml"], "Choose the .xml file that WordPress's Tools → Export wrote.")],
        render_kw={"accept": ".xml,text/xml,application/xml"})
    orphans_top_level = BooleanField("Import a reply whose parent comment is not in the file as a "
                                     "top-level comment (instead of refusing the file)")


class WXRExportForm(FlaskForm):
    """Tools -> Export: a GET form (it changes nothing, so it carries no CSRF token)."""

    class Meta:
        csrf = False

    include_spam = BooleanField("Include spam comments (WordPress leaves them out)")
