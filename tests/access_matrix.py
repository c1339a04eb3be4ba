"""The authorization matrix (SECURITY.md C1): every route × method × role → outcome.

MATRIX maps a case name to {"method", "url", "expect"} and optionally "data".
The case name is the endpoint, or "endpoint#variant" when one endpoint needs several
cases (other targets, other states). "url" and "data" are callables taking the world
built by build_world(); "expect" names the outcome for every role in ROLES:

- an int: that status code;
- LOGIN: 302 to the login page;
- Redirect(path): 302 to that path (a str, or a callable taking the world).

Roles: anonymous; a user of a pending, a rejected, an approved enterprise (the
"owner" of the usual target A) and of another approved enterprise; a user of a
suspended enterprise whose session predates the suspension; a moderator without
an enterprise; a moderator who works for the grid enterprise G ("moderator_own").

A POST case may say "changes_nothing": True when no role's request may change any
data (a form sent back with its errors, a refused step answered by a redirect).

tests/test_access.py fails when a route of app.url_map has no case here.
"""

import csv
import io
import secrets
from datetime import timedelta
from decimal import Decimal
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import session as flask_session
from flask_wtf.csrf import generate_csrf
from jinja2 import BytecodeCache
from sqlalchemy import func, select

from market.accounts.models import User
from market.accounts.passwords import hash_password
from market.enterprises.models import (
    DecisionAction,
    Enterprise,
    EnterpriseStatus,
    EnterpriseType,
)
from market.extensions import db
from market.inquiries import services as inquiry_services
from market.inquiries.models import Inquiry, InquiryReport
from market.listings import attachments
from market.listings.models import Listing
from market.moderation import services as moderation_services
from tests.conftest import PASSWORD, pdf_bytes, png_bytes
from tests.listings.conftest import ListingMaker, offer_form

ROLES = (
    "anonymous",
    "pending",
    "rejected",
    "approved",
    "approved_other",
    "suspended",
    "moderator",
    "moderator_own",
)
MEMBERS = ("pending", "rejected", "approved", "approved_other")
MODERATORS = ("moderator", "moderator_own")
# Everyone holding a live session (the suspended user's session is ended on sight).
SIGNED_IN = MEMBERS + MODERATORS
# Users of approved enterprises: they may write posts (G is approved too).
PUBLISHERS = ("approved", "approved_other", "moderator_own")
GROUPS = {
    "members": MEMBERS,
    "moderators": MODERATORS,
    "signed_in": SIGNED_IN,
    "publishers": PUBLISHERS,
}

LOGIN = "login"
MISSING_ID = 987654


@dataclass(frozen=True)
class Redirect:
    """A 302 to a path on this site. A success that lands on the login page (a
    password reset) is a Redirect too; LOGIN means refused for want of a login."""

    to: str | Callable[[dict], str]

    def path(self, world: dict) -> str:
        return self.to(world) if callable(self.to) else self.to


def roles(**outcomes) -> dict:
    """Outcomes by role; "members", "moderators", "signed_in" and "publishers" set a
    whole group (a later key overrides an earlier one).

    A suspended user's stale session is signed out before anything else happens,
    so "suspended" defaults to LOGIN; every other role must be given.
    """
    result = {"suspended": LOGIN}
    for key, outcome in outcomes.items():
        for role in GROUPS.get(key, (key,)):
            assert role in ROLES, f"unknown role {role}"
            result[role] = outcome
    missing = set(ROLES) - set(result)
    assert not missing, f"roles without an outcome: {sorted(missing)}"
    return result


def _licence(key: str) -> Callable[[dict], str]:
    return lambda w: f"/enterprises/{w[key]['id']}/licence"


def _decide(key: str, verb: str) -> Callable[[dict], str]:
    return lambda w: f"/moderation/enterprises/{w[key]['id']}/{verb}"


def _reason(w: dict) -> dict:
    return {"stock_reason": "licence_unreadable", "reason": "复核未通过"}


MINE = "/enterprises/mine"
RESET_REQUEST = "/accounts/password-reset"
QUEUE = "/moderation/enterprises"
MODERATION_ONLY = dict(anonymous=LOGIN, members=403)
DECIDED = roles(**MODERATION_ONLY, moderators=Redirect(QUEUE))
INVALID = roles(**MODERATION_ONLY, moderators=409)
OWN = roles(**MODERATION_ONLY, moderator=409, moderator_own=403)

# Listings.
MY_POSTS = "/listings/mine"
LISTING_QUEUE = "/moderation/listings"
PUBLIC = roles(anonymous=200, signed_in=200)
# Not public (draft, pending, expired...): the owner A and moderators see it.
OWNER_AND_MODERATORS_SEE = roles(
    anonymous=404, members=404, approved=200, moderators=200
)
# Signed in, but no approved enterprise to publish for.
NOT_PUBLISHERS = dict(anonymous=LOGIN, pending=Redirect(MINE), rejected=Redirect(MINE))
LEDGER_IMPORT = roles(**NOT_PUBLISHERS, moderator=404, publishers=200)
LISTING_DECIDED = roles(**MODERATION_ONLY, moderators=Redirect(LISTING_QUEUE))
LISTING_DECIDED_NOT_OWN = roles(
    **MODERATION_ONLY, moderator=Redirect(LISTING_QUEUE), moderator_own=403
)


def owner_only(outcome) -> dict:
    """A route that changes A's post: A gets `outcome`, every other user 404."""
    return roles(anonymous=LOGIN, members=404, moderators=404, approved=outcome)


# Notifications and saved searches.
INBOX = "/notifications/"
SAVED = "/saved-searches/"


def with_enterprise(outcome) -> dict:
    """Every user of an enterprise gets `outcome`; a moderator without one 404."""
    return roles(anonymous=LOGIN, members=outcome, moderator=404, moderator_own=outcome)


def _post(key: str, suffix: str = "") -> Callable[[dict], str]:
    return lambda w: f"/listings/{w[key].id}{suffix}"


def _photo(post: str, owner: str, index: int, verb: str) -> Callable[[dict], str]:
    """The URL of photo `index` of post `owner`, under post `post`'s id."""
    return lambda w: f"/listings/{w[post].id}/photos/{w[owner].photos[index]}/{verb}"


def _document(post: str, owner: str, suffix: str = "") -> Callable[[dict], str]:
    return lambda w: f"/listings/{w[post].id}/documents/{w[owner].documents[0]}{suffix}"


def _pair(offer: str, wanted: str) -> Callable[[dict], str]:
    return lambda w: f"/matching/{w[offer].id}/{w[wanted].id}"


def _review(key: str, suffix: str = "") -> Callable[[dict], str]:
    return lambda w: f"{LISTING_QUEUE}/{w[key].id}{suffix}"


def _new_post(suffix: str) -> Callable[[dict], str]:
    """A page of the post a case creates (the world knows its id in advance)."""
    return lambda w: f"/listings/{w['next_listing_id']}{suffix}"


def _ledger_csv() -> bytes:
    """A one-row ledger in the template's columns (UTF-8 CSV)."""
    row = {
        "类型(出售/求购)": "出售",
        "设备类别": "油浸式配电变压器",
        "标题": "台账导入：S11-M-400/10 油浸式变压器",
        "型号": "S11-M-400/10",
        "出厂年份": "2018",
        "设备来源": "企业闲置",
        "成色": "九成新",
        "数量": "1",
        "单位": "台",
        "单价(元)": "58000",
        "面议(是/否)": "否",
        "省": "山东省",
        "市": "枣庄市",
        "区县": "薛城区",
        "联系人": "张伟",
        "联系电话": "13900000001",
        "电压等级(kV)": "10",
        "额定容量(kVA)": "400",
        "低压侧额定电压(kV)": "0.4",
        "绕组材质": "铜",
    }
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(row.keys())
    writer.writerow(row.values())
    return buffer.getvalue().encode("utf-8")


# Inquiries (SECURITY.md C2 for threads). World threads, made through the services:
# B ("approved_other") has an open "inquiry" on A's "offer" and a "closed_inquiry"
# there; a "quoted_inquiry" on A's "revised" post (A quoted 1 unit); G (the grid
# enterprise, moderator_own's) has a "reported_inquiry" on "revised" with an
# "open_report" (by G) and a "resolved_report" (by A, resolved by the moderator).
INQUIRIES = "/inquiries/"
REPORTS = "/moderation/inquiries"
# A's and B's thread: the two of them; everyone else 404 (moderators too: no report).
THREAD_AB = dict(anonymous=LOGIN, members=404, moderators=404)
# A's and G's reported thread: A and G's moderator (a party); moderators per case.
THREAD_AG = dict(anonymous=LOGIN, pending=404, rejected=404, approved_other=404)
# Who may not send an inquiry on A's offer: flashed why, back to the post.
NOT_SENDERS = dict(
    anonymous=LOGIN,
    pending=Redirect(lambda w: f"/listings/{w['offer'].id}"),
    rejected=Redirect(lambda w: f"/listings/{w['offer'].id}"),
    approved=Redirect(lambda w: f"/listings/{w['offer'].id}"),
    moderator=Redirect(lambda w: f"/listings/{w['offer'].id}"),
)


