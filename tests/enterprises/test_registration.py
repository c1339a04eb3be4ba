"""Registering an enterprise through the real form: what is stored, and every rule.

Messages are checked in English (the client switches language like a user would);
a few tests check the Chinese text a default visitor sees.
"""

import html
import io
import re
import struct
import threading
import zlib
from pathlib import Path

import pytest
from jinja2 import BytecodeCache
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from market.accounts.models import User
from market.domain.credit_code import (
    CHARSET,
    check_credit_code,
    compute_check_char,
    make_credit_code,
    make_org_code,
)
from market.enterprises import services
from market.enterprises.models import (
    DecisionAction,
    Enterprise,
    EnterpriseDecision,
    EnterpriseStatus,
)
from market.extensions import db
from market.files.models import StoredFile
from market.files.storage import path_for
from tests.conftest import csrf_token, login, pdf_bytes, png_bytes

NEW_PASSWORD = "Sturdy-Lantern-Orbit-42"
NAME = "枣庄鑫源电力设备有限公司"
MOBILE = "13912345678"
EMAIL = "zhang.wei@example.com"


def make_code(subject8: str = "MA3C0001", region: str = "370402") -> str:
    """A checksum-valid credit code built with the GB 32100 algorithm."""
    return make_credit_code("9", "1", region, make_org_code(subject8))


CODE = make_code()
# Worked examples that are known to be valid.
KNOWN_VALID = ("91110000600037341L", "9144030010001686XA")


def with_wrong_check_char(code: str) -> str:
    wrong = next(ch for ch in CHARSET if ch != code[17])
    return code[:17] + wrong


# --- helpers shared with the other enterprise and moderation tests --------------


class _SharedBytecode(BytecodeCache):
    """Compiled templates kept across the fresh app each test gets (in memory)."""

    def __init__(self):
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket):
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket):
        self.compiled[bucket.key] = bucket.bytecode_to_string()


TEMPLATE_CACHE = _SharedBytecode()


@pytest.fixture(autouse=True)
def shared_compiled_templates(request):
    """Speed only: every test builds a new app, which would recompile every template.

    Jinja checks each template's source checksum, so an edited template is recompiled.
    Imported by the other test modules of this set.
    """
    if "app" in request.fixturenames:
        request.getfixturevalue("app").jinja_env.bytecode_cache = TEMPLATE_CACHE


def english(client, page: str = "/accounts/login") -> None:
    """Switch the (anonymous) client's session to English, as the language menu does."""
    token = csrf_token(client.get(page).get_data(as_text=True))
    response = client.post(
        "/accounts/locale", data={"locale": "en", "csrf_token": token, "next": "/"}
    )
    assert response.status_code == 302


def application(**overrides) -> dict:
    """Form fields of a valid application; a value of None leaves the field out."""
    fields = dict(
        name=NAME,
        credit_code=CODE,
        enterprise_type="recycler",
        province="370000",
        city="370400",
        district="370402",
        address="光明大道1号",
        contact_name="张伟",
        mobile=MOBILE,
        email=EMAIL,
        password=NEW_PASSWORD,
        confirm_password=NEW_PASSWORD,
    )
    fields.update(overrides)
    return {key: value for key, value in fields.items() if value is not None}


_PDF = object()


def register(client, licence=_PDF, **overrides):
    """POST the registration form (multipart, with the page's CSRF token)."""
    page = client.get("/enterprises/register")
    assert page.status_code == 200
    data = application(**overrides)
    data["csrf_token"] = csrf_token(page.get_data(as_text=True))
    if licence is _PDF:
        licence = (io.BytesIO(pdf_bytes()), "营业执照.pdf")
    if licence is not None:
        data["licence"] = licence
    return post_multipart(client, "/enterprises/register", data)


