"""Inbox forms: buttons whose CSRF token is all they carry."""

from flask_wtf import FlaskForm


class ActionForm(FlaskForm):
    """Mark read, mark all read, mute or unmute a post's alerts."""