def _thread(key: str, suffix: str = "") -> Callable[[dict], str]:
    return lambda w: f"/inquiries/{w[key]}{suffix}"


def _resolve(key: str) -> Callable[[dict], str]:
    return lambda w: f"{REPORTS}/reports/{w[key]}/resolve"


MATRIX: dict[str, dict] = {
    # Public pages.
    "main.index": {
        "method": "GET",
        "url": lambda w: "/",
        "expect": roles(anonymous=200, signed_in=200),
    },
    # The access world builds no search index, so search answers "temporarily
    # unavailable" (503) to everyone alike; tests/search covers the results.
    "search.page": {
        "method": "GET",
        "url": lambda w: "/search?q=%E5%8F%98%E5%8E%8B%E5%99%A8&status:pending",
        "expect": roles(anonymous=503, signed_in=503),
    },
    "search.api_search": {
        "method": "GET",
        "url": lambda w: "/api/v1/search?q=S11",
        "expect": roles(anonymous=503, signed_in=503),
    },
    "search.api_suggest": {
        "method": "GET",
        "url": lambda w: "/api/v1/suggest?q=S1",
        "expect": roles(anonymous=200, signed_in=200),
    },
    "main.region_children": {
        "method": "GET",
        "url": lambda w: "/api/v1/regions/370000",
        "expect": roles(anonymous=200, signed_in=200),
    },
    "main.region_children#unknown": {
        "method": "GET",
        "url": lambda w: "/api/v1/regions/999999",
        "expect": roles(anonymous=404, signed_in=404),
    },
    # Accounts.
    "accounts.login": {
        "method": "GET",
        "url": lambda w: "/accounts/login",
        "expect": roles(anonymous=200, signed_in=Redirect("/")),
    },
    "accounts.login#post": {
        "method": "POST",
        "url": lambda w: "/accounts/login",
        "data": lambda w: {
            "identifier": w["approved"]["email"],
            "password": "Wrong-pass-123",
        },
        "expect": roles(anonymous=200, signed_in=Redirect("/")),
    },
    "accounts.logout": {
        "method": "POST",
        "url": lambda w: "/accounts/logout",
        "expect": roles(anonymous=LOGIN, signed_in=Redirect("/")),
    },
    "accounts.logout#get": {
        "method": "GET",
        "url": lambda w: "/accounts/logout",
        "expect": roles(anonymous=405, signed_in=405),
    },
    "accounts.change_password": {
        "method": "GET",
        "url": lambda w: "/accounts/password",
        "expect": roles(anonymous=LOGIN, signed_in=200),
    },
    "accounts.change_password#post": {
        "method": "POST",
        "url": lambda w: "/accounts/password",
        "data": lambda w: {
            "current_password": "Not-the-password-1",
            "new_password": "Brand-new-passphrase-77",
            "confirm_password": "Brand-new-passphrase-77",
        },
        "expect": roles(anonymous=LOGIN, signed_in=200),
    },
    # Password reset: open to everyone (a signed-in user who forgot the password
    # may ask too); a reset signs out whoever was signed in and leads to login.
    # An unknown account is tested in tests/accounts/test_password_reset.py (here
    # its cells would exhaust the per-account limit, which only a change resets).
    "accounts.request_password_reset": {
        "method": "GET",
        "url": lambda w: RESET_REQUEST,
        "expect": roles(anonymous=200, signed_in=200),
    },
    "accounts.request_password_reset#post": {
        "method": "POST",
        "url": lambda w: RESET_REQUEST,
        "data": lambda w: {"identifier": w["approved"]["email"]},
        "expect": roles(
            anonymous=Redirect(RESET_REQUEST), signed_in=Redirect(RESET_REQUEST)
        ),
    },
    "accounts.reset_password": {
        "method": "GET",
        "url": lambda w: f"{RESET_REQUEST}/{w['reset_token']}",
        "expect": roles(anonymous=200, signed_in=200),
    },
    "accounts.reset_password#invalid": {
        "method": "GET",
        "url": lambda w: f"{RESET_REQUEST}/not-a-reset-token",
        "expect": roles(anonymous=404, signed_in=404),
    },
    "accounts.reset_password#post": {
        "method": "POST",
        "url": lambda w: f"{RESET_REQUEST}/{w['reset_token']}",
        "data": lambda w: {
            "new_password": "Brand-new-passphrase-77",
            "confirm_password": "Brand-new-passphrase-77",
        },
        "expect": roles(
            anonymous=Redirect("/accounts/login"), signed_in=Redirect("/accounts/login")
        ),
    },
    "accounts.reset_password#weak": {
        "method": "POST",
        "url": lambda w: f"{RESET_REQUEST}/{w['reset_token']}",
        "data": lambda w: {
            "new_password": "password123",
            "confirm_password": "password123",
        },
        "expect": roles(anonymous=200, signed_in=200),
        "changes_nothing": True,
    },
    "accounts.reset_password#invalid-post": {
        "method": "POST",
        "url": lambda w: f"{RESET_REQUEST}/not-a-reset-token",
        "data": lambda w: {
            "new_password": "Brand-new-passphrase-77",
            "confirm_password": "Brand-new-passphrase-77",
        },
        "expect": roles(anonymous=404, signed_in=404),
    },
    "accounts.set_locale": {
        "method": "POST",
        "url": lambda w: "/accounts/locale",
        "data": lambda w: {"locale": "en", "next": MINE},
        "expect": roles(anonymous=Redirect(MINE), signed_in=Redirect(MINE)),
    },
    # Enterprises.
    "enterprises.register": {
        "method": "GET",
        "url": lambda w: "/enterprises/register",
        "expect": roles(anonymous=200, signed_in=Redirect(MINE)),
    },
    "enterprises.register#post": {
        "method": "POST",
        "url": lambda w: "/enterprises/register",
        "data": lambda w: {"name": "", "credit_code": ""},
        "expect": roles(anonymous=200, signed_in=Redirect(MINE)),
    },
    "enterprises.mine": {
        "method": "GET",
        "url": lambda w: MINE,
        "expect": roles(anonymous=LOGIN, members=200, moderator=404, moderator_own=200),
    },
    "enterprises.mine#post": {
        "method": "POST",
        "url": lambda w: MINE,
        "expect": roles(anonymous=405, signed_in=405),
    },
    "enterprises.edit": {
        "method": "GET",
        "url": lambda w: "/enterprises/mine/edit",
        "expect": roles(
            anonymous=LOGIN,
            pending=200,
            rejected=200,
            approved=Redirect(MINE),
            approved_other=Redirect(MINE),
            moderator=404,
            moderator_own=Redirect(MINE),
        ),
    },
    "enterprises.edit#post": {
        "method": "POST",
        "url": lambda w: "/enterprises/mine/edit",
        "data": lambda w: {"name": "", "credit_code": ""},
        "expect": roles(
            anonymous=LOGIN,
            pending=200,
            rejected=200,
            approved=Redirect(MINE),
            approved_other=Redirect(MINE),
            moderator=404,
            moderator_own=Redirect(MINE),
        ),
    },
    # Licence files (C3): the enterprise's own users and moderators; everyone else 404.
    "enterprises.licence": {
        "method": "GET",
        "url": _licence("approved"),
        "expect": roles(anonymous=404, members=404, approved=200, moderators=200),
    },
    "enterprises.licence#pending": {
        "method": "GET",
        "url": _licence("pending"),
        "expect": roles(anonymous=404, members=404, pending=200, moderators=200),
    },
    "enterprises.licence#rejected": {
        "method": "GET",
        "url": _licence("rejected"),
        "expect": roles(anonymous=404, members=404, rejected=200, moderators=200),
    },
    "enterprises.licence#suspended": {
        "method": "GET",
        "url": _licence("suspended"),
        "expect": roles(anonymous=404, members=404, moderators=200),
    },
    "enterprises.licence#grid": {
        "method": "GET",
        "url": _licence("grid"),
        "expect": roles(anonymous=404, members=404, moderators=200),
    },
    # The public page of an enterprise: approved ones for everyone; the others only
    # for their own users and moderators (existence stays private: 404).
    "enterprises.profile": {
        "method": "GET",
        "url": lambda w: f"/enterprises/{w['approved']['id']}",
        "expect": roles(anonymous=200, signed_in=200),
    },
    "enterprises.profile#pending": {
        "method": "GET",
        "url": lambda w: f"/enterprises/{w['pending']['id']}",
        "expect": roles(anonymous=404, members=404, pending=200, moderators=200),
    },
    "enterprises.profile#rejected": {
        "method": "GET",
        "url": lambda w: f"/enterprises/{w['rejected']['id']}",
        "expect": roles(anonymous=404, members=404, rejected=200, moderators=200),
    },
    "enterprises.profile#suspended": {
        "method": "GET",
        "url": lambda w: f"/enterprises/{w['suspended']['id']}",
        "expect": roles(anonymous=404, members=404, moderators=200),
    },
    "enterprises.profile#missing": {
        "method": "GET",
        "url": lambda w: f"/enterprises/{MISSING_ID}",
        "expect": roles(anonymous=404, signed_in=404),
    },
    "enterprises.licence#missing": {
        "method": "GET",
        "url": lambda w: f"/enterprises/{MISSING_ID}/licence",
        "expect": roles(anonymous=404, signed_in=404),
    },
    # Moderation: login for anonymous, 403 for members.
    "moderation.index": {
        "method": "GET",
        "url": lambda w: "/moderation/",
        "expect": roles(**MODERATION_ONLY, moderators=Redirect(QUEUE)),
    },
    "moderation.queue": {
        "method": "GET",
        "url": lambda w: QUEUE,
        "expect": roles(**MODERATION_ONLY, moderators=200),
    },
    "moderation.queue#suspended": {
        "method": "GET",
        "url": lambda w: QUEUE + "?status=suspended",
        "expect": roles(**MODERATION_ONLY, moderators=200),
    },
    "moderation.queue#bad-status": {
        "method": "GET",
        "url": lambda w: QUEUE + "?status=everything",
        "expect": roles(**MODERATION_ONLY, moderators=404),
    },
    "moderation.detail": {
        "method": "GET",
        "url": lambda w: f"{QUEUE}/{w['pending']['id']}",
        "expect": roles(**MODERATION_ONLY, moderators=200),
    },
    "moderation.detail#own": {
        "method": "GET",
        "url": lambda w: f"{QUEUE}/{w['grid']['id']}",
        "expect": roles(**MODERATION_ONLY, moderators=200),
    },
    "moderation.detail#missing": {
        "method": "GET",
        "url": lambda w: f"{QUEUE}/{MISSING_ID}",
        "expect": roles(**MODERATION_ONLY, moderators=404),
    },
    "moderation.audit": {
        "method": "GET",
        "url": lambda w: "/moderation/audit",
        "expect": roles(**MODERATION_ONLY, moderators=200),
    },
    # Statistics: moderators only, like moderation.
    "stats.dashboard": {
        "method": "GET",
        "url": lambda w: "/stats/",
        "expect": roles(**MODERATION_ONLY, moderators=200),
    },
    "stats.dashboard#period": {
        "method": "GET",
        "url": lambda w: "/stats/?months=24",
        "expect": roles(**MODERATION_ONLY, moderators=200),
    },
    "stats.dashboard#bad-period": {
        "method": "GET",
        "url": lambda w: "/stats/?months=7",
        "expect": roles(**MODERATION_ONLY, moderators=404),
    },
    # Decisions along the state machine (C6).
    "moderation.decide": {
        "method": "POST",
        "url": _decide("pending", "approve"),
        "expect": DECIDED,
    },
    "moderation.decide#reject-pending": {
        "method": "POST",
        "url": _decide("pending", "reject"),
        "data": _reason,
        "expect": DECIDED,
    },
    "moderation.decide#suspend-approved": {
        "method": "POST",
        "url": _decide("approved", "suspend"),
        "data": _reason,
        "expect": DECIDED,
    },
    "moderation.decide#reinstate-suspended": {
        "method": "POST",
        "url": _decide("suspended", "reinstate"),
        "expect": DECIDED,
    },
    "moderation.decide#suspend-without-reason": {
        "method": "POST",
        "url": _decide("approved", "suspend"),
        "data": lambda w: {"stock_reason": "", "reason": "  "},
        "expect": roles(
            **MODERATION_ONLY,
            moderators=Redirect(lambda w: f"{QUEUE}/{w['approved']['id']}"),
        ),
    },
    "moderation.decide#approve-approved": {
        "method": "POST",
        "url": _decide("approved", "approve"),
        "expect": INVALID,
    },
    "moderation.decide#approve-rejected": {
        "method": "POST",
        "url": _decide("rejected", "approve"),
        "expect": INVALID,
    },
    "moderation.decide#reject-approved": {
        "method": "POST",
        "url": _decide("approved", "reject"),
        "data": _reason,
        "expect": INVALID,
    },
    "moderation.decide#suspend-pending": {
        "method": "POST",
        "url": _decide("pending", "suspend"),
        "data": _reason,
        "expect": INVALID,
    },
    "moderation.decide#reinstate-approved": {
        "method": "POST",
        "url": _decide("approved", "reinstate"),
        "expect": INVALID,
    },
    # A moderator never decides on their own enterprise (the grid enterprise G).
    "moderation.decide#suspend-own": {
        "method": "POST",
        "url": _decide("grid", "suspend"),
        "data": _reason,
        "expect": roles(
            **MODERATION_ONLY, moderator=Redirect(QUEUE), moderator_own=403
        ),
    },
    "moderation.decide#approve-own": {
        "method": "POST",
        "url": _decide("grid", "approve"),
        "expect": OWN,
    },
    "moderation.decide#reject-own": {
        "method": "POST",
        "url": _decide("grid", "reject"),
        "data": _reason,
        "expect": OWN,
    },
    "moderation.decide#reinstate-own": {
        "method": "POST",
        "url": _decide("grid", "reinstate"),
        "expect": OWN,
    },
    "moderation.decide#missing": {
        "method": "POST",
        "url": lambda w: f"{QUEUE}/{MISSING_ID}/approve",
        "expect": roles(**MODERATION_ONLY, moderators=404),
    },
    # Listing moderation: the guard and missing ids (decisions: after the listings).
    "moderation.listing_queue": {
        "method": "GET",
        "url": lambda w: "/moderation/listings",
        "expect": roles(**MODERATION_ONLY, moderators=200),
    },
    "moderation.listing_detail#missing": {
        "method": "GET",
        "url": lambda w: f"/moderation/listings/{MISSING_ID}",
        "expect": roles(**MODERATION_ONLY, moderators=404),
    },
    "moderation.decide_listing#missing": {
        "method": "POST",
        "url": lambda w: f"/moderation/listings/{MISSING_ID}/approve",
        "expect": roles(**MODERATION_ONLY, moderators=404),
    },
    "moderation.approve_many_listings#none-selected": {
        "method": "POST",
        "url": lambda w: "/moderation/listings/approve-many",
        "expect": roles(**MODERATION_ONLY, moderators=Redirect("/moderation/listings")),
    },
    "moderation.decide#get": {
        "method": "GET",
        "url": _decide("pending", "approve"),
        "expect": roles(anonymous=405, signed_in=405),
    },
    # Listings (SECURITY.md C2, C5). World posts, all built through the services:
    # A ("approved") owns the published "offer" (a photo, a test report), a "draft"
    # (a photo, a document), a "pending_post", a "revised" post (published, with a
    # pending photo waiting for review) and an "expired_post"; the suspended
    # enterprise has a published post that went dark with it; the grid enterprise
    # G (moderator_own's) has a pending "grid_post".
    "listings.browse": {
        "method": "GET",
        "url": lambda w: "/listings/",
        "expect": PUBLIC,
    },
    "listings.browse#wanted": {
        "method": "GET",
        "url": lambda w: "/listings/?kind=wanted",
        "expect": PUBLIC,
    },
    "listings.browse#category": {
        "method": "GET",
        "url": lambda w: "/listings/?category=oil_immersed_transformer&page=2",
        "expect": PUBLIC,
    },
    "listings.browse#bad-kind": {
        "method": "GET",
        "url": lambda w: "/listings/?kind=everything",
        "expect": roles(anonymous=404, signed_in=404),
    },
    # Reading a post: public ones for everyone; any other state only for the owner
    # and moderators (existence stays private: 404).
    "listings.detail": {
        "method": "GET",
        "url": _post("offer"),
        "expect": PUBLIC,
    },
    "listings.detail#draft": {
        "method": "GET",
        "url": _post("draft"),
        "expect": OWNER_AND_MODERATORS_SEE,
    },
    "listings.detail#pending": {
        "method": "GET",
        "url": _post("pending_post"),
        "expect": OWNER_AND_MODERATORS_SEE,
    },
    "listings.detail#expired": {
        "method": "GET",
        "url": _post("expired_post"),
        "expect": OWNER_AND_MODERATORS_SEE,
    },
    "listings.detail#suspended-enterprise": {
        "method": "GET",
        "url": _post("suspended_post"),
        "expect": roles(anonymous=404, members=404, moderators=200),
    },
    "listings.detail#grid": {
        "method": "GET",
        "url": _post("grid_post"),
        "expect": roles(anonymous=404, members=404, moderators=200),
    },
    "listings.detail#missing": {
        "method": "GET",
        "url": lambda w: f"/listings/{MISSING_ID}",
        "expect": roles(anonymous=404, signed_in=404),
    },
    # Writing: users of approved enterprises (G included) only.
    "listings.create": {
        "method": "GET",
        "url": lambda w: "/listings/new",
        "expect": roles(**NOT_PUBLISHERS, moderator=Redirect(MINE), publishers=200),
    },
    "listings.create#post": {
        "method": "POST",
        "url": lambda w: "/listings/new",
        "data": lambda w: offer_form(title="新建：S11-M-400/10 变压器"),
        "expect": roles(
            **NOT_PUBLISHERS,
            moderator=Redirect(MINE),
            publishers=Redirect(_new_post("/files")),
        ),
    },
    "listings.create#invalid": {
        "method": "POST",
        "url": lambda w: "/listings/new",
        "data": lambda w: offer_form(title="", quantity="0"),
        "changes_nothing": True,
        "expect": roles(**NOT_PUBLISHERS, moderator=Redirect(MINE), publishers=200),
    },
    # Everything below changes one post: its owner only; anyone else 404, even
    # moderators (they decide through /moderation, never edit).
    "listings.edit": {
        "method": "GET",
        "url": _post("offer", "/edit"),
        "expect": owner_only(200),
    },
    "listings.edit#draft": {
        "method": "GET",
        "url": _post("draft", "/edit"),
        "expect": owner_only(200),
    },
    "listings.edit#expired": {
        "method": "GET",
        "url": _post("expired_post", "/edit"),
        "expect": owner_only(Redirect(MY_POSTS)),
    },
    "listings.edit#grid": {
        "method": "GET",
        "url": _post("grid_post", "/edit"),
        "expect": roles(anonymous=LOGIN, members=404, moderator=404, moderator_own=200),
    },
    "listings.edit#missing": {
        "method": "GET",
        "url": lambda w: f"/listings/{MISSING_ID}/edit",
        "expect": roles(anonymous=LOGIN, signed_in=404),
    },
    "listings.edit#post": {
        "method": "POST",
        "url": _post("draft", "/edit"),
        "data": lambda w: offer_form(title="改过的标题：S11 变压器"),
        "expect": owner_only(Redirect(_post("draft", "/files"))),
    },
    # A published post keeps its public version; the edit waits as a revision.
    "listings.edit#post-published": {
        "method": "POST",
        "url": _post("offer", "/edit"),
        "data": lambda w: offer_form(title="改过的标题：S11 变压器"),
        "expect": owner_only(Redirect(_post("offer", "/files"))),
    },
    "listings.edit#post-invalid": {
        "method": "POST",
        "url": _post("draft", "/edit"),
        "data": lambda w: offer_form(title="", quantity="0"),
        "changes_nothing": True,
        "expect": owner_only(200),
    },
    "listings.files": {
        "method": "GET",
        "url": _post("offer", "/files"),
        "expect": owner_only(200),
    },
    "listings.files#draft": {
        "method": "GET",
        "url": _post("draft", "/files"),
        "expect": owner_only(200),
    },
    "listings.files#post": {
        "method": "POST",
        "url": _post("draft", "/files"),
        "data": lambda w: {"photo-photo": (io.BytesIO(png_bytes()), "现场.png")},
        "expect": owner_only(Redirect(_post("draft", "/files"))),
    },
    "listings.files#post-document-published": {
        "method": "POST",
        "url": _post("offer", "/files"),
        "data": lambda w: {
            "document-document": (io.BytesIO(pdf_bytes()), "说明书.pdf"),
            "document-kind": "manual",
        },
        "expect": owner_only(Redirect(_post("offer", "/files"))),
    },
    "listings.files#post-nothing": {
        "method": "POST",
        "url": _post("offer", "/files"),
        "changes_nothing": True,
        "expect": owner_only(200),
    },
    "listings.files#post-expired": {
        "method": "POST",
        "url": _post("expired_post", "/files"),
        "data": lambda w: {"photo-photo": (io.BytesIO(png_bytes()), "现场.png")},
        "expect": owner_only(409),
    },
    "listings.photo_action": {
        "method": "POST",
        "url": _photo("draft", "draft", 0, "delete"),
        "expect": owner_only(Redirect(_post("draft", "/files"))),
    },
    "listings.photo_action#later": {
        "method": "POST",
        "url": _photo("draft", "draft", 0, "later"),
        "expect": owner_only(Redirect(_post("draft", "/files"))),
    },
    # Published photos stay until the post is withdrawn (a flashed error).
    "listings.photo_action#delete-published": {
        "method": "POST",
        "url": _photo("offer", "offer", 0, "delete"),
        "changes_nothing": True,
        "expect": owner_only(Redirect(_post("offer", "/files"))),
    },
    "listings.photo_action#earlier-published": {
        "method": "POST",
        "url": _photo("offer", "offer", 0, "earlier"),
        "changes_nothing": True,
        "expect": owner_only(Redirect(_post("offer", "/files"))),
    },
    "listings.photo_action#delete-pending-photo": {
        "method": "POST",
        "url": _photo("revised", "revised", 1, "delete"),
        "expect": owner_only(Redirect(_post("revised", "/files"))),
    },
    # A's photo under G's own post: found by id, still not G's.
    "listings.photo_action#other-post": {
        "method": "POST",
        "url": _photo("grid_post", "offer", 0, "delete"),
        "expect": roles(anonymous=LOGIN, signed_in=404),
    },
    "listings.photo_action#missing": {
        "method": "POST",
        "url": lambda w: f"/listings/{w['draft'].id}/photos/{MISSING_ID}/delete",
        "expect": roles(anonymous=LOGIN, signed_in=404),
    },
    "listings.document_delete": {
        "method": "POST",
        "url": _document("draft", "draft", "/delete"),
        "expect": owner_only(Redirect(_post("draft", "/files"))),
    },
    "listings.document_delete#published": {
        "method": "POST",
        "url": _document("offer", "offer", "/delete"),
        "changes_nothing": True,
        "expect": owner_only(Redirect(_post("offer", "/files"))),
    },
    "listings.document_delete#other-post": {
        "method": "POST",
        "url": _document("grid_post", "offer", "/delete"),
        "expect": roles(anonymous=LOGIN, signed_in=404),
    },
    # Files: photos of a public post are public; documents need an approved login
    # (or the owner, or a moderator); files of a hidden post or pending files are the
    # owner's and moderators' only.
    "listings.photo_file": {
        "method": "GET",
        "url": _photo("offer", "offer", 0, "full"),
        "expect": PUBLIC,
    },
    "listings.photo_file#thumbnail": {
        "method": "GET",
        "url": _photo("offer", "offer", 0, "thumbnail"),
        "expect": PUBLIC,
    },
    "listings.photo_file#draft": {
        "method": "GET",
        "url": _photo("draft", "draft", 0, "full"),
        "expect": OWNER_AND_MODERATORS_SEE,
    },
    "listings.photo_file#pending-photo": {
        "method": "GET",
        "url": _photo("revised", "revised", 1, "thumbnail"),
        "expect": OWNER_AND_MODERATORS_SEE,
    },
    "listings.photo_file#suspended-enterprise": {
        "method": "GET",
        "url": _photo("suspended_post", "suspended_post", 0, "full"),
        "expect": roles(anonymous=404, members=404, moderators=200),
    },
    # The draft's photo under the public post's id.
    "listings.photo_file#other-post": {
        "method": "GET",
        "url": _photo("offer", "draft", 0, "full"),
        "expect": roles(anonymous=404, signed_in=404),
    },
    "listings.photo_file#missing": {
        "method": "GET",
        "url": lambda w: f"/listings/{w['offer'].id}/photos/{MISSING_ID}/full",
        "expect": roles(anonymous=404, signed_in=404),
    },
    "listings.document_file": {
        "method": "GET",
        "url": _document("offer", "offer"),
        "expect": roles(
            anonymous=404,
            pending=404,
            rejected=404,
            approved=200,
            approved_other=200,
            moderators=200,
        ),
    },
    "listings.document_file#draft": {
        "method": "GET",
        "url": _document("draft", "draft"),
        "expect": OWNER_AND_MODERATORS_SEE,
    },
    "listings.document_file#other-post": {
        "method": "GET",
        "url": _document("grid_post", "offer"),
        "expect": roles(anonymous=404, signed_in=404),
    },
    "listings.document_file#missing": {
        "method": "GET",
        "url": lambda w: f"/listings/{w['offer'].id}/documents/{MISSING_ID}",
        "expect": roles(anonymous=404, signed_in=404),
    },
    "listings.change_state": {
        "method": "POST",
        "url": _post("draft", "/submit"),
        "expect": owner_only(Redirect(MY_POSTS)),
    },
    "listings.change_state#withdraw": {
        "method": "POST",
        "url": _post("offer", "/withdraw"),
        "expect": owner_only(Redirect(MY_POSTS)),
    },
    "listings.change_state#renew": {
        "method": "POST",
        "url": _post("offer", "/renew"),
        "expect": owner_only(Redirect(MY_POSTS)),
    },
    "listings.change_state#renew-expired": {
        "method": "POST",
        "url": _post("expired_post", "/renew"),
        "expect": owner_only(Redirect(MY_POSTS)),
    },
    "listings.change_state#duplicate": {
        "method": "POST",
        "url": _post("offer", "/duplicate"),
        "expect": owner_only(Redirect(_new_post("/edit"))),
    },
    "listings.change_state#withdraw-draft": {
        "method": "POST",
        "url": _post("draft", "/withdraw"),
        "expect": owner_only(409),
    },
    "listings.change_state#submit-published": {
        "method": "POST",
        "url": _post("offer", "/submit"),
        "expect": owner_only(409),
    },
    "listings.change_state#withdraw-grid": {
        "method": "POST",
        "url": _post("grid_post", "/withdraw"),
        "expect": roles(
            anonymous=LOGIN,
            members=404,
            moderator=404,
            moderator_own=Redirect(MY_POSTS),
        ),
    },
    "listings.sold": {
        "method": "GET",
        "url": _post("offer", "/sold"),
        "expect": owner_only(200),
    },
    "listings.sold#post": {
        "method": "POST",
        "url": _post("offer", "/sold"),
        "data": lambda w: {"deal_price": "26000", "deal_quantity": "1"},
        "expect": owner_only(Redirect(MY_POSTS)),
    },
    "listings.sold#post-bad-price": {
        "method": "POST",
        "url": _post("offer", "/sold"),
        "data": lambda w: {"deal_price": "很多", "deal_quantity": "1"},
        "changes_nothing": True,
        "expect": owner_only(200),
    },
    "listings.sold#post-draft": {
        "method": "POST",
        "url": _post("draft", "/sold"),
        "expect": owner_only(409),
    },
    "listings.mine": {
        "method": "GET",
        "url": lambda w: MY_POSTS,
        "expect": roles(anonymous=LOGIN, members=200, moderator=404, moderator_own=200),
    },
    "listings.mine#draft": {
        "method": "GET",
        "url": lambda w: MY_POSTS + "?status=draft",
        "expect": roles(anonymous=LOGIN, members=200, moderator=404, moderator_own=200),
    },
    "listings.mine#bad-status": {
        "method": "GET",
        "url": lambda w: MY_POSTS + "?status=everything",
        "expect": roles(anonymous=LOGIN, signed_in=404),
    },
    "listings.model_suggestion": {
        "method": "GET",
        "url": lambda w: "/listings/model-suggestion?model=S11-M-400/10",
        "expect": PUBLIC,
    },
    "listings.model_suggestion#empty": {
        "method": "GET",
        "url": lambda w: "/listings/model-suggestion",
        "expect": PUBLIC,
    },
    # The asset ledger: import for approved enterprises; export of one's own posts.
    "ledger.import_page": {
        "method": "GET",
        "url": lambda w: "/ledger/import",
        "expect": LEDGER_IMPORT,
    },
    # No file chosen: the form comes back with its error, nothing is stored.
    "ledger.import_page#post": {
        "method": "POST",
        "url": lambda w: "/ledger/import",
        "changes_nothing": True,
        "expect": LEDGER_IMPORT,
    },
    "ledger.import_page#post-ledger": {
        "method": "POST",
        "url": lambda w: "/ledger/import",
        "data": lambda w: {"ledger": (io.BytesIO(_ledger_csv()), "台账.csv")},
        "expect": roles(
            **NOT_PUBLISHERS, moderator=404, publishers=Redirect("/ledger/import/done")
        ),
    },
    "ledger.imported": {
        "method": "GET",
        "url": lambda w: "/ledger/import/done",
        "expect": roles(anonymous=LOGIN, signed_in=Redirect(MY_POSTS)),
    },
    "ledger.template": {
        "method": "GET",
        "url": lambda w: "/ledger/template.xlsx",
        "expect": roles(anonymous=LOGIN, signed_in=200),
    },
    "ledger.export": {
        "method": "GET",
        "url": lambda w: "/ledger/export.xlsx",
        "expect": roles(anonymous=LOGIN, members=200, moderator=404, moderator_own=200),
    },
    # Listing moderation (C6 for posts): moderators read any post; decisions follow
    # the state machine (409 otherwise); never on their own enterprise's post (403).
    "moderation.listing_detail": {
        "method": "GET",
        "url": _review("pending_post"),
        "expect": roles(**MODERATION_ONLY, moderators=200),
    },
    "moderation.listing_detail#own": {
        "method": "GET",
        "url": _review("grid_post"),
        "expect": roles(**MODERATION_ONLY, moderators=200),
    },
    "moderation.listing_detail#revised": {
        "method": "GET",
        "url": _review("revised"),
        "expect": roles(**MODERATION_ONLY, moderators=200),
    },
    "moderation.listing_detail#draft": {
        "method": "GET",
        "url": _review("draft"),
        "expect": roles(**MODERATION_ONLY, moderators=200),
    },
    "moderation.decide_listing": {
        "method": "POST",
        "url": _review("pending_post", "/approve"),
        "expect": LISTING_DECIDED,
    },
    "moderation.decide_listing#reject": {
        "method": "POST",
        "url": _review("pending_post", "/reject"),
        "data": lambda w: {"reason": "照片不清楚"},
        "expect": LISTING_DECIDED,
    },
    "moderation.decide_listing#reject-without-reason": {
        "method": "POST",
        "url": _review("pending_post", "/reject"),
        "data": lambda w: {"reason": "   "},
        "changes_nothing": True,
        "expect": roles(
            **MODERATION_ONLY, moderators=Redirect(_review("pending_post"))
        ),
    },
    "moderation.decide_listing#approve-revision": {
        "method": "POST",
        "url": _review("revised", "/approve-revision"),
        "expect": LISTING_DECIDED,
    },
    "moderation.decide_listing#reject-revision": {
        "method": "POST",
        "url": _review("revised", "/reject-revision"),
        "data": lambda w: {"reason": "新照片与设备不符"},
        "expect": LISTING_DECIDED,
    },
    "moderation.decide_listing#approve-published": {
        "method": "POST",
        "url": _review("offer", "/approve"),
        "expect": INVALID,
    },
    "moderation.decide_listing#approve-draft": {
        "method": "POST",
        "url": _review("draft", "/approve"),
        "expect": INVALID,
    },
    "moderation.decide_listing#reject-expired": {
        "method": "POST",
        "url": _review("expired_post", "/reject"),
        "data": lambda w: {"reason": "照片不清楚"},
        "expect": INVALID,
    },
    "moderation.decide_listing#approve-revision-none": {
        "method": "POST",
        "url": _review("offer", "/approve-revision"),
        "expect": INVALID,
    },
    "moderation.decide_listing#reject-revision-none": {
        "method": "POST",
        "url": _review("offer", "/reject-revision"),
        "data": lambda w: {"reason": "照片不清楚"},
        "expect": INVALID,
    },
    "moderation.decide_listing#approve-own": {
        "method": "POST",
        "url": _review("grid_post", "/approve"),
        "expect": LISTING_DECIDED_NOT_OWN,
    },
    "moderation.decide_listing#reject-own": {
        "method": "POST",
        "url": _review("grid_post", "/reject"),
        "data": lambda w: {"reason": "照片不清楚"},
        "expect": LISTING_DECIDED_NOT_OWN,
    },
    "moderation.approve_many_listings": {
        "method": "POST",
        "url": lambda w: LISTING_QUEUE + "/approve-many",
        "data": lambda w: {"listing_id": [str(w["pending_post"].id)]},
        "expect": LISTING_DECIDED,
    },
    # All or nothing: one post of one's own enterprise, or one no longer pending,
    # leaves every post as it was.
    "moderation.approve_many_listings#with-own": {
        "method": "POST",
        "url": lambda w: LISTING_QUEUE + "/approve-many",
        "data": lambda w: {
            "listing_id": [str(w["pending_post"].id), str(w["grid_post"].id)]
        },
        "expect": LISTING_DECIDED_NOT_OWN,
    },
    "moderation.approve_many_listings#not-pending": {
        "method": "POST",
        "url": lambda w: LISTING_QUEUE + "/approve-many",
        "data": lambda w: {
            "listing_id": [str(w["pending_post"].id), str(w["offer"].id)]
        },
        "expect": INVALID,
    },
    # Inquiries: the list of one's own threads.
    "inquiries.mine": {
        "method": "GET",
        "url": lambda w: INQUIRIES,
        "expect": roles(anonymous=LOGIN, members=200, moderator=404, moderator_own=200),
    },
    # Sending from A's offer: B's open thread takes the message; G opens a new one.
    "inquiries.new": {
        "method": "GET",
        "url": lambda w: f"/inquiries/new/{w['offer'].id}",
        "expect": roles(
            **NOT_SENDERS,
            approved_other=Redirect(_thread("inquiry")),
            moderator_own=200,
        ),
    },
    "inquiries.new#post": {
        "method": "POST",
        "url": lambda w: f"/inquiries/new/{w['offer'].id}",
        "data": lambda w: {"inquiry-body": "请问还有货吗？", "inquiry-quantity": "1"},
        "expect": roles(
            **NOT_SENDERS,
            approved_other=Redirect(_thread("inquiry")),
            moderator_own=Redirect(_thread("next_inquiry_id")),
        ),
    },
    "inquiries.new#invalid": {
        "method": "POST",
        "url": lambda w: f"/inquiries/new/{w['offer'].id}",
        "data": lambda w: {"inquiry-body": " ", "inquiry-quantity": "99"},
        "changes_nothing": True,
        "expect": roles(**NOT_SENDERS, approved_other=200, moderator_own=200),
    },
    # Only public posts take inquiries: any other is 404, the owner's own too.
    "inquiries.new#draft": {
        "method": "GET",
        "url": lambda w: f"/inquiries/new/{w['draft'].id}",
        "expect": roles(anonymous=LOGIN, signed_in=404),
    },
    "inquiries.new#post-expired": {
        "method": "POST",
        "url": lambda w: f"/inquiries/new/{w['expired_post'].id}",
        "data": lambda w: {"inquiry-body": "请问还有货吗？"},
        "expect": roles(anonymous=LOGIN, signed_in=404),
    },
    "inquiries.new#post-suspended-enterprise": {
        "method": "POST",
        "url": lambda w: f"/inquiries/new/{w['suspended_post'].id}",
        "data": lambda w: {"inquiry-body": "请问还有货吗？"},
        "expect": roles(anonymous=LOGIN, signed_in=404),
    },
    "inquiries.new#missing": {
        "method": "POST",
        "url": lambda w: f"/inquiries/new/{MISSING_ID}",
        "data": lambda w: {"inquiry-body": "请问还有货吗？"},
        "expect": roles(anonymous=LOGIN, signed_in=404),
    },
    # Reading a thread.
    "inquiries.detail": {
        "method": "GET",
        "url": _thread("inquiry"),
        "expect": roles(**THREAD_AB, approved=200, approved_other=200),
    },
    "inquiries.detail#closed": {
        "method": "GET",
        "url": _thread("closed_inquiry"),
        "expect": roles(**THREAD_AB, approved=200, approved_other=200),
    },
    "inquiries.detail#reported": {
        "method": "GET",
        "url": _thread("reported_inquiry"),
        "expect": roles(**THREAD_AG, approved=200, moderators=200),
    },
    "inquiries.detail#missing": {
        "method": "GET",
        "url": lambda w: f"/inquiries/{MISSING_ID}",
        "expect": roles(anonymous=LOGIN, signed_in=404),
    },
    # Writing in a thread: its two enterprises only (a moderator reads, never writes).
    "inquiries.message": {
        "method": "POST",
        "url": _thread("inquiry", "/messages"),
        "data": lambda w: {"message-body": "明天可以看货吗？"},
        "expect": roles(
            **THREAD_AB,
            approved=Redirect(_thread("inquiry")),
            approved_other=Redirect(_thread("inquiry")),
        ),
    },
    "inquiries.message#empty": {
        "method": "POST",
        "url": _thread("inquiry", "/messages"),
        "data": lambda w: {"message-body": "  "},
        "changes_nothing": True,
        "expect": roles(**THREAD_AB, approved=200, approved_other=200),
    },
    "inquiries.message#closed": {
        "method": "POST",
        "url": _thread("closed_inquiry", "/messages"),
        "data": lambda w: {"message-body": "还在吗？"},
        "expect": roles(**THREAD_AB, approved=409, approved_other=409),
    },
    "inquiries.message#reported": {
        "method": "POST",
        "url": _thread("reported_inquiry", "/messages"),
        "data": lambda w: {"message-body": "请说明情况"},
        "expect": roles(
            **THREAD_AG,
            approved=Redirect(_thread("reported_inquiry")),
            moderator=404,
            moderator_own=Redirect(_thread("reported_inquiry")),
        ),
    },
    # The seller (A, owner of the offer) quotes; the buyer B may not (403).
    "inquiries.quote": {
        "method": "POST",
        "url": _thread("inquiry", "/quote"),
        "data": lambda w: {"quote-price": "26000", "quote-quantity": "1"},
        "expect": roles(
            **THREAD_AB, approved=Redirect(_thread("inquiry")), approved_other=403
        ),
    },
    "inquiries.quote#over-quantity": {
        "method": "POST",
        "url": _thread("inquiry", "/quote"),
        "data": lambda w: {"quote-price": "26000", "quote-quantity": "99"},
        "changes_nothing": True,
        "expect": roles(**THREAD_AB, approved=200, approved_other=403),
    },
    "inquiries.quote#closed": {
        "method": "POST",
        "url": _thread("closed_inquiry", "/quote"),
        "data": lambda w: {"quote-price": "26000", "quote-quantity": "1"},
        "expect": roles(**THREAD_AB, approved=409, approved_other=403),
    },
    # The buyer B accepts A's quote (the deal); the seller may not accept its own.
    "inquiries.change_state": {
        "method": "POST",
        "url": _thread("quoted_inquiry", "/accept"),
        "expect": roles(
            **THREAD_AB,
            approved=403,
            approved_other=Redirect(_thread("quoted_inquiry")),
        ),
    },
    "inquiries.change_state#accept-unquoted": {
        "method": "POST",
        "url": _thread("inquiry", "/accept"),
        "expect": roles(**THREAD_AB, approved=403, approved_other=409),
    },
    "inquiries.change_state#close": {
        "method": "POST",
        "url": _thread("inquiry", "/close"),
        "expect": roles(
            **THREAD_AB,
            approved=Redirect(_thread("inquiry")),
            approved_other=Redirect(_thread("inquiry")),
        ),
    },
    "inquiries.change_state#close-closed": {
        "method": "POST",
        "url": _thread("closed_inquiry", "/close"),
        "expect": roles(**THREAD_AB, approved=409, approved_other=409),
    },
    "inquiries.change_state#get": {
        "method": "GET",
        "url": _thread("inquiry", "/close"),
        "expect": roles(anonymous=405, signed_in=405),
    },
    "inquiries.report": {
        "method": "POST",
        "url": _thread("inquiry", "/report"),
        "data": lambda w: {"report-reason": "对方发布虚假报价"},
        "expect": roles(
            **THREAD_AB,
            approved=Redirect(_thread("inquiry")),
            approved_other=Redirect(_thread("inquiry")),
        ),
    },
    "inquiries.report#empty": {
        "method": "POST",
        "url": _thread("inquiry", "/report"),
        "data": lambda w: {"report-reason": " "},
        "changes_nothing": True,
        "expect": roles(**THREAD_AB, approved=200, approved_other=200),
    },
    # Reported threads: moderators only; never on their own enterprise's thread.
    "moderation.inquiry_reports": {
        "method": "GET",
        "url": lambda w: REPORTS,
        "expect": roles(**MODERATION_ONLY, moderators=200),
    },
    "moderation.inquiry_reports#resolved": {
        "method": "GET",
        "url": lambda w: REPORTS + "?state=resolved",
        "expect": roles(**MODERATION_ONLY, moderators=200),
    },
    "moderation.inquiry_reports#bad-state": {
        "method": "GET",
        "url": lambda w: REPORTS + "?state=everything",
        "expect": roles(**MODERATION_ONLY, moderators=404),
    },
    "moderation.resolve_inquiry_report": {
        "method": "POST",
        "url": _resolve("open_report"),
        "data": lambda w: {"resolve-resolution": "已核实并警告"},
        "expect": roles(
            **MODERATION_ONLY, moderator=Redirect(REPORTS), moderator_own=403
        ),
    },
    "moderation.resolve_inquiry_report#without-resolution": {
        "method": "POST",
        "url": _resolve("open_report"),
        "data": lambda w: {"resolve-resolution": "  "},
        "changes_nothing": True,
        "expect": roles(
            **MODERATION_ONLY,
            moderator=Redirect(_thread("reported_inquiry")),
            moderator_own=403,
        ),
    },
    "moderation.resolve_inquiry_report#resolved": {
        "method": "POST",
        "url": _resolve("resolved_report"),
        "data": lambda w: {"resolve-resolution": "再次处理"},
        "expect": roles(**MODERATION_ONLY, moderator=409, moderator_own=403),
    },
    "moderation.resolve_inquiry_report#missing": {
        "method": "POST",
        "url": lambda w: f"{REPORTS}/reports/{MISSING_ID}/resolve",
        "data": lambda w: {"resolve-resolution": "已处理"},
        "expect": roles(**MODERATION_ONLY, moderators=404),
    },
    # --- Notifications and saved searches -------------------------------------------
    # The inbox belongs to an enterprise: every user of one has it (moderator_own
    # too: G's); a moderator without an enterprise has none (404). A's user owns
    # the world's "notification" (about A's "offer") and "saved_search"; anyone
    # else gets 404 for them.
    "notifications.index": {
        "method": "GET",
        "url": lambda w: INBOX,
        "expect": with_enterprise(200),
    },
    "notifications.index#page": {
        "method": "GET",
        "url": lambda w: INBOX + "?page=7",
        "expect": with_enterprise(200),
    },
    "notifications.read": {
        "method": "POST",
        "url": lambda w: f"{INBOX}{w['notification']}/read",
        "expect": roles(
            anonymous=LOGIN, signed_in=404, approved=Redirect(_post("offer"))
        ),
    },
    "notifications.read#missing": {
        "method": "POST",
        "url": lambda w: f"{INBOX}{MISSING_ID}/read",
        "expect": roles(anonymous=LOGIN, signed_in=404),
    },
    "notifications.read#get": {
        "method": "GET",
        "url": lambda w: f"{INBOX}{w['notification']}/read",
        "expect": roles(anonymous=405, signed_in=405),
    },
    "notifications.read_all": {
        "method": "POST",
        "url": lambda w: INBOX + "read-all",
        "expect": with_enterprise(Redirect(INBOX)),
    },
    # Muting a post's alerts: its owner only (like every change of a post).
    "notifications.mute_listing": {
        "method": "POST",
        "url": lambda w: f"{INBOX}listings/{w['offer'].id}/mute",
        "expect": owner_only(Redirect(_post("offer"))),
    },
    "notifications.mute_listing#unmute-draft": {
        "method": "POST",
        "url": lambda w: f"{INBOX}listings/{w['draft'].id}/unmute",
        "expect": owner_only(Redirect(_post("draft"))),
    },
    "notifications.mute_listing#grid": {
        "method": "POST",
        "url": lambda w: f"{INBOX}listings/{w['grid_post'].id}/mute",
        "expect": roles(
            anonymous=LOGIN,
            members=404,
            moderator=404,
            moderator_own=Redirect(_post("grid_post")),
        ),
    },
    "notifications.mute_listing#missing": {
        "method": "POST",
        "url": lambda w: f"{INBOX}listings/{MISSING_ID}/mute",
        "expect": roles(anonymous=LOGIN, signed_in=404),
    },
    "saved_searches.index": {
        "method": "GET",
        "url": lambda w: SAVED,
        "expect": with_enterprise(200),
    },
    "saved_searches.create": {
        "method": "POST",
        "url": lambda w: SAVED,
        "data": lambda w: {"query": "q=箱变&kind=offer&page=2", "name": "箱变"},
        "expect": with_enterprise(Redirect("/search")),
    },
    # Neither words nor filters: an error is flashed, nothing is stored.
    "saved_searches.create#empty": {
        "method": "POST",
        "url": lambda w: SAVED,
        "data": lambda w: {"query": "sort=newest&page=2&bogus=1"},
        "changes_nothing": True,
        "expect": with_enterprise(Redirect("/search")),
    },
    "saved_searches.rename": {
        "method": "POST",
        "url": lambda w: f"{SAVED}{w['saved_search']}/rename",
        "data": lambda w: {"name": "油浸式变压器 改名"},
        "expect": roles(anonymous=LOGIN, signed_in=404, approved=Redirect(SAVED)),
    },
    "saved_searches.rename#blank": {
        "method": "POST",
        "url": lambda w: f"{SAVED}{w['saved_search']}/rename",
        "data": lambda w: {"name": "   "},
        "changes_nothing": True,
        "expect": roles(anonymous=LOGIN, signed_in=404, approved=Redirect(SAVED)),
    },
    "saved_searches.change": {
        "method": "POST",
        "url": lambda w: f"{SAVED}{w['saved_search']}/mute",
        "expect": roles(anonymous=LOGIN, signed_in=404, approved=Redirect(SAVED)),
    },
    "saved_searches.change#unmute": {
        "method": "POST",
        "url": lambda w: f"{SAVED}{w['saved_search']}/unmute",
        "expect": roles(anonymous=LOGIN, signed_in=404, approved=Redirect(SAVED)),
    },
    "saved_searches.change#delete": {
        "method": "POST",
        "url": lambda w: f"{SAVED}{w['saved_search']}/delete",
        "expect": roles(anonymous=LOGIN, signed_in=404, approved=Redirect(SAVED)),
    },
    "saved_searches.change#missing": {
        "method": "POST",
        "url": lambda w: f"{SAVED}{MISSING_ID}/delete",
        "expect": roles(anonymous=LOGIN, signed_in=404),
    },
    # Matching: a post's matches for its owner only; a pair for the users of either
    # post's enterprise, when the other post is public. Moderators are no party.
    "matching.listing_matches": {
        "method": "GET",
        "url": lambda w: f"/matching/listings/{w['offer'].id}",
        "expect": owner_only(200),
    },
    "matching.listing_matches#draft": {
        "method": "GET",
        "url": lambda w: f"/matching/listings/{w['draft'].id}",
        "expect": owner_only(200),
    },
    "matching.listing_matches#other-wanted": {
        "method": "GET",
        "url": lambda w: f"/matching/listings/{w['other_wanted'].id}",
        "expect": roles(
            anonymous=LOGIN, members=404, approved_other=200, moderators=404
        ),
    },
    "matching.listing_matches#missing": {
        "method": "GET",
        "url": lambda w: f"/matching/listings/{MISSING_ID}",
        "expect": roles(anonymous=LOGIN, signed_in=404),
    },
    "matching.pair": {
        "method": "GET",
        "url": _pair("offer", "other_wanted"),
        "expect": roles(
            anonymous=LOGIN, members=404, approved=200, approved_other=200,
            moderators=404,
        ),
    },
    # A's draft is not public: A sees the pair, B does not.
    "matching.pair#draft-offer": {
        "method": "GET",
        "url": _pair("draft", "other_wanted"),
        "expect": owner_only(200),
    },
    # The suspended enterprise's offer went dark: B cannot see it through a pair.
    "matching.pair#suspended-offer": {
        "method": "GET",
        "url": _pair("suspended_post", "other_wanted"),
        "expect": roles(anonymous=LOGIN, signed_in=404),
    },
    "matching.pair#swapped": {
        "method": "GET",
        "url": _pair("other_wanted", "offer"),
        "expect": roles(anonymous=LOGIN, signed_in=404),
    },
    "matching.pair#missing": {
        "method": "GET",
        "url": lambda w: f"/matching/{w['offer'].id}/{MISSING_ID}",
        "expect": roles(anonymous=LOGIN, signed_in=404),
    },
}