def post_multipart(client, path: str, data: dict):
    """POST a multipart form encoded in memory.

    Werkzeug's test client spools bodies over 500 KB into a temporary file it never
    closes (a ResourceWarning, an error under filterwarnings=error); encoding the body
    here avoids that and sends the same bytes.
    """
    fields = {}
    for key, value in data.items():
        if isinstance(value, tuple):
            stream, filename = value
            value = FileStorage(stream=stream, filename=filename)
        fields[key] = value
    boundary, body = encode_multipart(fields)
    return client.post(
        path, data=body, content_type=f'multipart/form-data; boundary="{boundary}"'
    )


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def field_errors(response) -> dict[str, list[str]]:
    """Inline errors per field id, read from the rendered form."""
    page = response.get_data(as_text=True)
    errors: dict[str, list[str]] = {}
    for block in re.findall(
        r'<div class="field[^"]*has-error">(.*?)</div>', page, re.S
    ):
        field = re.search(r'(?:for|id)="([\w-]+)"', block).group(1)
        messages = re.findall(r'<p class="field-error">(.*?)</p>', block, re.S)
        errors.setdefault(field, []).extend(html.unescape(m) for m in messages)
    return errors


def snapshot(app) -> tuple[dict, list[str]]:
    """Row counts and the files on disk: what a failed registration must not change."""
    with app.app_context():
        counts = {
            model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in (Enterprise, User, StoredFile, EnterpriseDecision)
        }
    root = Path(app.config["MARKET_UPLOAD_DIR"])
    files = (
        sorted(str(p) for p in root.rglob("*") if p.is_file()) if root.exists() else []
    )
    return counts, files


def png_claiming(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data))
        )

    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def damaged_png() -> bytes:
    data = bytearray(png_bytes((200, 150)))
    start = data.index(b"IDAT") + 8
    for offset in range(start, start + 32):
        data[offset] ^= 0xFF
    return bytes(data)


@pytest.fixture
def en_client(client):
    english(client, "/enterprises/register")
    return client


def assert_refused(app, client, response, before, field, message):
    """200 with the message on the field, nothing stored, nobody logged in."""
    assert response.status_code == 200
    errors = field_errors(response)
    assert message in errors.get(field, []), errors
    assert "Please correct the marked fields." in text_of(response)
    assert snapshot(app) == before
    assert client.get("/enterprises/mine").status_code == 302


# --- success ---------------------------------------------------------------------


def test_registration_stores_a_pending_enterprise_and_logs_the_user_in(app, en_client):
    typed = " ".join([CODE[:6], CODE[6:12], CODE[12:]]).lower()
    licence = pdf_bytes(b"% scanned licence")
    response = register(
        en_client, licence=(io.BytesIO(licence), "营业执照.pdf"), credit_code=typed
    )

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/enterprises/mine")
    mine = en_client.get("/enterprises/mine")
    assert mine.status_code == 200
    page = text_of(mine)
    assert NAME in page and CODE in page
    assert "Your application has been received. A moderator will review it." in page
    assert "Your application is waiting for a moderator's review." in page

    with app.app_context():
        enterprise = db.session.execute(select(Enterprise)).scalar_one()
        assert enterprise.status is EnterpriseStatus.PENDING
        assert enterprise.credit_code == CODE
        assert enterprise.credit_code_unverified is False
        assert (enterprise.city_code, enterprise.district_code) == ("370400", "370402")
        assert [u.email for u in enterprise.users] == [EMAIL]
        assert enterprise.users[0].mobile == MOBILE
        assert db.session.scalar(select(func.count()).select_from(User)) == 1
        [decision] = enterprise.decisions
        assert decision.action is DecisionAction.SUBMITTED
        assert decision.actor_id is None and decision.from_status is None
        assert decision.to_status is EnterpriseStatus.PENDING

        stored = enterprise.licence
        assert stored.display_name == "营业执照.pdf"
        assert stored.content_type == "application/pdf"
        assert stored.enterprise_id == enterprise.id
        assert re.fullmatch(r"[0-9a-f]{32}", stored.storage_key)
        path = path_for(stored).resolve()
        assert path.read_bytes() == licence
        assert path.is_relative_to(Path(app.config["MARKET_UPLOAD_DIR"]).resolve())
        assert not path.is_relative_to(Path(app.static_folder).resolve())
        assert "营业执照" not in str(path)
    # The licence is served back under its display name to its owner.
    with en_client.get(f"/enterprises/{enterprise.id}/licence") as download:
        assert download.status_code == 200 and download.data == licence
        disposition = download.headers["Content-Disposition"]
        assert "%E8%90%A5%E4%B8%9A%E6%89%A7%E7%85%A7.pdf" in disposition


