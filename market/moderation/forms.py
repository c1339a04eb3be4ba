"""Moderation forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, TextAreaField
from wtforms.validators import Length

from market.moderation.services import STOCK_REJECTION_REASONS


class DecisionForm(FlaskForm):
    """Approve or reinstate: nothing to fill in but the CSRF token."""


class ReasonForm(FlaskForm):
    """Reject or suspend: a stock reason, free text, or both."""

    stock_reason = SelectField(
        _l("Reason"),
        choices=[("", _l("Choose a common reason…"))]
        + list(STOCK_REJECTION_REASONS.items()),
        validate_choice=True,
    )
    reason = TextAreaField(
        _l("Details"),
        validators=[Length(max=1000, message=_l("At most 1000 characters."))],
    )

    def combined_reason(self) -> str:
        parts = []
        if self.stock_reason.data:
            parts.append(str(STOCK_REJECTION_REASONS[self.stock_reason.data]))
        if self.reason.data and self.reason.data.strip():
            parts.append(self.reason.data.strip())
        return " ".join(parts)


class ListingReasonForm(FlaskForm):
    """Reject a post or a revision: the seller sees the reason."""

    reason = TextAreaField(
        _l("Reason"),
        validators=[Length(max=1000, message=_l("At most 1000 characters."))],
    )
