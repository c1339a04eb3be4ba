"""An enterprise's first day, through a real browser and in Chinese:
it registers, a moderator approves it, it logs in and sees that it is approved.

The journey is checked with hard assertions on language-neutral hooks (ids, data
attributes, URLs). What must be Chinese is checked softly and raised at the very
end as `NotChinese`, so every language problem of a page is reported at once.
"""

import pytest

from market.domain.credit_code import make_credit_code, make_org_code
from market.enterprises.models import EnterpriseType
from tests.conftest import PASSWORD, png_bytes

pytestmark = pytest.mark.browser

NAME = "枣庄新能电力设备有限公司"
MOBILE = "13806321234"
EMAIL = "zhangwei@zzxn-power.com.cn"
SHANDONG, ZAOZHUANG, TENGZHOU = "370000", "370400", "370481"


class NotChinese(AssertionError):
    """A page that should be in Chinese is not."""




def expect(locator):
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


class ChineseChecks:
    """Soft checks of the Chinese UI, raised together at the end."""

    def __init__(self):
        self.failures: list[str] = []

    def check(self, what: str, assertion) -> None:
        try:
            assertion()
        except AssertionError as failure:
            self.failures.append(f"{what}: {str(failure).splitlines()[0]}")

    def page_is_chinese(self, page, what: str) -> None:
        self.check(
            what,
            lambda: expect(page.locator("html")).to_have_attribute(
                "lang", "zh-CN", timeout=1000
            ),
        )

    def raise_failures(self) -> None:
        if self.failures:
            raise NotChinese("\n".join(self.failures))


def log_out(browser_page):
    page = browser_page.page
    with page.expect_navigation():
        page.locator(".site-header form[action$='/accounts/logout'] button").click()
    expect(page.locator(".site-header a[href$='/accounts/login']")).to_be_visible()


def log_in(browser_page, identifier, password=PASSWORD):
    page = browser_page.page
    browser_page.goto("/accounts/login")
    page.locator("#identifier").fill(identifier)
    page.locator("#password").fill(password)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    logout = page.locator(".site-header form[action$='/accounts/logout']")
    expect(logout).to_be_visible()


def choose_region(page, level, code):
    """Pick a region once the cascade's fetch has filled the options."""
    select = page.locator(f"select[data-region-level={level}]")
    expect(select.locator(f"option[value='{code}']")).to_be_attached()
    select.select_option(code)
    expect(select).to_have_value(code)


def test_register_approve_and_log_in_as_approved(browser_page, factory, tmp_path):
    moderator = factory.moderator()
    credit_code = make_credit_code("9", "1", "370402", make_org_code("12345678"))
    licence = tmp_path / "营业执照.png"
    licence.write_bytes(png_bytes(size=(64, 48)))
    page = browser_page.page
    chinese = ChineseChecks()

    # 1. The enterprise applies, in Chinese (the default language).
    browser_page.goto("/enterprises/register")
    chinese.page_is_chinese(page, "registration page")
    page.locator("#name").fill(NAME)
    page.locator("#credit_code").fill(credit_code)
    page.locator("#enterprise_type").select_option(EnterpriseType.MANUFACTURER.value)
    choose_region(page, "province", SHANDONG)
    choose_region(page, "city", ZAOZHUANG)
    choose_region(page, "district", TENGZHOU)
    tengzhou = page.locator(f"select[data-region-level=district] [value='{TENGZHOU}']")
    chinese.check(
        "district option label",
        lambda: expect(tengzhou).to_have_text("滕州市", timeout=1000),
    )
    page.locator("#address").fill("滕州市荆河街道善国北路88号")
    page.locator("#contact_name").fill("张伟")
    page.locator("#mobile").fill(MOBILE)
    page.locator("#email").fill(EMAIL)
    page.locator("#licence").set_input_files(str(licence))
    page.locator("#password").fill(PASSWORD)
    page.locator("#confirm_password").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()

    assert page.url == browser_page.url("/enterprises/mine"), (
        page.locator("main").inner_text()
    )
    expect(page.locator("h1")).to_contain_text(NAME)
    expect(page.locator("[data-enterprise-status=pending]")).to_be_visible()
    expect(page.locator("h1 .badge-pending")).to_be_visible()

    # 2. A moderator opens it from the queue, sees the licence and approves it.
    log_out(browser_page)
    log_in(browser_page, moderator["email"])
    browser_page.goto("/moderation/enterprises")
    row = page.locator("tr[data-enterprise-id]", has_text=NAME)
    expect(row).to_have_count(1)
    expect(row).to_contain_text(credit_code)
    enterprise_id = row.get_attribute("data-enterprise-id")
    with page.expect_navigation():
        row.get_by_role("link", name=NAME).click()
    assert page.url == browser_page.url(f"/moderation/enterprises/{enterprise_id}")

    preview = page.locator(".licence-preview img")
    expect(preview).to_be_visible()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=preview.element_handle()
    )
    assert preview.evaluate("img => [img.naturalWidth, img.naturalHeight]") == [64, 48]

    approve = page.locator(
        f"form[action$='/moderation/enterprises/{enterprise_id}/approve'] button"
    )
    with page.expect_navigation():
        approve.click()
    assert page.url == browser_page.url("/moderation/enterprises")
    expect(page.locator(".flash-success")).to_contain_text(NAME)
    expect(page.locator(f"tr[data-enterprise-id='{enterprise_id}']")).to_have_count(0)

    # 3. The enterprise logs in with its mobile and sees that it is approved.
    log_out(browser_page)
    log_in(browser_page, MOBILE)
    browser_page.goto("/enterprises/mine")
    expect(page.locator("[data-enterprise-status=approved]")).to_be_visible()
    badge = page.locator("h1 .badge-approved")
    expect(badge).to_be_visible()
    chinese.page_is_chinese(page, "enterprise's own page")
    chinese.check(
        "approved badge", lambda: expect(badge).to_have_text("已通过", timeout=1000)
    )

    browser_page.assert_clean()
    chinese.raise_failures()


def test_language_switch_changes_the_page_to_english_and_back(browser_page):
    page = browser_page.page
    title = page.locator("h1")
    switch = page.locator(".site-header #locale-select")
    chinese = ChineseChecks()

    browser_page.goto("/accounts/login")
    chinese.page_is_chinese(page, "default language")
    chinese.check(
        "title by default", lambda: expect(title).to_have_text("登录", timeout=1000)
    )

    with page.expect_navigation():
        switch.select_option("en")
    assert page.url == browser_page.url("/accounts/login")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(title).to_have_text("Log in")
    expect(page.locator(".brand-name")).to_have_text("Power Equipment Exchange")
    expect(switch).to_have_value("en")

    with page.expect_navigation():
        switch.select_option("zh_CN")
    assert page.url == browser_page.url("/accounts/login")
    expect(switch).to_have_value("zh_CN")
    chinese.page_is_chinese(page, "after switching back")
    chinese.check(
        "title after switching back",
        lambda: expect(title).to_have_text("登录", timeout=1000),
    )
    chinese.check(
        "brand after switching back",
        lambda: expect(page.locator(".brand-name")).to_have_text(
            "电力二手设备供需平台", timeout=1000
        ),
    )

    browser_page.assert_clean()
    chinese.raise_failures()