def test_registration_confirmation_is_shown_in_chinese(client, translate):
    response = register(client)
    assert response.status_code == 302
    page = text_of(client.get("/enterprises/mine"))
    assert (
        translate("Your application has been received. A moderator will review it.")
        in page
    )


def test_mobile_is_normalised_and_both_logins_work(app, en_client):
    response = register(
        en_client, mobile="+86 139-1234-5678", email="Zhang.Wei@Example.COM"
    )
    assert response.status_code == 302
    with app.app_context():
        user = db.session.execute(select(User)).scalar_one()
        assert (user.mobile, user.email) == (MOBILE, EMAIL)
    for identifier in (MOBILE, "ZHANG.WEI@example.com"):
        other = app.test_client()
        assert login(other, identifier, NEW_PASSWORD).status_code == 302
        assert other.get("/enterprises/mine").status_code == 200


def test_long_unicode_password_with_spaces_is_accepted(app, en_client):
    password = "电力设备 二手 Exchange 枣庄 平台 "
    password = (password * 4)[:64]
    assert len(password) == 64 and " " in password
    response = register(en_client, password=password, confirm_password=password)
    assert response.status_code == 302
    other = app.test_client()
    assert login(other, EMAIL, password).status_code == 302
    # Spaces count: the same password without them is a different password.
    third = app.test_client()
    assert login(third, EMAIL, password.replace(" ", "")).status_code == 200


@pytest.mark.parametrize("code", KNOWN_VALID)
def test_known_valid_codes_are_accepted(app, en_client, code):
    assert check_credit_code(code) is None
    assert register(en_client, credit_code=code).status_code == 302
    with app.app_context():
        enterprise = db.session.execute(select(Enterprise)).scalar_one()
        assert (enterprise.credit_code, enterprise.credit_code_unverified) == (
            code,
            False,
        )


def test_licence_of_exactly_ten_megabytes_is_accepted(app, en_client):
    base = pdf_bytes()
    data = pdf_bytes(b"0" * (10 * 1024 * 1024 - len(base)))
    assert len(data) == 10 * 1024 * 1024
    assert (
        register(en_client, licence=(io.BytesIO(data), "licence.pdf")).status_code
        == 302
    )
    with app.app_context():
        assert db.session.execute(select(StoredFile.size)).scalar_one() == len(data)


@pytest.mark.parametrize(
    ("data", "filename", "content_type"),
    [
        (png_bytes(), "营业执照.png", "image/png"),
        (png_bytes(), "SCAN.PNG", "image/png"),
    ],
)
def test_image_licence_is_accepted(app, en_client, data, filename, content_type):
    assert register(en_client, licence=(io.BytesIO(data), filename)).status_code == 302
    with app.app_context():
        stored = db.session.execute(select(StoredFile)).scalar_one()
        assert (stored.display_name, stored.content_type) == (filename, content_type)


# --- required fields -------------------------------------------------------------

MISSING = {
    "name": "Enter the enterprise's name as on its business licence.",
    "credit_code": "Enter the unified social credit code.",
    "enterprise_type": "Choose the enterprise type.",
    "province": "Choose the province.",
    "city": "Choose the city.",
    "address": "Enter the address.",
    "contact_name": "Enter the contact person's name.",
    "mobile": "Enter the contact person's mobile number.",
    "email": "Enter an e-mail address.",
    "password": "Choose a password.",
    "confirm_password": "Repeat the password.",
}


REQUIRED_CASES = [(field, message, None) for field, message in MISSING.items()] + [
    (field, MISSING[field], blank)
    for field, blank in [
        ("name", "   "),
        ("credit_code", " \u3000 "),
        ("address", ""),
        ("contact_name", "\t"),
        ("email", " "),
        ("province", ""),
    ]
]


