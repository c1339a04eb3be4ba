"""The catalogues cover every message in the code, and the language switch works."""

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from market import PROJECT_ROOT
from tests.conftest import csrf_token, login

TRANSLATIONS = PROJECT_ROOT / "market" / "translations"
# Babel reads "zh_CN" as zh_Hans_CN, so that is the catalogue folder's name.
LOCALES = ("zh_Hans_CN", "en")
# Any printf-style named placeholder: %(name)s, %(count)d, %(size).1f ...
PLACEHOLDER = re.compile(r"%\([^)]*\)[-#0 +]*\d*(?:\.\d+)?[a-zA-Z]")
BRAND_ZH = "电力二手设备供需平台"
BRAND_EN = "Power Equipment Exchange"


def read_catalog(path: Path):
    with open(path, "rb") as handle:
        return read_po(handle)


def po_path(locale: str) -> Path:
    return TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"


def makefile_extract_arguments() -> list[str]:
    """The `pybabel extract` options of the Makefile's extract-messages target."""
    makefile = (PROJECT_ROOT / "Makefile").read_text(encoding="utf-8")
    lines = [line for line in makefile.splitlines() if "pybabel extract" in line]
    assert len(lines) == 1, "expected one `pybabel extract` line in the Makefile"
    words = shlex.split(lines[0].strip())
    arguments = words[words.index("extract") + 1 :]
    # Drop the output file; the test writes to its own.
    output = next(
        index for index, word in enumerate(arguments) if word in ("-o", "--output-file")
    )
    del arguments[output : output + 2]
    return arguments


def message_key(message) -> str:
    """The msgid (the singular one for a plural message)."""
    return message.id if isinstance(message.id, str) else message.id[0]


def ids_of(message) -> tuple:
    return (message.id,) if isinstance(message.id, str) else tuple(message.id)


def strings_of(message) -> tuple:
    string = message.string
    return (string,) if isinstance(string, str) else tuple(string)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """Every message in the code, extracted as `make extract-messages` does."""
    pybabel = Path(sys.executable).parent / "pybabel"
    assert pybabel.exists(), f"pybabel not found next to {sys.executable}"
    output = tmp_path_factory.mktemp("i18n") / "messages.pot"
    subprocess.run(
        [str(pybabel), "extract", *makefile_extract_arguments(), "-o", str(output)],
        cwd=PROJECT_ROOT,
        check=True,
        capture_output=True,
    )
    return [message for message in read_catalog(output) if message.id]


def test_extraction_finds_messages(extracted):
    ids = {message_key(message) for message in extracted}
    assert len(ids) > 100
    assert BRAND_EN in ids  # from templates
    assert "Wrong mobile/e-mail or password." in ids  # from Python code
    assert "This language is not available." in ids  # a lazy_gettext (_l) message


@pytest.mark.parametrize("locale", LOCALES)
def test_every_message_in_the_code_is_translated(extracted, locale):
    catalog = read_catalog(po_path(locale))
    missing, fuzzy = [], []
    for source in extracted:
        entry = catalog.get(source.id)
        if entry is None or not all(strings_of(entry)):
            missing.append(message_key(source))
        elif entry.fuzzy:
            fuzzy.append(message_key(source))
    assert not missing and not fuzzy, (
        f"{locale}: {len(missing)} untranslated, {len(fuzzy)} fuzzy; "
        "run `make extract-messages`, translate, then `make translations`.\n"
        + "".join(f"  missing: {key!r}\n" for key in missing)
        + "".join(f"  fuzzy:   {key!r}\n" for key in fuzzy)
    )


def test_english_catalog_is_the_identity():
    catalog = read_catalog(po_path("en"))
    different = [
        message_key(message)
        for message in catalog
        if message.id and strings_of(message) != ids_of(message)
    ]
    assert not different, f"en entries that differ from their msgid: {different}"


