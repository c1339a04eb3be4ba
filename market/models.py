"""Every table of the platform, imported in one place so the metadata knows them all.

Blueprints import the models they use; this module makes sure migrations, the
schema check and the CLI see tables whose blueprint imports them lazily.
"""

from market.accounts.models import PasswordReset, User
from market.enterprises.models import Enterprise, EnterpriseDecision
from market.files.models import StoredFile
from market.inquiries.models import Inquiry, InquiryMessage, InquiryReport
from market.listings.models import (
    Deal,
    Listing,
    ListingDocument,
    ListingEvent,
    ListingPhoto,
    ListingRevision,
)
from market.matching.models import Match
from market.notifications.models import MailMessage, Notification
from market.saved_searches.models import SavedSearch
from market.search.models import SearchOutbox

__all__ = [
    "Deal",
    "Enterprise",
    "EnterpriseDecision",
    "Inquiry",
    "InquiryMessage",
    "InquiryReport",
    "Listing",
    "ListingDocument",
    "ListingEvent",
    "ListingPhoto",
    "ListingRevision",
    "MailMessage",
    "Match",
    "Notification",
    "PasswordReset",
    "SavedSearch",
    "SearchOutbox",
    "StoredFile",
    "User",
]