@pytest.mark.parametrize(
    ("field", "message", "blank"),
    REQUIRED_CASES,
    ids=[
        f"{field}-{'absent' if blank is None else 'blank'}"
        for field, _, blank in REQUIRED_CASES
    ],
)
def test_each_required_field(app, en_client, field, message, blank):
    before = snapshot(app)
    response = register(en_client, **{field: blank})
    assert_refused(app, en_client, response, before, field, message)


def test_licence_is_required(app, en_client):
    before = snapshot(app)
    response = register(en_client, licence=None)
    assert_refused(
        app,
        en_client,
        response,
        before,
        "licence",
        "Attach the business licence (PDF, JPEG or PNG).",
    )


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (
            "name",
            "\u202e\u202e\u0000",
            "Enter the enterprise's name as on its business licence.",
        ),
        ("name", "枣", "The name must have 2 to 100 characters."),
        ("name", "枣" * 101, "The name must have 2 to 100 characters."),
        ("address", "路" * 201, "The address must have at most 200 characters."),
        ("contact_name", "\u2066\u2069", "Enter the contact person's name."),
        ("enterprise_type", "spaceship", None),
    ],
)
def test_other_field_rules(app, en_client, field, value, message):
    before = snapshot(app)
    response = register(en_client, **{field: value})
    assert response.status_code == 200
    errors = field_errors(response)
    assert errors.get(field), errors
    if message:
        assert message in errors[field]
    assert snapshot(app) == before


def test_missing_field_message_is_in_chinese_by_default(app, client, translate):
    response = register(client, province=None)
    assert translate("Choose the province.") in field_errors(response).get(
        "province", []
    )


# --- credit code -----------------------------------------------------------------

REGION_LETTERS = "91" + "37A402" + make_org_code("MA3C0002")
BAD_CODES = {
    "17 characters": (CODE[:17], "The code must have exactly 18 characters."),
    "19 characters": (CODE + "1", "The code must have exactly 18 characters."),
    "letter I": (
        CODE[:9] + "I" + CODE[10:],
        "The code may contain only digits and capital letters except I, O, S, V and Z.",
    ),
    "letter O": (
        CODE[:9] + "O" + CODE[10:],
        "The code may contain only digits and capital letters except I, O, S, V and Z.",
    ),
    "punctuation": (
        CODE[:9] + "-" + CODE[10:],
        "The code may contain only digits and capital letters except I, O, S, V and Z.",
    ),
    "letters in positions 3-8": (
        REGION_LETTERS + compute_check_char(REGION_LETTERS),
        "Characters 3 to 8 of the code must be digits.",
    ),
}


@pytest.mark.parametrize(
    ("code", "message"), list(BAD_CODES.values()), ids=list(BAD_CODES)
)
def test_malformed_code_is_refused_without_a_confirm_box(app, en_client, code, message):
    before = snapshot(app)
    response = register(en_client, credit_code=code)
    assert_refused(app, en_client, response, before, "credit_code", message)
    assert 'name="confirm_unverified_code"' not in response.get_data(as_text=True)


def test_malformed_code_is_refused_even_when_confirmed(app, en_client):
    before = snapshot(app)
    response = register(en_client, credit_code=CODE[:17], confirm_unverified_code="y")
    assert_refused(
        app,
        en_client,
        response,
        before,
        "credit_code",
        "The code must have exactly 18 characters.",
    )


CHECKSUM_MESSAGE = (
    "The code's last character does not match the check algorithm of GB 32100. "
    "Check for typing mistakes; if the code is exactly as on the licence, confirm "
    "below and a moderator will check it by hand."
)