def endpoint_of(case: str) -> str:
    return case.split("#", 1)[0]


def cells() -> list[tuple[str, str]]:
    """Every (case, role) pair of the matrix."""
    return [(case, role) for case in MATRIX for role in ROLES]


# The world every cell runs against.


@contextmanager
def quick_world_building():
    """The world's users share one real argon2 hash of PASSWORD, computed once, and
    its licence files skip fsync: building a world then takes milliseconds."""
    import market.files.storage as storage_module
    import tests.conftest as conftest_module

    if PASSWORD not in _HASHES:
        _HASHES[PASSWORD] = hash_password(PASSWORD)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(conftest_module, "hash_password", _HASHES.__getitem__)
        patch.setattr(storage_module.os, "fsync", lambda fd: None)
        yield


_HASHES: dict[str, str] = {}


def build_world(factory) -> dict:
    """One enterprise per state, the grid enterprise G, two moderators, and posts."""
    world = {
        "pending": factory.enterprise(status=EnterpriseStatus.PENDING),
        "rejected": factory.enterprise(
            status=EnterpriseStatus.REJECTED, status_reason="营业执照模糊"
        ),
        "approved": factory.enterprise(status=EnterpriseStatus.APPROVED),
        "approved_other": factory.enterprise(status=EnterpriseStatus.APPROVED),
        # Approved for now: it publishes a post before it is suspended (below).
        "suspended": factory.enterprise(status=EnterpriseStatus.APPROVED),
        "grid": factory.enterprise(
            status=EnterpriseStatus.APPROVED,
            enterprise_type=EnterpriseType.GRID_SUPPLY,
            name="国网枣庄供电公司",
        ),
    }
    world["moderator"] = factory.moderator()
    world["moderator_own"] = factory.moderator(enterprise_id=world["grid"]["id"])
    _add_listings(factory, world)
    _add_inquiries(factory, world)
    _add_alerts(factory, world)
    _add_password_reset(factory, world)
    return world


