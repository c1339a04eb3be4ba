"""Response headers, error pages and production settings.

SECURITY.md B4, G8, I4, K1–K3."""

import re
import shutil
from urllib.parse import quote

import pytest
from sqlalchemy import text

from market import create_app
from market.enterprises.models import Enterprise
from market.extensions import db
from market.files.sniffing import PDF, SniffedFile
from market.files.storage import store_file
from market.settings import ConfigurationError
from tests.access_matrix import (
    MATRIX,
    build_world,
    quick_world_building,
    share_compiled_templates,
    sign_in,
)
from tests.conftest import (
    PASSWORD,
    POSTGRES_URL,
    Factory,
    csrf_token,
    login,
    make_test_app,
    pdf_bytes,
)

STRONG_KEY = "prod-" + "Zq8#kP2!vM5@" * 4
LICENCE_NAME = "营业执照.png"
# Roles whose sessions stay alive (a suspended user's is ended on the first request).
CRAWLERS = (
    "anonymous",
    "pending",
    "approved",
    "approved_other",
    "moderator",
    "moderator_own",
)
SIGNED_IN = CRAWLERS[1:]
GET_CASES = [case for case, entry in MATRIX.items() if entry["method"] == "GET"]


@pytest.fixture(autouse=True)
def _compiled_templates(app):
    share_compiled_templates(app)  # every test's fresh app reuses compiled templates


@pytest.fixture(scope="module")
def crawl(migrated_database, tmp_path_factory):
    """Every GET page of the matrix as each live role sees it, plus pages only a form
    submission renders and error pages: a list of (role, case, response).

    Crawled once for the module, in an app of its own whose data is gone again
    before any other test runs."""
    base = tmp_path_factory.mktemp("crawl")
    if POSTGRES_URL:
        url = POSTGRES_URL
    else:
        shutil.copyfile(
            migrated_database.removeprefix("sqlite:///"), base / "crawl.sqlite"
        )
        url = f"sqlite:///{base / 'crawl.sqlite'}"
    crawler = make_test_app(url, base)
    share_compiled_templates(crawler)
    try:
        with quick_world_building():
            world = build_world(Factory(crawler))
        seen = []
        for role in CRAWLERS:
            client = crawler.test_client()
            sign_in(crawler, client, world, role)
            for case in GET_CASES:
                seen.append((role, case, fetch(client.get, MATRIX[case]["url"](world))))
        client = crawler.test_client()
        page = client.get("/accounts/login").get_data(as_text=True)
        form = {"identifier": "nobody@example.com", "password": "x" * 12}
        failed = client.post(
            "/accounts/login", data={**form, "csrf_token": csrf_token(page)}
        )
        seen.append(("anonymous", "login failed", failed))
        seen.append(("anonymous", "no such page", client.get("/no/such/page")))
        seen.append(("anonymous", "no CSRF token", client.post("/accounts/locale")))
        return seen
    finally:
        with crawler.app_context():
            db.session.remove()
            if POSTGRES_URL:
                tables = ", ".join(t.name for t in db.metadata.sorted_tables)
                with db.engine.begin() as connection:
                    connection.execute(
                        text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
                    )
            db.engine.dispose()


def fetch(method, url):
    response = method(url)
    response.get_data()  # buffered, so closing releases a streamed file
    response.close()
    return response


def directives(policy: str) -> dict[str, list[str]]:
    parsed = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            parsed[words[0].lower()] = words[1:]
    return parsed


def test_every_html_page_has_a_strict_content_security_policy(crawl):
    html_pages = [(r, c, resp) for r, c, resp in crawl if resp.mimetype == "text/html"]
    statuses = {resp.status_code for _r, _c, resp in html_pages}
    assert len(html_pages) > 100 and {200, 400, 403, 404, 405} <= statuses
    for role, case, response in html_pages:
        label = f"{case} as {role}"
        policy = response.headers.get("Content-Security-Policy", "")
        parsed = directives(policy)
        script_src = parsed.get("script-src", parsed.get("default-src"))
        assert script_src == ["'self'"], label
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, label
        assert parsed.get("object-src") == ["'none'"], label
        assert parsed.get("frame-ancestors") == ["'none'"], label
        assert parsed.get("base-uri") == ["'none'"], label


def test_html_pages_have_nothing_the_policy_would_block(crawl):
    """No inline script, event handler, javascript: URL or inline style on any page.

    A JSON data block (<script type="application/json">) is data, not code: the
    browser never executes it, so the policy has nothing to block there.
    """
    inline = re.compile(
        r"<script(?![^>]*\ssrc=)(?![^>]*type=\"application/json\")[^>]*>"
        r"|\son[a-z]+\s*=|javascript:|<style|\sstyle\s*=",
        re.IGNORECASE,
    )
    for role, case, response in crawl:
        if response.mimetype == "text/html":
            found = inline.findall(response.get_data(as_text=True))
            assert found == [], f"{case} as {role}"


