"""Parsing what officers and councils type as an actual or a target.

The forms come from real published tables ("£ 111,340,000", "91.9% (Q3 data)",
"561.3 per 100k population (provisional)", "data not yet available"), so a bulk import of a
past year's report and a form on the data-entry page accept the same text. No Django here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Context, Decimal
from enum import StrEnum

from measures.rules import Unit


class MissingReason(StrEnum):
    NOT_YET_AVAILABLE = "not_yet_available"
    NOT_MEASURED = "not_measured"
    ANNUAL_COLLECTION = "annual_collection"

    @property
    def label(self) -> str:
        return _MISSING_REASON_LABELS[self]


_MISSING_REASON_LABELS = {
    MissingReason.NOT_YET_AVAILABLE: "Data not yet available",
    MissingReason.NOT_MEASURED: "Not measured this year",
    MissingReason.ANNUAL_COLLECTION: "Annual collection",
}


@dataclass(frozen=True)
class ParsedActual:
    """What an actual cell said.

    `value` is None for a blank, for "N/A" and for a missing reason; `missing_reason` says
    which of those was a reason. `unit` is only a hint from what was typed ("%" means a
    percentage); a bare number gives None because it may be a count or a score.
    """

    value: Decimal | None
    unit: Unit | None = None
    missing_reason: MissingReason | None = None
    provisional: bool = False
    forecast: bool = False
    period_label: str = ""


class ValueParseError(ValueError):
    """The text is neither a value nor a recognised way of saying there is none. The message
    is a plain sentence that can be shown to the officer as it is."""


DECIMAL_PLACES = 6
"""A stored value keeps 6 decimal places (measures.models.ValueField: 20 digits in all)."""
LIMIT = Decimal(10) ** (20 - DECIMAL_PLACES)
"""Every stored value lies strictly between -LIMIT and LIMIT: 10^14, the database's bound."""
_PLACES = Decimal(1).scaleb(-DECIMAL_PLACES)

_EXAMPLES = "Type a number such as 74%, £38,140,000 or 12.8 days."

# Dashes and minus signs people paste from Word and PDFs, and spaces that are not spaces.
_TRANSLATE = str.maketrans({"\u2212": "-", "\u2013": "-", "\u2014": "-", "\u00a0": " "})

_NUMBER = re.compile(
    r"""
    (?P<sign>[-+])?\s*
    (?P<pound>£)?\s*
    (?P<pound_sign>[-+])?\s*
    (?P<digits>(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?|\.[0-9]+)
    \s*(?P<suffix>.*)
    """,
    re.VERBOSE | re.IGNORECASE | re.DOTALL,
)

_RATE = re.compile(
    r"per\s+(?P<base>[0-9,]+|[0-9]+k|thousand)(?:\s+[a-z][a-z0-9 '\-]*)?",
    re.IGNORECASE,
)
_RATE_UNITS = {
    "1000": Unit.RATE_PER_1000,
    "1k": Unit.RATE_PER_1000,
    "thousand": Unit.RATE_PER_1000,
    "10000": Unit.RATE_PER_10000,
    "10k": Unit.RATE_PER_10000,
    "100000": Unit.RATE_PER_100000,
    "100k": Unit.RATE_PER_100000,
}
_SUFFIX_UNITS = {
    "%": Unit.PERCENTAGE,
    "percent": Unit.PERCENTAGE,
    "per cent": Unit.PERCENTAGE,
    "day": Unit.DAYS,
    "days": Unit.DAYS,
    "kg": Unit.KG,
    "kgs": Unit.KG,
    "km": Unit.KM,
    "kms": Unit.KM,
}
# Published tables write large sums as "£11.154m" or "£40m".
_MONEY_MULTIPLIERS = {"k": 3, "m": 6, "million": 6, "bn": 9, "billion": 9}

