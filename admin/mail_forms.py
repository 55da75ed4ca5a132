"""The Mail screen's form: the address "Send a test email" writes to (its buttons are admin.forms.ActionForm)."""

from flask_wtf import FlaskForm
from wtforms import EmailField
from wtforms.validators import DataRequired, Email, Length

from core.clean_input import stripped
from core.i18n import lazy_gettext as _l


class MailTestForm(FlaskForm):
    """Where to send the test email; the screen fills in the Administrator's own address."""

    email = EmailField(_l("Send to"), filters=[stripped], validators=[
        DataRequired(_l("Enter the address to send the test email to.")), Length(max=254),
        # smtplib's MAIL and RCPT here speak no SMTPUTF8: an address must be ASCII.
        Email(_l("Enter a valid email address."), allow_smtputf8=False)])