@pytest.mark.parametrize(
    "valid",
    [CODE, make_code("12345678"), make_code("A1B2C3D4", "110101"), *KNOWN_VALID],
)
def test_failed_check_character_asks_for_confirmation(app, en_client, valid):
    assert check_credit_code(valid) is None
    assert 'name="confirm_unverified_code"' not in en_client.get(
        "/enterprises/register"
    ).get_data(as_text=True)
    before = snapshot(app)
    response = register(en_client, credit_code=with_wrong_check_char(valid))
    assert_refused(app, en_client, response, before, "credit_code", CHECKSUM_MESSAGE)
    page = response.get_data(as_text=True)
    assert 'name="confirm_unverified_code"' in page
    assert (
        "The code is exactly as printed on our licence; check it manually."
        in html.unescape(page)
    )


def test_confirmed_code_goes_in_flagged_and_the_queue_shows_it(app, en_client, factory):
    code = with_wrong_check_char(CODE)
    response = register(
        en_client, credit_code=code.lower(), confirm_unverified_code="y"
    )
    assert response.status_code == 302
    with app.app_context():
        enterprise = db.session.execute(select(Enterprise)).scalar_one()
        assert enterprise.credit_code == code
        assert enterprise.credit_code_unverified is True
        assert enterprise.status is EnterpriseStatus.PENDING
        enterprise_id = enterprise.id

    moderator = factory.moderator()
    reviewer = app.test_client()
    english(reviewer)
    assert login(reviewer, moderator["email"]).status_code == 302
    queue = reviewer.get("/moderation/enterprises").get_data(as_text=True)
    row = queue.split(f'data-enterprise-id="{enterprise_id}"', 1)[1].split("</tr>", 1)[
        0
    ]
    assert "Credit code failed the check" in row
    detail = reviewer.get(f"/moderation/enterprises/{enterprise_id}").get_data(
        as_text=True
    )
    assert "Credit code failed the check" in detail


@pytest.mark.parametrize("confirmed", [False, True])
def test_duplicate_code_is_refused(app, en_client, factory, confirmed):
    code = CODE if not confirmed else with_wrong_check_char(CODE)
    factory.enterprise(credit_code=code)
    before = snapshot(app)
    extra = {"confirm_unverified_code": "y"} if confirmed else {}
    response = register(en_client, credit_code=code.lower(), **extra)
    assert_refused(
        app,
        en_client,
        response,
        before,
        "credit_code",
        "An enterprise with this code is already registered.",
    )


def test_duplicate_code_caught_by_the_database_is_a_form_error(
    app, en_client, factory, monkeypatch
):
    """The check passed but another application got in first: no 500, no leftovers."""
    factory.enterprise(credit_code=CODE)
    monkeypatch.setattr(services, "_code_taken", lambda code, enterprise: False)
    before = snapshot(app)
    response = register(en_client)
    assert_refused(
        app,
        en_client,
        response,
        before,
        "credit_code",
        "An enterprise with this code, mobile or e-mail is already registered.",
    )


def test_two_simultaneous_registrations_with_one_code(app):
    """Exactly one of two racing applications with the same code gets in."""
    clients = [app.test_client(), app.test_client()]
    forms = []
    for number, client in enumerate(clients):
        english(client)
        page = client.get("/enterprises/register").get_data(as_text=True)
        data = application(
            mobile=f"1391234567{number}", email=f"racer{number}@example.com"
        )
        data["csrf_token"] = csrf_token(page)
        forms.append(data)
    barrier = threading.Barrier(2)
    results = [None, None]

    def run(index):
        data = dict(forms[index], licence=(io.BytesIO(pdf_bytes()), "营业执照.pdf"))
        barrier.wait()
        response = post_multipart(clients[index], "/enterprises/register", data)
        results[index] = (response.status_code, field_errors(response))

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    statuses = sorted(status for status, _ in results)
    assert statuses == [200, 302], results
    loser_errors = next(errors for status, errors in results if status == 200)
    assert set(loser_errors["credit_code"]) & {
        "An enterprise with this code is already registered.",
        "An enterprise with this code, mobile or e-mail is already registered.",
    }
    counts, files = snapshot(app)
    assert counts == {
        "Enterprise": 1,
        "User": 1,
        "StoredFile": 1,
        "EnterpriseDecision": 1,
    }
    assert len(files) == 1