_NOTHING = re.compile(r"-*|n/?a|not applicable", re.IGNORECASE)
_MISSING = (
    (
        re.compile(r"(?:data\s+)?not\s+(?:yet\s+)?available(?:\s+yet)?", re.IGNORECASE),
        MissingReason.NOT_YET_AVAILABLE,
    ),
    (
        re.compile(r"not\s+measured(?:\s+(?:this\s+year|in\s+.+))?", re.IGNORECASE),
        MissingReason.NOT_MEASURED,
    ),
    (
        re.compile(r"annual(?:ly)?\s+(?:collection|measure)|collected\s+annually", re.IGNORECASE),
        MissingReason.ANNUAL_COLLECTION,
    ),
)
_NO_TARGET = re.compile(
    r"no\s+target(?:\s+set)?|not\s+set|none|tbc|to\s+be\s+confirmed|baseline(?:\s+year)?"
    r"|n/?a(?:[\s\-:]+[a-z][a-z ]*)?|not\s+applicable",
    re.IGNORECASE,
)
_TRAILING_NOTE = re.compile(r"\(([^()]*)\)\s*$")
_PROVISIONAL = re.compile(r"\bprovisional\b", re.IGNORECASE)
_FORECAST = re.compile(r"\bforecast(?:ed)?\b", re.IGNORECASE)


@dataclass(frozen=True)
class _Quantity:
    value: Decimal
    unit: Unit | None


def parse_actual(text: str) -> ParsedActual:
    """Read an actual as typed: "74%", "£38,140,000", "91.9% (Q3 data)", "76% (Provisional)",
    "data not yet available", "Not measured this year", "Annual collection".

    A blank, "N/A" or a lone dash gives value None with no missing reason: "N/A" in the
    tables means nothing applies (a new measure has no figure for last year), which is not a
    reason an officer gives for a missing actual. "Data not available" counts as not yet
    available. Raises ValueParseError for anything else.
    """
    invalid = _not_a_number(text)
    core, notes = _split_notes(_clean(text), invalid=invalid)
    if not core and notes:
        raise ValueParseError(invalid)
    note = _read_notes(notes, original=text)
    if _NOTHING.fullmatch(core):
        return _actual(None, None, None, note)
    for pattern, reason in _MISSING:
        if pattern.fullmatch(core):
            return _actual(None, None, reason, note)
    quantity = _parse_quantity(core, original=text, invalid=invalid)
    return _actual(quantity.value, quantity.unit, None, note)


def parse_target(text: str) -> Decimal | None:
    """Read a target: "4.7%", "£ 111,340,000", "95 per 10,000 population", "8.5 days".

    None for a blank and for the ways tables say there is none: "No target", "N/A",
    "N/A - action", "N/A risk", "Not set", "TBC", "Baseline year". Raises ValueParseError
    for anything else, including notes in brackets: a target is a plain figure.
    """
    cleaned = _clean(text)
    if _NOTHING.fullmatch(cleaned) or _NO_TARGET.fullmatch(cleaned):
        return None
    invalid = (
        f"“{_shown(text)}” is not a target. Type a number such as 58%, £1,490,000 or 8.5 days, "
        "or “No target”."
    )
    return _parse_quantity(cleaned, original=text, invalid=invalid).value


@dataclass(frozen=True)
class _Notes:
    provisional: bool
    forecast: bool
    period_label: str


def _actual(
    value: Decimal | None, unit: Unit | None, reason: MissingReason | None, note: _Notes
) -> ParsedActual:
    return ParsedActual(
        value=value,
        unit=unit,
        missing_reason=reason,
        provisional=note.provisional,
        forecast=note.forecast,
        period_label=note.period_label,
    )


def _clean(text: str) -> str:
    return " ".join(text.translate(_TRANSLATE).split())


def _split_notes(cleaned: str, *, invalid: str) -> tuple[str, list[str]]:
    """Take the bracketed notes off the end: "561.3 per 100k (provisional)"."""
    notes: list[str] = []
    core = cleaned
    while match := _TRAILING_NOTE.search(core):
        notes.insert(0, match.group(1).strip())
        core = core[: match.start()].strip()
    if "(" in core or ")" in core:
        raise ValueParseError(invalid)
    return core, notes


