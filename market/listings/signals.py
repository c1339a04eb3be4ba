"""Signals other features listen to, so listings need not import them.

Receivers run inside the publishing transaction: what they write commits or rolls
back with the publication itself.
"""

from blinker import Namespace

_signals = Namespace()

# Sent with listing=<Listing> whenever a post becomes public: approved, an approved
# edit, or renewed after expiry. Receivers must be idempotent: the same post is
# published again after each approved edit.
listing_published = _signals.signal("listing-published")