# --- region ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("province", "city", "district", "field", "message"),
    [
        (
            "370000",
            "320100",
            "320102",
            "city",
            "The city is not in the chosen province.",
        ),
        ("370000", "370400", "", "district", "Choose the district or county."),
        ("370000", "370400", None, "district", "Choose the district or county."),
        (
            "370000",
            "370400",
            "370102",
            "district",
            "The district is not in the chosen city.",
        ),
        ("370000", "370400", "999999", "district", "Choose the district or county."),
        ("999999", "370400", "370402", "province", "Choose the province."),
        ("370000", "999999", "", "city", "Choose the city."),
    ],
    ids=[
        "city-not-in-province",
        "district-missing",
        "district-absent",
        "district-not-in-city",
        "district-unknown",
        "province-unknown",
        "city-unknown",
    ],
)
def test_region_chain_is_checked(
    app, en_client, province, city, district, field, message
):
    before = snapshot(app)
    response = register(en_client, province=province, city=city, district=district)
    assert_refused(app, en_client, response, before, field, message)


def test_city_without_districts_needs_none(app, en_client):
    # Beijing's districts sit directly under the municipality.
    response = register(en_client, province="110000", city="110101", district="")
    assert response.status_code == 302
    with app.app_context():
        enterprise = db.session.execute(select(Enterprise)).scalar_one()
        assert (enterprise.city_code, enterprise.district_code) == ("110101", None)


# --- contact ---------------------------------------------------------------------

MOBILE_MESSAGE = "Enter an 11-digit mainland mobile number starting with 13 to 19."


@pytest.mark.parametrize(
    "mobile",
    [
        "12912345678",
        "1391234567",
        "139123456789",
        "1391234567a",
        "23912345678",
        "+1 415 555 0100",
    ],
)
def test_mobile_must_be_a_mainland_number(app, en_client, mobile):
    before = snapshot(app)
    response = register(en_client, mobile=mobile)
    assert_refused(app, en_client, response, before, "mobile", MOBILE_MESSAGE)


@pytest.mark.parametrize(
    "email",
    ["not-an-email", "zhang@", "@example.com", "a b@example.com", "zhang@example"],
)
def test_email_must_be_valid(app, en_client, email):
    before = snapshot(app)
    response = register(en_client, email=email)
    assert_refused(
        app, en_client, response, before, "email", "Enter a valid e-mail address."
    )


def test_email_already_registered(app, en_client, factory):
    existing = factory.enterprise()
    before = snapshot(app)
    response = register(en_client, email=existing["email"].upper())
    assert_refused(
        app,
        en_client,
        response,
        before,
        "email",
        "This e-mail address is already registered.",
    )


def test_mobile_already_registered(app, en_client, factory):
    existing = factory.enterprise()
    before = snapshot(app)
    response = register(en_client, mobile=existing["mobile"])
    assert_refused(
        app,
        en_client,
        response,
        before,
        "mobile",
        "This mobile number is already registered.",
    )


def test_moderator_login_cannot_be_reused(app, en_client, factory):
    moderator = factory.moderator()
    before = snapshot(app)
    response = register(en_client, email=moderator["email"])
    assert_refused(
        app,
        en_client,
        response,
        before,
        "email",
        "This e-mail address is already registered.",
    )


# --- password --------------------------------------------------------------------

CONTEXT_MESSAGE = (
    "The password must not contain the enterprise's name, code, mobile or e-mail."
)


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Kx7#mQ2pL", "The password must have at least 10 characters."),
        (
            "password1234",
            "This password is too common and easy to guess; choose another.",
        ),
        (
            "1234567890",
            "This password is too common and easy to guess; choose another.",
        ),
        (f"我们是{NAME}!", CONTEXT_MESSAGE),
        (f"{CODE.lower()}-ok", CONTEXT_MESSAGE),
        (f"tel{MOBILE}!", CONTEXT_MESSAGE),
        ("zhang.wei-2024-Secure", CONTEXT_MESSAGE),
        ("x" * 5 + "Ab3$" * 31, "The password must have at most 128 characters."),
    ],
    ids=[
        "nine-chars",
        "common",
        "digits-run",
        "name",
        "code",
        "mobile",
        "email-local",
        "too-long",
    ],
)
def test_password_rules(app, en_client, password, message):
    before = snapshot(app)
    response = register(en_client, password=password, confirm_password=password)
    assert_refused(app, en_client, response, before, "password", message)


