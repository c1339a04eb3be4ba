"""Unified social credit codes (GB 32100-2015) and organisation codes (GB 11714)."""

from __future__ import annotations

from enum import Enum

__all__ = [
    "CHARSET",
    "CreditCodeProblem",
    "check_credit_code",
    "compute_check_char",
    "make_credit_code",
    "make_org_code",
    "normalize_credit_code",
]

# I, O, S, V and Z are left out by the standard because they are easily confused
# with 1, 0, 5, U and 2; a character's value is its index here.
CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUES = {ch: value for value, ch in enumerate(CHARSET)}
_DIGITS = frozenset("0123456789")
# W_i = 3^(i-1) mod 31 for positions 1..17.
_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))

_ORG_CHARSET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_ORG_VALUES = {ch: value for value, ch in enumerate(_ORG_CHARSET)}
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)

# Characters that copy-paste from PDFs and web pages smuggles in but that
# str.split() does not treat as whitespace.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))
# Full-width ASCII (U+FF01..U+FF5E) maps onto U+0021..U+007E; done by hand rather
# than NFKC so that unrelated compatibility characters are not folded into letters.
_FULL_TO_HALF = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}


class CreditCodeProblem(str, Enum):
    LENGTH = "length"
    CHARSET = "charset"
    REGION_DIGITS = "region_digits"
    CHECKSUM = "checksum"


def normalize_credit_code(raw: str) -> str:
    """Strip all whitespace, fold full-width characters and upper-case."""
    text = raw.translate(_INVISIBLE).translate(_FULL_TO_HALF)
    return "".join(text.split()).upper()


def _check_char(first17: str) -> str:
    total = sum(
        _VALUES[ch] * weight for ch, weight in zip(first17, _WEIGHTS, strict=True)
    )
    return CHARSET[(31 - total % 31) % 31]


def compute_check_char(first17: str) -> str:
    """The 18th character for the given first 17; ValueError on bad input."""
    if len(first17) != 17:
        raise ValueError(f"expected 17 characters, got {len(first17)}")
    bad = sorted({ch for ch in first17 if ch not in _VALUES})
    if bad:
        raise ValueError(f"characters outside the code charset: {''.join(bad)!r}")
    return _check_char(first17)


def check_credit_code(code: str) -> CreditCodeProblem | None:
    """None when ``code`` (already normalized) is valid, else the first problem."""
    if len(code) != 18:
        return CreditCodeProblem.LENGTH
    if any(ch not in _VALUES for ch in code):
        return CreditCodeProblem.CHARSET
    # Positions 3-8 hold the GB/T 2260 region code of the registering authority.
    if any(ch not in _DIGITS for ch in code[2:8]):
        return CreditCodeProblem.REGION_DIGITS
    if _check_char(code[:17]) != code[17]:
        return CreditCodeProblem.CHECKSUM
    return None


def make_credit_code(authority: str, kind: str, region6: str, subject9: str) -> str:
    """Assemble a valid 18-character code; used to seed demo data."""
    if len(authority) != 1 or authority not in _VALUES:
        raise ValueError(f"bad authority code {authority!r}")
    if len(kind) != 1 or kind not in _VALUES:
        raise ValueError(f"bad organisation kind code {kind!r}")
    if len(region6) != 6 or any(ch not in _DIGITS for ch in region6):
        raise ValueError(f"region code must be 6 digits, got {region6!r}")
    if len(subject9) != 9 or any(ch not in _VALUES for ch in subject9):
        raise ValueError(f"subject code must be 9 code characters, got {subject9!r}")
    first17 = authority + kind + region6 + subject9
    return first17 + _check_char(first17)


def make_org_code(first8: str) -> str:
    """Append the GB 11714 check character to an 8-character organisation code."""
    if len(first8) != 8 or any(ch not in _ORG_VALUES for ch in first8):
        raise ValueError(f"organisation code body must be 8 of 0-9/A-Z: {first8!r}")
    total = sum(_ORG_VALUES[ch] * w for ch, w in zip(first8, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    if check == 10:
        return first8 + "X"
    if check == 11:
        return first8 + "0"
    return first8 + str(check)
