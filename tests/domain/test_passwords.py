"""Tests for the password policy and the shipped common-password list."""

from __future__ import annotations

from importlib.resources import files

import pytest

from market.domain.passwords import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    PasswordProblem,
    check_password,
    is_common_password,
)

ENTERPRISE = "枣庄鑫源电力设备有限公司"
CREDIT_CODE = "91370400MA3C00010X"
MOBILE = "13806321234"
EMAIL = "zhang.wei@xinyuan-power.cn"
CONTEXT = (ENTERPRISE, CREDIT_CODE, MOBILE, EMAIL)


def _list_lines() -> list[str]:
    path = files("market.domain") / "data" / "common_passwords.txt"
    return path.read_text(encoding="utf-8").splitlines()


def test_list_file_shape() -> None:
    lines = _list_lines()
    assert lines[0].startswith("#") and "zxcvbn" in lines[0]
    entries = lines[1:]
    assert len(entries) >= 10_000
    assert entries == sorted(entries)
    assert len(entries) == len(set(entries))
    assert all(e == e.lower() and e.strip() == e and len(e) >= 6 for e in entries)
    assert not any(e.startswith("#") for e in entries)


def test_list_contains_chinese_and_site_words() -> None:
    entries = set(_list_lines()[1:])
    for word in [
        "woaini1314",
        "5201314",
        "1qaz2wsx",
        "a123456",
        "qq123456",
        "123456abc",
        "zxcvbnm",
        "aini1314",
        "dianli",
        "dianli123",
        "diangong",
        "guowang",
        "zaozhuang",
        "shandong",
        "biandianzhan",
        "bianyaqi",
        "password",
        "qwerty",
    ]:
        assert word in entries, word


def test_limits() -> None:
    assert (MIN_PASSWORD_LENGTH, MAX_PASSWORD_LENGTH) == (10, 128)


def test_too_short_and_boundary() -> None:
    assert check_password("Vq7#mzL2p") is PasswordProblem.TOO_SHORT
    assert check_password("Vq7#mzL2pX") is None
    assert check_password("") is PasswordProblem.TOO_SHORT


def test_too_long_and_boundary() -> None:
    base = "Vq7#mzL2pX"
    assert check_password((base * 13)[:128]) is None
    assert check_password((base * 13)[:129]) is PasswordProblem.TOO_LONG


def test_length_counts_code_points() -> None:
    # Nine CJK characters are 27 bytes in UTF-8 but still too short.
    assert check_password("变压器开关柜电缆线") is PasswordProblem.TOO_SHORT
    assert check_password("变压器开关柜电缆线路") is None


def test_long_unicode_passphrase_with_spaces() -> None:
    pw = "我们 在枣庄 卖 二手变压器 and 开关柜, 价格 公道 童叟无欺 ☀ 欢迎 来电"
    pw = (pw + " 咨询 谢谢 朋友们 再见 祝好 下次 再来 买 电缆")[:64]
    assert len(pw) == 64
    assert check_password(pw) is None
    assert check_password(pw, CONTEXT) is None


@pytest.mark.parametrize(
    "pw",
    [
        "password123",
        "Password123",
        "PASSWORD2024!",
        "qwerty123456",
        "1234567890",
        "0987654321",
        "abcdefghij",
        "qwertyuiop",
        "woaini1314520",
        "aaaaaaaaaaaa",
        "          ",
        "Dianli12345",
        "zaozhuang2024",
        "1qaz2wsx3edc",
        "abcabcabcabc",
        "passwordpassword",
    ],
)
def test_common(pw: str) -> None:
    assert is_common_password(pw)
    assert check_password(pw) is PasswordProblem.COMMON


@pytest.mark.parametrize(
    "pw",
    [
        "correct horse battery staple",
        "Vq7#mzL2pX",
        "q8374619205",
        "变压器开关柜电缆线路",
        "tr4nsf0rmer-bay-7",
    ],
)
def test_not_common(pw: str) -> None:
    assert not is_common_password(pw)


def test_is_common_password_edge_inputs() -> None:
    assert not is_common_password("")
    assert not is_common_password("!!")
    assert is_common_password("PassWord")


def test_context_enterprise_name() -> None:
    assert check_password(ENTERPRISE, CONTEXT) is PasswordProblem.CONTEXT
    assert check_password(ENTERPRISE + "2024", CONTEXT) is PasswordProblem.CONTEXT
    # A password that is part of a context word is rejected too.
    assert check_password("鑫源电力设备有限公司", CONTEXT) is PasswordProblem.CONTEXT


def test_context_credit_code_mobile_email() -> None:
    assert check_password("id" + CREDIT_CODE, CONTEXT) is PasswordProblem.CONTEXT
    lower_code = CREDIT_CODE.lower()
    assert check_password(lower_code + "!", CONTEXT) is PasswordProblem.CONTEXT
    assert check_password("tel " + MOBILE, CONTEXT) is PasswordProblem.CONTEXT
    assert check_password("Zhang.Wei#Secure", CONTEXT) is PasswordProblem.CONTEXT


def test_context_ignores_case_and_spaces() -> None:
    context = ["Xinyuan Power"]
    assert check_password("my XINYUANPOWER key", context) is PasswordProblem.CONTEXT
    assert check_password("x i n y u a n power!", context) is PasswordProblem.CONTEXT


def test_short_context_words_are_ignored() -> None:
    assert check_password("ltd-Vq7#mzL2pX", ["ltd", "", "电力"]) is None


def test_context_is_any_iterable() -> None:
    words = (w for w in [ENTERPRISE])
    assert check_password(ENTERPRISE, words) is PasswordProblem.CONTEXT


def test_trailing_space_is_significant() -> None:
    pw = "Vq7#mzL2p"
    assert check_password(pw) is PasswordProblem.TOO_SHORT
    assert check_password(pw + " ") is None
    assert check_password(" " + pw) is None