def test_every_response_has_nosniff_referrer_policy_and_frame_denial(crawl):
    assert any(resp.mimetype != "text/html" for _r, _c, resp in crawl)  # files, JSON
    for role, case, response in crawl:
        label = f"{case} as {role} ({response.status_code} {response.mimetype})"
        assert response.headers.get("X-Content-Type-Options") == "nosniff", label
        policies = {"strict-origin-when-cross-origin"}
        if case.startswith("accounts.reset_password"):
            policies.add("no-referrer")  # its URL holds the reset token
        assert response.headers.get("Referrer-Policy") in policies, label
        assert response.headers.get("X-Frame-Options") == "DENY", label


def test_pages_of_a_logged_in_user_are_never_stored(crawl):
    signed_in = [(r, c, resp) for r, c, resp in crawl if r in SIGNED_IN]
    assert len(signed_in) > 100
    for role, case, response in signed_in:
        cache_control = response.headers.get("Cache-Control", "")
        assert "no-store" in cache_control, f"{case} as {role}"


def test_development_sends_no_hsts(client):
    assert "Strict-Transport-Security" not in client.get("/").headers


# Licence downloads (G8).


def test_licence_download_is_an_inert_attachment_with_its_chinese_name(
    app, client, factory
):
    member = factory.enterprise()
    login(client, member["email"])
    response = client.get(f"/enterprises/{member['id']}/licence")
    assert response.status_code == 200
    assert response.mimetype == "image/png"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert "no-store" in response.headers["Cache-Control"]
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=UTF-8''{quote(LICENCE_NAME)}" in disposition
    response.close()


def test_licence_shown_inline_only_as_an_image_and_still_sandboxed(
    app, client, factory
):
    member = factory.enterprise()
    moderator = factory.moderator()
    with app.app_context():
        other = factory.enterprise()
        enterprise = db.session.get(Enterprise, other["id"])
        enterprise.licence = store_file(
            SniffedFile(PDF, pdf_bytes()), "营业执照 2024.pdf", enterprise.id
        )
        db.session.commit()
    login(client, moderator["email"])
    image = client.get(f"/enterprises/{member['id']}/licence?inline=1")
    assert image.headers["Content-Disposition"].startswith("inline;")
    pdf = client.get(f"/enterprises/{other['id']}/licence?inline=1")
    assert pdf.status_code == 200
    assert pdf.mimetype == "application/pdf"
    assert pdf.headers["Content-Disposition"].startswith("attachment;")
    assert (
        f"filename*=UTF-8''{quote('营业执照 2024.pdf')}"
        in pdf.headers["Content-Disposition"]
    )
    for response in (image, pdf):
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert (
            response.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
        )
        response.close()


# Error pages (I4).

LEAKS = re.compile(
    r"Traceback|File \"|\.py\b|/work/|site-packages|Werkzeug Debugger|RuntimeError|"
    r"sqlalchemy|jinja2|secret-detail-7731",
    re.IGNORECASE,
)


def test_error_pages_reveal_nothing_about_the_internals(app, client):
    def explode():
        raise RuntimeError("secret-detail-7731 at /work/main/market/views.py")

    app.add_url_rule("/test-only/explode", "test_only_explode", explode)
    cases = {
        404: client.get("/no/such/page"),
        405: client.get("/accounts/logout"),
        500: client.get("/test-only/explode"),
    }
    for status, response in cases.items():
        assert response.status_code == status
        assert response.mimetype == "text/html"
        body = response.get_data(as_text=True)
        assert f'<p class="error-code">{status}</p>' in body
        assert LEAKS.findall(body) == [], status
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "Content-Security-Policy" in response.headers


def test_api_errors_are_json_without_internals(client):
    response = client.get("/api/v1/regions/999999")
    assert response.status_code == 404
    assert response.is_json
    assert set(response.get_json()) == {"error", "message"}
    assert LEAKS.findall(response.get_data(as_text=True)) == []


def test_console_is_not_served(client):
    assert client.get("/console").status_code == 404


# Production settings (B4, K2, K3), read from the environment as in a deployment.


@pytest.fixture
def environment_app(app, database_url, tmp_path, monkeypatch):
    """Build an app the way a deployment does: settings from MARKET_* variables.

    (Requesting `app` keeps the per-test database clean-up of conftest.)"""
    built = []

    def build(**environment):
        for name in ("MARKET_ENV", "MARKET_SECRET_KEY", "MARKET_TRUSTED_HOSTS"):
            monkeypatch.delenv(name, raising=False)
        for name, value in environment.items():
            monkeypatch.setenv(name, value)
        instance = tmp_path / f"instance{len(built)}"
        new = create_app(
            {
                "TESTING": True,
                "MARKET_DATABASE_URL": database_url,
                "MARKET_UPLOAD_DIR": str(tmp_path / "uploads"),
                "MARKET_RATELIMIT_STORAGE_URI": "memory://",
            },
            instance_path=str(instance),
        )
        share_compiled_templates(new)
        built.append(new)
        return new

    yield build
    for each in built:
        with each.app_context():
            db.session.remove()
            db.engine.dispose()