@pytest.mark.parametrize("locale", LOCALES)
def test_catalog_placeholders_match(locale):
    catalog = read_catalog(po_path(locale))
    wrong = []
    for message in catalog:
        if not message.id:
            continue
        expected = set().union(*(PLACEHOLDER.findall(text) for text in ids_of(message)))
        for text in strings_of(message):
            if text and set(PLACEHOLDER.findall(text)) != expected:
                wrong.append(f"{message_key(message)!r} -> {text!r}")
    assert not wrong, "placeholders differ:\n" + "\n".join(wrong)


def test_zh_cn_catalog_header():
    catalog = read_catalog(po_path("zh_Hans_CN"))
    assert catalog.locale_identifier == "zh_CN"
    assert catalog.num_plurals == 1
    assert catalog.plural_expr == "0"


# --- the language switch -------------------------------------------------------


def switch_locale(client, locale: str, next_url: str = "/accounts/login"):
    token = csrf_token(client.get("/").get_data(as_text=True))
    return client.post(
        "/accounts/locale",
        data={"locale": locale, "csrf_token": token, "next": next_url},
    )


def assert_chinese(html: str):
    assert '<html lang="zh-CN">' in html
    assert BRAND_ZH in html
    assert BRAND_EN not in html


def assert_english(html: str):
    assert '<html lang="en">' in html
    assert BRAND_EN in html
    assert BRAND_ZH not in html


def test_pages_are_chinese_by_default(client):
    assert_chinese(client.get("/").get_data(as_text=True))
    login_page = client.get("/accounts/login")
    assert login_page.status_code == 200
    html = login_page.get_data(as_text=True)
    assert_chinese(html)
    assert "登录" in html


def test_english_switch_is_remembered_in_the_session(client):
    response = switch_locale(client, "en", next_url="/accounts/login")
    assert response.status_code == 302
    assert response.headers["Location"] == "/accounts/login"
    assert_english(client.get("/").get_data(as_text=True))
    html = client.get("/accounts/login").get_data(as_text=True)
    assert_english(html)
    assert "Log in" in html
    assert "登录" not in html


def test_language_choice_is_remembered_for_the_user(app, client, factory):
    user = factory.enterprise()
    assert login(client, user["email"]).status_code == 302
    assert_chinese(client.get("/").get_data(as_text=True))
    assert switch_locale(client, "en", next_url="/").status_code == 302
    assert_english(client.get("/").get_data(as_text=True))

    # A fresh browser: English straight after logging in, without switching.
    other = app.test_client()
    assert_chinese(other.get("/").get_data(as_text=True))
    assert login(other, user["mobile"]).status_code == 302
    assert_english(other.get("/").get_data(as_text=True))
    assert_english(other.get("/enterprises/mine").get_data(as_text=True))

    # Switching back is stored on the account too.
    assert switch_locale(other, "zh_CN", next_url="/").status_code == 302
    assert_chinese(other.get("/").get_data(as_text=True))
    third = app.test_client()
    assert login(third, user["email"]).status_code == 302
    assert_chinese(third.get("/").get_data(as_text=True))


def test_unknown_locale_is_refused(client):
    response = switch_locale(client, "fr", next_url="/accounts/login")
    assert response.status_code < 500
    with client.session_transaction() as session:
        assert session.get("locale") in (None, "zh_CN")
    assert_chinese(client.get("/").get_data(as_text=True))


def test_unknown_locale_is_refused_for_a_user(client, factory):
    user = factory.enterprise()
    login(client, user["email"])
    response = switch_locale(client, "fr", next_url="/")
    assert response.status_code < 500
    assert_chinese(client.get("/").get_data(as_text=True))


def test_switch_needs_csrf(client):
    response = client.post(
        "/accounts/locale", data={"locale": "en", "next": "/accounts/login"}
    )
    assert response.status_code == 400
    assert_chinese(client.get("/").get_data(as_text=True))
