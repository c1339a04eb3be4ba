"""Form helpers shared by the blueprints."""

from flask_wtf import FlaskForm

from market.exceptions import ValidationFailed


class ActionForm(FlaskForm):
    """A button that changes state (approve, mark read, mute …): the CSRF token is
    all it carries."""


def apply_reasons(form: FlaskForm, failure: ValidationFailed) -> None:
    """Attach a service's reasons to the form's fields (None: the form as a whole)."""
    for field_name, messages in failure.reasons.items():
        field = getattr(form, field_name, None) if field_name else None
        if field is None:
            form.form_errors.extend(str(m) for m in messages)
        else:
            field.errors = [*field.errors, *(str(m) for m in messages)]
