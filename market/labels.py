"""Translated labels for stored values, shared by templates and views."""

from flask import Flask
from flask_babel import format_datetime, format_timedelta, get_locale
from flask_babel import lazy_gettext as _l

from market.database import utcnow
from market.domain.regions import full_name
from market.enterprises.forms import ENTERPRISE_TYPE_LABELS
from market.i18n import LOCALE_NAMES, locale_code

STATUS_LABELS = {
    "pending": _l("Pending review"),
    "approved": _l("Approved"),
    "rejected": _l("Rejected"),
    "suspended": _l("Suspended"),
}
ACTION_LABELS = {
    "submitted": _l("Application submitted"),
    "resubmitted": _l("Application resubmitted"),
    "approved": _l("Approved"),
    "rejected": _l("Rejected"),
    "suspended": _l("Suspended"),
    "reinstated": _l("Reinstated"),
}
FLAG_LABELS = {
    "code_unverified": _l("Credit code failed the check"),
    "name_taken": _l("Name already registered"),
}
ACTION_BUTTONS = {
    "approved": _l("Approve"),
    "rejected": _l("Reject"),
    "suspended": _l("Suspend"),
    "reinstated": _l("Reinstate"),
}


def template_globals() -> dict:
    """Names every template may use."""
    return {
        "current_locale": locale_code(get_locale()),
        "locale_names": LOCALE_NAMES,
        "status_labels": STATUS_LABELS,
        "action_labels": ACTION_LABELS,
        "flag_labels": FLAG_LABELS,
        "action_buttons": ACTION_BUTTONS,
        "enterprise_type_labels": {k.value: v for k, v in ENTERPRISE_TYPE_LABELS.items()},
    }


def register_template_helpers(app: Flask) -> None:
    app.context_processor(template_globals)
    app.jinja_env.filters["region_name"] = lambda code: full_name(code) if code else ""
    app.jinja_env.filters["datetime"] = lambda value: (
        format_datetime(value, "yyyy-MM-dd HH:mm") if value else ""
    )
    app.jinja_env.filters["age"] = lambda value: (
        format_timedelta(utcnow() - value, granularity="minute") if value else ""
    )