def _add_password_reset(factory, world: dict) -> None:
    """A reset link of A's user, as the e-mail would carry it."""
    from market.accounts.resets import create_password_reset

    token = secrets.token_urlsafe(32)
    with factory.app.app_context():
        user = db.session.get(User, world["approved"]["user_id"])
        reset = create_password_reset(user, token)
        # A day, not 30 minutes: a long test run never outlives the world's link.
        reset.expires_at = reset.created_at + timedelta(days=1)
        db.session.commit()
    world["reset_token"] = token


def _add_alerts(factory, world: dict) -> None:
    """A's user keeps a saved search, and A's inbox holds one entry (unread)."""
    from market.notifications.models import NotificationKind
    from market.notifications.services import notify
    from market.saved_searches.services import create_saved_search

    with factory.app.app_context():
        owner = db.session.get(User, world["approved"]["user_id"])
        saved = create_saved_search(owner, "q=油浸式变压器&kind=wanted", "求购油变")
        notification = notify(
            world["approved"]["id"],
            NotificationKind.INQUIRY_RECEIVED,
            "world:inquiry-received",
            listing_id=world["offer"].id,
            payload={"sender": world["approved_other"]["name"]},
        )
        db.session.commit()
        world["saved_search"] = saved.id
        world["notification"] = notification.id


