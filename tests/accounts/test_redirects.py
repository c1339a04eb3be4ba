"""`next` targets never leave the site (SECURITY.md D5)."""

from urllib.parse import urljoin, urlsplit

import pytest

from tests.access_matrix import quick_world_building, share_compiled_templates
from tests.conftest import PASSWORD, csrf_token

# Django's bad-URL list (tests/utils_tests/test_http.py), as in SECURITY.md D5.
DJANGO_BAD_URLS = [
    "http://evil.com",
    "http:///evil.com",
    "https://evil.com",
    "//evil.com",
    "///evil.com",
    "\\\\evil.com",
    "\\\\\\evil.com",
    "/\\\\/evil.com",
    "\\\\//evil.com",
    "/\\/evil.com",
    "\\/evil.com",
    "/\\evil.com",
    "https:////evil.com",
    "javascript:alert(1)",
    " javascript:alert(1)",
    "javascrip\nt:alert(1)",
    "/////evil.com",
]
# A few more that browsers also resolve off-site or into script.
MORE_BAD_URLS = [
    "/\t/evil.com",
    "/\r\n/evil.com",
    "https:evil.com",
    "//localhost@evil.com",
    "ftp://evil.com",
    "data:text/html,<script>alert(1)</script>",
    "\x08//evil.com",
    "\njavascript:alert(1)",
    "http:/\\//evil.com",
    "http:\\/evil.com",
    "http://localhost\\@evil.com",
]
BAD_URLS = DJANGO_BAD_URLS + MORE_BAD_URLS


@pytest.fixture(autouse=True)
def _quick_setup(app):
    """Every test's fresh app reuses compiled templates, and the factory's users share
    one real argon2id hash of PASSWORD instead of computing one each."""
    share_compiled_templates(app)
    with quick_world_building():
        yield


def assert_default_page(response):
    assert response.status_code == 302
    location = response.headers["Location"]
    # Where a browser would go from a page of this site:
    assert (
        urlsplit(urljoin("http://localhost/accounts/login", location)).netloc
        == "localhost"
    )
    assert location == "/"


def test_bad_url_list_is_the_full_django_list():
    assert len(DJANGO_BAD_URLS) == 17
    assert len(set(BAD_URLS)) == len(BAD_URLS)


@pytest.mark.parametrize("target", BAD_URLS)
def test_login_never_redirects_off_site(client, factory, target):
    member = factory.enterprise()
    page = client.get("/accounts/login")
    data = {
        "identifier": member["email"],
        "password": PASSWORD,
        "next": target,
        "csrf_token": csrf_token(page.get_data(as_text=True)),
    }
    assert_default_page(client.post("/accounts/login", data=data))
    # Signed in now: the login page sends them on, reading next from the query.
    assert_default_page(client.get("/accounts/login", query_string={"next": target}))


@pytest.mark.parametrize("where", ["form", "query"])
def test_login_follows_a_next_on_this_site(client, factory, where):
    member = factory.enterprise()
    page = client.get("/accounts/login")
    data = {
        "identifier": member["email"],
        "password": PASSWORD,
        "csrf_token": csrf_token(page.get_data(as_text=True)),
    }
    if where == "form":
        response = client.post(
            "/accounts/login", data={**data, "next": "/enterprises/mine"}
        )
    else:
        response = client.post("/accounts/login?next=%2Fenterprises%2Fmine", data=data)
    assert response.status_code == 302
    assert response.headers["Location"] == "/enterprises/mine"
    assert client.get("/enterprises/mine").status_code == 200


def test_login_page_carries_the_next_it_was_sent_with(client):
    bounced = client.get("/enterprises/mine")
    assert bounced.status_code == 302
    html = client.get(bounced.headers["Location"]).get_data(as_text=True)
    assert 'name="next" type="hidden" value="/enterprises/mine"' in html


def test_login_keeps_the_query_of_a_next_on_this_site(client, factory):
    moderator = factory.moderator()
    page = client.get("/accounts/login")
    response = client.post(
        "/accounts/login",
        data={
            "identifier": moderator["email"],
            "password": PASSWORD,
            "next": "/moderation/enterprises?status=approved",
            "csrf_token": csrf_token(page.get_data(as_text=True)),
        },
    )
    assert response.headers["Location"] == "/moderation/enterprises?status=approved"
    assert client.get(response.headers["Location"]).status_code == 200


def switch_language(client, next_target):
    token = csrf_token(client.get("/").get_data(as_text=True))
    return client.post(
        "/accounts/locale",
        data={"locale": "en", "next": next_target, "csrf_token": token},
    )


@pytest.mark.parametrize("target", BAD_URLS)
def test_language_switch_never_redirects_off_site(client, target):
    response = switch_language(client, target)
    assert_default_page(response)
    with client.session_transaction() as session:
        assert session["locale"] == "en"  # the switch itself still happened


@pytest.mark.parametrize(
    "target", ["/enterprises/register", "/?page=2", "/accounts/login"]
)
def test_language_switch_returns_to_the_page_it_was_used_on(client, target):
    response = switch_language(client, target)
    assert response.status_code == 302
    assert response.headers["Location"] == target


def test_language_switch_form_points_back_at_the_current_page(client):
    html = client.get("/enterprises/register?step=1").get_data(as_text=True)
    assert 'name="next" value="/enterprises/register?step=1"' in html
