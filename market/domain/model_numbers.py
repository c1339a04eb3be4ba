"""Read category and ratings out of Chinese equipment model numbers (型号)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from market.domain.categories import family_of, get_category, spec_input_value
from market.domain.units import (
    UnitError,
    nearest_voltage_level,
    normalize_text,
    parse_cable_size,
)

__all__ = [
    "NOTE_KEYS",
    "ParsedModel",
    "normalize_model",
    "parse_model",
    "suggest",
]

NOTE_KEYS = (
    # S7/S8/S9/SL7-class transformers are on MIIT's elimination catalogue; the
    # Energy Conservation Law forbids passing them on for use, so scrap only.
    "eliminated_high_loss",
    # ZW32-12F and friends carry a fault-isolating controller (分界开关).
    "boundary_switch",
    # A used meter must be re-verified before it may settle a bill again.
    "meter_verification",
)

# Anything longer is a description pasted into the model box, not a model.
_MAX_LENGTH = 80

SpecValue = float | str


@dataclass(frozen=True)
class ParsedModel:
    family: str  # top-level category slug
    category_slug: str
    specs: dict[str, SpecValue]
    series: str  # the model without its ratings: "S11", "KYN28A", "ZC-YJV22"
    eliminated: bool
    note_key: str | None
    raw: str
    normalized: str


_SPACES_RE = re.compile(r"\s+")
_AROUND_RE = re.compile(r" ?([-/×+]) ?")
# Only between digits: X is a real letter in XGN15, HXGN15, JDZX and FXBW.
_TIMES_RE = re.compile(r"(?<=\d)[X*×](?=\d)")
_UNIT_AFTER_DIGIT_RE = re.compile(
    r"(?<=\d)(?:KVA|KV|V|MM\^?2|平方毫米|平方|AH|千伏安|千伏)(?=$|[-/ +])"
)
# "630A" and "20KA" in breaker ratings; a bare A after digits elsewhere is part of
# the design code (KYN28A, ZN63A) and must stay.
_AMPS_RE = re.compile(r"(/\d+)A(?=$|[-/ ])")
_KILOAMPS_RE = re.compile(r"(-\d+(?:\.\d+)?)KA(?=$| )")


def normalize_model(raw: str) -> str:
    """Upper-case, half-width, × between digits, no units or stray spaces."""
    text = normalize_text(raw).upper()
    text = re.sub(r"^型号[:：]?", "", text).removesuffix("型")
    text = _SPACES_RE.sub(" ", text).strip()
    text = _AROUND_RE.sub(r"\1", text)
    text = _TIMES_RE.sub("×", text)
    text = _UNIT_AFTER_DIGIT_RE.sub("", text)
    text = _AMPS_RE.sub(r"\1", text)
    return _KILOAMPS_RE.sub(r"\1", text)


def _num(text: str | None) -> float | None:
    return float(text) if text else None


@dataclass
class _Result:
    category_slug: str
    series: str
    specs: dict[str, SpecValue] = field(default_factory=dict)
    eliminated: bool = False
    note_key: str | None = None


_Parser = Callable[["re.Match[str]"], _Result | None]


# --- transformers (JB/T 3837) -------------------------------------------------

_TRANSFORMER_RE = re.compile(
    r"^(?P<auto>O)?(?P<phase>[DS])(?P<codes>[A-Z]*?)(?P<level>\d{1,2})?"
    r"(?:-(?P<feat>[A-Z.]+))?-(?P<kva>\d+)/(?P<hv>\d+(?:\.\d+)?)"
    r"(?:/(?P<lv>\d+(?:\.\d+)?))?$"
)
# Medium, cooling, circulation, windings, conductor, core and tap-changer letters;
# anything else (SN10-10/630 is an oil breaker) is not a transformer.
_TRANSFORMER_CODES = frozenset("CGQFSPLBHRZJ")


def _winding(codes: str) -> str:
    # L is the aluminium-conductor letter, but RL means a 3-D wound core.
    return "al" if "L" in codes.replace("RL", "") else "cu"


def _transformer(m: re.Match[str]) -> _Result | None:
    codes = m["codes"]
    if len(codes) > 6 or not set(codes) <= _TRANSFORMER_CODES:
        return None
    hv = nearest_voltage_level(float(m["hv"]))
    kva = float(m["kva"])
    if hv is None or hv < 3 or not 5 <= kva <= 1_000_000:
        return None
    if "H" in codes:
        slug = "amorphous_transformer"
    elif "C" in codes or "G" in codes:
        slug = "dry_type_transformer"
    elif m["auto"] or hv >= 35:
        slug = "power_transformer_hv"
    else:
        slug = "oil_immersed_transformer"
    specs: dict[str, SpecValue] = {
        "capacity_kva": kva,
        "voltage_kv": hv,
        "winding_material": _winding(codes),
    }
    if m["lv"]:
        specs["lv_kv"] = float(m["lv"])
    level = int(m["level"]) if m["level"] else None
    # Loss levels 7-9 are the catalogued high-loss oil-immersed series; dry-type and
    # amorphous designs start above them.
    eliminated = (
        level is not None
        and level <= 9
        and slug in {"oil_immersed_transformer", "power_transformer_hv"}
    )
    return _Result(
        slug,
        f"{m['auto'] or ''}{m['phase']}{codes}{m['level'] or ''}",
        specs,
        eliminated,
        "eliminated_high_loss" if eliminated else None,
    )


# --- box substations -----------------------------------------------------------

_US_BOX_RE = re.compile(
    r"^(?P<series>ZGS(?P<level>\d{1,2})?)(?:-(?P<feat>[A-Z.]+))?"
    r"-(?P<kva>\d+)/(?P<hv>\d+(?:\.\d+)?)(?:/(?P<lv>\d+(?:\.\d+)?))?$"
)
_EU_BOX_RE = re.compile(
    r"^(?P<series>(?:YB|ZBW)[A-Z]*\d*[A-Z]*)-(?P<um>\d+(?:\.\d+)?)"
    r"/(?P<lv>\d+(?:\.\d+)?)-(?P<kva>\d+)$"
)


def _box(series: str, kva: float, hv_text: str, lv: float | None) -> _Result | None:
    hv = nearest_voltage_level(float(hv_text))
    if hv is None or hv < 3 or not 5 <= kva <= 100_000:
        return None
    specs: dict[str, SpecValue] = {"capacity_kva": kva, "voltage_kv": hv}
    if lv is not None:
        specs["lv_kv"] = lv
    return _Result("box_substation", series, specs)


def _us_box(m: re.Match[str]) -> _Result | None:
    result = _box(m["series"], float(m["kva"]), m["hv"], _num(m["lv"]))
    # ZGS11 holds an S11 transformer, so ZGS9 holds an eliminated S9.
    if result and m["level"] and int(m["level"]) <= 9:
        result.eliminated, result.note_key = True, "eliminated_high_loss"
    return result


def _eu_box(m: re.Match[str]) -> _Result | None:
    return _box(m["series"], float(m["kva"]), m["um"], float(m["lv"]))


# --- switchgear, breakers and switches ------------------------------------------

_SWITCHGEAR_RE = re.compile(
    r"^(?P<series>[A-Z]+)(?P<design>\d+[A-Z]*)-(?P<um>\d+(?:\.\d+)?)(?P<sfx>[A-Z]*)"
    r"(?:/(?P<ir>\d+))?(?:-(?P<ik>\d+(?:\.\d+)?))?$"
)
_SWITCHGEAR_SERIES = {
    "KYN": "mv_withdrawable_switchgear",
    "JYN": "mv_withdrawable_switchgear",
    "XGN": "mv_fixed_switchgear",  # XGN15 is an RMU; see below
    "KGN": "mv_fixed_switchgear",
    "GG": "mv_fixed_switchgear",
    "HXGN": "ring_main_unit",
    "ZW": "outdoor_vacuum_breaker",
    "ZN": "indoor_vacuum_breaker",
    "VS": "indoor_vacuum_breaker",
    "VD": "indoor_vacuum_breaker",
    "LW": "sf6_breaker",
    "LN": "sf6_breaker",
    "GW": "disconnector",
    "GN": "disconnector",
    "FN": "load_switch",
    "FZN": "load_switch",
    "FZRN": "load_switch",
    "FKN": "load_switch",
    "FKRN": "load_switch",
    "FLN": "load_switch",
    "FW": "load_switch",
    "FZW": "load_switch",
    "RW": "dropout_fuse",
    "HRW": "dropout_fuse",
    "ZF": "gis",
}


def _switchgear(m: re.Match[str]) -> _Result | None:
    slug = _SWITCHGEAR_SERIES.get(m["series"])
    if slug is None:
        return None
    if m["series"] == "XGN" and m["design"].startswith("15"):
        slug = "ring_main_unit"
    level = nearest_voltage_level(float(m["um"]))
    if level is None or level < 3:
        return None
    specs: dict[str, SpecValue] = {"voltage_kv": level}
    ir, ik = _num(m["ir"]), _num(m["ik"])
    if ir is not None:
        if not 1 <= ir <= 10_000:
            return None
        specs["rated_current_a"] = ir
    if ik is not None:
        if not 0 < ik <= 100:
            return None
        category = get_category(slug)
        assert category is not None
        # The trailing kA is the short-time current on gear that cannot break
        # faults and the breaking current on breakers and breaker panels.
        if "short_time_current_ka" in category.spec_keys:
            specs["short_time_current_ka"] = ik
        else:
            specs["breaking_current_ka"] = ik
    boundary = m["series"] in {"ZW", "FZW"} and "F" in m["sfx"]
    return _Result(
        slug,
        m["series"] + m["design"],
        specs,
        note_key="boundary_switch" if boundary else None,
    )


_LV_SWITCHBOARD_RE = re.compile(
    r"^(?P<series>GGD|GCS|MNS|GCK)(?P<design>\d{0,2}[A-Z]?)(?:-0?\.4)?$"
)


def _lv_switchboard(m: re.Match[str]) -> _Result | None:
    return _Result("lv_switchgear", m["series"] + m["design"], {"voltage_kv": 0.4})


# The number after the dash is the frame size, not the rated current, so no spec.
_LV_BREAKER_RE = re.compile(
    r"^(?P<series>DW|CW|NA|DZ|NM|CM)(?P<design>\d+[A-Z]*)-(?P<frame>\d+)[A-Z]*"
    r"(?:/[0-9A-Z]+)?$"
)


def _lv_breaker(m: re.Match[str]) -> _Result | None:
    return _Result("lv_breaker", m["series"] + m["design"])


# --- instrument transformers ------------------------------------------------------

_INSTRUMENT_RE = re.compile(
    r"^(?P<series>[LJ][A-Z]{1,5})(?P<design>\d+[A-Z]*)-(?P<kv>\d+(?:\.\d+)?)"
    r"(?P<sfx>[A-Z0-9]*)(?: (?P<ratio>\d+(?:\.\d+)?/\d+(?:\.\d+)?)(?: .*)?)?$"
)


def _instrument(m: re.Match[str]) -> _Result | None:
    series = m["series"]
    if series in {"LW", "LN"}:  # SF6 breakers, not CTs
        return None
    kv = float(m["kv"])
    specs: dict[str, SpecValue] = {}
    if m["ratio"]:
        specs["ratio"] = m["ratio"]
    if series.startswith("L") and kv <= 1:
        return _Result("lv_current_transformer", series + m["design"], specs)
    level = nearest_voltage_level(kv)
    if level is None or level < 3:
        return None
    specs["voltage_kv"] = level
    if series.startswith("L"):
        slug = "current_transformer"
    elif series.startswith("JLS"):
        slug = "combined_instrument_transformer"
    else:
        slug = "voltage_transformer"
    return _Result(slug, series + m["design"], specs)


# --- cables and conductors ---------------------------------------------------------

# U0/U (kV) -> system level. 8.7/15 is what grid companies now buy for 10 kV,
# 8.7/10 the older choice; 6/6 serves 6 kV and 6/10 serves 10 kV; China has no
# 30 kV level, so 18/30 cable is used on 35 kV. Control cables print volts.
_CABLE_VOLTAGES: dict[tuple[float, float], float] = {
    (0.3, 0.5): 0.4, (300, 500): 0.4, (0.45, 0.75): 0.4, (450, 750): 0.4,
    (0.6, 1): 0.4,
    (1.8, 3): 3.0,
    (3.6, 6): 6.0, (6, 6): 6.0,
    (6, 10): 10.0, (8.7, 10): 10.0, (8.7, 15): 10.0,
    (12, 20): 20.0, (18, 20): 20.0,
    (18, 30): 35.0, (21, 35): 35.0, (26, 35): 35.0,
    (48, 66): 66.0, (64, 110): 110.0, (127, 220): 220.0, (190, 330): 330.0,
    (290, 500): 500.0,
}  # fmt: skip

_CABLE_TYPE = (
    r"(?:(?P<prefix>[A-Z]{1,4}\d?)-)?"
    r"(?P<type>(?:YJ|V|Y|X|Z|E)[A-Z]*?|K(?:YJ|V|Y|X|F)[A-Z]*?)(?P<armour>\d{2})?"
)
_CABLE_VOLTAGE = r"(?P<u0>\d+(?:\.\d+)?)/(?P<u>\d+(?:\.\d+)?)"
_CABLE_SIZE = r"(?P<size>\d+×\d+(?:\.\d+)?(?:\+\d+×\d+(?:\.\d+)?)?)"
_CABLE_RE = re.compile(rf"^{_CABLE_TYPE}[- ]{_CABLE_VOLTAGE}(?:[- ]{_CABLE_SIZE})?$")
# Sellers also put the size first: YJV22-3×240-8.7/15.
_CABLE_SIZE_FIRST_RE = re.compile(
    rf"^{_CABLE_TYPE}[- ]{_CABLE_SIZE}[- ]{_CABLE_VOLTAGE}$"
)


def _conductor(letters: str) -> str:
    if letters.startswith("LH"):
        return "al_alloy"
    return "al" if letters.startswith("L") else "cu"


def _cable(m: re.Match[str]) -> _Result | None:
    level = _CABLE_VOLTAGES.get((float(m["u0"]), float(m["u"])))
    if level is None:
        return None
    cable_type = m["type"]
    control = cable_type.startswith("K")
    body = cable_type[1:] if control else cable_type
    insulation = "YJ" if body.startswith("YJ") else body[:1]
    specs: dict[str, SpecValue] = {"conductor": _conductor(body[len(insulation) :])}
    if m["size"]:
        try:
            size = parse_cable_size(m["size"])
        except UnitError:
            return None
        specs["cores"] = size.cores
        specs["cross_section_mm2"] = size.section
    if control:
        slug = "control_cable"
    else:
        # There is no HV cable category; 66 kV and up files under the MV one.
        slug = "lv_power_cable" if float(m["u"]) <= 1 or level < 1 else "mv_power_cable"
        specs["voltage_kv"] = level
    prefix = f"{m['prefix']}-" if m["prefix"] else ""
    return _Result(slug, f"{prefix}{cable_type}{m['armour'] or ''}", specs)


_ACCESSORY_RE = re.compile(
    r"^(?P<kind>NSY|WSY|NLS|WLS|JSY|JLS)-(?P<kv>\d+(?:\.\d+)?)"
    r"/(?P<cores>[1-5])\.(?P<size>[1-6])$"
)


def _accessory(m: re.Match[str]) -> _Result | None:
    kv = float(m["kv"])
    level = 0.4 if kv <= 1 else nearest_voltage_level(kv)
    if level is None:
        return None
    slug = "cable_joint" if m["kind"].startswith("J") else "cable_termination"
    return _Result(slug, m["kind"], {"voltage_kv": level, "cores": int(m["cores"])})


_STEEL_CORED_RE = re.compile(
    r"^(?P<series>JL/G\dA?|JL/LB\dA|LGJ)-(?P<al>\d+)/(?P<steel>\d+)(?:-\d+/\d+)?$"
)
_ALUMINIUM_RE = re.compile(r"^(?P<series>JL|LJ)-(?P<al>\d+)$")
_AERIAL_CABLE_RE = re.compile(
    r"^(?P<series>JK(?P<metal>LH|L|T)?G?(?:YJ|Y|V))-(?P<kv>\d+(?:\.\d+)?)"
    r"/(?P<sec>\d+)(?:/\d+)?$"
)


def _bare_conductor(m: re.Match[str]) -> _Result | None:
    section = float(m["al"])
    if not 0 < section <= 1500:
        return None
    return _Result(
        "overhead_conductor",
        m["series"],
        {"conductor": "al", "cross_section_mm2": section},
    )


def _aerial_cable(m: re.Match[str]) -> _Result | None:
    kv, section = float(m["kv"]), float(m["sec"])
    level = 0.4 if kv <= 1 else nearest_voltage_level(kv)
    if level is None or not 0 < section <= 1500:
        return None
    metal = {"LH": "al_alloy", "L": "al"}.get(m["metal"] or "", "cu")
    specs: dict[str, SpecValue] = {
        "voltage_kv": level,
        "conductor": metal,
        "cross_section_mm2": section,
    }
    return _Result("overhead_conductor", m["series"], specs)


# --- meters, arresters, capacitors, batteries, gensets --------------------------

_METER_RE = re.compile(
    r"^D(?P<phase>[DSTX])(?P<func>[SDYFZH]*?)(?P<design>\d*)(?:-(?P<sfx>[A-Z0-9]+))?$"
)


def _meter(m: re.Match[str]) -> _Result | None:
    if not m["func"] and not m["design"]:
        return None
    single = m["phase"] == "D"
    return _Result(
        "single_phase_meter" if single else "three_phase_meter",
        f"D{m['phase']}{m['func']}{m['design']}",
        {"phase": "1" if single else "3"},
        note_key="meter_verification",
    )


_ARRESTER_RE = re.compile(
    r"^(?P<housing>H?Y|YH)(?P<ka>\d+(?:\.\d+)?)W(?P<use>[SZRXDT]?)\d*"
    r"-(?P<ur>\d+(?:\.\d+)?)/(?P<ures>\d+(?:\.\d+)?)$"
)
# Arrester rated voltage (kV) -> system level, for the ratings commonly fitted.
_ARRESTER_LEVELS = {
    5.0: 3.0, 10.0: 6.0, 13.5: 10.0, 17.0: 10.0, 34.0: 20.0, 51.0: 35.0,
    90.0: 66.0, 96.0: 66.0, 100.0: 110.0, 102.0: 110.0, 108.0: 110.0,
    200.0: 220.0, 204.0: 220.0, 216.0: 220.0, 300.0: 330.0, 312.0: 330.0,
    420.0: 500.0, 444.0: 500.0,
}  # fmt: skip


def _arrester(m: re.Match[str]) -> _Result | None:
    # Nominal discharge currents run 1-20 kA and the residual voltage is always
    # above the rated voltage.
    if not 0 < float(m["ka"]) <= 20 or float(m["ures"]) <= float(m["ur"]):
        return None
    specs: dict[str, SpecValue] = {}
    level = _ARRESTER_LEVELS.get(float(m["ur"]))
    if level is not None:
        specs["voltage_kv"] = level
    series = f"{m['housing']}{m['ka']}W{m['use']}"
    return _Result("surge_arrester", series, specs)


_CAPACITOR_RE = re.compile(
    r"^B(?P<codes>[A-Z]{1,4})(?P<kv>\d+(?:\.\d+)?)(?P<root3>/√3)?"
    r"-(?P<kvar>\d+(?:\.\d+)?)-(?P<phase>[13])(?P<sfx>[A-Z]*)$"
)


def _capacitor(m: re.Match[str]) -> _Result | None:
    kv, kvar = float(m["kv"]), float(m["kvar"])
    # 0.45 and 0.525 kV LV capacitors sit on 0.4 kV systems; 11/√3 kV units are
    # star-connected on 10 kV, so the figure before /√3 is the line voltage.
    level = 0.4 if kv <= 1 else nearest_voltage_level(kv) or {6.6: 6.0}.get(kv)
    if level is None or not 0 < kvar <= 100_000:
        return None
    specs: dict[str, SpecValue] = {
        "voltage_kv": level,
        "capacity_kvar": kvar,
        "phase": m["phase"],
    }
    return _Result("shunt_capacitor", f"B{m['codes']}", specs)


_BATTERY_RE = re.compile(
    r"^(?:(?P<cells>\d{1,2})-)?(?P<series>G?FM[A-Z]{0,2})-(?P<ah>\d+(?:\.\d+)?)$"
)


def _battery(m: re.Match[str]) -> _Result | None:
    cells = int(m["cells"]) if m["cells"] else 1  # GFM-500 is a single 2 V cell
    ah = float(m["ah"])
    if not 1 <= cells <= 24 or not 0 < ah <= 10_000:
        return None
    series = f"{cells}-{m['series']}" if m["cells"] else m["series"]
    specs: dict[str, SpecValue] = {"capacity_ah": ah, "nominal_voltage_v": 2.0 * cells}
    return _Result("lead_acid_battery", series, specs)


_GENSET_RE = re.compile(r"^(?P<kw>\d+(?:\.\d+)?)GF(?P<sfx>[A-Z0-9]*)(?:-[A-Z0-9]+)?$")


def _genset(m: re.Match[str]) -> _Result | None:
    kw = float(m["kw"])
    if not 0 < kw <= 10_000:
        return None
    return _Result("diesel_genset", "GF" + m["sfx"], {"power_kw": kw})


# Order matters where grammars overlap: the cable and conductor patterns are
# checked before the switchgear one, which would read JKLYJ or LZZBJ9-10 too, and
# the arrester before it as HY5WS-17/50 also fits series-design-Um/Ir.
_PARSERS: tuple[tuple[re.Pattern[str], _Parser], ...] = (
    (_CABLE_RE, _cable),
    (_CABLE_SIZE_FIRST_RE, _cable),
    (_ACCESSORY_RE, _accessory),
    (_STEEL_CORED_RE, _bare_conductor),
    (_ALUMINIUM_RE, _bare_conductor),
    (_AERIAL_CABLE_RE, _aerial_cable),
    (_TRANSFORMER_RE, _transformer),
    (_US_BOX_RE, _us_box),
    (_EU_BOX_RE, _eu_box),
    (_ARRESTER_RE, _arrester),
    (_CAPACITOR_RE, _capacitor),
    (_BATTERY_RE, _battery),
    (_GENSET_RE, _genset),
    (_METER_RE, _meter),
    (_LV_SWITCHBOARD_RE, _lv_switchboard),
    (_LV_BREAKER_RE, _lv_breaker),
    (_INSTRUMENT_RE, _instrument),
    (_SWITCHGEAR_RE, _switchgear),
)


def parse_model(raw: str) -> ParsedModel | None:
    """Category, ratings and series of a model string; None when not recognised.

    Never raises on any string: sellers type free text into the model box.
    """
    if not isinstance(raw, str) or len(raw) > _MAX_LENGTH:
        return None
    normalized = normalize_model(raw)
    for pattern, parser in _PARSERS:
        match = pattern.match(normalized)
        if match is None:
            continue
        result = parser(match)
        if result is None:
            continue
        category = get_category(result.category_slug)
        assert category is not None, result.category_slug
        specs = {k: v for k, v in result.specs.items() if k in category.spec_keys}
        return ParsedModel(
            family=family_of(category.slug),
            category_slug=category.slug,
            specs=specs,
            series=result.series,
            eliminated=result.eliminated,
            note_key=result.note_key,
            raw=raw,
            normalized=normalized,
        )
    return None


def suggest(raw: str) -> dict[str, Any]:
    """Form pre-fill for a model typed so far; {} when nothing was recognised.

    specs values are strings as form controls take them ("400", "0.4", "cu").
    """
    parsed = parse_model(raw)
    if parsed is None:
        return {}
    return {
        "category_slug": parsed.category_slug,
        "specs": {k: spec_input_value(k, v) for k, v in parsed.specs.items()},
        "eliminated": parsed.eliminated,
        "note_key": parsed.note_key,
    }