def test_password_confirmation_must_match(app, en_client):
    before = snapshot(app)
    response = register(en_client, confirm_password=NEW_PASSWORD + "x")
    assert_refused(
        app,
        en_client,
        response,
        before,
        "confirm_password",
        "The two passwords differ.",
    )


def test_password_is_checked_even_when_other_fields_fail(app, en_client):
    before = snapshot(app)
    response = register(
        en_client, password="password1234", confirm_password="password1234", city=""
    )
    assert_refused(app, en_client, response, before, "city", "Choose the city.")


# --- licence ---------------------------------------------------------------------

TEN_MB = 10 * 1024 * 1024
LICENCE_CASES = {
    "empty": (b"", "营业执照.pdf", "Attach the business licence (PDF, JPEG or PNG)."),
    "too large": (
        pdf_bytes(b"0" * (TEN_MB + 1 - len(pdf_bytes()))),
        "营业执照.pdf",
        "The file is larger than 10 MB.",
    ),
    "html renamed .pdf": (
        b"<html><script>alert(1)</script></html>",
        "营业执照.pdf",
        "This file type is not accepted.",
    ),
    "gif": (
        b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00;",
        "licence.gif",
        "This file type is not accepted.",
    ),
    "svg": (
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        "licence.svg",
        "This file type is not accepted.",
    ),
    "png named .pdf": (
        png_bytes(),
        "营业执照.pdf",
        "The file name's extension does not match the file's content.",
    ),
    "pdf with javascript": (
        pdf_bytes(b"3 0 obj << /S /JavaScript /JS (app.alert(1)) >> endobj"),
        "营业执照.pdf",
        "PDF files with scripts, attachments or encryption are not accepted.",
    ),
    "100 megapixel png": (
        png_claiming(10_000, 10_000),
        "scan.png",
        "The image's dimensions are too large.",
    ),
    "damaged png": (
        damaged_png(),
        "scan.png",
        "The image file is damaged or unreadable.",
    ),
}


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    list(LICENCE_CASES.values()),
    ids=list(LICENCE_CASES),
)
def test_licence_rules(app, en_client, data, filename, message):
    before = snapshot(app)
    response = register(en_client, licence=(io.BytesIO(data), filename))
    assert_refused(app, en_client, response, before, "licence", message)


def test_licence_claiming_twenty_thousand_pixels_square_is_refused(app, en_client):
    data = png_claiming(20_000, 20_000)
    assert len(data) < 200
    before = snapshot(app)
    response = register(en_client, licence=(io.BytesIO(data), "scan.png"))
    assert response.status_code == 200
    assert field_errors(response).get("licence")
    assert snapshot(app) == before


def test_request_over_25_megabytes_gets_the_413_page(app, en_client):
    before = snapshot(app)
    data = b"%PDF-1.4\n" + b"0" * (25 * 1024 * 1024)
    response = register(en_client, licence=(io.BytesIO(data), "huge.pdf"))
    assert response.status_code == 413
    assert (
        "What you sent is larger than the platform accepts (at most 25 MB)."
        in text_of(response)
    )
    assert snapshot(app) == before


def test_logged_in_user_is_sent_to_their_enterprise(app, client, factory):
    member = factory.enterprise()
    login(client, member["email"])
    response = client.get("/enterprises/register")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/enterprises/mine")


def test_registration_without_csrf_token_is_refused(app, en_client):
    before = snapshot(app)
    data = application()
    data["licence"] = (io.BytesIO(pdf_bytes()), "营业执照.pdf")
    response = en_client.post(
        "/enterprises/register", data=data, content_type="multipart/form-data"
    )
    assert response.status_code == 400
    assert snapshot(app) == before