def _add_listings(factory, world: dict) -> None:
    """The posts of the world, made through the listing services as users make
    them (tests/listings/conftest.py), approved by the world's own moderator."""
    app = factory.app
    make = ListingMaker(app, factory)
    make._moderator_id = world["moderator"]["user_id"]
    owner = world["approved"]
    world["offer"] = make(owner, status="published", photos=1, documents=1)
    world["draft"] = make(
        owner, status="draft", photos=1, documents=1, title="草稿：S9-315/10 变压器"
    )
    world["pending_post"] = make(owner, status="pending", title="待审：S11-M-630/10 变压器")
    world["expired_post"] = make(owner, status="expired", title="过期：S11-M-200/10 变压器")
    # Published with one photo; a second photo added since waits for review.
    revised = make(owner, status="published", photos=1, title="修订中：S13-M-400/10 变压器")
    with app.app_context():
        listing = db.session.get(Listing, revised.id)
        photo = attachments.add_photo(
            db.session.get(User, owner["user_id"]), listing, "新照片.png", png_bytes()
        )
        db.session.commit()
        revised.photos.append(photo.id)
    world["revised"] = revised
    # B's wanted post that A's public offer matches: both were told of the pair.
    world["other_wanted"] = make(
        world["approved_other"], kind="wanted", status="published"
    )
    world["grid_post"] = make(world["grid"], status="pending", title="国网退役变压器")
    # A published post whose enterprise is then suspended: it goes dark with it.
    world["suspended_post"] = make(world["suspended"], status="published", photos=1)
    with app.app_context():
        moderation_services.decide(
            db.session.get(User, world["moderator"]["user_id"]),
            db.session.get(Enterprise, world["suspended"]["id"]),
            DecisionAction.SUSPENDED,
            "发布虚假信息",
        )
        db.session.commit()
        # Ids are never reused: the next post made gets this one.
        world["next_listing_id"] = db.session.scalar(select(func.max(Listing.id))) + 1


