"""Saved-search forms: shape only; services.py holds the rules."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField
from wtforms.validators import Length

from market.saved_searches.services import NAME_MAX, QUERY_STRING_MAX


class SaveSearchForm(FlaskForm):
    """Sent from the search page: the page's query string and a name."""

    query = HiddenField(validators=[Length(max=QUERY_STRING_MAX)])
    name = StringField(_l("Name of the search"), validators=[Length(max=NAME_MAX)])


class RenameForm(FlaskForm):
    name = StringField(_l("Name of the search"), validators=[Length(max=NAME_MAX)])
