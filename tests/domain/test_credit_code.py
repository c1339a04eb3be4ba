"""Tests for unified social credit codes and organisation codes."""

from __future__ import annotations

import random

import pytest

from market.domain.credit_code import (
    CHARSET,
    CreditCodeProblem,
    check_credit_code,
    compute_check_char,
    make_credit_code,
    make_org_code,
    normalize_credit_code,
)

VALID = [
    "9144030010001686XA",  # China Merchants Bank, the usual worked example
    "911000001000013428",
    "91110000600037341L",
    "91310000MA1FL0000N",
    "12100000400010398P",
]


def test_charset_is_31_characters_without_confusables() -> None:
    assert len(CHARSET) == len(set(CHARSET)) == 31
    assert not set("IOSVZ") & set(CHARSET)


@pytest.mark.parametrize("code", VALID)
def test_valid_codes(code: str) -> None:
    assert check_credit_code(code) is None
    assert compute_check_char(code[:17]) == code[17]


@pytest.mark.parametrize("code", [c for c in VALID if "MA" not in c])
def test_embedded_organisation_code_is_consistent(code: str) -> None:
    # Positions 9-17 of a code issued to an organisation that already had a
    # GB 11714 organisation code are that code, check character included.
    assert make_org_code(code[8:16]) == code[8:17]


@pytest.mark.parametrize("code", VALID)
def test_changed_last_char_fails_checksum(code: str) -> None:
    for other in CHARSET:
        if other != code[17]:
            changed = code[:17] + other
            assert check_credit_code(changed) is CreditCodeProblem.CHECKSUM


def test_single_substitution_in_body_is_detected() -> None:
    code = VALID[0]
    for pos in [0, 1, *range(8, 17)]:
        for other in CHARSET:
            if other != code[pos]:
                changed = code[:pos] + other + code[pos + 1 :]
                assert check_credit_code(changed) is CreditCodeProblem.CHECKSUM


def test_standard_illustration_and_pilot_codes() -> None:
    assert compute_check_char("91350100M000100Y4") == "3"
    assert check_credit_code("91350100M000100Y43") is None
    # Codes issued during the Fujian pilot do not satisfy the final algorithm.
    for code, computed in [
        ("91350100M0001TGQXM", "1"),
        ("91350211M0000XUF46", "R"),
        ("91350203M0001FUE2P", "J"),
    ]:
        assert check_credit_code(code) is CreditCodeProblem.CHECKSUM
        assert compute_check_char(code[:17]) == computed


def test_lower_case_is_normalized() -> None:
    code = normalize_credit_code("91310000ma1fl0000n")
    assert code == "91310000MA1FL0000N"
    assert check_credit_code(code) is None
    # check_credit_code itself expects normalized input.
    assert check_credit_code("91310000ma1fl0000n") is CreditCodeProblem.CHARSET


def test_full_width_and_spaces_are_normalized() -> None:
    raw = " ９１１１ ００００\u3000６０００３７３４１ｌ\t\n"
    assert normalize_credit_code(raw) == "91110000600037341L"
    assert normalize_credit_code("9144\u200b0300 1000 1686 XA") == VALID[0]
    assert normalize_credit_code("") == ""


@pytest.mark.parametrize("bad", ["I", "O", "S", "V", "Z", "-", "a", "Ａ"])
def test_character_outside_charset(bad: str) -> None:
    code = VALID[2][:10] + bad + VALID[2][11:]
    assert len(code) == 18
    assert check_credit_code(code) is CreditCodeProblem.CHARSET


@pytest.mark.parametrize("code", ["", "9", VALID[0][:17], VALID[0] + "0", VALID[0] * 2])
def test_wrong_length(code: str) -> None:
    assert check_credit_code(code) is CreditCodeProblem.LENGTH


@pytest.mark.parametrize("pos", range(2, 8))
def test_letter_in_region_digits(pos: int) -> None:
    code = VALID[2][:pos] + "A" + VALID[2][pos + 1 :]
    assert check_credit_code(code) is CreditCodeProblem.REGION_DIGITS


def test_compute_check_char_rejects_bad_input() -> None:
    for bad in ["", "9144030010001686", "9144030010001686XA", "9144030010001686I"]:
        with pytest.raises(ValueError):
            compute_check_char(bad)


def test_make_credit_code() -> None:
    assert make_credit_code("9", "1", "440300", "10001686X") == VALID[0]
    assert make_credit_code("1", "2", "100000", "400010398") == VALID[4]
    code = make_credit_code("9", "1", "370400", make_org_code("MA3C0001"))
    assert code.startswith("91370400MA3C0001")
    assert check_credit_code(code) is None


@pytest.mark.parametrize(
    "parts",
    [
        ("", "1", "370400", "MA3C00010"),
        ("I", "1", "370400", "MA3C00010"),
        ("9", "11", "370400", "MA3C00010"),
        ("9", "1", "37040A", "MA3C00010"),
        ("9", "1", "37040", "MA3C00010"),
        ("9", "1", "370400", "MA3C0001"),
        ("9", "1", "370400", "MA3C0001O"),
    ],
)
def test_make_credit_code_rejects_bad_parts(parts: tuple[str, str, str, str]) -> None:
    with pytest.raises(ValueError):
        make_credit_code(*parts)


@pytest.mark.parametrize(
    ("first8", "expected"),
    [
        ("10001686", "10001686X"),
        ("60003734", "600037341"),
        ("40001039", "400010398"),
        ("D2143569", "D2143569X"),  # the GB 11714 example
        ("10000004", "100000040"),  # 11 - 0 = 11 is written as "0"
        ("10000018", "10000018X"),  # 11 - 1 = 10 is written as "X"
    ],
)
def test_make_org_code(first8: str, expected: str) -> None:
    assert make_org_code(first8) == expected


@pytest.mark.parametrize("bad", ["", "1000168", "100016866", "d2143569", "1000-686"])
def test_make_org_code_rejects_bad_input(bad: str) -> None:
    with pytest.raises(ValueError):
        make_org_code(bad)


def test_check_never_raises_on_arbitrary_strings() -> None:
    rng = random.Random(20240601)
    alphabet = (
        CHARSET
        + CHARSET.lower()
        + "IOSVZ -_/\\\t\n\u3000\u200b"
        + "０１９ＡＺ"
        + "统一社会信用代码é\u0301😀\x00\ud800"
    )
    for _ in range(2000):
        length = rng.randint(0, 30)
        text = "".join(rng.choice(alphabet) for _ in range(length))
        result = check_credit_code(text)
        assert result is None or isinstance(result, CreditCodeProblem)
        normalized = normalize_credit_code(text)
        assert isinstance(normalized, str)
        check_credit_code(normalized)


def test_random_codes_round_trip() -> None:
    rng = random.Random(32100)
    digits = "0123456789"
    for _ in range(2000):
        first17 = (
            rng.choice(CHARSET)
            + rng.choice(CHARSET)
            + "".join(rng.choice(digits) for _ in range(6))
            + "".join(rng.choice(CHARSET) for _ in range(9))
        )
        code = make_credit_code(first17[0], first17[1], first17[2:8], first17[8:])
        assert code[:17] == first17
        assert compute_check_char(first17) == code[17]
        assert check_credit_code(code) is None
        assert check_credit_code(normalize_credit_code(code.lower())) is None