def _add_inquiries(factory, world: dict) -> None:
    """The world's threads, sent, quoted, closed and reported through the services."""
    app = factory.app
    with app.app_context():
        a = db.session.get(User, world["approved"]["user_id"])
        b = db.session.get(User, world["approved_other"]["user_id"])
        g = db.session.get(User, world["grid"]["user_id"])
        moderator = db.session.get(User, world["moderator"]["user_id"])
        offer = db.session.get(Listing, world["offer"].id)
        revised = db.session.get(Listing, world["revised"].id)
        closed = inquiry_services.send_inquiry(b, offer, "上次的询价")
        inquiry_services.close_inquiry(b, closed)
        inquiry = inquiry_services.send_inquiry(b, offer, "请问这台变压器还在吗？")
        quoted = inquiry_services.send_inquiry(b, revised, "请报价", Decimal("1"))
        inquiry_services.quote_inquiry(a, quoted, Decimal("27000"), Decimal("1"))
        reported = inquiry_services.send_inquiry(g, revised, "请提供试验报告")
        resolved_report = inquiry_services.report_inquiry(a, reported, "骚扰信息")
        db.session.flush()
        inquiry_services.resolve_report(moderator, resolved_report, "已提醒")
        open_report = inquiry_services.report_inquiry(g, reported, "对方索要定金")
        db.session.commit()
        world.update(
            inquiry=inquiry.id,
            closed_inquiry=closed.id,
            quoted_inquiry=quoted.id,
            reported_inquiry=reported.id,
            open_report=open_report.id,
            resolved_report=resolved_report.id,
            next_inquiry_id=db.session.scalar(select(func.max(Inquiry.id))) + 1,
        )
        assert db.session.scalar(select(func.count(InquiryReport.id))) == 2


