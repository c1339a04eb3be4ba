"""Enterprise application forms: shape only; the rules live in services."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional

from market.enterprises.models import EnterpriseType

ENTERPRISE_TYPE_LABELS = {
    EnterpriseType.GRID_SUPPLY: _l("Power grid / supply company"),
    EnterpriseType.GENERATION: _l("Generation company"),
    EnterpriseType.MANUFACTURER: _l("Equipment manufacturer"),
    EnterpriseType.CONTRACTOR: _l("Engineering and construction contractor"),
    EnterpriseType.RECYCLER: _l("Recycler"),
    EnterpriseType.SMALL_USER: _l("Small and micro power user"),
    EnterpriseType.OTHER: _l("Other"),
}


def _required(message):
    return DataRequired(message)


class ApplicationForm(FlaskForm):
    """What every application carries, at registration and on resubmission."""

    name = StringField(
        _l("Enterprise name"),
        validators=[
            _required(_l("Enter the enterprise's name as on its business licence.")),
            Length(2, 100, _l("The name must have 2 to 100 characters.")),
        ],
    )
    credit_code = StringField(
        _l("Unified social credit code"),
        description=_l("18 characters, as printed on the business licence."),
        validators=[_required(_l("Enter the unified social credit code."))],
    )
    confirm_unverified_code = BooleanField(
        _l("The code is exactly as printed on our licence; check it manually.")
    )
    enterprise_type = SelectField(
        _l("Enterprise type"),
        choices=[("", _l("Choose…"))]
        + [(t.value, label) for t, label in ENTERPRISE_TYPE_LABELS.items()],
        validators=[_required(_l("Choose the enterprise type."))],
    )
    # Choices depend on each other; the service checks the whole chain.
    province = SelectField(
        _l("Province"),
        validate_choice=False,
        validators=[_required(_l("Choose the province."))],
    )
    city = SelectField(
        _l("City"), validate_choice=False, validators=[_required(_l("Choose the city."))]
    )
    district = SelectField(
        _l("District / county"), validate_choice=False, validators=[Optional()]
    )
    address = StringField(
        _l("Address"),
        validators=[
            _required(_l("Enter the address.")),
            Length(max=200, message=_l("The address must have at most 200 characters.")),
        ],
    )
    contact_name = StringField(
        _l("Contact person"),
        validators=[
            _required(_l("Enter the contact person's name.")),
            Length(max=50, message=_l("The name must have at most 50 characters.")),
        ],
    )
    mobile = StringField(
        _l("Mobile"),
        validators=[_required(_l("Enter the contact person's mobile number."))],
    )
    email = StringField(
        _l("E-mail"),
        validators=[
            _required(_l("Enter an e-mail address.")),
            Length(max=254, message=_l("The e-mail address is too long.")),
            Email(_l("Enter a valid e-mail address."), check_deliverability=False),
        ],
    )
    licence = FileField(
        _l("Business licence"),
        description=_l("PDF, JPEG or PNG, at most 10 MB."),
    )


class RegistrationForm(ApplicationForm):
    password = PasswordField(
        _l("Password"),
        description=_l(
            "At least 10 characters; not a common password, not the enterprise's name."
        ),
        validators=[_required(_l("Choose a password."))],
    )
    confirm_password = PasswordField(
        _l("Repeat the password"),
        validators=[
            _required(_l("Repeat the password.")),
            EqualTo("password", _l("The two passwords differ.")),
        ],
    )
