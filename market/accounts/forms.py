"""Account forms: shape only; the rules live in services."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from market.i18n import LOCALE_NAMES


class LoginForm(FlaskForm):
    identifier = StringField(
        _l("Mobile or e-mail"),
        validators=[DataRequired(_l("Enter your mobile number or e-mail.")), Length(max=254)],
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Enter your password.")), Length(max=128)],
    )
    next = HiddenField()


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(_l("Enter your current password.")), Length(max=128)],
    )
    new_password = PasswordField(
        _l("New password"),
        validators=[DataRequired(_l("Enter a new password.")), Length(max=128)],
    )
    confirm_password = PasswordField(
        _l("Repeat the new password"),
        validators=[
            DataRequired(_l("Repeat the new password.")),
            EqualTo("new_password", _l("The two passwords differ.")),
        ],
    )


class PasswordResetRequestForm(FlaskForm):
    identifier = StringField(
        _l("Mobile or e-mail"),
        validators=[DataRequired(_l("Enter your mobile number or e-mail.")), Length(max=254)],
    )


class PasswordResetForm(FlaskForm):
    new_password = PasswordField(
        _l("New password"),
        validators=[DataRequired(_l("Enter a new password.")), Length(max=128)],
    )
    confirm_password = PasswordField(
        _l("Repeat the new password"),
        validators=[
            DataRequired(_l("Repeat the new password.")),
            EqualTo("new_password", _l("The two passwords differ.")),
        ],
    )


class LocaleForm(FlaskForm):
    locale = SelectField(
        _l("Language"), choices=list(LOCALE_NAMES.items()), validate_choice=True
    )
    next = HiddenField()


class LogoutForm(FlaskForm):
    """Logout is a POST with a CSRF token, so no other site can sign a user out."""
