"""Exceptions the service layer raises and the views translate for the user."""


class MarketError(Exception):
    """Base class for the platform's own errors."""


class NotAllowed(MarketError):
    """The actor may not do this (shown as 403, or 404 where existence is private)."""


class InvalidTransition(MarketError):
    """The object is not in a state that allows this change (shown as 409)."""


class ValidationFailed(MarketError):
    """Input broke a business rule; reasons maps a field name (or None) to messages."""

    def __init__(self, reasons: dict[str | None, list[str]]):
        super().__init__(reasons)
        self.reasons = reasons
