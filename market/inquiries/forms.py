"""Inquiry forms: shape only (required, length, a readable number); services hold
the rules (ranges, the quantity left on the post, who may do what)."""

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from market.listings.validation import _decimal as parse_number

NOT_A_NUMBER = _l("Enter a number, for example 26000 or 1.5.")


class NumberField(StringField):
    """Text that must read as a number; ¥, 元 and thousands separators are allowed."""

    @property
    def number(self) -> Decimal | None:
        text = (self.data or "").strip()
        return parse_number(text) if text else None

    def pre_validate(self, form) -> None:
        if (self.data or "").strip() and self.number is None:
            raise ValidationError(str(NOT_A_NUMBER))


def _message_field(label):
    return TextAreaField(
        label,
        validators=[
            DataRequired(message=_l("Write a message.")),
            Length(max=2000, message=_l("At most 2000 characters.")),
        ],
    )


class InquiryForm(FlaskForm):
    """The first message on a post, with the quantity and price the sender has in mind."""

    body = _message_field(_l("Message"))
    quantity = NumberField(_l("Quantity (optional)"), validators=[Length(max=20)])
    price = NumberField(
        _l("Price per unit you have in mind (CNY, optional)"),
        validators=[Length(max=20)],
    )


class MessageForm(FlaskForm):
    body = _message_field(_l("Message"))


class QuoteForm(FlaskForm):
    price = NumberField(
        _l("Price per unit (CNY)"),
        validators=[
            DataRequired(message=_l("Enter the price per unit.")),
            Length(max=20),
        ],
    )
    quantity = NumberField(
        _l("Quantity"),
        validators=[DataRequired(message=_l("Enter the quantity.")), Length(max=20)],
    )
    body = TextAreaField(
        _l("Note (optional)"),
        validators=[Length(max=2000, message=_l("At most 2000 characters."))],
    )


class ReportForm(FlaskForm):
    reason = TextAreaField(
        _l("What is wrong?"),
        validators=[
            DataRequired(message=_l("Say what is wrong with this thread.")),
            Length(max=1000, message=_l("At most 1000 characters.")),
        ],
    )


class ResolveForm(FlaskForm):
    resolution = TextAreaField(
        _l("Decision"),
        validators=[Length(max=1000, message=_l("At most 1000 characters."))],
    )