def _read_notes(notes: list[str], *, original: str) -> _Notes:
    provisional = forecast = False
    periods: list[str] = []
    for note in notes:
        provisional = provisional or bool(_PROVISIONAL.search(note))
        forecast = forecast or bool(_FORECAST.search(note))
        rest = _FORECAST.sub("", _PROVISIONAL.sub("", note)).strip(" ,;-")
        if rest == "" and note != "":
            continue
        # A period always names a year or a quarter: "Q3 data", "2022", "Q3 2023/24".
        if not re.search(r"[0-9]", rest):
            raise ValueParseError(
                f"“{_shown(original)}” has a note in brackets we do not understand. Brackets "
                "can say (Provisional), (Forecast) or the period the data is for, such as "
                "(Q3 data)."
            )
        periods.append(" ".join(rest.split()))
    return _Notes(provisional=provisional, forecast=forecast, period_label="; ".join(periods))


def _parse_quantity(core: str, *, original: str, invalid: str) -> _Quantity:
    match = _NUMBER.fullmatch(core)
    if match is None or (match["sign"] and match["pound_sign"]):
        raise ValueParseError(invalid)
    negative = (match["sign"] or match["pound_sign"] or "+") == "-"
    value = Decimal(match["digits"].replace(",", ""))
    suffix = " ".join(match["suffix"].lower().split())
    if match["pound"]:
        if suffix and suffix not in _MONEY_MULTIPLIERS:
            raise ValueParseError(invalid)
        if suffix:
            value = _scaled(value, _MONEY_MULTIPLIERS[suffix])
        unit: Unit | None = Unit.CURRENCY
    else:
        unit = _unit_from(suffix, original=original, invalid=invalid)
    # copy_negate is exact; unary minus would round to the thread's context.
    value = bounded(value.copy_negate() if negative else value)
    return _Quantity(value=value, unit=unit)


def bounded(value: Decimal) -> Decimal:
    """`value`, when the database can keep it. Raises ValueParseError, in words, for one it
    cannot hold: 10^14 or more either way once rounded to the 6 decimal places PostgreSQL
    keeps (half away from zero, as it rounds), or to the 15 significant digits the embedded
    SQLite database keeps (it stores a decimal as a floating-point number, and one rounded
    up to 10^14 could not be read back)."""
    if not value.is_finite() or abs(value) >= LIMIT:
        raise ValueParseError(_too_big(value))
    exponent = value.as_tuple().exponent
    rounds_up = isinstance(exponent, int) and exponent < -DECIMAL_PLACES
    if rounds_up and abs(value.quantize(_PLACES, rounding=ROUND_HALF_UP)) >= LIMIT:
        raise ValueParseError(_too_big(value))
    if abs(_SQLITE_DIGITS.create_decimal_from_float(float(value))) >= LIMIT:
        raise ValueParseError(_too_big(value))
    return value


# The significant digits of a decimal read back from SQLite (Django's SQLite backend).
_SQLITE_DIGITS = Context(prec=15, rounding=ROUND_HALF_EVEN)


def _too_big(value: Decimal) -> str:
    if value.is_signed():
        return f"Enter a number larger than -{LIMIT:,}"
    return f"Enter a number smaller than {LIMIT:,}"


def _unit_from(suffix: str, *, original: str, invalid: str) -> Unit | None:
    if not suffix:
        return None
    if suffix in _SUFFIX_UNITS:
        return _SUFFIX_UNITS[suffix]
    rate = _RATE.fullmatch(suffix)
    if rate is None:
        raise ValueParseError(invalid)
    base = rate["base"]
    if re.fullmatch(r"[0-9]{1,3}(?:,[0-9]{3})+", base):
        base = base.replace(",", "")
    if base not in _RATE_UNITS:
        raise ValueParseError(
            f"“{_shown(original)}” is a rate we do not use. Rates are per 1,000, per 10,000 "
            "or per 100,000, for example 136.9 per 10,000."
        )
    return _RATE_UNITS[base]


def _scaled(value: Decimal, places: int) -> Decimal:
    """value × 10^places, exactly, written out in full: £11.154m is 11154000, not 1.1154E+7."""
    sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    exponent += places
    if exponent > 0:
        digits, exponent = digits + (0,) * exponent, 0
    return Decimal((sign, digits, exponent))


def _not_a_number(text: str) -> str:
    return f"“{_shown(text)}” is not a number. {_EXAMPLES}"


def _shown(text: str) -> str:
    shown = _clean(text)
    return shown if len(shown) <= 40 else shown[:39] + "…"
