"""Listing fixtures: posts built through the real services (a moderator approves
them), logged-in test clients that carry their CSRF token, form data for the
listing form, and small readers for pages and the database.

Clients run with an English session (`session["locale"] = "en"`), so messages are
asserted in English whatever the default language; tests that check the Chinese
UI use the `translate` fixture and a client without a session locale.
"""

import html as html_module
import io
from dataclasses import dataclass, field
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import stream_encode_multipart

from market.accounts.models import User
from market.database import utcnow
from market.extensions import db
from market.listings import attachments, services
from market.listings.models import (
    Listing,
    ListingDocument,
    ListingEvent,
    ListingPhoto,
    ListingRevision,
)
from market.listings.validation import ListingInput
from tests.conftest import csrf_token, login, pdf_bytes, png_bytes

SHANDONG, ZAOZHUANG, SHIZHONG = "370000", "370400", "370402"
JINAN, LIXIA = "370100", "370102"

OFFER_TITLE = "S11-M-400/10 油浸式变压器 400kVA 九成新"
WANTED_TITLE = "求购 10kV 400kVA 油浸式变压器"


def today() -> date:
    return utcnow().date()


# --- form data ---------------------------------------------------------------------


def offer_form(**overrides) -> dict:
    """A complete, valid offer as the listing form posts it (drafts unless `submit`)."""
    data = {
        "kind": "offer",
        "category_slug": "oil_immersed_transformer",
        "title": OFFER_TITLE,
        "model_raw": "S11-M-400/10",
        "manufacturer": "山东泰开变压器有限公司",
        "year_made": "2016",
        "service_years": "6",
        "asset_source": "grid_retired",
        "condition_grade": "grade_90",
        "quantity": "2",
        "unit": "unit",
        "price_cny": "28000",
        "province": SHANDONG,
        "city": ZAOZHUANG,
        "district": SHIZHONG,
        "address": "光明大道1号仓库",
        "description": "退役变压器，油色谱正常。\n可现场看货。",
        "valid_until": "",
        "contact_name": "李工",
        "contact_mobile": "13512345678",
        "spec-voltage_kv": "10",
        "spec-capacity_kva": "400",
        "spec-lv_kv": "0.4",
        "spec-winding_material": "cu",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def wanted_form(**overrides) -> dict:
    data = {
        "kind": "wanted",
        "category_slug": "oil_immersed_transformer",
        "title": WANTED_TITLE,
        "model_raw": "",
        "manufacturer": "",
        "condition_grade": "serviceable",
        "quantity": "1",
        "unit": "unit",
        "price_cny": "30000",
        "province": SHANDONG,
        "city": ZAOZHUANG,
        "district": SHIZHONG,
        "address": "",
        "description": "",
        "wanted_by": "",
        "contact_name": "王经理",
        "contact_mobile": "13687654321",
        "spec-voltage_kv": ["10"],
        "spec-capacity_kva-min": "315",
        "spec-capacity_kva-max": "630",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def offer_input(**overrides) -> ListingInput:
    values = dict(
        kind="offer",
        category_slug="oil_immersed_transformer",
        title=OFFER_TITLE,
        quantity="2",
        unit="unit",
        province=SHANDONG,
        city=ZAOZHUANG,
        district=SHIZHONG,
        address="光明大道1号仓库",
        manufacturer="山东泰开变压器有限公司",
        model_raw="S11-M-400/10",
        year_made="2016",
        service_years="6",
        asset_source="grid_retired",
        condition_grade="grade_90",
        price_cny="28000",
        contact_name="李工",
        contact_mobile="13512345678",
        specs={"voltage_kv": "10", "capacity_kva": "400", "lv_kv": "0.4",
               "winding_material": "cu"},
    )  # fmt: skip
    values.update(overrides)
    return ListingInput(**values)


def wanted_input(**overrides) -> ListingInput:
    values = dict(
        kind="wanted",
        category_slug="oil_immersed_transformer",
        title=WANTED_TITLE,
        quantity="1",
        unit="unit",
        province=SHANDONG,
        city=ZAOZHUANG,
        district=SHIZHONG,
        condition_grade="serviceable",
        price_cny="30000",
        contact_name="王经理",
        contact_mobile="13687654321",
        specs={"voltage_kv": ["10"], "capacity_kva": ("315", "630")},
    )
    values.update(overrides)
    return ListingInput(**values)


# --- files -------------------------------------------------------------------------


def upload(data: bytes, filename: str):
    return (io.BytesIO(data), filename)


# --- clients -----------------------------------------------------------------------


class Client:
    """A test client that remembers its CSRF token and posts with it."""

    def __init__(self, app, who: dict | None = None, locale: str | None = "en"):
        self.app = app
        self.raw = app.test_client()
        self.who = who
        self._token = None
        if locale:
            with self.raw.session_transaction() as session:
                session["locale"] = locale
        if who is not None:
            response = login(self.raw, who["email"])
            assert response.status_code == 302, "login failed"

    @property
    def token(self) -> str:
        if self._token is None:
            self._token = csrf_token(self.raw.get("/").get_data(as_text=True))
        return self._token

    def get(self, url, **kwargs):
        return _buffered(self.raw.get(url, **kwargs))

    def post(self, url, data=None, csrf=True, **kwargs):
        data = dict(data or {})
        if csrf:
            data.setdefault("csrf_token", self.token)
        if kwargs.get("content_type") == "multipart/form-data":
            # Encoded in memory: for bodies above 500 KB the test client would use a
            # temporary file that it never closes (a ResourceWarning, so an error).
            data = {
                key: FileStorage(value[0], filename=value[1])
                if isinstance(value, tuple) else value
                for key, value in data.items()
            }  # fmt: skip
            stream, length, boundary = stream_encode_multipart(data, use_tempfile=False)
            kwargs["content_type"] = f"multipart/form-data; boundary={boundary}"
            data = stream.getvalue()
        return _buffered(self.raw.post(url, data=data, **kwargs))

    def text(self, url) -> str:
        response = self.get(url)
        assert response.status_code == 200, f"GET {url} -> {response.status_code}"
        return html_module.unescape(response.get_data(as_text=True))


def _buffered(response):
    """Read the body and close the response (file responses hold an open file)."""
    response.get_data()
    response.close()
    return response


@pytest.fixture
def client_for(app):
    """client_for(enterprise_or_moderator_dict) → logged-in Client; None → anonymous."""

    def make(who=None, locale="en") -> Client:
        return Client(app, who, locale)

    return make


# --- listings built through the services --------------------------------------------


@dataclass
class Made:
    id: int
    enterprise_id: int
    photos: list = field(default_factory=list)
    documents: list = field(default_factory=list)


class ListingMaker:
    def __init__(self, app, factory):
        self.app = app
        self.factory = factory
        self._moderator_id = None

    @property
    def moderator_id(self) -> int:
        if self._moderator_id is None:
            self._moderator_id = self.factory.moderator(name="建档审核员")["user_id"]
        return self._moderator_id

    def __call__(
        self,
        enterprise: dict,
        kind: str = "offer",
        status: str = "published",
        photos: int = 0,
        documents: int = 0,
        nameplate: bool = False,
        **overrides,
    ) -> Made:
        """A listing of `enterprise` in `status`, made the way users make it."""
        moderator_id = self.moderator_id  # outside our context: it commits on its own
        with self.app.app_context():
            owner = db.session.get(User, enterprise["user_id"])
            moderator = db.session.get(User, moderator_id)
            data = offer_input(**overrides) if kind == "offer" else wanted_input(**overrides)
            listing = services.create_listing(owner, data)
            for number in range(photos):
                attachments.add_photo(
                    owner,
                    listing,
                    f"photo{number + 1}.png",
                    png_bytes((160, 120), color=(40 * number % 256, 90, 150)),
                    is_nameplate=nameplate and number == 0,
                )
            for number in range(documents):
                attachments.add_document(
                    owner,
                    listing,
                    f"检测报告{number + 1}.pdf",
                    pdf_bytes(),
                    "test_report",
                    "periodic",
                    "国网山东电科院",
                    today() - timedelta(days=30),
                )
            db.session.flush()
            if status != "draft":
                services.submit_listing(owner, listing)
            if status == "rejected":
                services.reject_listing(moderator, listing, "照片不清楚")
            if status in ("published", "withdrawn", "sold", "expired"):
                services.approve_listing(moderator, listing)
            if status == "withdrawn":
                services.withdraw_listing(owner, listing)
            elif status == "sold":
                services.mark_sold(owner, listing)
            elif status == "expired":
                if listing.is_offer:
                    listing.valid_until = today() - timedelta(days=1)
                else:
                    listing.wanted_by = today() - timedelta(days=1)
                db.session.flush()
                services.expire_listings()
            db.session.commit()
            assert listing.status.value == status, listing.status
            return Made(
                id=listing.id,
                enterprise_id=listing.enterprise_id,
                photos=[p.id for p in listing.photos],
                documents=[d.id for d in listing.documents],
            )


@pytest.fixture
def make_listing(app, factory):
    return ListingMaker(app, factory)


@pytest.fixture
def approved(factory):
    """Enterprise A (approved) — the usual owner."""
    return factory.enterprise()


@pytest.fixture
def other(factory):
    """Enterprise B (approved) — the usual intruder."""
    return factory.enterprise()


# --- reading state -----------------------------------------------------------------


def load(app, listing_id: int) -> dict:
    """A listing's columns plus its photos, documents, events and revisions."""
    with app.app_context():
        listing = db.session.get(Listing, listing_id)
        if listing is None:
            return {}
        row = {c.name: getattr(listing, c.name) for c in Listing.__table__.columns}
        row["photos"] = [
            (p.id, p.position, p.pending, p.file_id, p.thumbnail_id) for p in listing.photos
        ]
        row["documents"] = [(d.id, d.pending, d.file_id) for d in listing.documents]
        row["events"] = [
            (e.action.value, e.from_status.value if e.from_status else None,
             e.to_status.value, e.actor_id, e.reason)
            for e in listing.events
        ]  # fmt: skip
        row["revisions"] = [(r.id, r.status.value, r.data) for r in listing.revisions]
        return row


def status_of(app, listing_id: int) -> str:
    return load(app, listing_id)["status"].value


def count(app, model) -> int:
    with app.app_context():
        return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def database_state(app) -> dict:
    """Everything a listing route could change, for "nothing changed" checks."""
    with app.app_context():
        ids = db.session.scalars(select(Listing.id).order_by(Listing.id)).all()
    state = {listing_id: load(app, listing_id) for listing_id in ids}
    for name, model in (
        ("photos", ListingPhoto),
        ("documents", ListingDocument),
        ("events", ListingEvent),
        ("revisions", ListingRevision),
    ):
        state[name] = count(app, model)
    return state


def files_on_disk(app) -> list[Path]:
    root = Path(app.config["MARKET_UPLOAD_DIR"])
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []


def newest_listing(app) -> dict:
    with app.app_context():
        listing_id = db.session.scalars(
            select(Listing.id).order_by(Listing.id.desc()).limit(1)
        ).first()
    return load(app, listing_id) if listing_id else {}


class _ErrorFields(HTMLParser):
    """Names of the form controls inside `.has-error` blocks of a page."""

    def __init__(self):
        super().__init__()
        self.stack: list[bool] = []
        self.names: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "div":
            is_error = "has-error" in (attrs.get("class") or "").split()
            self.stack.append(is_error)
            if is_error and attrs.get("data-spec-key"):
                self.names.add("spec-" + attrs["data-spec-key"])
        elif tag in ("input", "select", "textarea") and any(self.stack):
            if attrs.get("name"):
                self.names.add(attrs["name"])

    def handle_endtag(self, tag):
        if tag == "div" and self.stack:
            self.stack.pop()


def error_fields(page: str) -> set[str]:
    parser = _ErrorFields()
    parser.feed(page)
    return parser.names
