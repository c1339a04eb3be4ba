"""Parse and format the quantities sellers type (400千伏安, 3×240平方, 1.2公里)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

__all__ = [
    "CANONICAL_UNITS",
    "VOLTAGE_LEVELS",
    "CableSize",
    "UnitError",
    "format_cable_size",
    "format_number",
    "format_quantity",
    "nearest_voltage_level",
    "normalize_text",
    "parse_cable_size",
    "parse_cores_section",
    "parse_quantity",
    "parse_voltage_pair",
]

# Nominal AC system voltages (GB/T 156-2017) as the app stores them; LV
# distribution is written 0.4 kV (transformer LV rating on a 220/380 V system).
VOLTAGE_LEVELS: tuple[float, ...] = (
    0.4, 3.0, 6.0, 10.0, 20.0, 35.0, 66.0, 110.0, 220.0, 330.0, 500.0, 750.0, 1000.0,
)  # fmt: skip

# Anything above this many canonical units is a typo, not a rating.
MAX_MAGNITUDE = 1e7

# Suffix (lower-cased, after normalize_text) -> factor to the canonical unit.
# "" is a bare number, which means the canonical unit itself. Upper and lower
# case are not told apart because sellers don't: "mva" is MVA, never milli-VA.
_UNIT_TABLES: dict[str, dict[str, str]] = {
    "kVA": {
        "": "1", "kva": "1", "kv.a": "1", "千伏安": "1", "千伏.安": "1",
        "mva": "1000", "兆伏安": "1000", "va": "0.001", "伏安": "0.001",
    },
    "kV": {
        "": "1", "kv": "1", "千伏": "1",
        "v": "0.001", "伏": "0.001", "伏特": "0.001",
    },
    "V": {"": "1", "v": "1", "伏": "1", "伏特": "1", "kv": "1000", "千伏": "1000"},
    "A": {"": "1", "a": "1", "安": "1", "安培": "1", "ka": "1000", "千安": "1000"},
    "kA": {"": "1", "ka": "1", "千安": "1", "a": "0.001", "安": "0.001", "安培": "0.001"},
    "mm2": {
        "": "1", "mm2": "1", "mm^2": "1", "平方": "1", "平方毫米": "1", "平方mm": "1",
        "sqmm": "1", "平": "1",
    },
    "m": {"": "1", "m": "1", "米": "1", "km": "1000", "公里": "1000", "千米": "1000"},
    "kW": {
        "": "1", "kw": "1", "千瓦": "1", "mw": "1000", "兆瓦": "1000",
        "w": "0.001", "瓦": "0.001",
    },
    "kvar": {
        "": "1", "kvar": "1", "千乏": "1", "mvar": "1000", "兆乏": "1000",
        "var": "0.001", "乏": "0.001",
    },
    "kWh": {
        "": "1", "kwh": "1", "kw.h": "1", "千瓦时": "1", "度": "1",
        "mwh": "1000", "兆瓦时": "1000", "wh": "0.001",
    },
    "Ah": {"": "1", "ah": "1", "a.h": "1", "安时": "1", "mah": "0.001"},
    "Wp": {"": "1", "wp": "1", "w": "1", "瓦": "1", "kwp": "1000", "mwp": "1000000"},
    "kg": {
        "": "1", "kg": "1", "公斤": "1", "千克": "1", "t": "1000", "吨": "1000",
        # Scrap dealers quote in jin (500 g).
        "斤": "0.5",
    },
    "t": {"": "1", "t": "1", "吨": "1", "kg": "0.001", "公斤": "0.001", "千克": "0.001"},
    # Counts such as cores: a bare number only.
    "": {"": "1"},
}  # fmt: skip

CANONICAL_UNITS: tuple[str, ...] = tuple(_UNIT_TABLES)

# Every suffix we recognise for some unit; one of these on the wrong field (kW
# typed into a transformer's kVA box, say) is reported as wrong_unit.
_ALL_SUFFIXES = frozenset(s for table in _UNIT_TABLES.values() for s in table if s)

_DISPLAY = {"mm2": "mm²", "": ""}

# Um, the highest voltage for equipment printed in model strings (KYN28A-12),
# and common equipment rated voltages that sit slightly above the system level
# (10.5 kV transformer LV, 38.5 kV transformer HV) all point at one system level.
_TO_SYSTEM_LEVEL: dict[float, float] = {
    **{level: level for level in VOLTAGE_LEVELS},
    0.22: 0.4, 0.23: 0.4, 0.38: 0.4, 0.415: 0.4,
    3.15: 3.0, 3.6: 3.0,
    6.3: 6.0, 7.2: 6.0,
    10.5: 10.0, 11.0: 10.0, 12.0: 10.0,
    24.0: 20.0,
    38.5: 35.0, 40.5: 35.0,
    72.5: 66.0,
    121.0: 110.0, 126.0: 110.0,
    242.0: 220.0, 252.0: 220.0,
    345.0: 330.0, 363.0: 330.0,
    525.0: 500.0, 550.0: 500.0,
    800.0: 750.0,
    1100.0: 1000.0,
}  # fmt: skip

# Full-width ASCII (U+FF01..U+FF5E) onto U+0021..U+007E, by hand rather than NFKC so
# that "²" and "×" survive for the patterns below.
_FOLD = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_FOLD.update(
    {
        0x3000: " ",  # ideographic space
        0x00B7: ".",  # middle dot, as in KV·A
        0x30FB: ".",  # katakana middle dot, which Chinese IMEs also produce
        0x2022: ".",
        0x2219: ".",
        0x00B2: "2",  # superscript two in mm²
        0x339F: "mm2",  # the single-character ㎟
        0x33A1: "m2",
        0x339E: "km",
        0x3002: ".",  # a Chinese full stop typed as the decimal point
        0x2014: "-",  # em, en and other dashes typed for hyphens
        0x2013: "-",
        0x2010: "-",
        0x2012: "-",
        0x2212: "-",
        0xFF0B: "+",
        0x200B: None,
        0x200C: None,
        0x200D: None,
        0x2060: None,
        0xFEFF: None,
    }
)

_NUMBER = r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[+-]?\.\d+"
_QUANTITY_RE = re.compile(rf"^(?P<num>{_NUMBER})(?P<unit>.*)$")
_CABLE_RE = re.compile(
    r"^(?P<cores>\d+)×(?P<sec>\d+(?:\.\d+)?)"
    r"(?:\+(?P<ncores>\d+)×(?P<nsec>\d+(?:\.\d+)?))?"
    r"(?P<unit>mm2|mm\^2|平方毫米|平方mm|平方|平|sqmm)?$"
)
_TIMES_RE = re.compile(r"(?<=\d)[xX*×](?=\d)")
_MAX_CORES = 61  # the largest standard control-cable core count
_MAX_SECTION = 3000.0  # mm²; the biggest single-core EHV cables stop around 2500


class UnitError(ValueError):
    """A quantity that could not be understood; ``reason`` is a short message key."""

    def __init__(self, reason: str, text: object = None) -> None:
        super().__init__(reason if text is None else f"{reason}: {text!r}")
        self.reason = reason


@dataclass(frozen=True)
class CableSize:
    cores: int
    section: float  # mm² per phase core
    neutral_cores: int | None = None
    neutral_section: float | None = None


def normalize_text(text: str) -> str:
    """Fold full-width characters and dots/dashes/superscripts; trims the ends."""
    return text.translate(_FOLD).strip()


def _compact(text: str) -> str:
    return "".join(normalize_text(text).split())


def _check_magnitude(value: float, text: object, allow_zero: bool) -> float:
    if not math.isfinite(value):
        raise UnitError("not_finite", text)
    if value < 0:
        raise UnitError("negative", text)
    if value == 0 and not allow_zero:
        raise UnitError("zero", text)
    if value > MAX_MAGNITUDE:
        raise UnitError("too_large", text)
    return value


def parse_quantity(text: str | float, unit: str, *, allow_zero: bool = False) -> float:
    """The value of ``text`` in canonical ``unit`` (a key of CANONICAL_UNITS).

    Raises UnitError with reason empty, not_a_number, unknown_unit, wrong_unit,
    negative, zero, not_finite or too_large. Plain numbers (as a spreadsheet cell
    gives them) are taken to be in the canonical unit already.
    """
    table = _UNIT_TABLES.get(unit)
    if table is None:
        raise ValueError(f"not a canonical unit: {unit!r}")
    if isinstance(text, bool):
        raise UnitError("not_a_number", text)
    if isinstance(text, int | float):
        return _check_magnitude(float(text), text, allow_zero)
    compact = _compact(text)
    if not compact:
        raise UnitError("empty", text)
    match = _QUANTITY_RE.match(compact)
    if match is None:
        raise UnitError("not_a_number", text)
    suffix = match["unit"].lower()
    factor = table.get(suffix)
    if factor is None:
        reason = "wrong_unit" if suffix in _ALL_SUFFIXES else "unknown_unit"
        raise UnitError(reason, text)
    try:
        number = Decimal(match["num"].replace(",", ""))
    except InvalidOperation:  # pragma: no cover - the pattern only admits decimals
        raise UnitError("not_a_number", text) from None
    # Decimal keeps 0.4 MVA at exactly 400 kVA instead of 400.00000000000006.
    return _check_magnitude(float(number * Decimal(factor)), text, allow_zero)


def format_number(value: float) -> str:
    """Shortest plain decimal for ``value``: 400.0 -> "400", 0.40 -> "0.4"."""
    rounded = round(float(value), 6)
    if rounded == 0:
        return "0"
    return format(Decimal(repr(rounded)).normalize(), "f")


def format_quantity(value: float, unit: str) -> str:
    """Display text such as "400 kVA" or "240 mm²"; parse_quantity reads it back."""
    if unit not in _UNIT_TABLES:
        raise ValueError(f"not a canonical unit: {unit!r}")
    shown = _DISPLAY.get(unit, unit)
    number = format_number(value)
    return f"{number} {shown}" if shown else number


def parse_cable_size(text: str) -> CableSize:
    """Cores × section, optionally + neutral cores × section: "3×240+1×120mm²"."""
    compact = _TIMES_RE.sub("×", _compact(text)).lower()
    if not compact:
        raise UnitError("empty", text)
    match = _CABLE_RE.match(compact)
    if match is None:
        raise UnitError("not_a_cable_size", text)
    cores, section = int(match["cores"]), float(match["sec"])
    neutral_cores = int(match["ncores"]) if match["ncores"] else None
    neutral_section = float(match["nsec"]) if match["nsec"] else None
    total = cores + (neutral_cores or 0)
    if cores == 0 or neutral_cores == 0:
        raise UnitError("zero", text)
    if total > _MAX_CORES:
        raise UnitError("too_many_cores", text)
    for value in (section, neutral_section):
        if value is not None and (value <= 0 or value > _MAX_SECTION):
            raise UnitError("zero" if value <= 0 else "too_large", text)
    return CableSize(cores, section, neutral_cores, neutral_section)


def parse_cores_section(text: str) -> tuple[int, float]:
    """(cores, section mm²) of the phase conductors; any neutral is ignored."""
    size = parse_cable_size(text)
    return size.cores, size.section


def format_cable_size(size: CableSize) -> str:
    """Display text such as "3×240 mm²" or "3×240+1×120 mm²"."""
    text = f"{size.cores}×{format_number(size.section)}"
    if size.neutral_cores and size.neutral_section is not None:
        text += f"+{size.neutral_cores}×{format_number(size.neutral_section)}"
    return f"{text} mm²"


def nearest_voltage_level(kv: float) -> float | None:
    """The system level (VOLTAGE_LEVELS) for a level, an Um or a rated voltage.

    12 -> 10, 40.5 -> 35, 10.5 -> 10, 0.38 -> 0.4; None for anything else, because
    guessing between two levels would put a listing in the wrong search bucket.
    """
    if not math.isfinite(kv):
        return None
    return _TO_SYSTEM_LEVEL.get(round(kv, 3))


_PAIR_RE = re.compile(
    r"^(?P<hv>\d+(?:\.\d+)?)(?:kv|千伏)?(?:±[\d.×%]+%?)?"
    r"/(?P<lv>\d+(?:\.\d+)?)(?:kv|千伏)?$"
)


def parse_voltage_pair(text: str) -> tuple[float, float]:
    """HV/LV ratings in kV from "10/0.4kV", "10kV/0.4kV" or "10±5%/0.4"."""
    compact = _compact(text).lower()
    match = _PAIR_RE.match(compact)
    if match is None:
        raise UnitError("not_a_voltage_pair", text)
    hv = _check_magnitude(float(match["hv"]), text, False)
    lv = _check_magnitude(float(match["lv"]), text, False)
    if lv >= hv:
        raise UnitError("lv_not_below_hv", text)
    return hv, lv