def session_token(app, user_id: int) -> str:
    with app.app_context():
        token = db.session.get(User, user_id).session_token
        db.session.remove()
    return token


def sign_in(app, client, world: dict, role: str, csrf: bool = False) -> str | None:
    """Give the client the session a login of this role's user produces.

    Logging in through the form is tested in tests/accounts; here it would cost an
    argon2 verification per cell, and a suspended user cannot log in at all (their
    session is one that predates the suspension). With csrf=True the session also
    holds a CSRF secret, and the matching form token is returned.
    """
    token = None
    values = {}
    if csrf:
        with app.test_request_context():
            token = generate_csrf()
            values["csrf_token"] = flask_session["csrf_token"]
    if role != "anonymous":
        if "session_token" not in world[role]:
            world[role]["session_token"] = session_token(app, world[role]["user_id"])
        values["_user_id"] = world[role]["session_token"]
        values["_fresh"] = True
    if values:
        with client.session_transaction() as session:
            session.update(values)
    return token


def snapshot(app) -> dict:
    """Every row of every table, and the files in the upload folder."""
    with app.app_context():
        with db.engine.connect() as connection:
            tables = {
                table.name: sorted(
                    map(repr, connection.exec_driver_sql(f"SELECT * FROM {table.name}"))
                )
                for table in db.metadata.sorted_tables
            }
    root = Path(app.config["MARKET_UPLOAD_DIR"])
    tables["<uploads>"] = sorted(
        str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()
    )
    return tables


class _SharedBytecodeCache(BytecodeCache):
    """Compiled templates shared by the many short-lived apps of the matrix.

    Every test builds a fresh app, and each would parse and compile the same
    templates again (most of a cell's cost). Jinja keys the cache by the template's
    source checksum, so an edited template is still compiled afresh.
    """

    def __init__(self):
        self.store: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        code = self.store.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket) -> None:
        self.store[bucket.key] = bucket.bytecode_to_string()


SHARED_TEMPLATE_CACHE = _SharedBytecodeCache()


def share_compiled_templates(app) -> None:
    app.jinja_env.bytecode_cache = SHARED_TEMPLATE_CACHE


def location_path(response) -> str:
    from urllib.parse import urlsplit

    return urlsplit(response.headers.get("Location", "")).path
