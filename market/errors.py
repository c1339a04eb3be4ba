"""Friendly, translated error pages that reveal nothing about the internals."""

from flask import Flask, current_app, jsonify, make_response, render_template, request
from flask_babel import lazy_gettext as _l
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from werkzeug.exceptions import HTTPException

MESSAGES = {
    400: (_l("Bad request"), _l("The request could not be understood.")),
    403: (_l("Not allowed"), _l("You are not allowed to do this.")),
    404: (_l("Page not found"), _l("This page does not exist or is not visible to you.")),
    405: (_l("Not allowed"), _l("This action cannot be done this way.")),
    409: (
        _l("Already changed"),
        _l("This item is no longer in a state that allows this action."),
    ),
    413: (
        _l("Too large"),
        _l("What you sent is larger than the platform accepts (at most 25 MB)."),
    ),
    429: (_l("Too many attempts"), _l("Too many attempts. Please try again later.")),
    500: (_l("Something went wrong"), _l("An error occurred. Please try again later.")),
}


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected_error)


def _render(status: int, detail=None):
    title, message = MESSAGES.get(status, MESSAGES[500])
    if request.path.startswith("/api/"):
        return jsonify(error=str(title), message=str(detail or message)), status
    try:
        page = render_template(
            "errors/error.html", status=status, title=title, message=detail or message
        )
    except Exception:  # e.g. no URL adapter for a refused Host header
        page = f"<!doctype html><title>{status}</title><h1>{escape(str(title))}</h1>"
    return page, status


def _csrf_error(error: CSRFError):
    return _render(
        400, _l("The form has expired. Go back, reload the page and try again.")
    )


def _http_error(error: HTTPException):
    body, status = _render(
        error.code if error.code in MESSAGES else 500, _own_message(error)
    )
    response = make_response(body, status)
    if error.code == 405 and getattr(error, "valid_methods", None):
        response.headers["Allow"] = ", ".join(error.valid_methods)
    return response


def _own_message(error: HTTPException):
    """A rate limit given its own (translated) message says it; nothing else does."""
    if isinstance(error, RateLimitExceeded) and error.limit.error_message:
        return error.description
    return None


def _unexpected_error(error: Exception):
    current_app.logger.exception("unhandled error")
    return _render(500)
