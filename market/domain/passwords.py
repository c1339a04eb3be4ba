"""Password policy: length limits, a common-password list and context words."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from enum import Enum
from functools import lru_cache
from importlib.resources import files

__all__ = [
    "MAX_PASSWORD_LENGTH",
    "MIN_PASSWORD_LENGTH",
    "PasswordProblem",
    "check_password",
    "is_common_password",
]

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 128
# Shorter context words (e.g. "ltd", a two-character city) would reject far too many
# unrelated passwords.
_MIN_CONTEXT_WORD = 4
# Structural checks on one or two characters would call almost anything weak.
_MIN_STRUCTURE = 3

# Runs that people type by sliding along the keyboard, keypad or alphabet; any
# stretch of one of these (forwards or backwards) counts as a sequence.
_SEQUENCES = (
    "01234567890",
    "abcdefghijklmnopqrstuvwxyz",
    "`1234567890-=",
    "qwertyuiop[]\\",
    "asdfghjkl;'",
    "zxcvbnm,./",
    "qwertyuiopasdfghjklzxcvbnm",
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik,9ol.0p;/",
    "7894561230",
    "1472583690",
)


class PasswordProblem(str, Enum):
    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    COMMON = "common"
    CONTEXT = "context"


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    path = files("market.domain") / "data" / "common_passwords.txt"
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


def _is_trailing_junk(ch: str) -> bool:
    return ch.isdigit() or ch.isspace() or unicodedata.category(ch)[0] in "PS"


def _is_trailing_punct(ch: str) -> bool:
    return ch.isspace() or unicodedata.category(ch)[0] in "PS"


def _rstrip(text: str, junk: Callable[[str], bool]) -> str:
    end = len(text)
    while end and junk(text[end - 1]):
        end -= 1
    return text[:end]


def _is_sequence(text: str) -> bool:
    return any(text in seq or text in seq[::-1] for seq in _SEQUENCES)


def _repeated_unit(text: str) -> str | None:
    """The shortest unit that ``text`` is two or more copies of, if any."""
    size = len(text)
    for unit_len in range(1, size // 2 + 1):
        if size % unit_len == 0 and text[:unit_len] * (size // unit_len) == text:
            return text[:unit_len]
    return None


def _is_structural(text: str) -> bool:
    if len(text) < _MIN_STRUCTURE:
        return False
    if _is_sequence(text):
        return True
    unit = _repeated_unit(text)
    if unit is None:
        return False
    # "aaaa", "q8q8q8q8" or "abcabcabc": repeating a tiny or guessable unit adds
    # length without adding much to guess.
    return len(unit) <= 3 or unit in _common_passwords() or _is_sequence(unit)


def is_common_password(pw: str) -> bool:
    """Whether ``pw`` is on the common list or is a trivially guessable pattern.

    Case-insensitive. Also true when the password minus trailing digits and
    punctuation ("password2024!") is on the list, when it is one character repeated,
    or when it is a run along the keyboard, keypad, digits or alphabet.
    """
    lowered = pw.lower()
    no_punct = _rstrip(lowered, _is_trailing_punct)
    stem = _rstrip(lowered, _is_trailing_junk)
    common = _common_passwords()
    if any(form in common for form in (lowered, no_punct, stem) if form):
        return True
    return _is_structural(lowered) or _is_structural(no_punct)


def _fold(text: str) -> str:
    # NFKC folds full-width letters and digits, so "ＡＢＣ公司" still matches "abc公司".
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(folded.split())


def _context_forms(context: Iterable[str]) -> set[str]:
    forms: set[str] = set()
    for word in context:
        if not word:
            continue
        folded = _fold(word)
        candidates = [folded]
        if "@" in folded:
            candidates.append(folded.split("@", 1)[0])
        forms.update(c for c in candidates if len(c) >= _MIN_CONTEXT_WORD)
    return forms


def check_password(pw: str, context: Iterable[str] = ()) -> PasswordProblem | None:
    """None if ``pw`` is acceptable, else the first problem found.

    Length is counted in code points and the password is never stripped, truncated
    or normalised: any Unicode is allowed, spaces are significant and there are no
    composition rules. ``context`` holds words tied to the account (enterprise name,
    credit code, mobile number, email or its local part); a password that contains
    one of them, or is contained in one, is rejected.
    """
    if len(pw) < MIN_PASSWORD_LENGTH:
        return PasswordProblem.TOO_SHORT
    if len(pw) > MAX_PASSWORD_LENGTH:
        return PasswordProblem.TOO_LONG
    if is_common_password(pw):
        return PasswordProblem.COMMON
    folded = _fold(pw)
    for word in _context_forms(context):
        if word in folded or (folded and folded in word):
            return PasswordProblem.CONTEXT
    return None