def cookie_attributes(header: str) -> tuple[str, dict]:
    name_value, *attributes = [part.strip() for part in header.split(";")]
    parsed = {}
    for attribute in attributes:
        key, _, value = attribute.partition("=")
        parsed[key.lower()] = value
    return name_value.split("=", 1)[0], parsed


def test_production_cookies_are_host_prefixed_secure_httponly_and_lax(
    environment_app, factory
):
    member = factory.enterprise()
    production = environment_app(MARKET_ENV="production", MARKET_SECRET_KEY=STRONG_KEY)
    client = production.test_client()
    https = {"base_url": "https://localhost"}
    referer = {"Referer": "https://localhost/accounts/login"}

    set_cookies = []

    def record(response):
        set_cookies.extend(response.headers.getlist("Set-Cookie"))
        return response

    page = record(client.get("/accounts/login", **https))
    token = csrf_token(page.get_data(as_text=True))
    logged_in = record(
        client.post(
            "/accounts/login",
            data={
                "identifier": member["email"],
                "password": PASSWORD,
                "csrf_token": token,
            },
            headers=referer,
            **https,
        )
    )
    assert logged_in.status_code == 302
    mine = record(client.get("/enterprises/mine", **https))
    assert mine.status_code == 200
    logout = record(
        client.post(
            "/accounts/logout",
            data={"csrf_token": csrf_token(mine.get_data(as_text=True))},
            headers={"Referer": "https://localhost/enterprises/mine"},
            **https,
        )
    )
    assert logout.status_code == 302

    assert len(set_cookies) >= 2
    for header in set_cookies:
        name, attributes = cookie_attributes(header)
        assert name == "__Host-session", header
        assert "secure" in attributes and "httponly" in attributes, header
        assert attributes.get("samesite") == "Lax", header
        assert attributes.get("path") == "/", header
        assert "domain" not in attributes, header


def test_production_sends_hsts_for_a_year_with_subdomains(environment_app):
    production = environment_app(MARKET_ENV="production", MARKET_SECRET_KEY=STRONG_KEY)
    for path in ("/", "/accounts/login", "/no/such/page"):
        hsts = (
            production.test_client()
            .get(path, base_url="https://localhost")
            .headers.get("Strict-Transport-Security", "")
        )
        max_age = re.search(r"max-age=(\d+)", hsts)
        assert max_age and int(max_age.group(1)) >= 31536000, path
        assert "includesubdomains" in hsts.lower(), path


def test_production_post_over_https_needs_a_same_site_referer(environment_app):
    production = environment_app(MARKET_ENV="production", MARKET_SECRET_KEY=STRONG_KEY)
    client = production.test_client()
    page = client.get("/", base_url="https://localhost")
    data = {
        "locale": "en",
        "next": "/",
        "csrf_token": csrf_token(page.get_data(as_text=True)),
    }
    for headers in ({}, {"Referer": "https://evil.example/"}):
        refused = client.post(
            "/accounts/locale", data=data, headers=headers, base_url="https://localhost"
        )
        assert refused.status_code == 400, headers
    accepted = client.post(
        "/accounts/locale",
        data=data,
        headers={"Referer": "https://localhost/"},
        base_url="https://localhost",
    )
    assert accepted.status_code == 302


@pytest.mark.parametrize(
    "secret_key",
    [None, "", "short-key", "a" * 40, "ab" * 20],
    ids=["unset", "empty", "short", "one-character", "two-characters"],
)
def test_production_refuses_to_start_without_a_strong_secret_key(
    environment_app, secret_key
):
    environment = {"MARKET_ENV": "production"}
    if secret_key is not None:
        environment["MARKET_SECRET_KEY"] = secret_key
    with pytest.raises(ConfigurationError):
        environment_app(**environment)


def test_trusted_host_is_answered(environment_app):
    trusting = environment_app(
        MARKET_TRUSTED_HOSTS="market.example, www.market.example"
    )
    client = trusting.test_client()
    assert client.get("/", base_url="http://market.example").status_code == 200
    assert client.get("/", base_url="http://www.market.example").status_code == 200


def test_untrusted_host_is_refused_with_400(environment_app):
    trusting = environment_app(MARKET_TRUSTED_HOSTS="market.example")
    trusting.config["PROPAGATE_EXCEPTIONS"] = False  # what a deployment would do
    response = trusting.test_client().get("/", base_url="http://evil.example")
    assert response.status_code == 400
